//! The Engine playground over real HTTP on 127.0.0.1: each test starts its own server in-process
//! on port 0 and mints its JWTs with `jsonwebtoken` (or AWS-LC directly for ES512 / RS256) from
//! throw-away keys generated on the spot.

use std::time::{SystemTime, UNIX_EPOCH};

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{
    EcdsaKeyPair, KeyPair, RsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING,
    ECDSA_P521_SHA512_FIXED_SIGNING, RSA_PKCS1_SHA256,
};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use keyward_playground::engine::{
    AUTH_WALLET_ADDRESS, EXPIRED, INVALID, KEY_NOT_FOUND, NEEDS_USER, NOT_YET_VALID, UNAUTHORIZED,
};
use keyward_playground::{serve, Config, Service};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

struct Server {
    url: String,
    admin: String,
    client: reqwest::Client,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn start_with(keypair_auth: bool, date_offset_secs: i64) -> Server {
    let mut config = Config::new(Service::Engine);
    config.keypair_auth = keypair_auth;
    config.date_offset_secs = date_offset_secs;
    config.log_requests = false;
    let admin = config.admin_token.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(serve(config, listener));
    Server {
        url,
        admin,
        client: reqwest::Client::new(),
        task,
    }
}

async fn start() -> Server {
    start_with(true, 0).await
}

struct Answer {
    status: StatusCode,
    date: Option<String>,
    body: Value,
}

impl Server {
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        authorization: Option<&str>,
        body: Option<&str>,
    ) -> Answer {
        let mut request = self.client.request(method, format!("{}{path}", self.url));
        if let Some(authorization) = authorization {
            request = request.header("authorization", authorization);
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_owned());
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let date = response
            .headers()
            .get("date")
            .map(|d| d.to_str().unwrap().to_owned());
        let text = response.text().await.unwrap();
        let body = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{path}: answer is not JSON ({e}): {text}"));
        Answer { status, date, body }
    }

    async fn get(&self, path: &str, token: &str) -> Answer {
        self.send(
            reqwest::Method::GET,
            path,
            Some(&format!("Bearer {token}")),
            None,
        )
        .await
    }

    async fn post(&self, path: &str, token: &str, body: &str) -> Answer {
        self.send(
            reqwest::Method::POST,
            path,
            Some(&format!("Bearer {token}")),
            Some(body),
        )
        .await
    }

    async fn add_keypair(&self, pem: &str, algorithm: &str) -> Answer {
        let body = json!({ "publicKey": pem, "algorithm": algorithm, "label": "test" });
        self.post("/auth/keypair/add", &self.admin, &body.to_string())
            .await
    }
}

fn assert_401(answer: &Answer, message: &str) {
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{}", answer.body);
    assert_eq!(
        answer.body,
        json!({ "error": "Unauthorized", "message": message })
    );
}

fn assert_error(answer: &Answer, status: StatusCode, code: &str) {
    assert_eq!(answer.status, status, "{}", answer.body);
    assert_eq!(answer.body["error"]["code"], code, "{}", answer.body);
    assert_eq!(answer.body["error"]["statusCode"], status.as_u16());
    assert!(answer.body["error"]["message"].is_string());
}

fn pem(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----",
        lines.join("\n")
    )
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A fresh P-256 key: its SPKI PEM and a jsonwebtoken signing key.
struct P256 {
    pem: String,
    signing: EncodingKey,
}

fn p256() -> P256 {
    let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).unwrap();
    let spki = pair.public_key().as_der().unwrap();
    let pkcs8 = pair.to_pkcs8v1().unwrap();
    P256 {
        pem: pem("PUBLIC KEY", spki.as_ref()),
        signing: EncodingKey::from_ec_der(pkcs8.as_ref()),
    }
}

impl P256 {
    fn hash(&self) -> String {
        sha256_hex(self.pem.as_bytes())
    }

    /// An ES256 JWT with `iss` = the PEM and the given extra claims.
    fn jwt(&self, claims: Value) -> String {
        let mut claims = claims;
        if claims.get("iss").is_none() {
            claims["iss"] = json!(self.pem);
        }
        jsonwebtoken::encode(&Header::new(Algorithm::ES256), &claims, &self.signing).unwrap()
    }

    /// An ES256 JWT with header `kid` = the key hash and no `iss`.
    fn kid_jwt(&self, kid: &str, claims: Value) -> String {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(kid.to_owned());
        jsonwebtoken::encode(&header, &claims, &self.signing).unwrap()
    }
}

/// A compact JWS over any header, signed by `sign` (for what jsonwebtoken cannot mint).
fn raw_jwt(header: Value, claims: Value, sign: impl Fn(&[u8]) -> Vec<u8>) -> String {
    let message = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = sign(message.as_bytes());
    format!("{message}.{}", URL_SAFE_NO_PAD.encode(signature))
}

#[tokio::test]
async fn health_is_public_and_reports_keypair_auth() {
    for enabled in [true, false] {
        let server = start_with(enabled, 0).await;
        let answer = server
            .send(reqwest::Method::GET, "/system/health", None, None)
            .await;
        assert_eq!(answer.status, StatusCode::OK);
        let body = &answer.body;
        assert_eq!(body["db"], true);
        assert_eq!(body["redis"], true);
        assert_eq!(body["auth"], true);
        assert_eq!(body["engineVersion"], "keyward-playground");
        assert_eq!(body["engineTier"], "SELF_HOSTED");
        assert_eq!(body["clientId"], "playground");
        let features = body["features"].as_array().unwrap();
        assert!(features.len() >= 2);
        assert!(features.contains(&json!("CONTRACT_SUBSCRIPTIONS")));
        assert_eq!(features.contains(&json!("KEYPAIR_AUTH")), enabled);
        assert!(answer.date.is_some(), "every response carries Date");
    }
}

#[tokio::test]
async fn keypair_add_list_remove() {
    let server = start().await;
    let key = p256();

    // Stored trimmed; the hash is that of the trimmed PEM.
    let answer = server
        .add_keypair(&format!("\n  {}\n\n", key.pem), "ES256")
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let keypair = &answer.body["result"]["keypair"];
    assert_eq!(keypair["hash"], key.hash());
    assert_eq!(keypair["publicKey"], key.pem);
    assert_eq!(keypair["algorithm"], "ES256");
    assert_eq!(keypair["label"], "test");
    let created = keypair["createdAt"].as_str().unwrap();
    assert_eq!(created.len(), "2026-01-01T00:00:00.000Z".len());
    assert!(created.ends_with('Z') && created.as_bytes()[19] == b'.');
    assert_eq!(keypair["updatedAt"], created);

    assert_error(
        &server.add_keypair(&key.pem, "ES256").await,
        StatusCode::BAD_REQUEST,
        "PUBLIC_KEY_EXISTS",
    );
    assert_error(
        &server.add_keypair("not a key", "ES256").await,
        StatusCode::BAD_REQUEST,
        "INVALID_PUBLIC_KEY",
    );
    // An EC key does not parse as the RSA key RS256 needs.
    assert_error(
        &server.add_keypair(&p256().pem, "RS256").await,
        StatusCode::BAD_REQUEST,
        "INVALID_PUBLIC_KEY",
    );
    assert_error(
        &server.add_keypair(&p256().pem, "HS256").await,
        StatusCode::BAD_REQUEST,
        "BAD_REQUEST",
    );
    assert_error(
        &server.add_keypair(&p256().pem, "ES256K").await,
        StatusCode::BAD_REQUEST,
        "BAD_REQUEST",
    );
    assert_error(
        &server
            .post("/auth/keypair/add", &server.admin, "{\"publicKey\":")
            .await,
        StatusCode::BAD_REQUEST,
        "BAD_REQUEST",
    );
    assert_error(
        &server
            .post(
                "/auth/keypair/add",
                &server.admin,
                r#"{"algorithm":"ES256"}"#,
            )
            .await,
        StatusCode::BAD_REQUEST,
        "BAD_REQUEST",
    );

    // Without a label, an added keypair has no `label` field (Engine: `label ?? undefined`).
    let other = p256();
    let body = json!({ "publicKey": other.pem, "algorithm": "ES256" }).to_string();
    let answer = server.post("/auth/keypair/add", &server.admin, &body).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.body["result"]["keypair"].get("label").is_none());

    let list = server.get("/auth/keypair/get-all", &server.admin).await;
    assert_eq!(list.status, StatusCode::OK);
    let hashes: Vec<&str> = list.body["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["hash"].as_str().unwrap())
        .collect();
    assert_eq!(hashes, [key.hash(), other.hash()]);

    let remove = json!({ "hash": key.hash() }).to_string();
    let answer = server
        .post("/auth/keypair/remove", &server.admin, &remove)
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body, json!({ "result": { "success": true } }));
    assert_error(
        &server
            .post("/auth/keypair/remove", &server.admin, &remove)
            .await,
        StatusCode::BAD_REQUEST,
        "KEYPAIR_NOT_FOUND",
    );
    let list = server.get("/auth/keypair/get-all", &server.admin).await;
    assert_eq!(list.body["result"].as_array().unwrap().len(), 1);

    // A removed key no longer authenticates.
    let jwt = key.jwt(json!({ "exp": now() + 60 }));
    assert_401(
        &server.get("/backend-wallet/get-all", &jwt).await,
        KEY_NOT_FOUND,
    );
}

#[tokio::test]
async fn keypair_jwt_verification() {
    let server = start().await;
    let key = p256();
    assert_eq!(
        server.add_keypair(&key.pem, "ES256").await.status,
        StatusCode::OK
    );
    let path = "/backend-wallet/get-all";

    // Fresh token.
    let answer = server
        .get(path, &key.jwt(json!({ "exp": now() + 15 })))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.body, json!({ "result": [] }));
    // `exp` is optional.
    assert_eq!(
        server.get(path, &key.jwt(json!({}))).await.status,
        StatusCode::OK
    );
    // Expired at `exp` (now >= exp), and of course before.
    assert_401(
        &server.get(path, &key.jwt(json!({ "exp": now() }))).await,
        EXPIRED,
    );
    assert_401(
        &server
            .get(path, &key.jwt(json!({ "exp": now() - 30 })))
            .await,
        EXPIRED,
    );
    // Not before `nbf`.
    assert_401(
        &server
            .get(
                path,
                &key.jwt(json!({ "nbf": now() + 60, "exp": now() + 120 })),
            )
            .await,
        NOT_YET_VALID,
    );
    assert_eq!(
        server
            .get(
                path,
                &key.jwt(json!({ "nbf": now() - 1, "exp": now() + 60 }))
            )
            .await
            .status,
        StatusCode::OK
    );
    // A key that was never added.
    assert_401(
        &server
            .get(path, &p256().jwt(json!({ "exp": now() + 15 })))
            .await,
        KEY_NOT_FOUND,
    );
    // `iss` is hashed as sent: an untrimmed PEM is another key.
    let untrimmed = key.jwt(json!({ "iss": format!("{}\n", key.pem), "exp": now() + 15 }));
    assert_401(&server.get(path, &untrimmed).await, KEY_NOT_FOUND);
    // `kid` = the key hash, no `iss`.
    let answer = server
        .get(
            path,
            &key.kid_jwt(&key.hash(), json!({ "exp": now() + 15 })),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_401(
        &server
            .get(
                path,
                &key.kid_jwt(&sha256_hex(b"nope"), json!({ "exp": now() + 15 })),
            )
            .await,
        KEY_NOT_FOUND,
    );
    // Signed by another key than the one named.
    let forged = jsonwebtoken::encode(
        &Header::new(Algorithm::ES256),
        &json!({ "iss": key.pem, "exp": now() + 15 }),
        &p256().signing,
    )
    .unwrap();
    assert_401(&server.get(path, &forged).await, INVALID);
    // A tampered payload.
    let good = key.jwt(json!({ "exp": now() + 15 }));
    let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
    parts[1] = URL_SAFE_NO_PAD.encode(json!({ "iss": key.pem, "exp": now() + 9999 }).to_string());
    assert_401(&server.get(path, &parts.join(".")).await, INVALID);
    // HS256 over the public key as a secret: header alg is not the registered one.
    let confused = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &json!({ "iss": key.pem, "exp": now() + 15 }),
        &EncodingKey::from_secret(key.pem.as_bytes()),
    )
    .unwrap();
    assert_401(&server.get(path, &confused).await, INVALID);

    // Alg mismatch: the same P-256 key registered as ES384 refuses its ES256 tokens.
    let server = start().await;
    assert_eq!(
        server.add_keypair(&key.pem, "ES384").await.status,
        StatusCode::OK
    );
    assert_401(
        &server
            .get(path, &key.jwt(json!({ "exp": now() + 15 })))
            .await,
        INVALID,
    );
}

#[tokio::test]
async fn body_hash_is_checked_on_post_against_the_node_reserialisation() {
    let server = start().await;
    let key = p256();
    assert_eq!(
        server.add_keypair(&key.pem, "ES256").await.status,
        StatusCode::OK
    );
    let path = "/backend-wallet/create";

    let body = r#"{"label":"café"}"#;
    let jwt = key.jwt(json!({ "exp": now() + 15, "bodyHash": sha256_hex(body.as_bytes()) }));
    let answer = server.post(path, &jwt, body).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let wallet = &answer.body["result"];
    assert_eq!(wallet["status"], "success");
    assert_eq!(wallet["type"], "local");
    let address = wallet["walletAddress"].as_str().unwrap();
    assert!(address.starts_with("0x") && address.len() == 42);

    // Hashed after JSON.parse + JSON.stringify, not as sent.
    let sent = r#"{"b":1,"a":[1.0,2.5e0,1e21,-0]," 2":"x","10":1,"2":2}"#;
    let node = r#"{"2":2,"10":1,"b":1,"a":[1,2.5,1e+21,0]," 2":"x"}"#;
    let jwt = key.jwt(json!({ "exp": now() + 15, "bodyHash": sha256_hex(node.as_bytes()) }));
    let answer = server.post(path, &jwt, sent).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let sent = "{ \"label\" : \"caf\\u00e9 \\u001f\" }";
    let node = "{\"label\":\"café \\u001f\"}";
    let jwt = key.jwt(json!({ "exp": now() + 15, "bodyHash": sha256_hex(node.as_bytes()) }));
    let answer = server.post(path, &jwt, sent).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);

    // The hash of the bytes as sent is wrong when Node would re-serialise them differently.
    let claimed = sha256_hex(sent.as_bytes());
    let jwt = key.jwt(json!({ "exp": now() + 15, "bodyHash": claimed }));
    let answer = server.post(path, &jwt, sent).await;
    let computed = sha256_hex(node.as_bytes());
    assert_401(
        &answer,
        &format!("Invalid body hash. Expected {computed} but got {claimed}."),
    );

    // Only POST is checked.
    let jwt = key.jwt(json!({ "exp": now() + 15, "bodyHash": "00" }));
    assert_eq!(
        server.get("/backend-wallet/get-all", &jwt).await.status,
        StatusCode::OK
    );
    let list = server.get("/backend-wallet/get-all", &server.admin).await;
    let wallets = list.body["result"].as_array().unwrap();
    assert_eq!(wallets.len(), 3);
    assert_eq!(wallets[0]["address"], address);
    assert_eq!(wallets[0]["label"], "café");
    assert_eq!(wallets[0]["type"], "local");
}

#[tokio::test]
async fn keypair_auth_disabled_refuses_keypair_jwts() {
    let server = start_with(false, 0).await;
    let key = p256();
    // Keys can still be managed, as in Engine.
    assert_eq!(
        server.add_keypair(&key.pem, "ES256").await.status,
        StatusCode::OK
    );
    let path = "/backend-wallet/get-all";
    assert_401(
        &server
            .get(path, &key.jwt(json!({ "exp": now() + 15 })))
            .await,
        UNAUTHORIZED,
    );
    assert_401(
        &server
            .get(
                path,
                &key.kid_jwt(&key.hash(), json!({ "exp": now() + 15 })),
            )
            .await,
        UNAUTHORIZED,
    );
    assert_eq!(server.get(path, &server.admin).await.status, StatusCode::OK);
}

#[tokio::test]
async fn access_tokens_create_list_update_revoke() {
    let server = start().await;
    let answer = server
        .post(
            "/auth/access-tokens/create",
            &server.admin,
            r#"{"label":"ci"}"#,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let created = answer.body["result"].clone();
    let keys: Vec<&str> = created
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "id",
            "tokenMask",
            "walletAddress",
            "createdAt",
            "expiresAt",
            "label",
            "accessToken"
        ]
    );
    let token = created["accessToken"].as_str().unwrap().to_owned();
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(
        created["tokenMask"],
        format!("{}...{}", &token[..10], &token[token.len() - 10..])
    );
    assert_eq!(created["walletAddress"], AUTH_WALLET_ADDRESS);
    assert_eq!(created["label"], "ci");
    let claims: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(token.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["iss"], AUTH_WALLET_ADDRESS);
    assert_eq!(claims["sub"], AUTH_WALLET_ADDRESS);
    assert_eq!(claims["aud"], "playground");
    assert_eq!(claims["jti"], id);
    assert!(claims["exp"].as_i64().unwrap() > now() + 99 * 365 * 86_400);
    let expires = created["expiresAt"].as_str().unwrap();
    assert!(expires.ends_with(".000Z"), "{expires}");

    // The access token authenticates, and can itself create tokens (it has a user).
    assert_eq!(
        server.get("/backend-wallet/get-all", &token).await.status,
        StatusCode::OK
    );
    let second = server
        .post("/auth/access-tokens/create", &token, "{}")
        .await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    assert_eq!(second.body["result"]["label"], Value::Null);

    // A keypair JWT has no user: it cannot create access tokens.
    let key = p256();
    assert_eq!(
        server.add_keypair(&key.pem, "ES256").await.status,
        StatusCode::OK
    );
    assert_401(
        &server
            .post(
                "/auth/access-tokens/create",
                &key.jwt(json!({ "exp": now() + 15 })),
                "{}",
            )
            .await,
        NEEDS_USER,
    );

    let list = server
        .get("/auth/access-tokens/get-all", &server.admin)
        .await;
    assert_eq!(list.status, StatusCode::OK);
    let tokens = list.body["result"].as_array().unwrap();
    assert_eq!(tokens.len(), 2);
    let mut listed = created.clone();
    listed.as_object_mut().unwrap().remove("accessToken");
    assert_eq!(tokens[0], listed);

    let update = json!({ "id": id, "label": "renamed" }).to_string();
    let answer = server
        .post("/auth/access-tokens/update", &server.admin, &update)
        .await;
    assert_eq!(answer.body, json!({ "result": { "success": true } }));
    let list = server
        .get("/auth/access-tokens/get-all", &server.admin)
        .await;
    assert_eq!(list.body["result"][0]["label"], "renamed");

    let revoke = json!({ "id": id }).to_string();
    let answer = server
        .post("/auth/access-tokens/revoke", &server.admin, &revoke)
        .await;
    assert_eq!(answer.body, json!({ "result": { "success": true } }));
    assert_401(
        &server.get("/backend-wallet/get-all", &token).await,
        UNAUTHORIZED,
    );
    let list = server
        .get("/auth/access-tokens/get-all", &server.admin)
        .await;
    let tokens = list.body["result"].as_array().unwrap();
    assert_eq!(tokens.len(), 1);
    assert_ne!(tokens[0]["id"], json!(id));

    assert_error(
        &server
            .post(
                "/auth/access-tokens/revoke",
                &server.admin,
                r#"{"id":"nope"}"#,
            )
            .await,
        StatusCode::BAD_REQUEST,
        "ACCESS_TOKEN_NOT_FOUND",
    );
    // A token signed with another secret (another playground) is refused.
    let other = start().await;
    let foreign = other
        .post("/auth/access-tokens/create", &other.admin, "{}")
        .await;
    let foreign = foreign.body["result"]["accessToken"].as_str().unwrap();
    assert_401(
        &server.get("/backend-wallet/get-all", foreign).await,
        UNAUTHORIZED,
    );
}

#[tokio::test]
async fn authorization_header_shapes_and_unknown_routes() {
    let server = start().await;
    let path = "/auth/keypair/get-all";
    let get = |authorization: Option<String>| {
        let server = &server;
        async move {
            server
                .send(reqwest::Method::GET, path, authorization.as_deref(), None)
                .await
        }
    };
    assert_401(&get(None).await, UNAUTHORIZED);
    assert_401(&get(Some("Bearer".into())).await, UNAUTHORIZED);
    assert_401(
        &get(Some(format!("Bearer  {}", server.admin))).await,
        UNAUTHORIZED,
    );
    assert_401(
        &get(Some(format!("Bearer {} x", server.admin))).await,
        UNAUTHORIZED,
    );
    assert_401(&get(Some("Bearer wrong".into())).await, UNAUTHORIZED);
    // The scheme word is not checked.
    assert_eq!(
        get(Some(format!("Token {}", server.admin))).await.status,
        StatusCode::OK
    );

    let answer = server.get("/no/such/route", &server.admin).await;
    assert_error(&answer, StatusCode::NOT_FOUND, "NOT_FOUND");
    let answer = server
        .send(reqwest::Method::GET, "/auth/keypair/add", None, None)
        .await;
    assert_error(&answer, StatusCode::NOT_FOUND, "NOT_FOUND");
    assert!(answer.date.is_some());

    // Bodies over 1 MiB are refused.
    let big = format!("{{\"label\":\"{}\"}}", "x".repeat(1024 * 1024));
    let answer = server
        .post("/backend-wallet/create", &server.admin, &big)
        .await;
    assert_error(&answer, StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE");
}

#[tokio::test]
async fn date_offset_shifts_the_server_clock() {
    let server = start_with(true, 3600).await;
    let answer = server
        .send(reqwest::Method::GET, "/system/health", None, None)
        .await;
    let date = httpdate::parse_http_date(&answer.date.unwrap()).unwrap();
    let date = date.duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
    assert!(
        (date - (now() + 3600)).abs() <= 5,
        "Date header is one hour ahead"
    );

    // The server's own clock decides expiry: a token good for one minute by the client's clock
    // is already expired an hour ahead.
    let key = p256();
    assert_eq!(
        server.add_keypair(&key.pem, "ES256").await.status,
        StatusCode::OK
    );
    let path = "/backend-wallet/get-all";
    assert_401(
        &server
            .get(path, &key.jwt(json!({ "exp": now() + 60 })))
            .await,
        EXPIRED,
    );
    assert_eq!(
        server
            .get(path, &key.jwt(json!({ "exp": now() + 3600 + 60 })))
            .await
            .status,
        StatusCode::OK
    );

    let behind = start_with(true, -3600).await;
    let answer = behind
        .send(reqwest::Method::GET, "/system/health", None, None)
        .await;
    let date = httpdate::parse_http_date(&answer.date.unwrap()).unwrap();
    let date = date.duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
    assert!((date - (now() - 3600)).abs() <= 5);
}

#[tokio::test]
async fn es512_and_rs256_keys() {
    let server = start().await;
    let path = "/backend-wallet/get-all";
    let rng = SystemRandom::new();

    // ES512: jsonwebtoken has none; signed with AWS-LC directly.
    let pair = EcdsaKeyPair::generate(&ECDSA_P521_SHA512_FIXED_SIGNING).unwrap();
    let es512_pem = pem("PUBLIC KEY", pair.public_key().as_der().unwrap().as_ref());
    let answer = server.add_keypair(&es512_pem, "ES512").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let sign = |m: &[u8]| pair.sign(&rng, m).unwrap().as_ref().to_vec();
    let claims = json!({ "iss": es512_pem, "exp": now() + 15 });
    let jwt = raw_jwt(
        json!({ "alg": "ES512", "typ": "JWT" }),
        claims.clone(),
        sign,
    );
    let answer = server.get(path, &jwt).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let jwt = raw_jwt(
        json!({ "alg": "ES256", "typ": "JWT" }),
        claims.clone(),
        sign,
    );
    assert_401(&server.get(path, &jwt).await, INVALID);
    let expired = json!({ "iss": es512_pem, "exp": now() - 1 });
    let jwt = raw_jwt(json!({ "alg": "ES512" }), expired, sign);
    assert_401(&server.get(path, &jwt).await, EXPIRED);

    // RS256 with a 2048-bit key.
    let pair = RsaKeyPair::generate(KeySize::Rsa2048).unwrap();
    let rsa_pem = pem("PUBLIC KEY", pair.public_key().as_der().unwrap().as_ref());
    let answer = server.add_keypair(&rsa_pem, "RS256").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_error(
        &server.add_keypair(&rsa_pem, "ES256").await,
        StatusCode::BAD_REQUEST,
        "INVALID_PUBLIC_KEY",
    );
    let sign = |m: &[u8]| {
        let mut signature = vec![0; pair.public_modulus_len()];
        pair.sign(&RSA_PKCS1_SHA256, &rng, m, &mut signature)
            .unwrap();
        signature
    };
    let jwt = raw_jwt(
        json!({ "alg": "RS256", "typ": "JWT" }),
        json!({ "iss": rsa_pem, "exp": now() + 15 }),
        sign,
    );
    let answer = server.get(path, &jwt).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let jwt = raw_jwt(
        json!({ "alg": "PS256", "typ": "JWT" }),
        json!({ "iss": rsa_pem, "exp": now() + 15 }),
        sign,
    );
    assert_401(&server.get(path, &jwt).await, INVALID);
}

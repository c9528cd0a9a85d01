//! A self-hosted thirdweb Engine (v2), reduced to what Keyward needs: keypair-JWT auth, the
//! keypair and access-token admin endpoints, `/system/health`, and two backend-wallet routes to
//! have something protected to call. `PROTOCOLS.md` §2.1 and §2.2 are the specification.
//!
//! | method path | auth | body | result |
//! |---|---|---|---|
//! | `GET /system/health` | public | – | `{db,redis,auth,engineVersion,engineTier,features,clientId}` |
//! | `POST /auth/keypair/add` | any | `{publicKey,algorithm,label?}` | `{result:{keypair}}` |
//! | `GET /auth/keypair/get-all` | any | – | `{result:[keypair…]}` |
//! | `POST /auth/keypair/remove` | any | `{hash}` | `{result:{success:true}}` |
//! | `POST /auth/access-tokens/create` | admin token or access token | `{label?}` | `{result:{id,tokenMask,walletAddress,createdAt,expiresAt,label,accessToken}}` |
//! | `GET /auth/access-tokens/get-all` | any | – | `{result:[{id,tokenMask,walletAddress,createdAt,expiresAt,label}…]}` |
//! | `POST /auth/access-tokens/revoke` | any | `{id}` | `{result:{success:true}}` |
//! | `POST /auth/access-tokens/update` | any | `{id,label?}` | `{result:{success:true}}` |
//! | `GET /backend-wallet/get-all` | any | – | `{result:[{address,type,label}…]}` |
//! | `POST /backend-wallet/create` | any | `{label?}` | `{result:{walletAddress,status,type}}` |
//!
//! State lives in memory for the life of the process.

mod auth;
mod keys;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use auth::Caller;
pub use auth::{EXPIRED, INVALID, KEY_NOT_FOUND, NOT_YET_VALID, UNAUTHORIZED};

use crate::http::{self, iso8601, ApiError, BODY_LIMIT};
use crate::{random_bytes, random_hex, Clock, Config};

/// The playground Engine's auth-wallet address: the `iss` of every access token it issues, and
/// the user address of admin-token callers.
pub const AUTH_WALLET_ADDRESS: &str = "0x1111111111111111111111111111111111111111";
/// `aud` of the access tokens (Engine's `authDomain`).
pub const AUTH_DOMAIN: &str = "playground";
/// Message of the 401 for `POST /auth/access-tokens/create` called with a keypair JWT.
pub const NEEDS_USER: &str =
    "This route needs an access token or the secret key, not a keypair token.";

/// Engine keeps access tokens for 100 years (`1000 * 60 * 60 * 24 * 365 * 100` ms).
const ACCESS_TOKEN_LIFETIME: Duration = Duration::from_secs(60 * 60 * 24 * 365 * 100);

pub(crate) struct Engine {
    keypair_auth: bool,
    admin_token: String,
    clock: Clock,
    /// HS256 secret of the access tokens (stands in for the auth wallet's signature).
    token_secret: Vec<u8>,
    store: Mutex<Store>,
}

#[derive(Default)]
struct Store {
    keypairs: Vec<Keypair>,
    tokens: Vec<AccessToken>,
    wallets: Vec<BackendWallet>,
}

struct Keypair {
    hash: String,
    public_key: String,
    algorithm: keys::KeyAlgorithm,
    label: Option<String>,
    created_at: SystemTime,
    updated_at: SystemTime,
}

impl Keypair {
    fn to_json(&self) -> Value {
        let mut map = Map::new();
        map.insert("hash".into(), json!(self.hash));
        map.insert("publicKey".into(), json!(self.public_key));
        map.insert("algorithm".into(), json!(self.algorithm.as_str()));
        // Engine: `label: keypair.label ?? undefined`, so an unlabelled keypair has no `label`.
        if let Some(label) = &self.label {
            map.insert("label".into(), json!(label));
        }
        map.insert("createdAt".into(), json!(iso8601(self.created_at)));
        map.insert("updatedAt".into(), json!(iso8601(self.updated_at)));
        Value::Object(map)
    }
}

struct AccessToken {
    id: String,
    jwt: String,
    wallet_address: String,
    created_at: SystemTime,
    expires_at: SystemTime,
    label: Option<String>,
    revoked: bool,
}

impl AccessToken {
    fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "tokenMask": token_mask(&self.jwt),
            "walletAddress": self.wallet_address,
            "createdAt": iso8601(self.created_at),
            "expiresAt": iso8601(self.expires_at),
            "label": self.label,
        })
    }
}

struct BackendWallet {
    address: String,
    label: Option<String>,
}

impl Engine {
    fn new(config: &Config) -> Engine {
        Engine {
            keypair_auth: config.keypair_auth,
            admin_token: config.admin_token.clone(),
            clock: Clock::new(config.date_offset_secs),
            token_secret: random_bytes(32),
            store: Mutex::new(Store::default()),
        }
    }

    fn store(&self) -> MutexGuard<'_, Store> {
        // A handler that panicked left no half-written state worth refusing service over.
        self.store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn is_admin_token(&self, token: &str) -> bool {
        aws_lc_rs::constant_time::verify_slices_are_equal(
            token.as_bytes(),
            self.admin_token.as_bytes(),
        )
        .is_ok()
    }

    fn keypair_by_hash(&self, hash: &str) -> Option<(String, keys::KeyAlgorithm)> {
        self.store()
            .keypairs
            .iter()
            .find(|k| k.hash == hash)
            .map(|k| (k.public_key.clone(), k.algorithm))
    }

    /// The user address of a valid, unrevoked access token issued here.
    fn access_token_user(&self, jwt: &str) -> Result<String, ApiError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[AUTH_WALLET_ADDRESS]);
        validation.set_audience(&[AUTH_DOMAIN]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        // Time is checked below against the server clock, which may be shifted.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.leeway = 0;
        let claims = jsonwebtoken::decode::<Value>(
            jwt,
            &DecodingKey::from_secret(&self.token_secret),
            &validation,
        )
        .map_err(|_| ApiError::unauthorized(UNAUTHORIZED))?
        .claims;
        let exp = claims.get("exp").and_then(Value::as_f64).unwrap_or(0.0);
        if self.clock.unix_secs() as f64 >= exp {
            return Err(ApiError::unauthorized(UNAUTHORIZED));
        }
        self.store()
            .tokens
            .iter()
            .find(|t| t.jwt == jwt && !t.revoked)
            .map(|t| t.wallet_address.clone())
            .ok_or_else(|| ApiError::unauthorized(UNAUTHORIZED))
    }
}

/// The Engine service's routes over fresh in-memory state.
pub(crate) fn router(config: &Config) -> Router {
    let engine = Arc::new(Engine::new(config));
    let clock = engine.clock;
    let protected = Router::new()
        .route("/auth/keypair/add", post(add_keypair))
        .route("/auth/keypair/get-all", get(list_keypairs))
        .route("/auth/keypair/remove", post(remove_keypair))
        .route("/auth/access-tokens/create", post(create_access_token))
        .route("/auth/access-tokens/get-all", get(list_access_tokens))
        .route("/auth/access-tokens/revoke", post(revoke_access_token))
        .route("/auth/access-tokens/update", post(update_access_token))
        .route("/backend-wallet/get-all", get(list_backend_wallets))
        .route("/backend-wallet/create", post(create_backend_wallet))
        .route_layer(middleware::from_fn_with_state(engine.clone(), auth_layer));
    let router = Router::new()
        .route("/system/health", get(health))
        .merge(protected)
        .fallback(http::not_found)
        .method_not_allowed_fallback(http::not_found)
        .with_state(engine)
        .layer(middleware::from_fn_with_state(clock, http::date_header));
    if config.log_requests {
        router.layer(middleware::from_fn(http::log_request))
    } else {
        router
    }
}

/// The parsed JSON body of a POST (`None` when the body is empty).
#[derive(Clone)]
struct JsonBody(Option<Arc<Value>>);

/// Reads the body (at most 1 MiB), parses it as JSON for POST (Fastify parses before Engine's
/// auth hook runs, so bad JSON is a 400 even without credentials), then authenticates.
async fn auth_layer(
    State(engine): State<Arc<Engine>>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let (mut parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, BODY_LIMIT).await.map_err(|_| {
        ApiError::status(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            "Request body is larger than 1048576 bytes.",
        )
    })?;
    let json = if parts.method == Method::POST && !bytes.is_empty() {
        let value: Value = serde_json::from_slice(&bytes).map_err(|e| {
            ApiError::bad_request("BAD_REQUEST", format!("Body is not valid JSON: {e}"))
        })?;
        Some(Arc::new(value))
    } else {
        None
    };
    let caller = auth::authenticate(
        &engine,
        &parts.method,
        parts.headers.get(AUTHORIZATION),
        json.as_deref(),
    )?;
    parts.extensions.insert(caller);
    parts.extensions.insert(JsonBody(json));
    Ok(next.run(Request::from_parts(parts, Body::empty())).await)
}

/// The body as `T`; an absent body reads as `{}` (every field optional ⇒ fine).
fn body_as<T: DeserializeOwned>(body: &JsonBody) -> Result<T, ApiError> {
    let value = match &body.0 {
        None => Value::Object(Map::new()),
        Some(value) if value.is_object() => Value::clone(value),
        Some(_) => return Err(ApiError::bad_request("BAD_REQUEST", "body must be object")),
    };
    serde_json::from_value(value)
        .map_err(|e| ApiError::bad_request("BAD_REQUEST", format!("Invalid request body: {e}")))
}

type ApiResult = Result<Json<Value>, ApiError>;

async fn health(State(engine): State<Arc<Engine>>) -> Json<Value> {
    let mut features = vec![
        "CONTRACT_SUBSCRIPTIONS",
        "IP_ALLOWLIST",
        "HETEROGENEOUS_WALLET_TYPES",
    ];
    if engine.keypair_auth {
        features.push("KEYPAIR_AUTH");
    }
    Json(json!({
        "db": true,
        "redis": true,
        "auth": true,
        "engineVersion": "keyward-playground",
        "engineTier": "SELF_HOSTED",
        "features": features,
        "clientId": "playground",
    }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AddKeypair {
    public_key: String,
    algorithm: String,
    label: Option<String>,
}

/// JS `String.prototype.trim`: WhiteSpace (incl. U+FEFF) and LineTerminator, but not U+0085.
fn js_trim(s: &str) -> &str {
    s.trim_matches(|c: char| (c.is_whitespace() && c != '\u{85}') || c == '\u{feff}')
}

async fn add_keypair(
    State(engine): State<Arc<Engine>>,
    Extension(body): Extension<JsonBody>,
) -> ApiResult {
    let request: AddKeypair = body_as(&body)?;
    let algorithm = keys::KeyAlgorithm::parse(&request.algorithm).ok_or_else(|| {
        let names: Vec<&str> = keys::KeyAlgorithm::ALL.iter().map(|a| a.as_str()).collect();
        ApiError::bad_request(
            "BAD_REQUEST",
            format!("body/algorithm must be one of {}", names.join(", ")),
        )
    })?;
    let public_key = js_trim(&request.public_key).to_owned();
    if !keys::is_valid_public_key(&public_key, algorithm) {
        return Err(ApiError::bad_request(
            "INVALID_PUBLIC_KEY",
            "Invalid public key. Make sure it starts with '-----BEGIN PUBLIC KEY-----'.",
        ));
    }
    let hash = auth::hex_sha256(public_key.as_bytes());
    let now = engine.clock.now();
    let keypair = Keypair {
        hash,
        public_key,
        algorithm,
        label: request.label,
        created_at: now,
        updated_at: now,
    };
    let mut store = engine.store();
    if store.keypairs.iter().any(|k| k.hash == keypair.hash) {
        return Err(ApiError::bad_request(
            "PUBLIC_KEY_EXISTS",
            "Public key already imported.",
        ));
    }
    let result = json!({ "result": { "keypair": keypair.to_json() } });
    store.keypairs.push(keypair);
    Ok(Json(result))
}

async fn list_keypairs(State(engine): State<Arc<Engine>>) -> Json<Value> {
    let store = engine.store();
    let keypairs: Vec<Value> = store.keypairs.iter().map(Keypair::to_json).collect();
    Json(json!({ "result": keypairs }))
}

#[derive(Deserialize)]
struct RemoveKeypair {
    hash: String,
}

async fn remove_keypair(
    State(engine): State<Arc<Engine>>,
    Extension(body): Extension<JsonBody>,
) -> ApiResult {
    let request: RemoveKeypair = body_as(&body)?;
    let mut store = engine.store();
    let before = store.keypairs.len();
    store.keypairs.retain(|k| k.hash != request.hash);
    if store.keypairs.len() == before {
        return Err(ApiError::bad_request(
            "KEYPAIR_NOT_FOUND",
            "No keypair with this hash.",
        ));
    }
    Ok(Json(json!({ "result": { "success": true } })))
}

#[derive(Deserialize)]
struct CreateAccessToken {
    label: Option<String>,
}

/// Engine's mask: the first 10 and the last 10 characters.
fn token_mask(jwt: &str) -> String {
    let chars: Vec<char> = jwt.chars().collect();
    let head: String = chars.iter().take(10).collect();
    let tail: String = chars[chars.len().saturating_sub(10)..].iter().collect();
    format!("{head}...{tail}")
}

/// A random UUID (version 4 layout), as Engine's token ids are.
fn uuid_v4() -> String {
    let mut b = random_bytes(16);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

fn unix_secs(time: SystemTime) -> u64 {
    time.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

async fn create_access_token(
    State(engine): State<Arc<Engine>>,
    Extension(caller): Extension<Caller>,
    Extension(body): Extension<JsonBody>,
) -> ApiResult {
    let Caller::User { address } = caller else {
        return Err(ApiError::unauthorized(NEEDS_USER));
    };
    let request: CreateAccessToken = body_as(&body)?;
    let id = uuid_v4();
    let now = engine.clock.now();
    let now_secs = unix_secs(now);
    let exp_secs = now_secs + ACCESS_TOKEN_LIFETIME.as_secs();
    let claims = json!({
        "iss": AUTH_WALLET_ADDRESS,
        "sub": address,
        "aud": AUTH_DOMAIN,
        "nbf": now_secs,
        "exp": exp_secs,
        "iat": now_secs,
        "jti": id,
        "ctx": { "permissions": "ADMIN" },
    });
    let jwt = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(&engine.token_secret),
    )
    .map_err(|e| {
        ApiError::status(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL_SERVER_ERROR",
            format!("Could not sign the access token: {e}"),
        )
    })?;
    let token = AccessToken {
        id,
        jwt: jwt.clone(),
        wallet_address: address,
        created_at: now,
        expires_at: SystemTime::UNIX_EPOCH + Duration::from_secs(exp_secs),
        label: request.label,
        revoked: false,
    };
    let mut result = token.to_json();
    if let Value::Object(map) = &mut result {
        map.insert("accessToken".into(), json!(jwt));
    }
    engine.store().tokens.push(token);
    Ok(Json(json!({ "result": result })))
}

async fn list_access_tokens(State(engine): State<Arc<Engine>>) -> Json<Value> {
    let store = engine.store();
    let tokens: Vec<Value> = store
        .tokens
        .iter()
        .filter(|t| !t.revoked)
        .map(AccessToken::to_json)
        .collect();
    Json(json!({ "result": tokens }))
}

#[derive(Deserialize)]
struct RevokeAccessToken {
    id: String,
}

fn token_not_found() -> ApiError {
    ApiError::bad_request("ACCESS_TOKEN_NOT_FOUND", "No access token with this id.")
}

async fn revoke_access_token(
    State(engine): State<Arc<Engine>>,
    Extension(body): Extension<JsonBody>,
) -> ApiResult {
    let request: RevokeAccessToken = body_as(&body)?;
    let mut store = engine.store();
    let token = store
        .tokens
        .iter_mut()
        .find(|t| t.id == request.id)
        .ok_or_else(token_not_found)?;
    token.revoked = true;
    Ok(Json(json!({ "result": { "success": true } })))
}

#[derive(Deserialize)]
struct UpdateAccessToken {
    id: String,
    /// Absent: unchanged; `null` or a string: the new label.
    #[serde(default, deserialize_with = "present")]
    label: Option<Option<String>>,
}

fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

async fn update_access_token(
    State(engine): State<Arc<Engine>>,
    Extension(body): Extension<JsonBody>,
) -> ApiResult {
    let request: UpdateAccessToken = body_as(&body)?;
    let mut store = engine.store();
    let token = store
        .tokens
        .iter_mut()
        .find(|t| t.id == request.id)
        .ok_or_else(token_not_found)?;
    if let Some(label) = request.label {
        token.label = label;
    }
    Ok(Json(json!({ "result": { "success": true } })))
}

async fn list_backend_wallets(State(engine): State<Arc<Engine>>) -> Json<Value> {
    let store = engine.store();
    let wallets: Vec<Value> = store
        .wallets
        .iter()
        .map(|w| json!({ "address": w.address, "type": "local", "label": w.label }))
        .collect();
    Json(json!({ "result": wallets }))
}

#[derive(Deserialize)]
struct CreateBackendWallet {
    label: Option<String>,
}

async fn create_backend_wallet(
    State(engine): State<Arc<Engine>>,
    Extension(body): Extension<JsonBody>,
) -> ApiResult {
    let request: CreateBackendWallet = body_as(&body)?;
    let address = format!("0x{}", random_hex(20));
    engine.store().wallets.push(BackendWallet {
        address: address.clone(),
        label: request.label,
    });
    Ok(Json(json!({
        "result": { "walletAddress": address, "status": "success", "type": "local" }
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_mask_is_first_and_last_ten() {
        assert_eq!(
            token_mask("abcdefghij0123456789KLMNOPQRST"),
            "abcdefghij...KLMNOPQRST"
        );
    }

    #[test]
    fn uuid_layout() {
        let id = uuid_v4();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"));
    }

    #[test]
    fn js_trim_matches_javascript() {
        assert_eq!(js_trim("\u{feff}\n\t x \r\n\u{a0}"), "x");
        assert_eq!(js_trim("\u{85}x"), "\u{85}x");
    }
}

//! thirdweb Engine keypair auth end to end: `keyward-cli` against `keyward-playground` (its own
//! binary, verifying with the `jsonwebtoken` crate) over real HTTP on 127.0.0.1, with the vault
//! on a real Secret Service. Register a key, call the protected route with a fresh token (200);
//! an expired token, an unregistered key's, a wrong bodyHash, keypair auth switched off (401
//! each); kid mode; access tokens sealed before they are shown; clock skew explained.

use keyward_tests::{bin, describe, exit, Cli, Keyring};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Playground {
    child: Child,
    url: String,
    admin_token: String,
}

impl Drop for Playground {
    fn drop(&mut self) {
        keyward_tests::terminate(&mut self.child);
    }
}

/// Starts `cmd` with stdout piped and reads the playground's one ready line.
fn start_and_read_ready(mut cmd: Command) -> (Child, Value) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the playground");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .expect("ready line");
    let ready: Value = serde_json::from_str(&line).expect("the ready line is JSON");
    (child, ready)
}

fn playground(args: &[&str]) -> Playground {
    let mut cmd = Command::new(bin("keyward-playground"));
    cmd.args(["--service", "engine", "--exit-on-stdin-eof"])
        .args(args)
        .stdin(Stdio::piped());
    let (child, ready) = start_and_read_ready(cmd);
    Playground {
        child,
        url: ready["url"].as_str().unwrap().to_string(),
        admin_token: ready["admin_token"].as_str().unwrap().to_string(),
    }
}

/// A raw HTTP/1.1 request (no client library between the test and the wire): status and body.
fn http(url: &str, method: &str, path: &str, bearer: &str, body: Option<&str>) -> (u16, Value) {
    let hostport = url.trim_start_matches("http://");
    let mut s = TcpStream::connect(hostport).expect("connect to the playground");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let body = body.unwrap_or("");
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {hostport}\r\nAuthorization: Bearer {bearer}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    let status: u16 = resp[9..12].parse().expect("status code");
    let payload = resp.split("\r\n\r\n").nth(1).unwrap_or("");
    (status, serde_json::from_str(payload).unwrap_or(Value::Null))
}

fn setup(pg: &Playground) -> Cli {
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    let tok = cli.scratch().join("admin-token");
    std::fs::write(&tok, format!("{}\n", pg.admin_token)).unwrap();
    let p = cli.json(&[
        "service",
        "add",
        "eng",
        "--kind",
        "engine",
        "--url",
        &pg.url,
        "--admin-token-file",
        tok.to_str().unwrap(),
    ]);
    assert_eq!(p["credentials"][0]["name"], "admin-token", "{p}");
    // The admin token is sealed in the keychain, not in the index.
    let db = std::fs::read(cli.data_dir().join("index.sqlite3")).unwrap();
    assert!(
        !db.windows(pg.admin_token.len())
            .any(|w| w == pg.admin_token.as_bytes()),
        "the admin token is in SQLite"
    );
    cli
}

fn call(cli: &Cli, args: &[&str]) -> (Option<i32>, Value) {
    let mut full = vec!["engine", "call"];
    full.extend_from_slice(args);
    full.extend_from_slice(&["--service", "eng"]);
    let (code, doc) = cli.json_any(&full);
    let r = doc.get("result").cloned().unwrap_or(doc);
    (code, r)
}

#[test]
fn engine_keypair_auth_end_to_end() {
    let pg = playground(&[]);
    let cli = setup(&pg);
    let h = cli.json(&["engine", "health", "--service", "eng"]);
    assert_eq!(h["keypairAuth"], true, "{h}");

    let key = cli.json(&["key", "gen", "--alg", "p256", "--label", "api"]);
    let key_id = key["id"].as_str().unwrap().to_string();
    let kp = cli.json(&[
        "engine",
        "keypair",
        "add",
        "--service",
        "eng",
        "--key",
        "api",
    ]);
    assert_eq!(kp["algorithm"], "ES256", "{kp}");
    assert_eq!(kp["vaultKey"], key_id.as_str(), "{kp}");
    let pem = cli.export("api", "pem");
    assert_eq!(kp["publicKey"], pem.trim(), "Engine stores the trimmed PEM");
    let list = cli.json(&["engine", "keypair", "list", "--service", "eng"]);
    assert_eq!(list[0]["hash"], kp["hash"], "{list}");
    assert_eq!(list[0]["vaultKey"], key_id.as_str(), "{list}");

    // A fresh token: 200.
    let (code, r) = call(&cli, &["GET", "/backend-wallet/get-all", "--key", "api"]);
    assert_eq!(code, Some(0), "{r}");
    assert_eq!(r["status"], 200, "{r}");
    assert!(r["body"]["result"].is_array(), "{r}");
    assert_eq!(r["tokenClaims"]["iss"], pem.trim(), "{r}");
    assert_eq!(
        r["tokenClaims"]["exp"].as_i64().unwrap() - r["tokenClaims"]["iat"].as_i64().unwrap(),
        15
    );
    // kid mode: 200.
    let (_, r) = call(
        &cli,
        &["GET", "/backend-wallet/get-all", "--key", "api", "--kid"],
    );
    assert_eq!(r["status"], 200, "{r}");
    assert!(r["tokenClaims"].get("iss").is_none(), "{r}");

    // POST with a body bound by bodyHash: 200; the same token with another body: 401.
    let (_, r) = call(
        &cli,
        &[
            "POST",
            "/backend-wallet/create",
            "--key",
            "api",
            "--data",
            "{ \"label\" : \"w1\", \"n\": 1.0 }",
        ],
    );
    assert_eq!(r["status"], 200, "{r}");
    let body_file = cli.scratch().join("body.json");
    std::fs::write(&body_file, r#"{"label":"w2"}"#).unwrap();
    let token = String::from_utf8(
        cli.run(&[
            "jwt",
            "mint",
            "--key",
            "api",
            "--service",
            "eng",
            "--body-file",
            body_file.to_str().unwrap(),
        ])
        .stdout,
    )
    .unwrap();
    let token = token.trim();
    let (status, body) = http(
        &pg.url,
        "POST",
        "/backend-wallet/create",
        token,
        Some(r#"{"label":"w2"}"#),
    );
    assert_eq!(status, 200, "{body}");
    let (status, body) = http(
        &pg.url,
        "POST",
        "/backend-wallet/create",
        token,
        Some(r#"{"label":"evil"}"#),
    );
    assert_eq!(status, 401, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("Invalid body hash"),
        "{body}"
    );

    // An expired token: 401 "expired".
    let out = cli.run(&[
        "jwt",
        "mint",
        "--key",
        "api",
        "--service",
        "eng",
        "--exp",
        "1s",
    ]);
    assert!(out.status.success(), "{}", describe(&out));
    let short = String::from_utf8(out.stdout).unwrap();
    std::thread::sleep(Duration::from_millis(2100));
    let (status, body) = http(
        &pg.url,
        "GET",
        "/backend-wallet/get-all",
        short.trim(),
        None,
    );
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["message"], "Keypair token is expired.", "{body}");

    // A key that was never registered: 401.
    cli.json(&["key", "gen", "--alg", "p256", "--label", "stranger"]);
    let (code, r) = call(
        &cli,
        &["GET", "/backend-wallet/get-all", "--key", "stranger"],
    );
    assert_eq!(code, Some(8), "{r}");
    assert_eq!(r["status"], 401, "{r}");
    assert_eq!(
        r["body"]["message"], "The provided public key is incorrect or not added to Engine.",
        "{r}"
    );

    // Lifetimes beyond the profile's ceiling are refused before anything is signed.
    let err = cli.json_err(
        &[
            "jwt",
            "mint",
            "--key",
            "api",
            "--service",
            "eng",
            "--exp",
            "10m",
        ],
        "jwt.exp_too_long",
        7,
    );
    assert!(err["hint"].as_str().unwrap().contains("--exp"), "{err}");

    // Access tokens: sealed before they are shown, listed, revoked.
    let t = cli.json(&[
        "engine",
        "token",
        "create",
        "--service",
        "eng",
        "--label",
        "ci",
    ]);
    assert_eq!(t["stored"], true, "{t}");
    assert!(
        t.get("accessToken").is_none(),
        "the token itself is not printed: {t}"
    );
    let id = t["id"].as_str().unwrap().to_string();
    let show = cli.json(&["service", "show", "eng"]);
    let creds: Vec<&str> = show["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(
        creds.contains(&format!("access-token:{id}").as_str()),
        "{show}"
    );
    let list = cli.json(&["engine", "token", "list", "--service", "eng"]);
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == id.as_str() && x["stored"] == true),
        "{list}"
    );
    cli.json(&[
        "engine",
        "token",
        "update",
        "--service",
        "eng",
        "--id",
        &id,
        "--label",
        "ci-2",
    ]);
    cli.json(&["engine", "token", "revoke", "--service", "eng", "--id", &id]);
    let list = cli.json(&["engine", "token", "list", "--service", "eng"]);
    assert!(
        !list
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == id.as_str()),
        "{list}"
    );

    // Removing the keypair makes the key's tokens unknown to Engine.
    cli.json(&["engine", "keypair", "remove", "--service", "eng", "api"]);
    let (_, r) = call(&cli, &["GET", "/backend-wallet/get-all", "--key", "api"]);
    assert_eq!(r["status"], 401, "{r}");

    // The audit log has the mints and the registrations, never a token.
    let audit = cli.json(&["audit", "list"]);
    let text = audit.to_string();
    assert!(text.contains("jwt.mint"), "{text}");
    assert!(!text.contains(token), "a token in the audit log");

    // A backup carries the profile and its sealed admin token: the restored vault (new keychain
    // items) still talks to Engine.
    let file = cli.scratch().join("with-services.kwbackup");
    cli.json(&["backup", "create", file.to_str().unwrap()]);
    let mut cli = cli;
    cli.use_data_dir("restored");
    let r = cli.json(&["backup", "restore", file.to_str().unwrap()]);
    assert_eq!(r["profiles"], 1, "{r}");
    assert_eq!(r["credentials"], 1, "{r}");
    let list = cli.json(&["engine", "keypair", "list", "--service", "eng"]);
    assert!(list.is_array(), "{list}");
}

#[test]
fn keypair_auth_off_and_clock_skew() {
    let pg = playground(&["--keypair-auth", "false"]);
    let cli = setup(&pg);
    assert_eq!(
        cli.json(&["engine", "health", "--service", "eng"])["keypairAuth"],
        false
    );
    cli.json(&["key", "gen", "--alg", "p384", "--label", "k"]);
    let kp = cli.json(&["engine", "keypair", "add", "--service", "eng", "--key", "k"]);
    assert_eq!(kp["algorithm"], "ES384", "{kp}");
    let (_, r) = call(&cli, &["GET", "/backend-wallet/get-all", "--key", "k"]);
    assert_eq!(r["status"], 401, "{r}");
    drop(pg);

    // A server whose clock runs two minutes ahead: the fresh token arrives expired, and Keyward
    // says why.
    let pg = playground(&["--date-offset", "120"]);
    let cli = setup(&pg);
    cli.json(&["key", "gen", "--alg", "p256", "--label", "k"]);
    cli.json(&["engine", "keypair", "add", "--service", "eng", "--key", "k"]);
    let (_, r) = call(&cli, &["GET", "/backend-wallet/get-all", "--key", "k"]);
    assert_eq!(r["status"], 401, "{r}");
    let off = r["clockOffsetSecs"].as_i64().unwrap();
    assert!((118..=122).contains(&off), "{r}");
    assert!(r["warning"].as_str().unwrap().contains("clock.skew"), "{r}");
}

#[test]
fn cli_playground_serve_starts_the_reference_engine() {
    let cli = Cli::new(Keyring::unlocked());
    let (mut child, ready) =
        start_and_read_ready(cli.command(&["playground", "serve", "--service", "engine"]));
    let url = ready["url"].as_str().unwrap().to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{ready}");
    // It keeps serving (a playground that quit right after its ready line would pass a quick
    // request by luck).
    std::thread::sleep(Duration::from_millis(700));
    let (status, health) = http(&url, "GET", "/system/health", "-", None);
    assert_eq!(status, 200, "{health}");
    assert!(
        health["features"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "KEYPAIR_AUTH"),
        "{health}"
    );
    keyward_tests::terminate(&mut child);
}

/// Security review #14: an Engine profile's `http://` is for a service on this machine only;
/// off loopback the admin token would cross the network in clear text.
#[test]
fn an_engine_profile_takes_http_only_on_loopback() {
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    let none = cli.scratch_file("no-token", "");
    for url in [
        "http://engine.example.com",
        "http://10.0.0.7:3005",
        "http://127.0.0.1.evil.io",
    ] {
        let e = cli.json_err(
            &[
                "service",
                "add",
                "far",
                "--kind",
                "engine",
                "--url",
                url,
                "--admin-token-file",
                &none,
            ],
            "service.bad_profile",
            exit::SERVICE,
        );
        assert!(e["message"].as_str().unwrap().contains("https"), "{e}");
    }
    for (i, url) in [
        "http://127.0.0.1:3005",
        "http://localhost:3005",
        "http://[::1]:3005",
    ]
    .iter()
    .enumerate()
    {
        let name = format!("near{i}");
        cli.json(&[
            "service",
            "add",
            &name,
            "--kind",
            "engine",
            "--url",
            url,
            "--admin-token-file",
            &none,
        ]);
    }
}

/// The generic remote-key commands (`service key …`) drive Engine's access tokens through the
/// key-administration seam: create (sealed first), show, rename, check with the token itself,
/// import a secret made elsewhere, revoke (the secret is forgotten, the service refuses it).
#[test]
fn service_key_commands_drive_engine_access_tokens() {
    let pg = playground(&[]);
    let cli = setup(&pg);
    let key = |args: &[&str]| -> Value {
        let mut all = vec!["service", "key"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--service", "eng"]);
        cli.json(&all)
    };
    let made = key(&["create", "--label", "ci"]);
    assert_eq!(made["stored"], true, "{made}");
    assert!(made.get("accessToken").is_none(), "{made}");
    assert!(
        made["tokenMask"].is_string(),
        "Engine's own fields stay: {made}"
    );
    let id = made["id"].as_str().unwrap().to_string();

    let shown = key(&["show", "--key", &id]);
    assert_eq!(shown["label"], "ci", "{shown}");
    key(&["rename", "--key", &id, "--label", "ci-2"]);
    assert_eq!(key(&["show", "--key", &id])["label"], "ci-2");
    assert_eq!(key(&["check", "--key", &id])["works"], true);

    // A token made elsewhere (straight at Engine), then imported: it works too.
    let (status, other) = http(
        &pg.url,
        "POST",
        "/auth/access-tokens/create",
        &pg.admin_token,
        Some(r#"{"label":"elsewhere"}"#),
    );
    assert_eq!(status, 200, "{other}");
    let other_id = other["result"]["id"].as_str().unwrap().to_string();
    let secret = other["result"]["accessToken"].as_str().unwrap().to_string();
    let listed = key(&["list"]);
    let row = |id: &str| {
        listed
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("{id} not listed: {listed}"))
    };
    assert_eq!(row(&id)["stored"], true);
    assert_eq!(row(&other_id)["stored"], false);
    let file = cli.scratch_file("other-token", &secret);
    key(&["import", "--key", &other_id, "--secret-file", &file]);
    assert_eq!(key(&["check", "--key", &other_id])["works"], true);

    // Revoked: forgotten here, unknown there; `engine token` is the same command.
    cli.json(&["engine", "token", "revoke", "--service", "eng", "--id", &id]);
    let gone = cli.json_err(
        &["service", "key", "show", "--service", "eng", "--key", &id],
        "service.no_such_key",
        exit::SERVICE,
    );
    assert!(
        gone["hint"].as_str().unwrap().contains("service key list"),
        "{gone}"
    );
    let creds = cli.json(&["service", "show", "eng"])["credentials"].to_string();
    assert!(!creds.contains(&format!("access-token:{id}")), "{creds}");
}

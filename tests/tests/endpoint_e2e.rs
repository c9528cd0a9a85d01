// Size: over 800 lines, all of them tests. It is one area of the integration binary (one
// `keyward-cli endpoint serve` harness, its helpers and the scenarios that share them); the
// split along its scenarios (requests, links, pairing, the agent) waits for the next change
// that adds to it, so that a move is not mixed with the restructuring that made it a module.

//! The loopback endpoint end to end: `keyward-cli endpoint serve` on a real keychain and a
//! real port, answered through its terminal approver (stdin), called by the library client
//! (what a third-party app does) and by raw HTTP. Signatures are checked by ethers and
//! jose.
//!
//! Nothing is signed without a decision or a live grant; a replayed request, a bad MAC, an
//! impostor on the port, denial, expiry (also while the prompt is open), a revoked grant, an
//! unpaired client, a foreign Host and a foreign Origin each get no signature and a clear
//! error; a grant is refused for a blind-signing kind; 10,000 bad calls leave the endpoint up
//! and the audit log with no signature.

use keyward_approval::endpoint::wire::{Answer, AskBody};
use keyward_approval::endpoint::{Client, Credentials, EndpointError};
use keyward_approval::request::Kind;
use keyward_crypto::sign::Scheme;
use keyward_crypto::Coded;
use keyward_tests::endpoint::{ask_in_thread, jwt_body, sign_body};
use keyward_tests::interop::node;
use keyward_tests::{describe, exit, terminate, Cli, Keyring};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(30);

struct Endpoint {
    child: Option<Child>,
    stdin: ChildStdin,
    events: mpsc::Receiver<Value>,
    url: String,
    socket: String,
    /// When each prompt was seen (answers within a second are ignored by the approver).
    log: std::path::PathBuf,
}

impl Endpoint {
    fn start(cli: &Cli) -> Endpoint {
        Endpoint::start_with(cli, &["--unlock"])
    }

    fn start_with(cli: &Cli, extra: &[&str]) -> Endpoint {
        let log = cli.scratch().join("endpoint.log");
        let mut args = vec!["--json", "endpoint", "serve", "--port", "0"];
        args.extend_from_slice(extra);
        let mut cmd = cli.command(&args);
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap());
        let mut child = cmd.spawn().expect("start endpoint serve");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Ok(v) = serde_json::from_str::<Value>(&line) {
                    let _ = tx.send(v);
                }
            }
        });
        let mut ep = Endpoint {
            child: Some(child),
            stdin,
            events: rx,
            url: String::new(),
            socket: String::new(),
            log,
        };
        let ready = ep.event("ready");
        ep.url = ready["url"].as_str().expect("url").to_owned();
        ep.socket = ready["endpoint_socket"]
            .as_str()
            .expect("socket")
            .to_owned();
        ep
    }

    fn event(&self, kind: &str) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok(v) if v["event"] == kind => return v,
                Ok(_) => continue,
                Err(_) => panic!(
                    "no {kind} event within {WAIT:?}; log:\n{}",
                    std::fs::read_to_string(&self.log).unwrap_or_default()
                ),
            }
        }
    }

    /// No prompt within `d`.
    fn no_prompt(&self, d: Duration) {
        let deadline = Instant::now() + d;
        while let Ok(v) = self
            .events
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            assert_ne!(v["event"], "prompt", "unexpected prompt: {v}");
        }
    }

    fn say(&mut self, line: &str) {
        writeln!(self.stdin, "{line}").unwrap();
        self.stdin.flush().unwrap();
    }

    /// Answers a prompt after the inert second.
    fn answer(&mut self, prompt: &Value, line: &str) {
        std::thread::sleep(Duration::from_millis(1150));
        let id = prompt["prompt"]["id"].as_str().unwrap().to_owned();
        self.say(&line.replace("ID", &id));
    }

    fn client(&self) -> Client {
        Client::new(&self.url).unwrap()
    }
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            terminate(&mut c);
        }
    }
}

fn in_thread<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> JoinHandle<T> {
    std::thread::spawn(f)
}

fn pair(ep: &mut Endpoint, name: &str) -> Credentials {
    let client = ep.client();
    let (code_tx, code_rx) = mpsc::channel();
    let n = name.to_owned();
    let h = in_thread(move || {
        client.pair(&n, None, |code| {
            code_tx.send(code.to_owned()).unwrap();
        })
    });
    let prompt = ep.event("prompt");
    assert_eq!(prompt["prompt"]["type"], "pairing", "{prompt}");
    let code = code_rx.recv_timeout(WAIT).unwrap();
    assert_eq!(
        prompt["prompt"]["code"],
        code.as_str(),
        "both sides show one code"
    );
    // An answer inside the first second is ignored: the pairing still waits.
    ep.say("y");
    std::thread::sleep(Duration::from_millis(300));
    assert!(!h.is_finished(), "approved within the inert second");
    ep.answer(&prompt, "approve ID");
    h.join().unwrap().expect("paired")
}

fn ask_async(
    ep: &Endpoint,
    creds: &Credentials,
    body: AskBody,
) -> JoinHandle<Result<Answer, EndpointError>> {
    ask_in_thread(&ep.url, creds, body)
}

fn code(r: Result<Answer, EndpointError>) -> String {
    match r {
        Ok(a) => panic!("expected an error, got an answer: {a:?}"),
        Err(e) => e.code().to_owned(),
    }
}

fn signed_entries(cli: &Cli) -> usize {
    cli.json(&["audit", "list", "--limit", "10000"])
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "approval.signed")
        .count()
}

/// Security review #3: with two prompts open, a bare `y` decides neither (the terminal cannot
/// know which one the user read); the user names the request, and only that one is decided.
#[test]
fn a_bare_yes_decides_nothing_while_two_prompts_are_open() {
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    let eth = cli.gen_alg("secp256k1", "eth");
    let mut ep = Endpoint::start(&cli);
    let creds = pair(&mut ep, "two-asks");
    let a = ask_async(&ep, &creds, sign_body(&eth, "A: transfer everything", 60));
    let pa = ep.event("prompt");
    std::thread::sleep(Duration::from_millis(500));
    let b = ask_async(&ep, &creds, sign_body(&eth, "B: log in", 60));
    let pb = ep.event("prompt");
    std::thread::sleep(Duration::from_millis(1500));
    ep.say("y");
    if let Ok(v) = ep.events.recv_timeout(Duration::from_millis(1500)) {
        assert_ne!(v["event"], "decided", "a bare y decided a prompt: {v}");
    }
    assert!(!a.is_finished() && !b.is_finished(), "nothing was decided");
    ep.say(&format!("approve {}", pb["prompt"]["id"].as_str().unwrap()));
    let signed = b.join().unwrap().expect("B, named, is signed");
    assert!(signed.signature.is_some());
    assert!(!a.is_finished(), "A still waits");
    ep.say(&format!("deny {}", pa["prompt"]["id"].as_str().unwrap()));
    assert_eq!(code(a.join().unwrap()), "approval.denied");
}

/// Security review #7: the TCP endpoint answers only this user's processes, as the Unix socket
/// does. `nobody` (through setpriv, so the test needs root, as CI is) gets
/// `endpoint.peer_rejected` on every route, the open ones included; this user still gets in.
#[test]
fn a_peer_of_another_user_is_refused_on_tcp() {
    assert!(
        rustix::process::getuid().is_root(),
        "this test runs a client as nobody: run it as root (CI does)"
    );
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    let ep = Endpoint::start(&cli);
    let as_nobody = |args: &[&str]| -> Value {
        let mut c = std::process::Command::new("setpriv");
        c.args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "curl",
            "-s",
        ])
        .args(args);
        let out = keyward_tests::run_command(c, None);
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|_| panic!("not JSON: {}", describe(&out)))
    };
    let url = ep.url.clone();
    for (args, what) in [
        (vec![format!("{url}/v1/status")], "status"),
        (
            vec!["-X".into(), "POST".into(), format!("{url}/v1/nonce")],
            "nonce",
        ),
        (
            vec![
                "-X".into(),
                "POST".into(),
                "-d".into(),
                r#"{"app_name":"x","app_nonce":"BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc"}"#.into(),
                format!("{url}/v1/pair"),
            ],
            "pair",
        ),
        (
            vec![
                "-X".into(),
                "POST".into(),
                "-d".into(),
                r#"{"link":"keyward://sign?key=x&scheme=raw&message=x&callback=https%3A%2F%2Fa.example%2Fcb"}"#.into(),
                format!("{url}/v1/links"),
            ],
            "links",
        ),
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let got = as_nobody(&args);
        assert_eq!(
            got["error"]["code"], "endpoint.peer_rejected",
            "{what} as nobody: {got}"
        );
    }
    ep.no_prompt(Duration::from_millis(300));
    assert!(
        !ep.client().status(None).unwrap().locked,
        "this user still gets in"
    );
}

#[test]
fn approvals_denials_grants_and_refusals_through_the_endpoint() {
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    let eth = cli.gen_alg("secp256k1", "eth");
    let p256 = cli.gen_alg("p256", "api");
    let mut ep = Endpoint::start(&cli);

    let st = ep.client().status(None).unwrap();
    assert_eq!((st.service.as_str(), st.locked), ("keyward", false));

    let creds = pair(&mut ep, "dapp-helper");
    let pinned = {
        use base64::Engine as _;
        let k = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&creds.endpoint_key)
            .unwrap();
        <[u8; 32]>::try_from(k.as_slice()).unwrap()
    };
    ep.client()
        .status(Some(&pinned))
        .expect("status is signed by the pinned key");
    let apps = cli.json(&["apps", "list"]);
    assert_eq!(apps[0]["name"], "dapp-helper", "{apps}");

    // 1. Approval: the prompt shows the decoded payload and the verdicts; the signature
    //    verifies in ethers.
    let h = ask_async(
        &ep,
        &creds,
        sign_body(&eth, "Log in to Example\nnonce 42", 60),
    );
    let prompt = ep.event("prompt");
    let p = &prompt["prompt"];
    assert_eq!(p["type"], "request");
    assert_eq!(p["kind"], "sign_message");
    assert_eq!(p["app"]["name"], "dapp-helper");
    // The process behind the loopback connection (this test), looked up for the prompt.
    assert_eq!(p["app"]["pid"], std::process::id(), "{p}");
    assert_eq!(p["key"]["label"], "eth");
    let shown = serde_json::to_string(&p["blocks"]).unwrap();
    assert!(shown.contains("Log in to Example\\nnonce 42"), "{shown}");
    let verdicts: Vec<&str> = p["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap())
        .collect();
    assert!(verdicts.contains(&"first_request_from_app"), "{verdicts:?}");
    ep.answer(&prompt, "approve ID");
    let answer = h.join().unwrap().expect("signed after approval");
    let sig = answer.signature.clone().unwrap();
    let who = node("eth-verify-message", &["Log in to Example\nnonce 42", &sig]);
    assert_eq!(
        who["address"].as_str().unwrap().to_lowercase(),
        answer.signer.clone().unwrap().to_lowercase(),
        "ethers recovers the signer"
    );
    assert_eq!(signed_entries(&cli), 1);

    // 1b. Sign-In with Ethereum: the exact message shown is signed; siwe (the reference
    //     library) verifies it; the domain matches the origin the app claims, which the prompt
    //     says, as a claim (a native app's word is not verified).
    let address = answer.signer.clone().unwrap();
    let siwe_text = format!(
        "app.example.com wants you to sign in with your Ethereum account:\n{address}\n\n\
         Sign in to Example\n\nURI: https://app.example.com/login\nVersion: 1\nChain ID: 1\n\
         Nonce: 32891756abc\nIssued At: 2026-11-22T10:00:00Z"
    );
    let body = AskBody {
        key: eth.clone(),
        kind: Kind::SiweLogin,
        message: Some(siwe_text.clone()),
        payload_hex: None,
        origin: Some("https://app.example.com".into()),
        ttl_secs: Some(60),
    };
    let h = ask_async(&ep, &creds, body);
    let prompt = ep.event("prompt");
    let verdicts = serde_json::to_string(&prompt["prompt"]["verdicts"]).unwrap();
    assert!(verdicts.contains("siwe_domain_claimed"), "{verdicts}");
    assert!(!verdicts.contains("\"safe\""), "{verdicts}");
    assert_eq!(prompt["prompt"]["originVerified"], false);
    ep.answer(&prompt, "approve ID");
    let signed = h.join().unwrap().expect("SIWE signed after approval");
    let file = cli.scratch_file("siwe.txt", &siwe_text);
    let v = node(
        "siwe-verify",
        &[&file, signed.signature.as_deref().unwrap()],
    );
    assert_eq!(v["success"], true, "{v}");
    assert_eq!(signed_entries(&cli), 2);

    // 2. Denial.
    let h = ask_async(&ep, &creds, sign_body(&eth, "transfer everything", 60));
    let prompt = ep.event("prompt");
    ep.answer(&prompt, "deny ID");
    assert_eq!(code(h.join().unwrap()), "approval.denied");

    // 3. Expiry while the prompt is open.
    let h = ask_async(&ep, &creds, sign_body(&eth, "too slow", 2));
    let prompt = ep.event("prompt");
    let closed = ep.event("closed");
    assert_eq!(closed["id"], prompt["prompt"]["id"]);
    assert_eq!(closed["why"], "expired");
    assert_eq!(code(h.join().unwrap()), "approval.expired");

    // 4. A blind-signing kind is never granted: the decision is refused, the prompt stays.
    let h = ask_async(&ep, &creds, sign_body(&eth, "grant me", 60));
    let prompt = ep.event("prompt");
    ep.answer(&prompt, "approve ID 5m");
    let err = ep.event("error");
    assert_eq!(err["error"]["code"], "approval.not_grantable", "{err}");
    ep.say(&format!(
        "deny {}",
        prompt["prompt"]["id"].as_str().unwrap()
    ));
    assert_eq!(code(h.join().unwrap()), "approval.denied");

    // 5. A JWT grant answers without a prompt until it is revoked.
    let h = ask_async(&ep, &creds, jwt_body(&p256, "ci-bot", 60));
    let prompt = ep.event("prompt");
    assert_eq!(prompt["prompt"]["grantable"], true);
    ep.answer(&prompt, "approve ID 5m");
    let first = h.join().unwrap().expect("minted after approval");
    assert!(first.grant_id.is_none());
    let pem = cli.scratch_file("api.pem", cli.export(&p256, "pem"));
    let v = node(
        "jose-verify",
        &[first.token.as_deref().unwrap(), &pem, "ES256"],
    );
    assert_eq!(v["payload"]["aud"], "https://api.example.com", "{v}");
    assert_eq!(v["payload"]["sub"], "ci-bot", "{v}");

    let second = ask_async(&ep, &creds, jwt_body(&p256, "ci-bot", 60))
        .join()
        .unwrap()
        .expect("granted");
    let grant_id = second.grant_id.clone().expect("answered by the grant");
    ep.no_prompt(Duration::from_millis(300));
    node(
        "jose-verify",
        &[second.token.as_deref().unwrap(), &pem, "ES256"],
    );
    let grants = cli.json(&["grants", "list"]);
    assert_eq!(grants[0]["id"], grant_id.as_str(), "{grants}");
    // Revoked through the agent socket `endpoint serve` also serves.
    cli.json(&["grants", "revoke", &grant_id]);
    let h = ask_async(&ep, &creds, jwt_body(&p256, "ci-bot", 60));
    let prompt = ep.event("prompt");
    ep.answer(&prompt, "deny ID");
    assert_eq!(code(h.join().unwrap()), "approval.denied");
    assert_eq!(signed_entries(&cli), 4);

    // 6. Replay, bad MAC, unpaired, impostor.
    let client = ep.client();
    let nonce = client.nonces(&creds, 1).unwrap().pop().unwrap();
    let body = serde_json::to_vec(&sign_body(&eth, "once only", 1)).unwrap();
    let first = client.ask_raw(&creds, &nonce, &body, 1);
    assert_eq!(code(first), "approval.expired");
    ep.event("prompt");
    ep.event("closed");
    assert_eq!(
        code(client.ask_raw(&creds, &nonce, &body, 1)),
        "endpoint.replay"
    );
    let nonce = client.nonces(&creds, 1).unwrap().pop().unwrap();
    let mut forged = creds.clone();
    forged.token = "not-the-token".into();
    assert_eq!(
        code(client.ask_raw(&forged, &nonce, &body, 1)),
        "endpoint.bad_mac"
    );
    let mut stranger = creds.clone();
    stranger.app_id = "0123456789abcdef".into();
    let nonce = client.nonces(&creds, 1).unwrap().pop().unwrap();
    assert_eq!(
        code(client.ask_raw(&stranger, &nonce, &body, 1)),
        "endpoint.unpaired"
    );

    let impostor = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = impostor.local_addr().unwrap().port();
    in_thread(move || {
        for stream in impostor.incoming().take(2) {
            let mut s = stream.unwrap();
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let body = r#"{"service":"keyward","version":"9","api":1,"locked":false}"#;
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    let err = Client::new(&format!("http://127.0.0.1:{port}"))
        .unwrap()
        .status(Some(&pinned))
        .unwrap_err();
    assert_eq!(err.code(), "endpoint.bad_response_signature");

    // 7. Foreign Host and foreign Origin, by raw HTTP.
    let http = reqwest::blocking::Client::new();
    let r = http
        .get(format!("{}/v1/status", ep.url))
        .header("host", "evil.example")
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    assert!(r.text().unwrap().contains("endpoint.foreign_host"));
    let r = http
        .get(format!("{}/v1/status", ep.url))
        .header("origin", "https://evil.example")
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    assert!(r.headers().get("access-control-allow-origin").is_none());
    assert!(r.text().unwrap().contains("endpoint.foreign_origin"));

    // 8. A requester that gives up withdraws its request: the prompt closes.
    let nonce = client.nonces(&creds, 1).unwrap().pop().unwrap();
    let body = serde_json::to_vec(&sign_body(&eth, "I will leave", 60)).unwrap();
    let mac =
        keyward_approval::auth::request_mac(&creds.token, &nonce, "POST", "/v1/requests", &body);
    let r = reqwest::blocking::Client::builder()
        .timeout(Duration::from_millis(1500))
        .build()
        .unwrap()
        .post(format!("{}/v1/requests", ep.url))
        .header("keyward-app", &creds.app_id)
        .header("keyward-nonce", &nonce)
        .header("keyward-mac", mac)
        .body(body)
        .send();
    assert!(r.is_err(), "the call timed out");
    let prompt = ep.event("prompt");
    let closed = ep.event("closed");
    assert_eq!(closed["id"], prompt["prompt"]["id"]);
    assert_eq!(closed["why"], "withdrawn");

    // 9. Unpairing ends the app's access.
    cli.json(&["apps", "unpair", "dapp-helper"]);
    let nonce = client.nonces(&creds, 1).unwrap().pop().unwrap();
    let body = serde_json::to_vec(&jwt_body(&p256, "ci-bot", 60)).unwrap();
    assert_eq!(
        code(client.ask_raw(&creds, &nonce, &body, 60)),
        "endpoint.unpaired"
    );
    assert_eq!(signed_entries(&cli), 4, "nothing else was signed");
}

#[test]
fn ten_thousand_bad_calls_leave_the_endpoint_up_and_sign_nothing() {
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    cli.gen_alg("p256", "api");
    let ep = Endpoint::start(&cli);
    let http = reqwest::blocking::Client::new();
    let big = vec![b'x'; 70 * 1024];
    let mut statuses = std::collections::BTreeMap::new();
    for i in 0..10_000u32 {
        let req = match i % 6 {
            0 => http
                .post(format!("{}/v1/requests", ep.url))
                .body("{not json"),
            1 => http
                .post(format!("{}/v1/requests", ep.url))
                .header("keyward-app", "0123456789abcdef")
                .header("keyward-nonce", format!("{i:032x}"))
                .header("keyward-mac", "AAAA")
                .body(r#"{"key":"api","kind":"mint_jwt"}"#),
            2 => http
                .post(format!("{}/v1/requests", ep.url))
                .body(big.clone()),
            3 => http
                .get(format!("{}/v1/status", ep.url))
                .header("host", format!("attacker{i}.example")),
            4 => http
                .post(format!("{}/v1/pair", ep.url))
                .body(vec![0xffu8; 64]),
            _ => http.get(format!("{}/v1/{i}", ep.url)),
        };
        let r = req.send().expect("the endpoint answers");
        let status = r.status().as_u16();
        assert!(status >= 400, "call {i} was not refused: {status}");
        assert!(
            r.headers().get("keyward-signature").is_some(),
            "every answer is signed"
        );
        *statuses.entry(status).or_insert(0u32) += 1;
    }
    let st = ep.client().status(None).expect("still up");
    assert_eq!(st.service, "keyward");
    assert_eq!(signed_entries(&cli), 0);
    // Refusals are counted per app, not written one row each.
    std::thread::sleep(Duration::from_millis(1500));
    let rows = cli.json(&["audit", "list", "--limit", "10000"]);
    let refusals: Vec<&Value> = rows
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "approval.refusals")
        .collect();
    assert!(!refusals.is_empty(), "{statuses:?}");
    assert!(refusals.len() < 100, "{} refusal rows", refusals.len());
    let out = cli.run(&["audit", "verify"]);
    assert_eq!(out.status.code(), Some(exit::OK), "{}", describe(&out));
}

/// `curl --unix-socket` ARGS: (HTTP status, body).
fn curl_unix(socket: &str, args: &[&str]) -> (u16, String) {
    let mut cmd = std::process::Command::new("curl");
    cmd.args([
        "-s",
        "-o",
        "-",
        "-w",
        "\n%{http_code}",
        "--unix-socket",
        socket,
    ]);
    cmd.args(args);
    let out = cmd.output().expect("curl");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let (body, status) = text.rsplit_once('\n').expect("status line");
    (status.trim().parse().expect("status"), body.to_owned())
}

#[test]
fn a_locked_vault_is_unlocked_in_the_prompt_and_the_unix_socket_names_the_peer() {
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    let p256 = cli.gen_alg("p256", "api");
    // An app the user paired beforehand (the CLI unlocks for that one call).
    let creds_path = cli.scratch().join("locked-tool.json");
    cli.json(&[
        "endpoint",
        "pair",
        "--name",
        "locked-tool",
        "--save",
        creds_path.to_str().unwrap(),
    ]);
    let creds = Credentials::load(&creds_path).unwrap();
    // Not unlocked at start: app tokens derive from a secret sealed under the vault key, so
    // until the endpoint has seen the vault unlocked it can check nobody: `vault.locked`, and
    // the terminal asks for an unlock.
    let mut ep = Endpoint::start_with(&cli, &[]);
    assert!(ep.client().status(None).unwrap().locked);
    let early = ask_async(&ep, &creds, jwt_body(&p256, "ci-bot", 60));
    assert_eq!(code(early.join().unwrap()), "vault.locked");
    ep.event("unlock_needed");
    // Unlocked and locked again through the agent socket: the endpoint keeps what it needs
    // to check apps, and a request prompts with an unlock field.
    cli.json(&["unlock"]);
    cli.json(&["lock"]);

    // Approve with a grant: the terminal approver unlocks with the passphrase first.
    let h = ask_async(&ep, &creds, jwt_body(&p256, "ci-bot", 60));
    let prompt = ep.event("prompt");
    assert_eq!(prompt["prompt"]["locked"], true, "{prompt}");
    ep.answer(&prompt, "approve ID 5m");
    let a = h.join().unwrap().expect("signed after unlock and approval");
    assert!(a.token.is_some());
    assert!(!ep.client().status(None).unwrap().locked);
    let granted = ask_async(&ep, &creds, jwt_body(&p256, "ci-bot", 60))
        .join()
        .unwrap()
        .unwrap();
    assert!(granted.grant_id.is_some());

    // Locked again (through the agent socket): a granted request is never answered without
    // an unlock — it prompts.
    cli.json(&["lock"]);
    let h = ask_async(&ep, &creds, jwt_body(&p256, "ci-bot", 60));
    let prompt = ep.event("prompt");
    assert_eq!(prompt["prompt"]["locked"], true, "{prompt}");
    ep.answer(&prompt, "deny ID");
    assert_eq!(code(h.join().unwrap()), "approval.denied");

    // The Unix socket: same API, no Host rule, the peer's executable in the prompt.
    let (status, body) = curl_unix(&ep.socket, &["http://localhost/v1/status"]);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"service\":\"keyward\""), "{body}");
    let mode = std::fs::metadata(&ep.socket).unwrap();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(mode.permissions().mode() & 0o777, 0o600);
    let nonce = ep.client().nonces(&creds, 1).unwrap().pop().unwrap();
    let mut raw = sign_body(&p256, "over the socket", 60);
    raw.kind = Kind::SignMessage {
        scheme: Scheme::Raw,
    };
    let body = serde_json::to_string(&raw).unwrap();
    let mac = keyward_approval::auth::request_mac(
        &creds.token,
        &nonce,
        "POST",
        "/v1/requests",
        body.as_bytes(),
    );
    let socket = ep.socket.clone();
    let (app_id, n) = (creds.app_id.clone(), nonce.clone());
    let h = in_thread(move || {
        curl_unix(
            &socket,
            &[
                "-X",
                "POST",
                "http://localhost/v1/requests",
                "-H",
                &format!("Keyward-App: {app_id}"),
                "-H",
                &format!("Keyward-Nonce: {n}"),
                "-H",
                &format!("Keyward-Mac: {mac}"),
                "--data-binary",
                &body,
            ],
        )
    });
    let prompt = ep.event("prompt");
    let exe = prompt["prompt"]["app"]["exe"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        exe.ends_with("/curl"),
        "the socket peer's executable: {prompt}"
    );
    assert!(
        prompt["prompt"]["app"]["pid"].as_u64().is_some(),
        "{prompt}"
    );
    ep.answer(&prompt, "deny ID");
    let (status, body) = h.join().unwrap();
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("approval.denied"), "{body}");
}

#[test]
fn an_app_paired_from_the_cli_is_limited_to_its_keys() {
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    let api = cli.gen_alg("p256", "api");
    let eth = cli.gen_alg("secp256k1", "eth");
    let mut ep = Endpoint::start(&cli);
    let file = cli.scratch().join("script.json");
    let file_s = file.to_str().unwrap();
    let url = ep.url.clone();
    let r = cli.json(&[
        "endpoint", "pair", "--name", "script", "--keys", "api", "--save", file_s, "--url", &url,
    ]);
    assert_eq!(r["app"]["name"], "script", "{r}");
    assert_eq!(r["app"]["keys"][0], api.as_str(), "{r}");
    let mode = std::fs::metadata(&file).unwrap();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        mode.permissions().mode() & 0o777,
        0o600,
        "credentials are owner-only"
    );
    let again = cli.scratch().join("script2.json");
    let r2 = cli.json(&[
        "endpoint",
        "pair",
        "--name",
        "script",
        "--save",
        again.to_str().unwrap(),
    ]);
    assert_eq!(r2["app"]["name"], "script (2)", "names stay unique: {r2}");

    let creds = Credentials::load(&file).unwrap();
    // The running endpoint knows the app at once, and pins the same key.
    let key = {
        use base64::Engine as _;
        let k = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&creds.endpoint_key)
            .unwrap();
        <[u8; 32]>::try_from(k.as_slice()).unwrap()
    };
    ep.client()
        .status(Some(&key))
        .expect("the pinned key signs the answers");
    let err = ask_async(&ep, &creds, sign_body(&eth, "not my key", 30))
        .join()
        .unwrap();
    assert_eq!(code(err), "endpoint.key_not_allowed");
    // Its own key: a prompt (and the CLI client prints the token once approved).
    let jwt = std::thread::spawn({
        let cli_cmd = cli.command(&[
            "--json",
            "request",
            "jwt",
            "-c",
            file_s,
            "--key",
            "api",
            "--alg",
            "ES256",
            "--aud",
            "https://api.example.com",
            "--exp",
            "30s",
        ]);
        move || keyward_tests::run_command(cli_cmd, None)
    });
    let prompt = ep.event("prompt");
    assert_eq!(prompt["prompt"]["app"]["name"], "script");
    ep.answer(&prompt, "approve ID");
    let out = jwt.join().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        doc["result"]["token"].as_str().unwrap().starts_with("eyJ"),
        "{doc}"
    );
}

/// The CLI twin of a clicked link: `keyward-cli request link` hands a `keyward://siwe` link to
/// `endpoint serve`; the terminal prompt names an unknown app and where the answer goes; the
/// approved SIWE signature reaches the link's callback and siwe verifies it. A grant is
/// refused for a link even of a grantable-looking kind; a browser may not post links;
/// `--check` parses offline and names what is wrong.
#[test]
fn a_link_from_the_cli_is_prompted_as_an_unknown_app_and_answered_to_its_callback() {
    let mut cli = Cli::new(Keyring::unlocked());
    cli.set_passphrase(Some("endpoint link passphrase"));
    cli.init();
    let eth = cli.gen_alg("secp256k1", "eth");
    let address = cli.export(&eth, "eth").trim().to_owned();
    let mut ep = Endpoint::start(&cli);
    let (callback, posted) = keyward_tests::endpoint::capture_posts();
    let origin = callback.trim_end_matches("/cb").to_owned();
    let host = origin.trim_start_matches("http://").to_owned();
    let message = format!(
        "{host} wants you to sign in with your Ethereum account:\n{address}\n\nLink test\n\n\
         URI: {origin}/login\nVersion: 1\nChain ID: 1\nNonce: linknonce123\n\
         Issued At: 2026-01-01T00:00:00Z"
    );
    let enc = keyward_tests::endpoint::url_encode;
    let link = format!(
        "keyward://siwe?key=eth&message={}&callback={}",
        enc(&message),
        enc(&callback)
    );
    let checked = cli.json(&["request", "link", "--check", &link]);
    assert_eq!(checked["kind"], "siwe_login", "{checked}");
    let url = ep.url.clone();
    let c2 = cli.command(&["--json", "request", "link", "--url", &url, &link]);
    let h = in_thread(move || keyward_tests::run_command(c2, None));
    let prompt = ep.event("prompt");
    let view = &prompt["prompt"];
    assert_eq!(view["app"]["name"], "unknown app (deep link)");
    assert_eq!(view["link"], true);
    assert_eq!(view["grantable"], false);
    assert_eq!(view["origin"], origin);
    ep.answer(&prompt, "approve ID 5m");
    // The grant is refused; the prompt stays, and a plain approval signs.
    let err = ep.event("error");
    assert_eq!(err["error"]["code"], "approval.not_grantable", "{err}");
    ep.say(&format!("approve {}", view["id"].as_str().unwrap()));
    let out = h.join().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let outcome = serde_json::from_slice::<Value>(&out.stdout).unwrap()["result"].clone();
    assert_eq!(outcome["delivered"], 200, "{outcome}");
    let body = posted
        .recv_timeout(WAIT)
        .expect("the callback got the answer");
    let sig = body["signature"].as_str().unwrap();
    // The answer went to the callback only: whoever posted the link learns it was delivered.
    assert!(!outcome.to_string().contains(sig), "{outcome}");
    assert_eq!(outcome["request_id"], view["id"], "{outcome}");
    let file = cli.scratch_file("link-siwe.txt", &message);
    let v = node("siwe-verify", &[&file, sig]);
    assert_eq!(v["success"], true, "siwe verifies the link's login: {v}");

    // A browser may not hand over links.
    let r = reqwest::blocking::Client::new()
        .post(format!("{url}/v1/links"))
        .header("origin", "https://evil.example")
        .json(&serde_json::json!({ "link": link }))
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    // Offline check: malformed and unknown links name their reason, exit 9.
    let e = cli.json_err(
        &["request", "link", "--check", "keyward://sign?key=eth"],
        "link.malformed",
        exit::APPROVAL,
    );
    assert!(e["message"].as_str().unwrap().contains("missing"), "{e}");
    cli.json_err(
        &["request", "link", "--check", "keyward://wipe?all=1"],
        "link.unknown_action",
        exit::APPROVAL,
    );
    ep.no_prompt(Duration::from_millis(200));
}

/// Security review (closing notes): a paired app's MAC key must not be readable without the
/// vault key. Every byte of the data dir (index, WAL, SHM) and every keychain item of the
/// vault, sealed or not, is tried as a MAC key (raw, hex- and base64-decoded, and hashed as a
/// token is): none authenticates; the app's own token does.
#[test]
fn nothing_readable_without_the_vault_key_authenticates_an_app() {
    use base64::Engine as _;
    use sha2::Digest as _;
    let mut cli = Cli::new(Keyring::unlocked());
    cli.set_passphrase(Some("mac key at rest passphrase"));
    let vault_id = cli.init();
    cli.gen_alg("p256", "api");
    let mut ep = Endpoint::start(&cli);
    let creds = pair(&mut ep, "mac-probe");
    let url = ep.url.clone();
    let http = reqwest::blocking::Client::new();
    let try_key = |key: &[u8]| -> String {
        let nonces: Value = http
            .post(format!("{url}/v1/nonce"))
            .send()
            .unwrap()
            .json()
            .unwrap();
        let nonce = nonces["nonces"][0].as_str().unwrap().to_owned();
        let body = serde_json::to_vec(&sign_body("no-such-key", "x", 60)).unwrap();
        let body = body.as_slice();
        let mac =
            keyward_approval::auth::request_mac_with_key(key, &nonce, "POST", "/v1/requests", body);
        let r: Value = http
            .post(format!("{url}/v1/requests"))
            .header("keyward-app", &creds.app_id)
            .header("keyward-nonce", &nonce)
            .header("keyward-mac", mac)
            .header("content-type", "application/json")
            .body(body.to_vec())
            .send()
            .unwrap()
            .json()
            .unwrap();
        r["error"]["code"].as_str().unwrap_or("").to_owned()
    };
    let token_key = sha2::Sha256::digest(creds.token.as_bytes()).to_vec();
    assert_eq!(
        try_key(&token_key),
        "key.not_found",
        "the app's own key gets in"
    );

    // Everything readable without the vault key.
    let mut texts: Vec<Vec<u8>> = Vec::new();
    for (_, bytes) in keyward_tests::read_tree(&cli.data_dir()) {
        texts.push(bytes);
    }
    let service = format!("keyward-{vault_id}");
    for item in cli.keyring().secret_tool_search(&service) {
        texts.push(item.secret.into_bytes());
    }
    let mut candidates: std::collections::BTreeSet<Vec<u8>> = Default::default();
    let b64 = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'+' | b'/' | b'=');
    for t in &texts {
        for run in t.split(|c| !b64(*c)).filter(|r| r.len() >= 16) {
            let text = String::from_utf8_lossy(run).into_owned();
            candidates.insert(run.to_vec());
            candidates.insert(sha2::Sha256::digest(run).to_vec());
            if let Ok(h) = hex::decode(&text) {
                candidates.insert(sha2::Sha256::digest(&h).to_vec());
                candidates.insert(h);
            }
            for engine in [
                base64::engine::general_purpose::STANDARD,
                base64::engine::general_purpose::URL_SAFE_NO_PAD,
            ] {
                if let Ok(d) = engine.decode(text.trim_end_matches('=')) {
                    candidates.insert(sha2::Sha256::digest(&d).to_vec());
                    candidates.insert(d);
                }
            }
        }
    }
    assert!(
        candidates.len() > 20,
        "found {} candidates",
        candidates.len()
    );
    for key in &candidates {
        let code = try_key(key);
        assert_eq!(
            code,
            "endpoint.bad_mac",
            "something readable without the vault key authenticates the app: {}",
            hex::encode(key)
        );
    }
}

/// Issue 13 (the agent's open door): `endpoint serve` asks in its terminal before a program
/// uses a key or gets a secret through the agent socket, per program by default. The CLI's
/// `sign` waits for the answer, and `approve ID lock` covers its next signatures until lock; a
/// backup is asked every time (denied here); with `agent-approval never` nothing is asked.
#[test]
fn the_agent_socket_asks_per_program_in_the_terminal() {
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    let eth = cli.gen_alg("secp256k1", "eth");
    let mut ep = Endpoint::start(&cli);
    let json_of = |out: &std::process::Output| -> Value {
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
    };
    let cmd = cli.command(&[
        "--json",
        "sign",
        "--key",
        &eth,
        "--scheme",
        "eip191",
        "--message",
        "first",
    ]);
    let h = in_thread(move || keyward_tests::run_command(cmd, None));
    let prompt = ep.event("prompt");
    assert_eq!(prompt["prompt"]["kind"], "agent_key_use", "{prompt}");
    assert_eq!(prompt["prompt"]["grantable"], true, "{prompt}");
    assert!(!h.is_finished(), "the signature waits for the answer");
    ep.answer(&prompt, "approve ID lock");
    let out = h.join().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    assert!(json_of(&out)["result"]["signature"].is_string());
    // The same program again: covered until lock.
    cli.json(&[
        "sign",
        "--key",
        &eth,
        "--scheme",
        "eip191",
        "--message",
        "second",
    ]);
    ep.no_prompt(Duration::from_millis(300));

    // A backup releases every secret: asked every time, never granted.
    let file = cli.scratch().join("asked.kwbackup");
    let cmd = cli.command(&["--json", "backup", "create", file.to_str().unwrap()]);
    let h = in_thread(move || keyward_tests::run_command(cmd, None));
    let prompt = ep.event("prompt");
    assert_eq!(prompt["prompt"]["kind"], "agent_secret_release", "{prompt}");
    assert_eq!(prompt["prompt"]["grantable"], false, "{prompt}");
    ep.answer(&prompt, "deny ID");
    let out = h.join().unwrap();
    assert!(!out.status.success());
    assert_eq!(
        json_of(&out)["error"]["code"],
        "approval.denied",
        "{}",
        describe(&out)
    );
    assert!(!file.exists());

    // Setting the rule is itself asked about; `never` then asks nothing.
    let cmd = cli.command(&["--json", "config", "set", "agent-approval", "never"]);
    let h = in_thread(move || keyward_tests::run_command(cmd, None));
    let prompt = ep.event("prompt");
    ep.answer(&prompt, "approve ID");
    assert!(h.join().unwrap().status.success());
    let other = cli.scratch().join("unasked.kwbackup");
    cli.json(&["backup", "create", other.to_str().unwrap()]);
    ep.no_prompt(Duration::from_millis(300));
    assert!(other.exists());
}

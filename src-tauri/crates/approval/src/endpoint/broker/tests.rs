// Size: over 800 lines, all of them tests (the broker's code is split across its modules, none
// over 500 lines). They share one fixture and its helpers; splitting them per module
// (`broker/<module>/tests.rs`) waits for the next change that adds broker tests.

//! The broker's unit tests, over an in-memory keychain: grants, decisions, pairing, deep
//! links, authentication and the agent's gate, each through the broker's own API.

use super::*;
use keyward_crypto::sign::{JwsAlg, Scheme};
use keyward_crypto::{Coded, KeyAlg};
use keyward_vault::store::SecretStore;
use keyward_vault::GenerateRequest;
use keyward_vault::KeychainError;
use keyward_vault::{Backend, Vault};
use serde_json::{Map, Value};
use tokio::sync::mpsc;

use super::pairing::b64;
use crate::decode::render;
use crate::endpoint::link;
use crate::endpoint::wire::{AskBody, PairBody};
use crate::grant::{GrantSpec, Scope};
use crate::request::{JwtTemplate, Kind, Request};
use crate::risk;

const T0: i64 = 1_800_000_000;

/// An in-memory keychain, for these unit tests only (the integration tests in tests/ use
/// the real Secret Service).
#[derive(Default)]
struct MemoryStore(Mutex<HashMap<(String, String), Vec<u8>>>);

impl SecretStore for MemoryStore {
    fn get(&self, service: &str, account: &str) -> Result<Option<Vec<u8>>, KeychainError> {
        let m = self.0.lock().unwrap();
        Ok(m.get(&(service.into(), account.into())).cloned())
    }
    fn set(&self, service: &str, account: &str, secret: &[u8]) -> Result<(), KeychainError> {
        let mut m = self.0.lock().unwrap();
        m.insert((service.into(), account.into()), secret.to_vec());
        Ok(())
    }
    fn delete(&self, service: &str, account: &str) -> Result<bool, KeychainError> {
        let mut m = self.0.lock().unwrap();
        Ok(m.remove(&(service.into(), account.into())).is_some())
    }
    fn list(&self, service: &str) -> Result<Vec<String>, KeychainError> {
        let m = self.0.lock().unwrap();
        Ok(m.keys()
            .filter(|(s, _)| s == service)
            .map(|(_, a)| a.clone())
            .collect())
    }
}

struct Fixture {
    broker: Arc<Broker>,
    clock: Arc<ManualClock>,
    prompts: mpsc::UnboundedReceiver<ApproverEvent>,
    app: AppRecord,
    key: String,
    /// The paired app's token.
    token: String,
    _dir: tempfile::TempDir,
}

/// A broker over an in-memory keychain (unit test) with a paired app and a P-256 key.
async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
    let mut v = Vault::open(dir.path(), store).unwrap();
    v.init(None).unwrap();
    let key = Backend::key_generate(
        &mut v,
        GenerateRequest {
            alg: KeyAlg::P256,
            label: Some("api".into()),
            tags: vec![],
        },
    )
    .unwrap()
    .id;
    let clock = Arc::new(ManualClock::at(T0));
    let (tx, mut prompts) = mpsc::unbounded_channel();
    let broker = Broker::new(
        Arc::new(Mutex::new(v)),
        Arc::new(ChannelApprover(tx)),
        clock.clone(),
        Config::default(),
    )
    .unwrap();
    let started = broker
        .start_pairing(
            PairBody {
                app_name: "tool".into(),
                app_nonce: b64(&[7u8; 32]),
                keys: None,
            },
            None,
        )
        .unwrap();
    assert!(matches!(prompts.recv().await, Some(ApproverEvent::Open(_))));
    broker
        .decide_pairing(&started.pairing_id, true, None)
        .unwrap();
    let paired = broker.wait_pairing(&started.pairing_id).await.unwrap();
    let app = broker.state().apps.get(&paired.app_id).cloned().unwrap();
    Fixture {
        broker,
        clock,
        prompts,
        app,
        key,
        token: paired.token,
        _dir: dir,
    }
}

fn jwt(key: &str) -> AskBody {
    AskBody {
        key: key.into(),
        kind: Kind::MintJwt {
            template: JwtTemplate {
                alg: JwsAlg::ES256,
                aud: vec!["https://api.example.com".into()],
                sub: None,
                claims: Map::new(),
                exp_secs: 30,
            },
        },
        message: None,
        payload_hex: None,
        origin: None,
        ttl_secs: Some(60),
    }
}

/// The user's "yes" to prompt `p`, with `grant` when one is chosen.
fn approval(p: &PromptView, grant: Option<Scope>) -> DecideInput {
    DecideInput {
        request_id: p.id.clone(),
        rendered_hash: p.rendered_hash.clone(),
        approved: true,
        grant: grant.map(|scope| GrantSpec { scope }),
    }
}

/// The user's "no" to prompt `p`.
fn denial(p: &PromptView) -> DecideInput {
    DecideInput {
        request_id: p.id.clone(),
        rendered_hash: p.rendered_hash.clone(),
        approved: false,
        grant: None,
    }
}

async fn next_prompt(f: &mut Fixture) -> PromptView {
    loop {
        match f.prompts.recv().await {
            Some(ApproverEvent::Open(item)) => match *item {
                PromptItem::Request(v) => return v,
                PromptItem::Pairing(_) => continue,
            },
            Some(ApproverEvent::Close(..) | ApproverEvent::UnlockNeeded) => continue,
            None => panic!("the approver channel closed"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_minute_grant_answers_without_a_prompt_and_stops_after_it_ends() {
    let mut f = fixture().await;
    let (b, app, key) = (f.broker.clone(), f.app.clone(), f.key.clone());
    let first = tokio::spawn(async move { b.ask(app, jwt(&key), None, Peer::Unknown).await });
    let p = next_prompt(&mut f).await;
    f.broker
        .decide(approval(&p, Some(Scope::ForMinutes(1))), None)
        .unwrap();
    let a = first.await.unwrap().unwrap();
    assert!(a.grant_id.is_none() && a.token.is_some());

    // Within the minute: answered by the grant, no prompt.
    f.clock.advance(59);
    let a = f
        .broker
        .ask(f.app.clone(), jwt(&f.key), None, Peer::Unknown)
        .await
        .unwrap();
    assert!(a.grant_id.is_some(), "{a:?}");
    assert_eq!(a.expires_at, Some(T0 + 59 + 30), "exp stamped at signing");
    while let Ok(ev) = f.prompts.try_recv() {
        assert!(
            !matches!(ev, ApproverEvent::Open(_)),
            "no prompt under a grant"
        );
    }

    // A longer lifetime than granted is not covered.
    let mut longer = jwt(&f.key);
    if let Kind::MintJwt { template } = &mut longer.kind {
        template.exp_secs = 31;
    }
    let (b, app) = (f.broker.clone(), f.app.clone());
    let h = tokio::spawn(async move { b.ask(app, longer, None, Peer::Unknown).await });
    let p = next_prompt(&mut f).await;
    let deny = denial(&p);
    f.broker.decide(deny, None).unwrap();
    assert_eq!(h.await.unwrap().unwrap_err().code(), "approval.denied");

    // After the minute: a prompt again.
    f.clock.advance(2);
    let (b, app, key) = (f.broker.clone(), f.app.clone(), f.key.clone());
    let h = tokio::spawn(async move { b.ask(app, jwt(&key), None, Peer::Unknown).await });
    let p = next_prompt(&mut f).await;
    f.broker.decide(denial(&p), None).unwrap();
    assert_eq!(h.await.unwrap().unwrap_err().code(), "approval.denied");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decision_for_another_rendering_signs_nothing() {
    let mut f = fixture().await;
    let body = AskBody {
        key: f.key.clone(),
        kind: Kind::SignMessage {
            scheme: Scheme::Raw,
        },
        message: Some("pay 1 EUR".into()),
        payload_hex: None,
        origin: None,
        ttl_secs: Some(60),
    };
    let (b, app) = (f.broker.clone(), f.app.clone());
    let h = tokio::spawn(async move { b.ask(app, body, None, Peer::Unknown).await });
    let p = next_prompt(&mut f).await;
    // The hash of what a different payload would have shown.
    let mut other = Request::new(
        p.app.clone(),
        None,
        p.key.id.clone(),
        KeyAlg::P256,
        Kind::SignMessage {
            scheme: Scheme::Raw,
        },
        b"pay 1000 EUR".to_vec(),
        T0,
        60,
    );
    other.id = p.id.clone();
    let forged = render(&other).hash().to_owned();
    assert_ne!(forged, p.rendered_hash);
    let e = f
        .broker
        .decide(
            DecideInput {
                request_id: p.id.clone(),
                rendered_hash: forged,
                approved: true,
                grant: None,
            },
            None,
        )
        .unwrap_err();
    assert_eq!(e.code(), "approval.payload_mismatch");
    // The request still waits; nothing was signed.
    assert_eq!(f.broker.prompts().len(), 1);
    f.broker.decide(denial(&p), None).unwrap();
    assert_eq!(h.await.unwrap().unwrap_err().code(), "approval.denied");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pairing_pauses_after_a_refusal_and_while_a_prompt_is_open() {
    let f = fixture().await;
    let offer = |name: &str| PairBody {
        app_name: name.into(),
        app_nonce: b64(&[9u8; 32]),
        keys: None,
    };
    f.clock.advance(10);
    let first = f.broker.start_pairing(offer("spammer"), None).unwrap();
    // One pairing prompt at a time.
    let e = f.broker.start_pairing(offer("other"), None).unwrap_err();
    assert_eq!(e.code(), "endpoint.pair_cooldown");
    f.broker
        .decide_pairing(&first.pairing_id, false, None)
        .unwrap();
    assert_eq!(
        f.broker
            .wait_pairing(&first.pairing_id)
            .await
            .unwrap_err()
            .code(),
        "endpoint.pair_denied"
    );
    // A refusal pauses pairing for the cool-down, whoever asks.
    f.clock.advance(5);
    let e = f
        .broker
        .start_pairing(offer("spammer-2"), None)
        .unwrap_err();
    assert_eq!(e.code(), "endpoint.pair_cooldown");
    f.clock.advance(Config::default().pair_cooldown_secs);
    f.broker.start_pairing(offer("later"), None).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_may_have_only_so_many_requests_waiting() {
    let mut f = fixture().await;
    let limit = Config::default().max_pending_per_app;
    let mut waiting = Vec::new();
    for i in 0..limit {
        let body = AskBody {
            key: f.key.clone(),
            kind: Kind::SignMessage {
                scheme: Scheme::Raw,
            },
            message: Some(format!("request {i}")),
            payload_hex: None,
            origin: None,
            ttl_secs: Some(60),
        };
        let (b, app) = (f.broker.clone(), f.app.clone());
        waiting.push(tokio::spawn(async move {
            b.ask(app, body, None, Peer::Unknown).await
        }));
        next_prompt(&mut f).await;
    }
    let one_more = AskBody {
        key: f.key.clone(),
        kind: Kind::SignMessage {
            scheme: Scheme::Raw,
        },
        message: Some("one too many".into()),
        payload_hex: None,
        origin: None,
        ttl_secs: Some(60),
    };
    let e = f
        .broker
        .ask(f.app.clone(), one_more, None, Peer::Unknown)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "endpoint.too_many_pending");
    for item in f.broker.prompts() {
        if let PromptItem::Request(p) = item {
            f.broker
                .decide(
                    DecideInput {
                        request_id: p.id,
                        rendered_hash: p.rendered_hash,
                        approved: false,
                        grant: None,
                    },
                    None,
                )
                .unwrap();
        }
    }
    for h in waiting {
        assert_eq!(h.await.unwrap().unwrap_err().code(), "approval.denied");
    }
}

/// A loopback server that hands every JSON body POSTed to `/cb` to the channel.
async fn callback_server() -> (u16, mpsc::UnboundedReceiver<Value>) {
    let (tx, rx) = mpsc::unbounded_channel::<Value>();
    let app = axum::Router::new().route(
        "/cb",
        axum::routing::post(move |axum::Json(v): axum::Json<Value>| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(v);
                "ok"
            }
        }),
    );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
    (port, rx)
}

#[tokio::test]
async fn a_deep_link_prompts_as_an_unknown_app_is_never_granted_and_posts_its_answer() {
    let mut f = fixture().await;
    let (port, mut posted) = callback_server().await;
    let url = format!(
        "keyward://sign?key=api&scheme=raw&message=hello&callback=http%3A%2F%2F127.0.0.1%3A{port}%2Fcb"
    );
    let b = f.broker.clone();
    let u = url.clone();
    let task = tokio::spawn(async move { b.open_link(&u).await });
    let p = next_prompt(&mut f).await;
    assert_eq!(p.app.name, link::UNKNOWN_APP);
    assert!(!p.grantable);
    assert_eq!(
        p.origin.as_deref(),
        Some(format!("http://127.0.0.1:{port}").as_str())
    );
    // A grant choice is refused for it; the prompt stays open.
    let granted = f
        .broker
        .decide(approval(&p, Some(Scope::ForMinutes(5))), None);
    assert_eq!(granted.unwrap_err().code(), "approval.not_grantable");
    f.clock.advance(2);
    f.broker.decide(approval(&p, None), None).unwrap();
    let out = task.await.unwrap().unwrap();
    assert_eq!(out.delivered, Some(200));
    let body = posted.recv().await.unwrap();
    assert!(body["signature"].is_string(), "{body}");
    assert!(body.get("grant_id").is_none_or(Value::is_null), "{body}");
    assert_eq!(out.request_id, p.id);
    // The same link again prompts again: nothing was granted.
    let b = f.broker.clone();
    let task = tokio::spawn(async move { b.open_link(&url).await });
    let p = next_prompt(&mut f).await;
    f.broker.decide(denial(&p), None).unwrap();
    assert_eq!(task.await.unwrap().unwrap_err().code(), "approval.denied");
    // A refusal reaches the callback too.
    let body = posted.recv().await.unwrap();
    assert_eq!(body["error"]["code"], "approval.denied");
}

/// A key of `alg` labelled `label` in the fixture's vault; its id.
fn add_key(f: &Fixture, alg: KeyAlg, label: &str) -> String {
    let label = label.to_owned();
    on_vault(f.broker.vault.as_ref(), move |v| {
        Backend::key_generate(
            v,
            GenerateRequest {
                alg,
                label: Some(label),
                tags: vec![],
            },
        )
    })
    .unwrap()
    .id
}

fn raw_body(key: &str, message: &str) -> AskBody {
    AskBody {
        key: key.into(),
        kind: Kind::SignMessage {
            scheme: Scheme::Raw,
        },
        message: Some(message.into()),
        payload_hex: None,
        origin: None,
        ttl_secs: Some(60),
    }
}

/// No prompt opens within a moment.
async fn no_prompt(f: &mut Fixture) {
    tokio::time::sleep(Duration::from_millis(50)).await;
    while let Ok(ev) = f.prompts.try_recv() {
        assert!(!matches!(ev, ApproverEvent::Open(_)), "a prompt opened");
    }
}

/// Security review #1: a link's answer goes to its callback only. Whoever posted the link
/// (any local program, any OS user) learns whether it was delivered, never the signature.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_links_answer_goes_only_to_its_callback_never_to_who_posted_it() {
    let mut f = fixture().await;
    let (port, mut posted) = callback_server().await;
    let url = format!(
        "keyward://sign?key=api&scheme=raw&message=hello&callback=http%3A%2F%2F127.0.0.1%3A{port}%2Fcb"
    );
    let b = f.broker.clone();
    let task = tokio::spawn(async move { b.open_link(&url).await });
    let p = next_prompt(&mut f).await;
    f.clock.advance(2);
    f.broker.decide(approval(&p, None), None).unwrap();
    let out = task.await.unwrap().unwrap();
    let body = posted.recv().await.unwrap();
    let sig = body["signature"].as_str().expect("the callback got it");
    let told = serde_json::to_value(&out).unwrap();
    assert!(
        !told.to_string().contains(sig),
        "the link's poster got the signature: {told}"
    );
    assert_eq!(told["delivered"], 200, "{told}");
}

/// Security review #1 and #6: a SIWE link whose domain is the callback's origin is not
/// "the site that asks": nobody vouches for who made the link.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_siwe_link_is_never_rated_safe_by_its_callback_origin() {
    let mut f = fixture().await;
    add_key(&f, KeyAlg::Secp256k1, "eth");
    let (port, _posted) = callback_server().await;
    let message = format!(
        "localhost:{port} wants you to sign in with your Ethereum account:\n\
         0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2\n\nSign in\n\n\
         URI: http://localhost:{port}/login\nVersion: 1\nChain ID: 1\n\
         Nonce: 32891756abc\nIssued At: 2026-11-20T10:00:00Z"
    );
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let url = format!(
        "keyward://siwe?key=eth&message={}&callback={}",
        enc(&message),
        enc(&format!("http://localhost:{port}/cb"))
    );
    let b = f.broker.clone();
    let task = tokio::spawn(async move { b.open_link(&url).await });
    let p = next_prompt(&mut f).await;
    assert!(
        p.verdicts.iter().all(|v| v.level != risk::Level::Safe),
        "{:?}",
        p.verdicts
    );
    f.broker.decide(denial(&p), None).unwrap();
    let _ = task.await;
}

/// Security review #9: a link refused before any prompt (the key cannot do the scheme)
/// posts nothing to its callback: no silent oracle, no request forgery.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_refused_before_any_prompt_posts_nothing_to_its_callback() {
    let mut f = fixture().await;
    let (port, mut posted) = callback_server().await;
    let url = format!(
        "keyward://sign?key=api&scheme=ed25519&message=x&callback=http%3A%2F%2F127.0.0.1%3A{port}%2Fcb"
    );
    let e = f.broker.open_link(&url).await.unwrap_err();
    assert_eq!(e.code(), "approval.forbidden");
    no_prompt(&mut f).await;
    let got = tokio::time::timeout(Duration::from_millis(300), posted.recv()).await;
    assert!(got.is_err(), "the callback was posted: {got:?}");
}

/// Security review #2: what the broker holds follows the key. A policy that stops JWTs,
/// a rename and a delete each take effect at the next request, grant or not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_grant_stops_with_its_keys_policy_rename_and_delete() {
    let mut f = fixture().await;
    let (b, app, key) = (f.broker.clone(), f.app.clone(), f.key.clone());
    let first = tokio::spawn(async move { b.ask(app, jwt(&key), None, Peer::Unknown).await });
    let p = next_prompt(&mut f).await;
    f.clock.advance(2);
    f.broker
        .decide(approval(&p, Some(Scope::ForMinutes(5))), None)
        .unwrap();
    first.await.unwrap().unwrap();
    let granted = f
        .broker
        .ask(f.app.clone(), jwt("api"), None, Peer::Unknown)
        .await
        .unwrap();
    assert!(granted.grant_id.is_some());

    // The policy now forbids JWTs: refused, grant or not.
    let k = f.key.clone();
    on_vault(f.broker.vault.as_ref(), move |v| {
        Backend::key_policy(v, &k, Some(vec![keyward_crypto::sign::Usage::Raw]))
    })
    .unwrap();
    let e = f
        .broker
        .ask(f.app.clone(), jwt(&f.key), None, Peer::Unknown)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "approval.forbidden");
    let k = f.key.clone();
    on_vault(f.broker.vault.as_ref(), move |v| {
        Backend::key_policy(v, &k, None)
    })
    .unwrap();

    // Renamed, and another key now has its label: the label names the new key.
    let k = f.key.clone();
    on_vault(f.broker.vault.as_ref(), move |v| {
        Backend::key_rename(v, &k, "old")
    })
    .unwrap();
    let newer = add_key(&f, KeyAlg::P256, "api");
    let (b, app) = (f.broker.clone(), f.app.clone());
    let h = tokio::spawn(async move { b.ask(app, jwt("api"), None, Peer::Unknown).await });
    let p = next_prompt(&mut f).await;
    assert_eq!(
        p.key.id, newer,
        "the label resolves to the key that has it now"
    );
    f.broker.decide(denial(&p), None).unwrap();
    let _ = h.await;

    // Deleted: the grant is gone with it, and nothing signs with the key.
    let k = f.key.clone();
    on_vault(f.broker.vault.as_ref(), move |v| Backend::key_delete(v, &k)).unwrap();
    let e = f
        .broker
        .ask(f.app.clone(), jwt(&f.key), None, Peer::Unknown)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "key.not_found");
    assert!(f.broker.grants().is_empty(), "{:?}", f.broker.grants());
    let left = on_vault(f.broker.vault.as_ref(), |v| v.grant_list()).unwrap();
    assert!(left.is_empty(), "grants of a deleted key are gone");
}

/// Security review #4: an unpaired caller learns nothing about keys. The pairing opens the
/// same way whether the keys it names exist or not; they are resolved when the user
/// approves, and a name that matches nothing is the user's to see, not the caller's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pairing_resolves_no_key_before_the_user_approves() {
    let mut f = fixture().await;
    f.clock.advance(10);
    let offer = |keys: &[&str]| PairBody {
        app_name: "probe".into(),
        app_nonce: b64(&[5u8; 32]),
        keys: Some(keys.iter().map(|k| k.to_string()).collect()),
    };
    let started = f
        .broker
        .start_pairing(
            offer(&["api", "zz-nope"]),
            Some("https://evil.example".into()),
        )
        .expect("the same answer whether a key exists or not");
    let view = loop {
        match f.prompts.recv().await {
            Some(ApproverEvent::Open(item)) => {
                if let PromptItem::Pairing(v) = *item {
                    break v;
                }
            }
            Some(_) => continue,
            None => panic!("closed"),
        }
    };
    assert_eq!(
        view.keys.as_deref(),
        Some(&["api".to_owned(), "zz-nope".to_owned()][..])
    );
    let e = f
        .broker
        .decide_pairing(&started.pairing_id, true, None)
        .unwrap_err();
    assert_eq!(e.code(), "key.not_found");
    f.broker
        .decide_pairing(&started.pairing_id, true, Some(vec!["api".into()]))
        .unwrap();
    let paired = f.broker.wait_pairing(&started.pairing_id).await.unwrap();
    assert_eq!(paired.keys, Some(vec![f.key.clone()]));
}

/// Security review #6: a native app's origin is parsed and normalised, or refused; the
/// peer's executable is escaped; a claimed origin never earns a "safe" SIWE verdict.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claimed_origin_is_parsed_escaped_and_never_rated_safe() {
    let mut f = fixture().await;
    let mut body = raw_body(&f.key, "hello");
    body.origin =
        Some("https://app.example\n  Message: text (5 bytes)\n    | hello\n\u{1b}[8m".into());
    let e = f
        .broker
        .ask(f.app.clone(), body, None, Peer::Unknown)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "endpoint.bad_request");

    let mut body = raw_body(&f.key, "hello");
    body.origin = Some("HTTPS://App.Example.com:443".into());
    let peer = Peer::Unix {
        exe: Some("/tmp/evil\u{1b}[2J\u{202E}gpj.exe".into()),
        pid: 7,
    };
    let (b, app) = (f.broker.clone(), f.app.clone());
    let h = tokio::spawn(async move { b.ask(app, body, None, peer).await });
    let p = next_prompt(&mut f).await;
    assert_eq!(p.origin.as_deref(), Some("https://app.example.com"));
    let exe = p.app.exe.clone().unwrap().to_string_lossy().into_owned();
    assert!(
        !exe.contains('\u{1b}') && !exe.contains('\u{202E}'),
        "{exe:?}"
    );
    f.broker.decide(denial(&p), None).unwrap();
    let _ = h.await;

    add_key(&f, KeyAlg::Secp256k1, "eth");
    let siwe = "app.example.com wants you to sign in with your Ethereum account:\n\
        0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2\n\nSign in\n\n\
        URI: https://app.example.com\nVersion: 1\nChain ID: 1\nNonce: 32891756abc\n\
        Issued At: 2026-11-20T10:00:00Z";
    let body = AskBody {
        key: "eth".into(),
        kind: Kind::SiweLogin,
        message: Some(siwe.into()),
        payload_hex: None,
        origin: Some("https://app.example.com".into()),
        ttl_secs: Some(60),
    };
    let (b, app) = (f.broker.clone(), f.app.clone());
    let h = tokio::spawn(async move { b.ask(app, body, None, Peer::Unknown).await });
    let p = next_prompt(&mut f).await;
    assert!(
        p.verdicts.iter().all(|v| v.level != risk::Level::Safe),
        "a claimed origin earned: {:?}",
        p.verdicts
    );
    f.broker.decide(denial(&p), None).unwrap();
    let _ = h.await;
}

/// Security review #12: the notification of a refused link echoes none of the link's
/// text: no markup a notification server would render, no sentence in Keyward's name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_links_notice_carries_no_attacker_text() {
    let f = fixture().await;
    let key = "<a href=\"https://evil.example/fix\">Your vault needs repair: click here</a>";
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let e = f
        .broker
        .open_link(&format!(
            "keyward://sign?key={}&scheme=raw&message=x&callback=https%3A%2F%2Fa.example%2Fcb",
            enc(key)
        ))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "key.not_found");
    let notice = link::refusal_notice(&e);
    assert!(notice.contains("key.not_found"), "{notice}");
    for bad in ["<", ">", "evil", "repair", "click"] {
        assert!(!notice.contains(bad), "{bad:?} in {notice:?}");
    }
    assert!(notice.chars().count() <= 120, "{notice}");
}

/// Security review #14: an app restricted to some keys learns nothing about the others:
/// not their ids, not which labels or prefixes exist.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_restricted_app_learns_nothing_of_other_keys() {
    let f = fixture().await;
    let other = add_key(&f, KeyAlg::P256, "other");
    add_key(&f, KeyAlg::P256, "twin");
    add_key(&f, KeyAlg::P256, "twin");
    let allowed = vec![f.key.clone()];
    let (app, _token) = on_vault(f.broker.vault.as_ref(), move |v| {
        register_app(v, &[9u8; 32], "narrow", None, Some(allowed.clone()), T0)
    })
    .unwrap();
    f.broker.refresh().unwrap();
    let rec = f.broker.state().apps.get(&app.id).cloned().unwrap();
    let mut answers = Vec::new();
    for asked in ["other", &other[..6], "twin", "nope"] {
        let e = f
            .broker
            .ask(rec.clone(), raw_body(asked, "x"), None, Peer::Unknown)
            .await
            .unwrap_err();
        let text = format!("{} {}", e, serde_json::to_string(&e.body()).unwrap());
        assert!(!text.contains(&other), "{asked}: {text}");
        answers.push((e.code().to_owned(), e.status()));
    }
    assert!(
        answers.windows(2).all(|w| w[0] == w[1]),
        "one answer whether the key exists or not: {answers:?}"
    );
}

/// A request as the paired app of `f` signs it: a fresh nonce, the MAC over it.
fn authenticate(f: &Fixture, token: &str) -> Result<AppRecord, EndpointError> {
    let nonce = f.broker.issue_nonces(1).remove(0);
    let mac = auth::request_mac(token, &nonce, "POST", "/v1/requests", b"{}");
    f.broker
        .authenticate(&f.app.app.id, &nonce, "POST", "/v1/requests", b"{}", &mac)
}

/// The MAC key is derived from a secret sealed under the vault key; the endpoint keeps
/// it from its first unlock on, through a lock. An app paired by an older Keyward (no
/// salt) is refused with its own code.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apps_authenticate_through_a_lock_and_outdated_pairings_are_refused() {
    let f = fixture().await;
    authenticate(&f, &f.token).expect("the paired app");
    on_vault(f.broker.vault.as_ref(), |v| {
        v.lock_now();
        Ok(())
    })
    .unwrap();
    f.broker.locked_now();
    authenticate(&f, &f.token).expect("a lock keeps the MAC secret");
    assert_eq!(
        authenticate(&f, "a-guess").unwrap_err().code(),
        "endpoint.bad_mac"
    );
    f.broker
        .state()
        .apps
        .get_mut(&f.app.app.id)
        .unwrap()
        .token_salt = None;
    let stamp = f.broker.state().stamp;
    assert!(stamp.is_some());
    assert_eq!(
        authenticate(&f, &f.token).unwrap_err().code(),
        "endpoint.pairing_outdated"
    );
}

/// Before the endpoint has seen the vault unlocked it can authenticate nobody: a request
/// gets `vault.locked`, and the approver is asked (once) to have the user unlock.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn before_the_first_unlock_requests_get_vault_locked_and_an_unlock_prompt() {
    let mut f = fixture().await;
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
    let mut v = Vault::open(dir.path(), store).unwrap();
    v.init(Some("a long enough passphrase 42")).unwrap();
    v.lock_now();
    let (tx, mut events) = mpsc::unbounded_channel();
    let broker = Broker::new(
        Arc::new(Mutex::new(v)),
        Arc::new(ChannelApprover(tx)),
        f.clock.clone(),
        Config::default(),
    )
    .unwrap();
    f.broker = broker;
    for _ in 0..3 {
        assert_eq!(
            authenticate(&f, &f.token).unwrap_err().code(),
            "vault.locked"
        );
    }
    assert!(matches!(events.try_recv(), Ok(ApproverEvent::UnlockNeeded)));
    assert!(events.try_recv().is_err(), "asked once, not per request");
}

fn program(exe: &str) -> keyward_vault::agent::Program {
    keyward_vault::agent::Program {
        exe: Some(exe.into()),
        pid: Some(4242),
        via: Some("/usr/bin/gnome-terminal-server".into()),
    }
}

fn agent_sign(key: &str, input: keyward_vault::api::SignInput) -> keyward_vault::agent::Request {
    keyward_vault::agent::Request::KeySign {
        req: keyward_vault::api::SignRequest {
            key: key.into(),
            scheme: Scheme::Raw,
            input,
            encoding: Default::default(),
        },
    }
}

/// Runs the gate for `req` from `exe` on a blocking thread (as the agent does).
fn gate(
    f: &Fixture,
    exe: &str,
    req: keyward_vault::agent::Request,
) -> tokio::task::JoinHandle<Result<(), EndpointError>> {
    let (b, p) = (f.broker.clone(), program(exe));
    tokio::task::spawn_blocking(move || {
        b.agent_check(&p, &req, keyward_vault::agent::AgentApproval::PerProgram)
    })
}

/// The prompt the gate `h` opened (a gate that answers without one fails the test).
async fn agent_prompt(
    f: &mut Fixture,
    h: &mut tokio::task::JoinHandle<Result<(), EndpointError>>,
) -> PromptView {
    tokio::select! {
        p = next_prompt(f) => p,
        r = h => panic!("the gate answered without a prompt: {r:?}"),
    }
}

/// The agent's approval rule (DESIGN "Seams": AgentGate), per program: a key use is asked
/// once per program (a grant until lock may cover it, not for blind signing, and it ends
/// at lock); a second program asks again; a backup and a credential read ask every time,
/// and no grant covers them; `never` asks nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agent_asks_per_program_and_secrets_every_time() {
    use keyward_vault::agent::Request as A;
    let mut f = fixture().await;
    let msg = || keyward_vault::api::SignInput::Message("hello".into());
    let cli = "/usr/bin/keyward-cli";
    // A key use: asked, granted until lock.
    let mut h = gate(&f, cli, agent_sign(&f.key, msg()));
    let p = agent_prompt(&mut f, &mut h).await;
    assert_eq!(p.kind, "agent_key_use");
    assert!(p.grantable);
    assert!(p.title.contains("keyward-cli"), "{}", p.title);
    f.broker
        .decide(approval(&p, Some(Scope::UntilLock)), None)
        .unwrap();
    h.await.unwrap().unwrap();
    assert!(f
        .broker
        .grants()
        .iter()
        .any(|g| g.app_id == keyward_vault::PROGRAM_GRANT_APP));
    // The same program again: covered, no prompt.
    gate(&f, cli, agent_sign(&f.key, msg()))
        .await
        .unwrap()
        .unwrap();
    no_prompt(&mut f).await;
    // Another program asks again.
    let mut h = gate(&f, "/usr/bin/python3-evil", agent_sign(&f.key, msg()));
    let p = agent_prompt(&mut f, &mut h).await;
    f.broker.decide(denial(&p), None).unwrap();
    assert_eq!(h.await.unwrap().unwrap_err().code(), "approval.denied");
    // Blind signing is never granted.
    let mut h = gate(
        &f,
        cli,
        agent_sign(
            &f.key,
            keyward_vault::api::SignInput::Hex("00ff".repeat(16)),
        ),
    );
    let p = agent_prompt(&mut f, &mut h).await;
    assert!(!p.grantable);
    assert!(p.verdicts.iter().any(|v| v.id == "blind_signing"));
    f.broker.decide(denial(&p), None).unwrap();
    let _ = h.await;
    // A backup and a credential read ask every time, and take no grant.
    for req in [
        A::BackupCreate {
            passphrase: keyward_core::Secret::new("chosen by the program"),
        },
        A::CredentialGet {
            profile: "eng".into(),
            name: "admin-token".into(),
        },
    ] {
        let mut h = gate(&f, cli, req);
        let p = agent_prompt(&mut f, &mut h).await;
        assert_eq!(p.kind, "agent_secret_release");
        assert!(!p.grantable);
        let e = f
            .broker
            .decide(approval(&p, Some(Scope::UntilLock)), None)
            .unwrap_err();
        assert_eq!(e.code(), "approval.not_grantable");
        f.broker.decide(approval(&p, None), None).unwrap();
        h.await.unwrap().unwrap();
    }
    // Locking ends the program grant.
    on_vault(f.broker.vault.as_ref(), |v| {
        v.lock_now();
        Backend::unlock(v, None).map(|_| ())
    })
    .unwrap();
    f.broker.locked_now();
    let mut h = gate(&f, cli, agent_sign(&f.key, msg()));
    let p = agent_prompt(&mut f, &mut h).await;
    f.broker.decide(denial(&p), None).unwrap();
    let _ = h.await;
    // `never`: nothing is asked.
    on_vault(f.broker.vault.as_ref(), |v| {
        Backend::settings_set(v, "agent-approval", "never").map(|_| ())
    })
    .unwrap();
    gate(
        &f,
        "/usr/bin/anything",
        A::BackupCreate {
            passphrase: keyward_core::Secret::new("x"),
        },
    )
    .await
    .unwrap()
    .unwrap();
    no_prompt(&mut f).await;
}

#[tokio::test]
async fn bad_and_flooding_deep_links_are_refused_without_a_prompt() {
    let mut f = fixture().await;
    let mut codes = Vec::new();
    for _ in 0..(RateLimit::MAX + 3) {
        codes.push(
            f.broker
                .open_link("keyward://transfer?to=x")
                .await
                .unwrap_err()
                .code()
                .to_owned(),
        );
    }
    assert!(codes[..RateLimit::MAX]
        .iter()
        .all(|c| c == "link.unknown_action"));
    assert!(codes[RateLimit::MAX..]
        .iter()
        .all(|c| c == "link.rate_limited"));
    f.clock.advance(RateLimit::WINDOW);
    let off = f
        .broker
        .open_link("simplewallet://eos.io?param=%7B%7D")
        .await
        .unwrap_err();
    assert_eq!(off.code(), "link.disabled");
    while let Ok(ev) = f.prompts.try_recv() {
        assert!(
            !matches!(ev, ApproverEvent::Open(_)),
            "no prompt was opened"
        );
    }
    f.broker.flush_audit(true).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approve_arms_a_second_after_the_prompt_is_shown_for_every_approver() {
    let mut f = fixture().await;
    let (b, app, key) = (f.broker.clone(), f.app.clone(), f.key.clone());
    let first = tokio::spawn(async move { b.ask(app, jwt(&key), None, Peer::Unknown).await });
    let p = next_prompt(&mut f).await;
    f.broker.mark_shown(&p.id);
    // At once: too soon, and the request still waits.
    let e = f.broker.decide(approval(&p, None), None).unwrap_err();
    assert_eq!(e.code(), "approval.too_soon");
    f.clock.advance(1);
    f.broker.decide(approval(&p, None), None).unwrap();
    assert!(first.await.unwrap().unwrap().token.is_some());

    // Denying is never too soon.
    let (b, app, key) = (f.broker.clone(), f.app.clone(), f.key.clone());
    let h = tokio::spawn(async move { b.ask(app, jwt(&key), None, Peer::Unknown).await });
    let p = next_prompt(&mut f).await;
    f.broker.mark_shown(&p.id);
    f.broker.decide(denial(&p), None).unwrap();
    assert_eq!(h.await.unwrap().unwrap_err().code(), "approval.denied");
}

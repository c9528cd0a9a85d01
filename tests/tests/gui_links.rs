//! GUI end to end, deep links and notifications: the real app (Xvfb, private Secret Service and
//! session bus, a notification-server stub owning `org.freedesktop.Notifications` on it).
//!
//! - A `keyward://sign` link, handed over by a second launch as a browser would, opens the
//!   prompt as an unknown app with no grant choice; Approve posts a signature ethers verifies
//!   to the link's callback.
//! - A `simplewallet://` login is refused while the setting is off; once on, the key tagged
//!   `simplewallet` signs SimpleWallet's `timestamp + account + uuID + ref`, eosjs-ecc verifies
//!   what is posted to `loginUrl`, and the scheme is registered for the user (xdg-mime).
//! - Malformed, oversized and unknown-action links are refused without a prompt, each with its
//!   reason in a notification; a flood is rate-limited, and the audit log counts it.
//! - In background mode a request raises a notification with a default action; only invoking
//!   that action opens the prompt. The tray icon (read through a StatusNotifierWatcher stub, as
//!   a desktop's tray reads it) counts the waiting request.
//! - The prompt window asks for attention (the X11 urgency hint, watched with `xprop -spy`).

use keyward_tests::endpoint::{ask_in_thread, capture_posts, sign_body, url_encode as enc};
use keyward_tests::gui::{
    approve_agent_command, by_id, click, enabled_after, launch_with_args, launch_with_endpoint,
    second_launch, to_prompt, wait_joined, WAIT,
};
use keyward_tests::interop::node;
use keyward_tests::notifications::NotificationServer;
use keyward_tests::tray::TrayHost;
use keyward_tests::{describe, run_command, Cli, Keyring};
use std::time::{Duration, Instant};

const PASSPHRASE: &str = "gui links passphrase 6";

/// The X window titled `title` (unmapped windows included) of one of `pids` (its
/// `_NET_WM_PID`): the other GUI test of this file runs its own app on the same display, with
/// windows of the same titles.
fn x_window(title: &str, pids: &[u32]) -> String {
    let mut tree = std::process::Command::new("xwininfo");
    tree.args(["-root", "-tree"]);
    let out = run_command(tree, None);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    // `     0x200031 "Keyward — approval": ("keyward" "Keyward")  520x640+0+0  +0+0`
    let window_pid = |id: &str| -> Option<u32> {
        let mut q = std::process::Command::new("xprop");
        q.args(["-id", id, "_NET_WM_PID"]);
        let out = run_command(q, None);
        // `_NET_WM_PID(CARDINAL) = 1234`
        String::from_utf8_lossy(&out.stdout)
            .rsplit('=')
            .next()
            .and_then(|p| p.trim().parse().ok())
    };
    text.lines()
        .filter(|l| l.contains(&format!(" \"{title}\": (")))
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .find(|id| window_pid(id).is_some_and(|p| pids.contains(&p)))
        .unwrap_or_else(|| panic!("no X window titled {title:?} of pids {pids:?}: {text}"))
}

/// Watches a window's `WM_HINTS` (`xprop -spy`) into a file; GTK clears the urgency hint
/// once the window has focus, so the test looks for it having been set, not for it now.
struct HintSpy {
    child: std::process::Child,
    log: std::path::PathBuf,
}

impl HintSpy {
    fn start(cli: &Cli, title: &str, name: &str, pids: &[u32]) -> HintSpy {
        let id = x_window(title, pids);
        let log = cli.scratch().join(name);
        let child = std::process::Command::new("xprop")
            .args(["-spy", "-id", &id, "WM_HINTS"])
            .stdout(std::fs::File::create(&log).unwrap())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("xprop (Debian package x11-utils)");
        HintSpy { child, log }
    }

    /// Whether the urgency bit went on after the spy started (it must be off at the start),
    /// waiting up to `wait`.
    fn saw_urgency(&self, wait: Duration) -> bool {
        const SET: &str = "urgency hint bit is set";
        let deadline = Instant::now() + wait;
        loop {
            let text = std::fs::read_to_string(&self.log).unwrap_or_default();
            // xprop prints the property as it is, then again at each change.
            let states: Vec<&str> = text.split("WM_HINTS(WM_HINTS)").skip(1).collect();
            if let Some(first) = states.first() {
                assert!(!first.contains(SET), "urgent before the test began: {text}");
                if states[1..].iter().any(|s| s.contains(SET)) {
                    return true;
                }
            }
            if Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for HintSpy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits until `xdg-mime` does (`registered`) or does not name Keyward's handler for
/// `scheme://` (in the test's XDG dirs).
async fn handler_is(cli: &Cli, scheme: &str, registered: bool) {
    let deadline = Instant::now() + WAIT;
    loop {
        let mut q = cli.keyring().command("xdg-mime");
        q.args(["query", "default", &format!("x-scheme-handler/{scheme}")]);
        let out = run_command(q, None);
        if String::from_utf8_lossy(&out.stdout).contains("keyward") == registered {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{scheme}:// registered is not {registered}: {}",
            describe(&out)
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and the built app; scripts/test.sh runs it under Xvfb"]
async fn links_open_the_prompt_and_bad_links_are_refused() {
    let mut cli = Cli::new(Keyring::unlocked());
    cli.set_passphrase(Some(PASSPHRASE));
    cli.init();
    let eth = cli.gen_alg("secp256k1", "eth");
    let eos = cli.gen_alg("secp256k1", "eos");
    let notes = NotificationServer::start(cli.keyring());
    let (app, _) = launch_with_endpoint(&cli, PASSPHRASE).await;
    let c = &app.client;
    let main = c.window().await.unwrap();
    // Run from the build tree with no handler installed, the app registers keyward:// itself.
    handler_is(&cli, "keyward", true).await;

    // ---- keyward://sign, as a second launch --------------------------------------------
    let (callback, posted) = capture_posts();
    let message = "Log in to links test\nnonce 42";
    let link = format!(
        "keyward://sign?key=eth&scheme=eip191&message={}&callback={}",
        enc(message),
        enc(&callback)
    );
    assert!(second_launch(&cli, &[&link]).success());
    to_prompt(c, &main).await;
    let who = by_id(c, "prompt-app").await.text().await.unwrap();
    assert!(who.contains("unknown app (deep link)"), "{who}");
    by_id(c, "prompt-link").await;
    let goes = by_id(c, "prompt-origin").await.text().await.unwrap();
    assert_eq!(goes, callback.trim_end_matches("/cb"));
    assert!(
        c.find(fantoccini::Locator::Css("[data-testid='prompt-grant']"))
            .await
            .is_err(),
        "a link is never granted: no grant choice"
    );
    enabled_after(c, "prompt-approve").await;
    click(c, "prompt-approve").await;
    let answer = posted
        .recv_timeout(WAIT)
        .expect("the callback got the answer");
    let signer = node(
        "eth-verify-message",
        &[message, answer["signature"].as_str().unwrap()],
    );
    assert_eq!(
        signer["address"].as_str().unwrap().to_lowercase(),
        answer["signer"].as_str().unwrap().to_lowercase()
    );
    let eth_addr = cli.export(&eth, "eth");
    assert_eq!(
        eth_addr.trim().to_lowercase(),
        answer["signer"].as_str().unwrap().to_lowercase()
    );

    // ---- simplewallet:// ---------------------------------------------------------------
    let (login_url, logins) = capture_posts();
    let param = serde_json::json!({
        "protocol": "SimpleWallet", "version": "1.0", "dappName": "Links Dapp",
        "dappIcon": "https://dapp.example/icon.png", "action": "login", "uuID": "uuid-77",
        "loginUrl": login_url, "expired": 4_000_000_000i64, "loginMemo": "links test",
    });
    let sw = format!("simplewallet://eos.io?param={}", enc(&param.to_string()));
    // Off by default: refused, with the way to turn it on.
    assert!(second_launch(&cli, &[&sw]).success());
    let off = notes.wait_for("for link.disabled", |n| n.body.contains("link.disabled"));
    assert!(off.summary.contains("refused"), "{off:?}");
    // A setting changed through the agent is asked about every time (a secret's guard).
    approve_agent_command(
        c,
        &main,
        cli.command(&["--json", "config", "set", "simplewallet-links", "true"]),
        None,
    )
    .await;
    cli.json(&[
        "key",
        "tag",
        &eos,
        "--add",
        "simplewallet",
        "--add",
        "eos-account:linkstest1",
    ]);
    // The app registered the scheme for the user once the setting went on (through its agent).
    handler_is(&cli, "simplewallet", true).await;
    // The prompt window exists now (hidden since the last prompt): watch its hints.
    let pids = app.pids();
    let prompt_hints = HintSpy::start(&cli, "Keyward — approval", "prompt-hints.log", &pids);
    let main_hints = HintSpy::start(&cli, "Keyward", "main-hints.log", &pids);
    assert!(second_launch(&cli, &[&sw]).success());
    to_prompt(c, &main).await;
    assert!(
        prompt_hints.saw_urgency(WAIT),
        "the prompt asks for attention (urgency hint)"
    );
    assert!(
        !main_hints.saw_urgency(Duration::from_millis(200)),
        "the main window does not"
    );
    let text = by_id(c, "prompt-window").await.text().await.unwrap();
    assert!(text.contains("linkstest1uuid-77keyward"), "{text}");
    enabled_after(c, "prompt-approve").await;
    click(c, "prompt-approve").await;
    let login = logins.recv_timeout(WAIT).expect("loginUrl got the login");
    assert_eq!(login["protocol"], "SimpleWallet");
    assert_eq!(login["account"], "linkstest1");
    assert_eq!(login["uuID"], "uuid-77");
    assert_eq!(login["ref"], "keyward");
    let data = format!(
        "{}{}{}{}",
        login["timestamp"].as_str().unwrap(),
        "linkstest1",
        "uuid-77",
        "keyward"
    );
    let eos_pub = cli.export(&eos, "eos");
    let v = node(
        "eos-verify",
        &[&data, login["sign"].as_str().unwrap(), eos_pub.trim()],
    );
    assert_eq!(v["valid"], true, "eosjs-ecc verifies the login: {v}");
    // Off again: the scheme is handed back.
    approve_agent_command(
        c,
        &main,
        cli.command(&["--json", "config", "set", "simplewallet-links", "false"]),
        None,
    )
    .await;
    handler_is(&cli, "simplewallet", false).await;

    // ---- bad links: refused without a prompt, each with its reason ----------------------
    let bad = [
        (
            "link.malformed",
            "keyward://sign?key=eth&scheme=eip191".to_owned(),
        ),
        (
            "link.too_long",
            format!("keyward://sign?key=eth&message={}", "a".repeat(9000)),
        ),
        (
            "link.unknown_action",
            format!("keyward://transfer?to=x&callback={}", enc(&callback)),
        ),
    ];
    for (code, link) in &bad {
        assert!(second_launch(&cli, &[link]).success());
        notes.wait_for(code, |n| n.body.contains(code));
    }
    // A flood: at most ten links a minute are looked at; the rest are refused unread.
    for _ in 0..8 {
        assert!(second_launch(&cli, &["keyward://flood"]).success());
    }
    let limited = notes.wait_for("for link.rate_limited", |n| {
        n.body.contains("link.rate_limited")
    });
    // Refusals replace one notification instead of piling up.
    assert_ne!(limited.replaces_id, 0, "{limited:?}");
    assert!(
        posted.try_recv().is_err(),
        "no refused link reached its callback"
    );
    let deadline = Instant::now() + WAIT;
    loop {
        let audit = cli.json(&["audit", "list", "--limit", "50"]).to_string();
        if audit.contains("link.rate_limited") && audit.contains("link.too_long") {
            assert!(audit.contains("unknown app (deep link)"), "{audit}");
            break;
        }
        assert!(Instant::now() < deadline, "no refusal rows: {audit}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and the built app; scripts/test.sh runs it under Xvfb"]
async fn a_request_while_hidden_notifies_and_the_click_opens_the_prompt() {
    let mut cli = Cli::new(Keyring::unlocked());
    cli.set_passphrase(Some(PASSPHRASE));
    cli.init();
    let eth = cli.gen_alg("secp256k1", "eth");
    let notes = NotificationServer::start(cli.keyring());
    let tray = TrayHost::start(cli.keyring());
    let port = keyward_tests::gui::free_port();
    let port_text = port.to_string();
    let app = launch_with_args(
        &cli,
        &[("KEYWARD_ENDPOINT_PORT", port_text.as_str())],
        &["--background"],
    )
    .await;
    let c = &app.client;
    let main = c.window().await.unwrap();
    // Hidden: unlock through the app's agent, as a script would.
    let deadline = Instant::now() + WAIT;
    while cli.json(&["status"])["agent"] != true {
        assert!(Instant::now() < deadline, "the app's agent does not serve");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    cli.json(&["unlock"]);
    let url = format!("http://127.0.0.1:{port}");
    let creds_path = cli.scratch().join("creds.json");
    cli.json(&[
        "endpoint",
        "pair",
        "--name",
        "hidden-tool",
        "--save",
        creds_path.to_str().unwrap(),
        "--url",
        &url,
    ]);
    let creds = keyward_approval::endpoint::Credentials::load(&creds_path).unwrap();
    let h = ask_in_thread(&url, &creds, sign_body(&eth, "hidden request", 120));

    let n = notes.wait_for("for the request", |n| n.summary.contains("asks"));
    // The tray counts it.
    tray.wait_label("1");
    assert!(n.summary.contains("hidden-tool"), "{n:?}");
    assert!(n.summary.contains("Sign a message"), "{n:?}");
    assert_eq!(n.actions.first().map(String::as_str), Some("default"));
    // Nothing opens until the user clicks it.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        c.windows().await.unwrap().len(),
        1,
        "no prompt before the click"
    );
    notes.invoke(n.id, "default");
    to_prompt(c, &main).await;
    let title = by_id(c, "prompt-title").await.text().await.unwrap();
    assert!(title.contains("Sign a message"), "{title}");
    // The click opened the prompt; it did not approve anything.
    assert!(
        !h.is_finished(),
        "the click alone must not answer the request"
    );
    enabled_after(c, "prompt-approve").await;
    click(c, "prompt-approve").await;
    let answer = wait_joined(h).await.expect("signed after approval");
    assert!(answer.signature.is_some());
    tray.wait_label("");
    // The request is gone, so is its notification.
    notes.wait_closed(n.id);
    app.close().await;
}

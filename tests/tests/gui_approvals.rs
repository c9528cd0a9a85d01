//! GUI end to end, approvals: the real app (Xvfb, private Secret Service) serves the loopback
//! endpoint; the library client acts as a third-party app. WebDriver reaches the prompt
//! window as a second window handle of the same session.
//!
//! - Pairing: the prompt window shows the code the app computed; Approve is inert at first.
//! - A request opens the prompt with the decoded payload and the verdicts; Approve is inert for
//!   the first second; Approve returns a signature ethers verifies; Deny returns an error.
//! - The main window cannot send a decision (its capability lacks the command).
//! - A JWT approved with a 5-minute grant answers the next request without a prompt; the grant
//!   and the paired app appear on the Approvals screen; Revoke and Unpair end them.

use keyward_approval::endpoint::Client;
use keyward_crypto::Coded;
use keyward_tests::endpoint::{ask_in_thread, jwt_body, sign_body};
use keyward_tests::gui::{
    by_id, click, disabled, enabled_after, launch_with_endpoint, screenshot, to_prompt, wait_for,
    wait_gone, wait_joined, WAIT,
};
use keyward_tests::interop::node;
use keyward_tests::{Cli, Keyring};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const PASSPHRASE: &str = "gui approvals passphrase 5";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and the built app; scripts/test.sh runs it under Xvfb"]
async fn prompts_grants_and_paired_apps_in_the_app() {
    let mut cli = Cli::new(Keyring::unlocked());
    cli.set_passphrase(Some(PASSPHRASE));
    cli.init();
    let eth = cli.gen_alg("secp256k1", "eth");
    let api = cli.gen_alg("p256", "api");
    let (app, url) = launch_with_endpoint(&cli, PASSPHRASE).await;
    let c = &app.client;
    let main = c.window().await.unwrap();

    // ---- Pairing -------------------------------------------------------------------------
    let (code_tx, code_rx) = mpsc::channel();
    let u = url.clone();
    let pairing = std::thread::spawn(move || {
        Client::new(&u).unwrap().pair("gui-tool", None, |code| {
            code_tx.send(code.to_owned()).unwrap()
        })
    });
    to_prompt(c, &main).await;
    let code = code_rx.recv_timeout(WAIT).unwrap();
    let shown = by_id(c, "pairing-code").await.text().await.unwrap();
    assert_eq!(shown.replace(' ', ""), code, "both sides show one code");
    assert!(
        disabled(c, "pairing-approve").await,
        "Approve is inert at first"
    );
    enabled_after(c, "pairing-approve").await;
    screenshot(c, "gui-pairing.png").await;
    click(c, "pairing-approve").await;
    let creds = wait_joined(pairing).await.expect("paired");

    // ---- A request: decoded payload, verdicts, inert Approve, a signature ethers verifies -
    let h = ask_in_thread(
        &url,
        &creds,
        sign_body(&eth, "Sign in to GUI test\nnonce 7", 120),
    );
    let title = by_id(c, "prompt-title").await;
    assert!(title.text().await.unwrap().contains("Sign a message"));
    assert!(
        disabled(c, "prompt-approve").await,
        "Approve is inert at first"
    );
    let blocks = c
        .find_all(fantoccini::Locator::Css("[data-testid='prompt-block']"))
        .await
        .unwrap();
    let mut text = String::new();
    for b in blocks {
        text += &b.text().await.unwrap();
        text += "\n";
    }
    assert!(text.contains("Sign in to GUI test"), "{text}");
    let verdicts = c
        .find_all(fantoccini::Locator::Css("[data-testid='prompt-verdict']"))
        .await
        .unwrap();
    assert!(!verdicts.is_empty(), "verdicts are shown");
    let waited = enabled_after(c, "prompt-approve").await;
    assert!(
        waited >= Duration::from_millis(500),
        "Approve came alive after {waited:?}"
    );
    screenshot(c, "gui-prompt.png").await;
    click(c, "prompt-approve").await;
    let answer = wait_joined(h).await.expect("signed after approval");
    let who = node(
        "eth-verify-message",
        &[
            "Sign in to GUI test\nnonce 7",
            answer.signature.as_deref().unwrap(),
        ],
    );
    assert_eq!(
        who["address"].as_str().unwrap().to_lowercase(),
        answer.signer.unwrap().to_lowercase()
    );

    // ---- The main window cannot decide; Deny from the prompt --------------------------------
    let h = ask_in_thread(&url, &creds, sign_body(&eth, "please deny", 120));
    by_id(c, "prompt-deny").await;
    let request_id = {
        // The prompt's request id, from the main window's view of the state.
        c.switch_to_window(main.clone()).await.unwrap();
        let deadline = Instant::now() + WAIT;
        loop {
            let v = c
                .execute_async(
                    "const done = arguments[arguments.length - 1];\
                     window.__TAURI_INTERNALS__.invoke('approvals_state').then(s => done(s), e => done(String(e)));",
                    vec![],
                )
                .await
                .unwrap();
            if let Some(id) = v["pending"][0]["id"].as_str() {
                break id.to_owned();
            }
            assert!(Instant::now() < deadline, "no pending request: {v}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    let refused = c
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             window.__TAURI_INTERNALS__.invoke('approval_decide', {requestId: arguments[0], \
               renderedHash: 'x', approved: true, grant: null, minutes: null, passphrase: null})\
               .then(() => done('allowed'), e => done(String(e)));",
            vec![serde_json::json!(request_id)],
        )
        .await
        .unwrap();
    assert!(
        refused.as_str().unwrap_or_default().contains("not allowed"),
        "the main window may not decide: {refused}"
    );
    to_prompt(c, &main).await;
    click(c, "prompt-deny").await;
    assert_eq!(wait_joined(h).await.unwrap_err().code(), "approval.denied");

    // ---- A JWT with a 5-minute grant; the next one needs no prompt ------------------------
    let h = ask_in_thread(&url, &creds, jwt_body(&api, "gui", 120));
    by_id(c, "prompt-grant").await;
    click(c, "prompt-grant-minutes-5").await;
    enabled_after(c, "prompt-approve").await;
    click(c, "prompt-approve").await;
    let first = wait_joined(h).await.expect("minted");
    assert!(first.grant_id.is_none());
    let second = wait_joined(ask_in_thread(&url, &creds, jwt_body(&api, "gui", 120)))
        .await
        .expect("granted");
    assert!(second.grant_id.is_some(), "answered by the grant");

    // ---- Approvals screen: the grant and the app; Revoke, Unpair ---------------------------
    c.switch_to_window(main.clone()).await.unwrap();
    click(c, "nav-approvals").await;
    wait_for(c, "[data-testid='approvals-grant-row']").await;
    wait_for(c, "[data-testid='approvals-app-row']").await;
    screenshot(c, "gui-approvals.png").await;
    click(c, "approvals-revoke").await;
    wait_gone(c, "[data-testid='approvals-grant-row']").await;
    click(c, "approvals-unpair").await;
    // The confirmation dialog's confirm button.
    click(c, "unpair-confirm").await;
    wait_gone(c, "[data-testid='approvals-app-row']").await;
    let e = wait_joined(ask_in_thread(&url, &creds, jwt_body(&api, "gui", 120)))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "endpoint.unpaired");

    app.close().await;
}

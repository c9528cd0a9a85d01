//! GUI end to end, clipboard hygiene: what the app copies is on the X clipboard with the
//! password-manager hint (`x-kde-passwordManagerHint`, so clipboard managers leave it out of
//! their history), and is cleared after the delay (`KEYWARD_CLIPBOARD_CLEAR_SECS`, 30 s by
//! default) — unless the clipboard holds something else by then. Read with xclip.

use keyward_tests::gui::{by_id, click, launch_with_endpoint_env, WAIT};
use keyward_tests::{Cli, Keyring};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const PASSPHRASE: &str = "gui clipboard passphrase 4";

/// `xclip -o -selection clipboard [-t TARGET]`: the text, or None when the clipboard is empty.
fn clipboard(target: Option<&str>) -> Option<String> {
    let mut cmd = Command::new("xclip");
    cmd.args(["-o", "-selection", "clipboard"]);
    if let Some(t) = target {
        cmd.args(["-t", t]);
    }
    let out = cmd
        .stderr(Stdio::null())
        .output()
        .expect("xclip (apt install xclip)");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    (out.status.success() && !text.is_empty()).then_some(text)
}

/// Puts `text` on the clipboard as another program would (xclip keeps serving it).
fn copy_elsewhere(text: &str) {
    use std::io::Write;
    let mut child = Command::new("xclip")
        .args(["-i", "-selection", "clipboard"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("xclip");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    child.wait().unwrap();
}

async fn until(what: &str, ok: impl Fn() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !ok() {
        assert!(Instant::now() < deadline, "{what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and the built app; scripts/test.sh runs it under Xvfb"]
async fn copies_are_hidden_from_history_and_cleared() {
    let mut cli = Cli::new(Keyring::unlocked());
    cli.set_passphrase(Some(PASSPHRASE));
    cli.init();
    let (app, _) =
        launch_with_endpoint_env(&cli, PASSPHRASE, &[("KEYWARD_CLIPBOARD_CLEAR_SECS", "3")]).await;
    let c = &app.client;
    click(c, "nav-approvals").await;
    let fingerprint = by_id(c, "approvals-fingerprint")
        .await
        .text()
        .await
        .unwrap();
    let fingerprint = fingerprint.trim().to_owned();
    assert!(!fingerprint.is_empty());

    // Copied, with the password-manager hint; gone after the delay.
    click(c, "approvals-fingerprint-copy").await;
    until("the copy reaches the clipboard", || {
        clipboard(None).as_deref() == Some(fingerprint.as_str())
    })
    .await;
    let targets = clipboard(Some("TARGETS")).unwrap_or_default();
    assert!(
        targets.contains("x-kde-passwordManagerHint"),
        "targets: {targets}"
    );
    until("the copy is cleared", || clipboard(None).is_none()).await;

    // Something else copied meanwhile is left alone.
    click(c, "approvals-fingerprint-copy").await;
    until("the copy reaches the clipboard", || {
        clipboard(None).as_deref() == Some(fingerprint.as_str())
    })
    .await;
    copy_elsewhere("the user's own text");
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(clipboard(None).as_deref(), Some("the user's own text"));
    app.close().await;
}

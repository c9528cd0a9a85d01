//! GUI end to end: the real app in a real window (Xvfb), driven through WebKitWebDriver, on a
//! private Secret Service. `#[ignore]`d so `cargo test` on a machine without a display skips
//! it; `scripts/test.sh` runs it with `--include-ignored` under Xvfb.

use fantoccini::{elements::Element, Client};
use keyward_tests::gui::{
    by_id, click, failure_screenshot, launch, screenshot, type_into, wait_for, wait_gone, WAIT,
};
use keyward_tests::{openssl, Cli, Keyring};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const PASSPHRASE: &str = "gui passphrase 42";

async fn row_for_label(c: &Client, label: &str) -> Element {
    const FIND: &str = "return Array.from(document.querySelectorAll(\"[data-testid='key-row']\"))\
        .filter(r => r.querySelector(\"[data-testid='key-row-label']\")?.textContent.trim() === arguments[0])\
        .map(r => r.getAttribute('data-key-id'))[0] || null";
    let deadline = Instant::now() + WAIT;
    loop {
        let id = c.execute(FIND, vec![json!(label)]).await.unwrap();
        if let Some(id) = id.as_str() {
            return wait_for(c, &format!("[data-testid='key-row'][data-key-id='{id}']")).await;
        }
        if Instant::now() > deadline {
            failure_screenshot(c).await;
            panic!("no key row labelled {label}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn cli_keys(cli: &Cli) -> Vec<Value> {
    cli.json(&["key", "list"]).as_array().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and the built app; scripts/test.sh runs it under Xvfb"]
async fn first_run_generate_import_lock_unlock_delete() {
    let mut cli = Cli::new(Keyring::unlocked());
    cli.set_passphrase(Some(PASSPHRASE));
    let app = launch(&cli).await;
    let c = &app.client;

    // The window title names the product.
    let title = c.title().await.unwrap();
    assert!(title.contains("Keyward"), "title {title:?}");

    // Capabilities restrict IPC: a core command the main window was not granted is refused.
    let refused = c
        .execute(
            "return window.__TAURI_INTERNALS__.invoke('plugin:app|version')\
               .then(() => 'allowed', (e) => String(e))",
            vec![],
        )
        .await
        .unwrap();
    let refused = refused.as_str().unwrap_or_default().to_string();
    assert!(
        refused.contains("not allowed"),
        "app|version answered: {refused}"
    );

    // First run: passphrase setup.
    by_id(c, "screen-setup").await;
    type_into(c, "setup-passphrase", PASSPHRASE).await;
    type_into(c, "setup-passphrase-confirm", PASSPHRASE).await;
    click(c, "setup-submit").await;
    by_id(c, "screen-keys").await;
    let status = cli.json(&["status"]);
    assert_eq!(status["initialized"], true);
    assert_eq!(status["mode"], "passphrase");

    // Generate: the key shows in the list and through the CLI.
    type_into(c, "gen-label", "gui-made").await;
    click(c, "gen-submit").await;
    let row = row_for_label(c, "gui-made").await;
    let gui_id = row.attr("data-key-id").await.unwrap().expect("data-key-id");
    let keys = cli_keys(&cli);
    assert!(
        keys.iter()
            .any(|k| k["id"] == gui_id.as_str() && k["label"] == "gui-made"),
        "CLI does not see the GUI's key: {keys:?}"
    );

    // Import by paste: an OpenSSL key, with its EC PARAMETERS block; the app's public PEM
    // must be byte-identical to OpenSSL's.
    let pem =
        String::from_utf8(openssl(&["ecparam", "-name", "prime256v1", "-genkey"], b"")).unwrap();
    let spki = String::from_utf8(openssl(&["ec", "-pubout"], pem.as_bytes())).unwrap();
    click(c, "new-key-button").await;
    click(c, "new-key-tab-import").await;
    type_into(c, "import-text", &pem).await;
    type_into(c, "import-label", "pasted").await;
    click(c, "import-submit").await;
    row_for_label(c, "pasted").await.click().await.unwrap();
    let shown = by_id(c, "detail-public-pem").await.text().await.unwrap();
    assert_eq!(shown.trim(), spki.trim());
    assert_eq!(cli.export("pasted", "pem"), spki);
    // Its QR code is an SVG image (never inline markup) with a level chosen for the payload.
    let qr = by_id(c, "detail-qr").await;
    let src = qr.attr("src").await.unwrap().unwrap_or_default();
    assert!(src.starts_with("data:image/svg+xml;base64,"), "{src:.40}");
    let level = qr.attr("data-ec-level").await.unwrap().unwrap_or_default();
    assert!(["L", "M", "Q", "H"].contains(&level.as_str()), "{level}");

    // A key the CLI makes appears when the window regains focus.
    cli.gen("from-cli");
    c.execute("window.dispatchEvent(new Event('focus'))", vec![])
        .await
        .unwrap();
    row_for_label(c, "from-cli").await;
    screenshot(c, "gui-keys.png").await;

    // Lock, then a wrong passphrase is said beside the form in the app's words (no CLI
    // command in it, the code only as a detail); the right one unlocks.
    click(c, "lock-button").await;
    by_id(c, "screen-unlock").await;
    let why = by_id(c, "unlock-why").await;
    assert_eq!(
        why.attr("data-reason").await.unwrap().as_deref(),
        Some("window")
    );
    type_into(c, "unlock-passphrase", "not the passphrase").await;
    click(c, "unlock-submit").await;
    let note = by_id(c, "unlock-error").await;
    assert_eq!(
        note.attr("data-code").await.unwrap().as_deref(),
        Some("vault.bad_passphrase")
    );
    let message = by_id(c, "unlock-error-message").await.text().await.unwrap();
    let hint = by_id(c, "unlock-error-hint").await.text().await.unwrap();
    assert!(!hint.trim().is_empty(), "{message}");
    let words = format!("{message} {hint}");
    assert!(
        !words.contains("keyward-cli")
            && !words.contains("--")
            && !words.contains("vault.bad_passphrase"),
        "CLI words or the code as the headline: {words}"
    );
    type_into(c, "unlock-passphrase", PASSPHRASE).await;
    click(c, "unlock-submit").await;
    by_id(c, "screen-keys").await;

    // Delete with confirmation: gone from the app, the CLI and the keychain.
    row_for_label(c, "gui-made").await.click().await.unwrap();
    click(c, "delete-button").await;
    by_id(c, "delete-dialog").await;
    type_into(c, "delete-typed", "gui-made").await;
    click(c, "delete-confirm").await;
    wait_gone(
        c,
        &format!("[data-testid='key-row'][data-key-id='{gui_id}']"),
    )
    .await;
    assert!(!cli_keys(&cli).iter().any(|k| k["id"] == gui_id.as_str()));
    let accounts = cli.keyring().accounts(&cli.service());
    assert!(
        !accounts.contains(&gui_id),
        "keychain item survived the delete"
    );
    assert_eq!(cli.run(&["doctor"]).status.code(), Some(0));

    screenshot(c, "gui-final.png").await;
    app.close().await;
}

//! Every screen of the app, and the approval prompt, as a demanding user meets them: at the
//! default 1000×700 and at the 720×500 minimum, Lock is visible and clickable wherever the vault
//! is open, nothing scrolls sideways, no control is cut off at the right edge (element geometry,
//! not only screenshots), and axe-core finds no serious or critical accessibility violation.
//! Screenshots of each: `layout-<screen>-<w>x<h>.png` in the test artifacts.

use fantoccini::key::Key;
use keyward_tests::gui::{
    by_id, click, free_port, launch_with, to_prompt, type_into, wait_for, wait_joined, WAIT,
};
use keyward_tests::layout::{check_axe, check_fits, resize, SIZES};
use keyward_tests::{Cli, Keyring};
use std::time::{Duration, Instant};

const PASSPHRASE: &str = "layout passphrase 7";

/// The sections of the open vault, by their nav button and screen test ids.
const SCREENS: [&str; 8] = [
    "keys",
    "sign",
    "tokens",
    "services",
    "approvals",
    "activity",
    "backup",
    "settings",
];

async fn fits_and_accessible(c: &fantoccini::Client, name: &str, lock: bool) {
    check_fits(c, name, lock).await;
    check_axe(c, name).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and the built app; scripts/test.sh runs it under Xvfb"]
async fn every_screen_fits_both_window_sizes_and_passes_axe() {
    let started = Instant::now();
    let mut cli = Cli::new(Keyring::unlocked());
    cli.set_passphrase(Some(PASSPHRASE));
    let port = free_port().to_string();
    let app = launch_with(&cli, &[("KEYWARD_ENDPOINT_PORT", port.as_str())]).await;
    let c = &app.client;

    // First run: the setup screen.
    by_id(c, "screen-setup").await;
    for (w, h) in SIZES {
        resize(c, w, h).await;
        fits_and_accessible(c, "setup", false).await;
    }
    type_into(c, "setup-passphrase", PASSPHRASE).await;
    type_into(c, "setup-passphrase-confirm", PASSPHRASE).await;
    click(c, "setup-submit").await;
    by_id(c, "screen-keys").await;
    // The app says what comes next (a key, then a backup); the note goes when dismissed.
    by_id(c, "app-notice").await;
    click(c, "app-notice-dismiss").await;

    // Keys worth showing: a wallet key (its address first) and a tagged P-256 key.
    let eth = cli.gen_alg("secp256k1", "eth-wallet");
    cli.gen_alg("p256", "deploy-api");
    cli.json(&["key", "tag", "deploy-api", "--add", "prod", "--add", "ci"]);
    c.execute("window.dispatchEvent(new Event('focus'))", vec![])
        .await
        .unwrap();
    wait_for(c, &format!("[data-testid='key-row'][data-key-id='{eth}']"))
        .await
        .click()
        .await
        .unwrap();
    by_id(c, "detail-identity").await;

    for (w, h) in SIZES {
        resize(c, w, h).await;
        for screen in SCREENS {
            click(c, &format!("nav-{screen}")).await;
            by_id(c, &format!("screen-{screen}")).await;
            if screen == "services"
                && c.find(fantoccini::Locator::Css("[data-testid='playground-stop']"))
                    .await
                    .is_err()
            {
                // A profile to show: the local playground's.
                click(c, "playground-start").await;
                wait_for(c, "[data-testid='service-row']").await;
            }
            fits_and_accessible(c, screen, true).await;
        }
        // The New key panel, on its Import tab.
        click(c, "nav-keys").await;
        click(c, "new-key-button").await;
        click(c, "new-key-tab-import").await;
        fits_and_accessible(c, "keys-new-import", true).await;
        click(c, "new-key-close").await;
    }

    // The approval prompt, for a readable login message of exactly 32 bytes: no blind-signing
    // alarm (the length alone says nothing), and Esc denies.
    let main = c.window().await.unwrap();
    // No passphrase of its own: the CLI goes through the app's agent, which asks in the prompt.
    cli.set_passphrase(None);
    let message = "Login to example.com\nNonce: 8842";
    assert_eq!(message.len(), 32);
    let cmd = cli.command(&[
        "--json",
        "sign",
        "--key",
        &eth,
        "--scheme",
        "eip191",
        "--message",
        message,
    ]);
    let asked = std::thread::spawn(move || keyward_tests::run_command(cmd, None));
    to_prompt(c, &main).await;
    by_id(c, "prompt-approve").await;
    let text = c
        .execute("return document.body.innerText", vec![])
        .await
        .unwrap();
    assert!(
        !text.as_str().unwrap_or_default().contains("Blind signing"),
        "a readable message flagged as blind signing:\n{text}"
    );
    fits_and_accessible(c, "prompt", false).await;
    c.active_element()
        .await
        .unwrap()
        .send_keys(&Key::Escape.to_string())
        .await
        .unwrap();
    let out = wait_joined(asked).await;
    assert!(!out.status.success(), "Esc did not deny");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("approval.denied"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    c.switch_to_window(main).await.unwrap();

    // Locked: the unlock screen, at both sizes; Ctrl+L locks from anywhere.
    c.active_element()
        .await
        .unwrap()
        .send_keys(&format!("{}l", Key::Control))
        .await
        .unwrap();
    let deadline = Instant::now() + WAIT;
    while c
        .find(fantoccini::Locator::Css("[data-testid='screen-unlock']"))
        .await
        .is_err()
    {
        assert!(Instant::now() < deadline, "Ctrl+L did not lock");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for (w, h) in SIZES {
        resize(c, w, h).await;
        fits_and_accessible(c, "unlock", false).await;
    }
    app.close().await;
    eprintln!(
        "gui_layout: passed in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

//! GUI end to end, the forms a demanding user leans on, in the real window: a minted token
//! appears in view (at both window sizes), a backup is written, test-opened and restored into
//! the running vault, the vault passphrase is changed in Settings (the old one refused
//! afterwards in the app and by the CLI, the new one unlocking both), and the activity log is
//! exported as CSV.
//!
//! Native file dialogs are answered by `KEYWARD_E2E_FILE_DIALOG` (debug builds only: see
//! `src-tauri/src/platform/dialog.rs`), since Xvfb has no one to click them.

use keyward_tests::gui::{by_id, click, launch_with, type_into, wait_for};
use keyward_tests::layout::{resize, SIZES};
use keyward_tests::{Cli, Keyring};
use serde_json::json;
use std::time::{Duration, Instant};

const OLD: &str = "forms passphrase one";
const NEW: &str = "forms passphrase two, longer";
const BACKUP: &str = "backup passphrase 3";

/// Whether the element `id` is wholly inside the window's viewport.
async fn in_view(c: &fantoccini::Client, id: &str) -> bool {
    let v = c
        .execute(
            "const r = document.querySelector(`[data-testid='${arguments[0]}']`).getBoundingClientRect();\
             return r.top >= 0 && r.left >= 0 && r.bottom <= window.innerHeight + 1 && r.right <= window.innerWidth + 1;",
            vec![json!(id)],
        )
        .await
        .unwrap();
    v == json!(true)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and the built app; scripts/test.sh runs it under Xvfb"]
async fn mint_backup_restore_and_change_passphrase_in_the_app() {
    let started = Instant::now();
    let mut cli = Cli::new(Keyring::unlocked());
    cli.set_passphrase(Some(OLD));
    cli.init();
    let api = cli.gen_alg("p256", "api");
    cli.gen_alg("secp256k1", "eth-wallet");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("team.kwbackup");
    let file_text = file.to_str().unwrap().to_string();
    let app = launch_with(&cli, &[("KEYWARD_E2E_FILE_DIALOG", file_text.as_str())]).await;
    let c = &app.client;
    by_id(c, "screen-unlock").await;
    type_into(c, "unlock-passphrase", OLD).await;
    click(c, "unlock-submit").await;
    by_id(c, "screen-keys").await;

    // ---- A minted token is where the user looks, at both sizes --------------------------
    click(c, "nav-tokens").await;
    for (w, h) in SIZES {
        resize(c, w, h).await;
        assert!(
            in_view(c, "mint-submit").await,
            "Mint is below the fold at {w}x{h}"
        );
        click(c, "mint-submit").await;
        wait_for(c, "[data-testid='minted-token']").await;
        tokio::time::sleep(Duration::from_millis(400)).await; // the scroll into view
        assert!(
            in_view(c, "minted").await,
            "the minted token is out of view at {w}x{h}"
        );
        let value = c
            .execute(
                "return document.querySelector(\"[data-testid='minted-token']\").value",
                vec![],
            )
            .await
            .unwrap();
        let value = value.as_str().unwrap_or_default().to_string();
        assert_eq!(value.split('.').count(), 3, "{value}");
        let top = c
            .execute(
                "return document.querySelector(\"[data-testid='minted-token']\").scrollTop",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(
            top,
            json!(0),
            "the token opens scrolled away from its start"
        );
    }
    resize(c, SIZES[0].0, SIZES[0].1).await;

    // ---- Backup: write, test-open, restore into the running vault -----------------------
    click(c, "nav-backup").await;
    type_into(c, "backup-passphrase", BACKUP).await;
    type_into(c, "backup-confirm", BACKUP).await;
    click(c, "backup-create").await;
    by_id(c, "backup-note").await;
    assert!(file.is_file(), "no backup written at {}", file.display());

    // A key deleted after the backup comes back from it; the other is already here.
    cli.json(&["key", "delete", &api, "--yes"]);
    type_into(c, "backup-open-passphrase", "not the backup passphrase").await;
    click(c, "backup-inspect").await;
    let refused = by_id(c, "backup-open-error").await;
    assert_eq!(
        refused.attr("data-code").await.unwrap().as_deref(),
        Some("backup.bad_passphrase")
    );
    type_into(c, "backup-open-passphrase", BACKUP).await;
    click(c, "backup-inspect").await;
    by_id(c, "backup-inspect-result").await;
    let labels = c
        .execute(
            "return Array.from(document.querySelectorAll(\"[data-testid='backup-inspect-key']\")).map(e => e.textContent)",
            vec![],
        )
        .await
        .unwrap();
    let labels = labels.to_string();
    assert!(
        labels.contains("api") && labels.contains("eth-wallet"),
        "{labels}"
    );
    assert!(
        !cli.key_ids().contains(&api),
        "test-opening a backup restored something"
    );
    type_into(c, "backup-open-passphrase", BACKUP).await;
    click(c, "backup-merge").await;
    by_id(c, "backup-merge-result").await;
    assert!(
        cli.key_ids().contains(&api),
        "the restore did not bring the key back"
    );
    assert_eq!(
        cli.key_ids().len(),
        2,
        "a key present twice after the restore"
    );

    // ---- Change the vault passphrase ----------------------------------------------------
    click(c, "nav-settings").await;
    type_into(c, "change-pass-current", "not the passphrase").await;
    type_into(c, "change-pass-new", NEW).await;
    type_into(c, "change-pass-confirm", NEW).await;
    click(c, "change-pass-submit").await;
    let wrong = by_id(c, "change-pass-error").await;
    assert_eq!(
        wrong.attr("data-code").await.unwrap().as_deref(),
        Some("vault.bad_passphrase")
    );
    type_into(c, "change-pass-current", OLD).await;
    type_into(c, "change-pass-new", NEW).await;
    type_into(c, "change-pass-confirm", NEW).await;
    click(c, "change-pass-submit").await;
    by_id(c, "change-pass-done").await;

    // Lock: the old passphrase is refused in the app, the new one unlocks it.
    click(c, "lock-button").await;
    by_id(c, "screen-unlock").await;
    type_into(c, "unlock-passphrase", OLD).await;
    click(c, "unlock-submit").await;
    let note = by_id(c, "unlock-error").await;
    assert_eq!(
        note.attr("data-code").await.unwrap().as_deref(),
        Some("vault.bad_passphrase")
    );
    type_into(c, "unlock-passphrase", NEW).await;
    click(c, "unlock-submit").await;
    by_id(c, "screen-keys").await;

    // ---- The activity log, exported as the CLI exports it -----------------------------------
    click(c, "nav-activity").await;
    click(c, "audit-export").await;
    click(c, "audit-export-csv").await;
    let note = by_id(c, "audit-export-note").await;
    let count: usize = note
        .attr("data-count")
        .await
        .unwrap()
        .unwrap_or_default()
        .parse()
        .unwrap_or(0);
    let csv = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        csv.lines().count(),
        count + 1,
        "a header and one line an entry:\n{csv}"
    );
    for action in ["vault.passphrase_change", "backup.merge", "jwt.mint"] {
        assert!(csv.contains(action), "no {action} in the export:\n{csv}");
    }
    app.close().await;

    // The CLI agrees, on its own (no app running): the old passphrase fails, the new works.
    let sign = [
        "sign",
        "--key",
        "api",
        "--scheme",
        "raw",
        "--message",
        "after the change",
    ];
    cli.set_passphrase(Some(OLD));
    let (code, out) = cli.json_any(&sign);
    assert_ne!(
        code,
        Some(0),
        "the old passphrase still opens the vault: {out}"
    );
    assert_eq!(out["error"]["code"], "vault.bad_passphrase", "{out}");
    cli.set_passphrase(Some(NEW));
    let signed = cli.json(&sign);
    assert!(
        signed["signature"].as_str().is_some_and(|s| !s.is_empty()),
        "{signed}"
    );
    eprintln!(
        "gui_forms: passed in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

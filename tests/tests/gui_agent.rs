//! GUI end to end, the app as agent: while the desktop app runs it serves the vault's agent
//! socket, so the CLI shares its unlocked vault (no passphrase of its own); what the CLI changes
//! (a key, a lock) shows in the window at once; once the app locks, the CLI gets
//! `vault.locked` from it (the socket stays up and answers only status and unlock). The CLI is
//! a program like any other to the agent: per program (the default), its first signature is
//! asked about in the prompt window; "until Keyward locks" covers the next ones.

use keyward_tests::gui::{
    approve_agent_command, by_id, click, launch_with_endpoint, type_into, wait_for,
};
use keyward_tests::{exit, Cli, Keyring};

const PASSPHRASE: &str = "gui agent passphrase 8";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and the built app; scripts/test.sh runs it under Xvfb"]
async fn the_cli_signs_through_the_running_app_until_it_locks() {
    let mut cli = Cli::new(Keyring::unlocked());
    cli.set_passphrase(Some(PASSPHRASE));
    cli.init();
    let key = cli.gen_alg("p256", "shared");
    let (app, _url) = launch_with_endpoint(&cli, PASSPHRASE).await;
    let c = &app.client;

    // No passphrase source at all: a local unlock would fail with vault.no_passphrase_source.
    cli.set_passphrase(None);
    let st = cli.json(&["status"]);
    assert_eq!(
        (st["agent"].clone(), st["locked"].clone()),
        (true.into(), false.into()),
        "{st}"
    );
    let main = c.window().await.unwrap();
    let sign = |message: &str| {
        cli.command(&[
            "--json",
            "sign",
            "--key",
            &key,
            "--scheme",
            "raw",
            "--message",
            message,
        ])
    };
    let sig = approve_agent_command(c, &main, sign("from the CLI"), Some("until-lock")).await;
    assert!(
        sig["signature"].as_str().is_some_and(|s| !s.is_empty()),
        "{sig}"
    );
    // Covered by the program's grant now: no prompt.
    let again = cli.json(&[
        "sign",
        "--key",
        &key,
        "--scheme",
        "raw",
        "--message",
        "again",
    ]);
    assert!(again["signature"].is_string(), "{again}");
    let grants = cli.json(&["grants", "list"]);
    assert!(
        grants.to_string().contains("agent-program"),
        "the program grant is listed: {grants}"
    );
    // The signature was made by the app's vault: its audit log says so.
    let rows = cli.json(&["audit", "list", "--limit", "5"]);
    let signed = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "key.sign")
        .cloned()
        .unwrap_or_default();
    assert_eq!(signed["actor"], "app", "{rows}");

    // What the CLI changes shows at once: a key it makes, and a lock.
    let made = cli.gen("made-by-cli");
    let made = made["id"].as_str().unwrap();
    wait_for(c, &format!("[data-testid='key-row'][data-key-id='{made}']")).await;
    cli.json(&["lock"]);
    by_id(c, "screen-unlock").await;
    type_into(c, "unlock-passphrase", PASSPHRASE).await;
    click(c, "unlock-submit").await;
    by_id(c, "screen-keys").await;

    click(c, "lock-button").await;
    by_id(c, "screen-unlock").await;
    let st = cli.json(&["status"]);
    assert_eq!(
        (st["agent"].clone(), st["locked"].clone()),
        (true.into(), true.into()),
        "{st}"
    );
    cli.json_err(
        &[
            "sign",
            "--key",
            &key,
            "--scheme",
            "raw",
            "--message",
            "after the lock",
        ],
        "vault.locked",
        exit::VAULT,
    );
    app.close().await;
}

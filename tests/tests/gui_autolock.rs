//! GUI end to end, locking by itself: after the idle time (`KEYWARD_IDLE_LOCK_SECS`, the
//! override of the `idle-lock-minutes` setting) and when the session's screen saver says the
//! screen locked (`ActiveChanged(true)`, sent here with gdbus on the test's private session
//! bus). Each time the window shows the unlock screen and the CLI, through the app's agent,
//! finds the vault locked.

use keyward_tests::gui::{by_id, click, launch_with_endpoint_env, type_into};
use keyward_tests::{describe, run_command, Cli, Keyring};

const PASSPHRASE: &str = "gui autolock passphrase 2";

fn locked(cli: &Cli) -> bool {
    let st = cli.json(&["status"]);
    assert_eq!(st["agent"], true, "{st}");
    st["locked"] == true
}

/// Sends the screen saver's `ActiveChanged(active)` on the test's session bus.
fn screen_saver(cli: &Cli, active: &str) {
    let mut gdbus = cli.keyring().command("gdbus");
    gdbus.args([
        "emit",
        "--session",
        "--object-path",
        "/org/freedesktop/ScreenSaver",
        "--signal",
        "org.freedesktop.ScreenSaver.ActiveChanged",
        active,
    ]);
    let out = run_command(gdbus, None);
    assert!(out.status.success(), "gdbus emit: {}", describe(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and the built app; scripts/test.sh runs it under Xvfb"]
async fn idle_time_and_screen_lock_lock_the_app() {
    let mut cli = Cli::new(Keyring::unlocked());
    cli.set_passphrase(Some(PASSPHRASE));
    cli.init();

    // Idle: 3 s without use.
    let (app, _) =
        launch_with_endpoint_env(&cli, PASSPHRASE, &[("KEYWARD_IDLE_LOCK_SECS", "3")]).await;
    let c = &app.client;
    assert!(!locked(&cli));
    by_id(c, "screen-unlock").await;
    assert!(locked(&cli), "the agent's vault locked too");
    app.close().await;

    // Screen lock: never idle-locked here, locked by the signal.
    let (app, _) =
        launch_with_endpoint_env(&cli, PASSPHRASE, &[("KEYWARD_IDLE_LOCK_SECS", "0")]).await;
    let c = &app.client;
    assert!(!locked(&cli));
    screen_saver(&cli, "true");
    by_id(c, "screen-unlock").await;
    assert!(locked(&cli));
    // The screen saver going away does not unlock; the passphrase does.
    screen_saver(&cli, "false");
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert!(locked(&cli));
    type_into(c, "unlock-passphrase", PASSPHRASE).await;
    click(c, "unlock-submit").await;
    by_id(c, "screen-keys").await;
    assert!(!locked(&cli));
    app.close().await;
}

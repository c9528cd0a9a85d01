//! GUI end to end, one app per session: a second `keyward` hands its arguments to the running
//! app over D-Bus and exits at once (the running app shows its window); `keyward --quit` ends
//! the running app, and with it its agent socket.

use keyward_tests::gui::launch_with_endpoint;
use keyward_tests::{bin, Cli, Keyring};
use std::process::Stdio;
use std::time::{Duration, Instant};

const PASSPHRASE: &str = "gui single instance passphrase 6";

/// Runs the app binary again in the test's session; its exit status.
fn second_launch(cli: &Cli, args: &[&str]) -> std::process::ExitStatus {
    let mut cmd = cli.keyring().command(bin("keyward"));
    cmd.args(args)
        .env("KEYWARD_DATA_DIR", cli.data_dir())
        .env("DISPLAY", std::env::var("DISPLAY").expect("DISPLAY"))
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(cli.scratch().join("second.log")).unwrap());
    let mut child = cmd.spawn().expect("start a second keyward");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(st) = child.try_wait().unwrap() {
            return st;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the second keyward {args:?} did not exit: a second instance ran");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and the built app; scripts/test.sh runs it under Xvfb"]
async fn a_second_launch_hands_over_and_quit_ends_the_app() {
    let mut cli = Cli::new(Keyring::unlocked());
    cli.set_passphrase(Some(PASSPHRASE));
    cli.init();
    let (app, _) = launch_with_endpoint(&cli, PASSPHRASE).await;
    let c = &app.client;

    let st = second_launch(&cli, &[]);
    let log = std::fs::read_to_string(cli.scratch().join("second.log")).unwrap_or_default();
    assert!(st.success(), "{st}: {log}");
    // The first app still runs, unchanged, and still serves the agent.
    assert!(c.title().await.unwrap().contains("Keyward"));
    assert_eq!(cli.json(&["status"])["agent"], true);

    assert!(second_launch(&cli, &["--quit"]).success());
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let st = cli.json(&["status"]);
        if st["agent"] != true {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the app still serves after --quit: {st}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    drop(app);
}

//! GUI end to end, one app per session: a second `keyward` hands its arguments to the running
//! app over D-Bus and exits at once (the running app shows its window); `keyward --quit` ends
//! the running app, and with it its agent socket.

use keyward_tests::gui::{launch_with_endpoint, second_launch};
use keyward_tests::{Cli, Keyring};
use std::time::{Duration, Instant};

const PASSPHRASE: &str = "gui single instance passphrase 6";

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

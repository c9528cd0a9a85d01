//! GUI end to end: a service call that hangs does not hold the vault. The app is also the
//! vault's agent (the CLI's calls go through its socket) and runs the approval endpoint, so a
//! Services screen waiting on a slow Engine must not stall them: with an Engine profile that
//! points at a server which accepts connections and never answers, and the screen's health
//! check hanging on it, `keyward-cli status` through the app's agent, the endpoint's
//! `GET /v1/status` (which reads the vault) and `keyward-cli lock` through the agent each
//! answer within 3 s.

use keyward_tests::gui::{by_id, click, disabled, launch_with_endpoint, WAIT};
use keyward_tests::{describe, terminate, Cli, Keyring};
use std::net::TcpListener;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const PASSPHRASE: &str = "gui no lock across io 7";
/// How long a call that needs the vault may take while a service call hangs.
const ANSWER_WITHIN: Duration = Duration::from_secs(3);

/// A server on 127.0.0.1 that accepts every connection and never answers (a service that
/// hangs); its URL. The connections stay open as long as the test runs.
fn silent_service() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    format!("http://127.0.0.1:{port}")
}

/// Runs `cmd` (a `keyward-cli` call) to completion; panics, after stopping it, when it takes
/// longer than [`ANSWER_WITHIN`].
async fn answers_in_time(what: &str, mut cmd: Command) -> Output {
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
    let mut child = Some(child);
    let started = Instant::now();
    loop {
        let c = child.as_mut().unwrap();
        if c.try_wait().unwrap().is_some() {
            return child.take().unwrap().wait_with_output().unwrap();
        }
        if started.elapsed() > ANSWER_WITHIN {
            terminate(c);
            panic!(
                "{what} did not answer within {ANSWER_WITHIN:?} while a service call hung: the \
                 app holds the vault across the call"
            );
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and the built app; scripts/test.sh runs it under Xvfb"]
async fn a_hanging_service_call_does_not_stall_the_agent_the_endpoint_or_the_lock() {
    let mut cli = Cli::new(Keyring::unlocked());
    cli.set_passphrase(Some(PASSPHRASE));
    cli.init();
    let url = silent_service();
    // No admin token: the profile's view asks the service only for its health.
    let p = cli.json(&[
        "service", "add", "stalled", "--kind", "engine", "--url", &url,
    ]);
    assert_eq!(p["baseUrl"], url.as_str(), "{p}");
    let (app, endpoint) = launch_with_endpoint(&cli, PASSPHRASE).await;
    let c = &app.client;

    // The Services screen shows the one profile and checks its health at once: that call
    // hangs (the service accepts and never answers; the client gives up after 30 s a try).
    click(c, "nav-services").await;
    by_id(c, "screen-services").await;
    by_id(c, "service-detail").await;
    let deadline = Instant::now() + WAIT;
    while !disabled(c, "health-check").await {
        assert!(Instant::now() < deadline, "the health check never started");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;

    // The CLI through the app's agent (no passphrase of its own: only the agent can answer).
    cli.set_passphrase(None);
    let out = answers_in_time("keyward-cli status", cli.command(&["--json", "status"])).await;
    assert!(out.status.success(), "{}", describe(&out));
    let st: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (
            st["result"]["agent"].clone(),
            st["result"]["locked"].clone()
        ),
        (true.into(), false.into()),
        "{st}"
    );

    // The endpoint: its unauthenticated status reads the vault (the approvals' stamp).
    let http = reqwest::Client::new();
    let reply = tokio::time::timeout(
        ANSWER_WITHIN,
        http.get(format!("{endpoint}/v1/status")).send(),
    )
    .await
    .expect("the endpoint did not answer within 3 s while a service call hung")
    .unwrap();
    assert_eq!(reply.status(), 200);
    let st: serde_json::Value = reply.json().await.unwrap();
    assert_eq!(st["locked"], false, "{st}");

    // The health check still waits on the service: the calls above ran beside it.
    assert!(
        disabled(c, "health-check").await,
        "the health check ended early: nothing hung"
    );

    // A lock through the agent, and the window follows.
    let out = answers_in_time("keyward-cli lock", cli.command(&["--json", "lock"])).await;
    assert!(out.status.success(), "{}", describe(&out));
    by_id(c, "screen-unlock").await;
    app.close().await;
}

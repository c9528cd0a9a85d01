//! A keychain that stops answering: every call is bounded by the timeout, maps to
//! `keychain.timeout`, and the next call after the keychain recovers works on a rebuilt
//! connection. The daemon is frozen with SIGSTOP (fault injection), then thawed.

use keyward_tests::{Cli, Keyring};
use keyward_vault::store::{KeychainStore, SecretStore};
use keyward_vault::Coded;
use rustix::process::{kill_process, Pid, Signal};
use std::time::{Duration, Instant};

fn signal(pid: u32, sig: Signal) {
    kill_process(Pid::from_raw(pid as i32).expect("pid"), sig).expect("signal the daemon");
}

#[test]
fn a_frozen_keychain_times_out_through_the_cli() {
    let keyring = Keyring::unlocked();
    let pid = keyring.daemon_pid().expect("daemon");
    let mut cli = Cli::new(keyring);
    cli.set_keychain_timeout_ms(1500);
    signal(pid, Signal::STOP);
    let started = Instant::now();
    let err = cli.json_err(&["init"], "keychain.timeout", 4);
    let took = started.elapsed();
    signal(pid, Signal::CONT);
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert!(!err["hint"].as_str().unwrap().is_empty());
    // Nothing half-made: the vault does not exist, and a retry with the keychain back works.
    assert_eq!(cli.json(&["status"])["initialized"], false);
    cli.json(&["init"]);
    assert_eq!(cli.json(&["status"])["initialized"], true);
}

/// Set in the child process [`the_connection_is_rebuilt_after_a_timeout`] runs itself in.
const CHILD: &str = "KEYWARD_TEST_TIMEOUT_CHILD";

#[test]
fn the_connection_is_rebuilt_after_a_timeout() {
    // The store reads its bus address and timeout from the process environment, which the
    // other tests of this binary share: the test runs itself again in a child process with
    // that environment, and the child does the work.
    if std::env::var_os(CHILD).is_some() {
        return rebuilt_after_a_timeout_in_child();
    }
    let keyring = Keyring::unlocked();
    let pid = keyring.daemon_pid().expect("daemon");
    let out = std::process::Command::new(std::env::current_exe().expect("the test binary"))
        .args([
            "--exact",
            "keychain_timeout::the_connection_is_rebuilt_after_a_timeout",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, pid.to_string())
        .env("DBUS_SESSION_BUS_ADDRESS", keyring.bus_address())
        .env("KEYWARD_KEYCHAIN_TIMEOUT_MS", "1000")
        .output()
        .expect("run the test binary again");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the child failed:\n{text}");
    assert!(text.contains("1 passed"), "the child ran no test:\n{text}");
}

fn rebuilt_after_a_timeout_in_child() {
    let pid: u32 = std::env::var(CHILD)
        .unwrap()
        .parse()
        .expect("the daemon's pid");
    let store = KeychainStore::new();
    let svc = "keyward-timeout-test";
    store
        .set(svc, "a", b"sealed-bytes")
        .expect("set on a live keychain");
    assert_eq!(store.connections_made(), 1);

    signal(pid, Signal::STOP);
    let e = store
        .get(svc, "a")
        .expect_err("a frozen keychain cannot answer");
    assert_eq!(e.code(), "keychain.timeout");
    signal(pid, Signal::CONT);

    assert_eq!(
        store.get(svc, "a").expect("answers again"),
        Some(b"sealed-bytes".to_vec())
    );
    // The call after the timeout opened a new connection rather than queueing behind the
    // worker stuck on the old one.
    assert_eq!(
        store.connections_made(),
        2,
        "the connection was not rebuilt"
    );
    store.delete(svc, "a").unwrap();
}

#[test]
fn public_reads_never_touch_the_keychain() {
    let keyring = Keyring::unlocked();
    let pid = keyring.daemon_pid().expect("daemon");
    let mut cli = Cli::new(keyring);
    cli.init();
    let id = cli.gen("listed")["id"].as_str().unwrap().to_string();
    // With the keychain frozen, any call to it would time out: list, show, public exports,
    // QR and the audit list answer from the index alone.
    cli.set_keychain_timeout_ms(1000);
    signal(pid, Signal::STOP);
    let started = Instant::now();
    let list = cli.json(&["key", "list"]);
    let show = cli.json(&["key", "show", &id]);
    let pem = cli.json(&["key", "export", &id, "--format", "pem"]);
    let audit = cli.json(&["audit", "list"]);
    let took = started.elapsed();
    signal(pid, Signal::CONT);
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(show["id"], id.as_str(), "{show}");
    assert!(pem["text"]
        .as_str()
        .unwrap()
        .starts_with("-----BEGIN PUBLIC KEY-----"));
    assert!(!audit.as_array().unwrap().is_empty());
    assert!(
        took < Duration::from_secs(4),
        "public reads waited on the keychain: {took:?}"
    );
}

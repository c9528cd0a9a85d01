//! Keychain failures map to their stable codes (exit 4): a locked collection, no session bus,
//! a bus without a Secret Service.

use keyward_tests::{exit, Cli, Keyring};
use std::time::{Duration, Instant};

/// Low enough that a keychain call hanging on an invisible prompt ends as keychain.timeout
/// rather than a stuck test; the assertions still demand keychain.locked.
const TIMEOUT_MS: u64 = 5000;

#[test]
fn locked_collection_gives_keychain_locked_without_a_display() {
    let mut cli = Cli::new(Keyring::locked());
    cli.set_keychain_timeout_ms(TIMEOUT_MS);
    let t = Instant::now();
    let err = cli.json_err(&["init"], "keychain.locked", exit::KEYCHAIN);
    assert!(
        t.elapsed() < Duration::from_millis(TIMEOUT_MS),
        "init took {:?}: the prompt was not dismissed ({err})",
        t.elapsed()
    );
    // Nothing half-made: no vault in the data dir.
    let st = cli.json(&["status"]);
    assert_eq!(st["initialized"], false, "{st}");
    assert_eq!(cli.keyring().default_collection_locked(), Some(true));
}

#[test]
fn collection_locked_after_init_gives_keychain_locked() {
    let mut cli = Cli::new(Keyring::unlocked());
    cli.set_keychain_timeout_ms(TIMEOUT_MS);
    cli.init();
    let id = cli.gen("before-lock")["id"].as_str().unwrap().to_string();
    cli.keyring().lock_collection();
    cli.json_err(
        &["key", "gen", "--alg", "p256"],
        "keychain.locked",
        exit::KEYCHAIN,
    );
    cli.json_err(
        &["key", "export-private", &id, "--format", "pem", "--yes"],
        "keychain.locked",
        exit::KEYCHAIN,
    );
    // The index is public and needs no keychain.
    assert_eq!(cli.key_ids(), [id]);
}

#[test]
fn no_session_bus_gives_keychain_no_session_bus() {
    let cli = Cli::new(Keyring::no_bus());
    let err = cli.json_err(&["init"], "keychain.no_session_bus", exit::KEYCHAIN);
    assert!(
        err["message"].as_str().unwrap().contains("no-such-bus"),
        "the message should name the address tried: {err}"
    );
    assert_eq!(cli.json(&["status"])["initialized"], false);
}

#[test]
fn bus_without_secret_service_gives_keychain_no_provider() {
    let cli = Cli::new(Keyring::bus_only());
    cli.json_err(&["init"], "keychain.no_provider", exit::KEYCHAIN);
    assert_eq!(cli.json(&["status"])["initialized"], false);
}

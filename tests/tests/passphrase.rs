//! `passphrase change` on the real keychain: the vault key is re-wrapped, only the new
//! passphrase unlocks afterwards (a CLI call, an agent's unlock, an agent's start), a wrong
//! current or a weak new passphrase changes nothing, and a running agent keeps serving the CLI
//! across the change.

use keyward_tests::{exit, Cli, Keyring, PASSPHRASE};

const NEW: &str = "a brand new passphrase";
const WRONG: &str = "wrong horse battery staple";

#[test]
fn a_changed_passphrase_is_the_only_one_that_unlocks() {
    let mut cli = Cli::new(Keyring::unlocked());
    cli.init();
    let id = cli.gen("kept")["id"].as_str().unwrap().to_string();
    let pem = cli.export_private(&id);

    // A weak new passphrase, a wrong current one: refused, and the old one still unlocks.
    cli.set_new_passphrase(Some("short"));
    cli.json_err(
        &["passphrase", "change"],
        "vault.weak_passphrase",
        exit::VAULT,
    );
    cli.set_new_passphrase(Some(NEW));
    cli.set_passphrase(Some(WRONG));
    cli.json_err(
        &["passphrase", "change"],
        "vault.bad_passphrase",
        exit::VAULT,
    );
    cli.set_passphrase(Some(PASSPHRASE));
    assert_eq!(cli.export_private(&id), pem);

    // The change, without an agent: unlocked with the current passphrase for the call.
    let st = cli.json(&["passphrase", "change"]);
    assert_eq!(st["mode"], "passphrase", "{st}");
    assert_eq!(st["agent"], false, "{st}");

    // The old passphrase unlocks nothing any more; the new one unlocks the same keys.
    cli.json_err(
        &["key", "export-private", &id, "--format", "pem", "--yes"],
        "vault.bad_passphrase",
        exit::VAULT,
    );
    cli.json_err(&["agent"], "vault.bad_passphrase", exit::VAULT);
    cli.set_passphrase(Some(NEW));
    assert_eq!(cli.export_private(&id), pem);
    let agent = cli.spawn_agent();
    agent.stop_cleanly();

    // Audited, neither passphrase in the log.
    let log = cli.json(&["audit", "list", "--action", "vault.passphrase_change"]);
    assert_eq!(log.as_array().unwrap().len(), 1, "{log}");
    let all = cli.json(&["audit", "list"]).to_string();
    assert!(!all.contains(PASSPHRASE) && !all.contains(NEW), "{all}");
}

#[test]
fn a_running_agent_keeps_serving_the_cli_across_a_change() {
    let mut cli = Cli::new(Keyring::unlocked());
    cli.init();
    let agent = cli.spawn_agent();
    let id = cli.gen("before")["id"].as_str().unwrap().to_string();

    cli.set_new_passphrase(Some(NEW));
    let st = cli.json(&["passphrase", "change"]);
    assert_eq!(st["agent"], true, "{st}");
    assert_eq!(st["locked"], false, "{st}");
    assert!(agent.socket.exists(), "the agent still serves its socket");

    // Served without any passphrase, as before the change.
    cli.set_passphrase(None);
    cli.set_new_passphrase(None);
    let sig = cli.json(&["sign", "--key", &id, "--scheme", "raw", "--message", "m"]);
    assert!(
        sig["signature"].as_str().is_some_and(|s| !s.is_empty()),
        "{sig}"
    );
    cli.gen("after");

    // After a lock only the new passphrase unlocks the agent.
    assert_eq!(cli.json(&["lock"])["locked"], true);
    cli.set_passphrase(Some(PASSPHRASE));
    cli.json_err(&["unlock"], "vault.bad_passphrase", exit::VAULT);
    cli.set_passphrase(Some(NEW));
    assert_eq!(cli.json(&["unlock"])["locked"], false);
    assert_eq!(cli.key_ids().len(), 2);
    agent.stop_cleanly();
}

#[test]
fn a_vault_without_a_passphrase_gets_one() {
    let mut cli = Cli::new(Keyring::unlocked());
    cli.set_passphrase(None);
    let st = cli.json(&["init", "--no-passphrase"]);
    assert_eq!(st["mode"], "none", "{st}");
    let id = cli.gen("bot")["id"].as_str().unwrap().to_string();

    cli.set_new_passphrase(Some(NEW));
    let st = cli.json(&["passphrase", "change"]);
    assert_eq!(st["mode"], "passphrase", "{st}");
    assert_eq!(cli.json(&["status"])["mode"], "passphrase");

    // No passphrase source now fails; the new passphrase unlocks.
    cli.json_err(
        &["key", "export-private", &id, "--format", "pem", "--yes"],
        "vault.no_passphrase_source",
        exit::VAULT,
    );
    cli.set_passphrase(Some(NEW));
    assert!(cli.export_private(&id).contains("PRIVATE KEY"));
}

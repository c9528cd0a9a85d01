//! The passphrase and the agent: a wrong passphrase unlocks nothing; a running agent serves the
//! CLI without a passphrase, answers only status and unlock while locked, is alone per vault,
//! keeps its socket private and removes it on SIGTERM.

use keyward_tests::{exit, Cli, Keyring, PASSPHRASE};
use std::os::unix::fs::{FileTypeExt, PermissionsExt};

const WRONG: &str = "wrong horse battery staple";

#[test]
fn wrong_passphrase_fails_locally_at_agent_start_and_at_unlock() {
    let mut cli = Cli::new(Keyring::unlocked());
    let service = format!("keyward-{}", cli.init());

    // Local unlock for one call.
    cli.set_passphrase(Some(WRONG));
    cli.json_err(
        &["key", "gen", "--alg", "p256"],
        "vault.bad_passphrase",
        exit::VAULT,
    );
    assert!(cli.key_ids().is_empty());
    assert_eq!(
        cli.keyring().accounts(&service),
        ["audit-anchor", "vault-key"]
    );

    // An agent refuses to start on it.
    cli.json_err(&["agent"], "vault.bad_passphrase", exit::VAULT);

    // Unlocking a running, locked agent.
    cli.set_passphrase(Some(PASSPHRASE));
    let agent = cli.spawn_agent();
    assert_eq!(cli.json(&["lock"])["locked"], true);
    cli.set_passphrase(Some(WRONG));
    cli.json_err(&["unlock"], "vault.bad_passphrase", exit::VAULT);
    let st = cli.json(&["status"]);
    assert_eq!(
        (st["agent"].clone(), st["locked"].clone()),
        (true.into(), true.into()),
        "{st}"
    );
    cli.json_err(&["key", "list"], "vault.locked", exit::VAULT);

    // The right one still works after the failures.
    cli.set_passphrase(Some(PASSPHRASE));
    let st = cli.json(&["unlock"]);
    assert_eq!(st["locked"], false, "{st}");
    agent.stop_cleanly();
}

#[test]
fn agent_serves_the_cli_and_answers_only_status_and_unlock_while_locked() {
    let mut cli = Cli::new(Keyring::unlocked());
    let vault_id = cli.init();
    let agent = cli.spawn_agent();
    assert_eq!(agent.vault_id, vault_id);
    let run_dir = cli.keyring().runtime_dir().join("keyward");
    assert_eq!(agent.socket, run_dir.join(format!("{vault_id}.sock")));

    // Private socket in a private directory while it runs.
    let sock_meta = std::fs::metadata(&agent.socket).expect("the socket exists");
    assert!(sock_meta.file_type().is_socket());
    assert_eq!(sock_meta.permissions().mode() & 0o777, 0o600, "socket mode");
    let dir_meta = std::fs::metadata(&run_dir).unwrap();
    assert_eq!(
        dir_meta.permissions().mode() & 0o777,
        0o700,
        "socket directory mode"
    );

    // Served without any passphrase: no KEYWARD_PASSPHRASE_FILE and no terminal (stdin is
    // /dev/null), so a local unlock would fail with vault.no_passphrase_source.
    cli.set_passphrase(None);
    let st = cli.json(&["status"]);
    assert_eq!(st["agent"], true, "{st}");
    assert_eq!(st["locked"], false, "{st}");
    assert_eq!(st["mode"], "passphrase", "{st}");
    let k = cli.gen("via-agent");
    let id = k["id"].as_str().unwrap().to_string();
    assert_eq!(cli.key_ids(), [id.as_str()]);
    assert!(cli
        .export_private(&id)
        .starts_with("-----BEGIN PRIVATE KEY-----"));
    assert_eq!(cli.json(&["key", "show", "via-agent"])["id"], id.as_str());

    // One agent per vault.
    cli.set_passphrase(Some(PASSPHRASE));
    cli.json_err(&["agent"], "agent.already_running", exit::AGENT);
    cli.set_passphrase(None);

    // Locked: only status and unlock (and lock) are answered.
    let st = cli.json(&["lock"]);
    assert_eq!(st["locked"], true, "{st}");
    let st = cli.json(&["status"]);
    assert_eq!(st["locked"], true, "{st}");
    assert_eq!(st["agent"], true, "{st}");
    let refused: [&[&str]; 7] = [
        &["key", "list"],
        &["key", "gen", "--alg", "p256"],
        &["key", "export-private", &id, "--format", "pem", "--yes"],
        &["key", "show", &id],
        &["key", "export", &id, "--format", "pem"],
        &["key", "rename", &id, "renamed"],
        &["key", "delete", &id, "--yes"],
    ];
    for args in refused {
        cli.json_err(args, "vault.locked", exit::VAULT);
    }
    // Still there, still with its label: nothing went through.
    cli.set_passphrase(Some(PASSPHRASE));
    let st = cli.json(&["unlock"]);
    assert_eq!(st["locked"], false, "{st}");
    cli.set_passphrase(None);
    assert_eq!(cli.key_ids(), [id.as_str()]);
    assert_eq!(cli.json(&["key", "show", &id])["label"], "via-agent");
    let service = format!("keyward-{vault_id}");
    let mut want = vec![
        id.clone(),
        "vault-key".to_string(),
        "audit-anchor".to_string(),
    ];
    want.sort();
    assert_eq!(cli.keyring().accounts(&service), want);

    // SIGTERM: clean exit, socket gone, and the CLI is on its own again.
    let status = agent.stop();
    assert!(
        status.success(),
        "agent exit status after SIGTERM: {status}"
    );
    assert!(
        !agent_socket_exists(&run_dir, &vault_id),
        "the socket is still there after SIGTERM"
    );
    let st = cli.json(&["status"]);
    assert_eq!(st["agent"], false, "{st}");
    cli.json_err(
        &["key", "gen", "--alg", "p256"],
        "vault.no_passphrase_source",
        exit::VAULT,
    );
    cli.json_err(&["lock"], "agent.not_running", exit::AGENT);
}

fn agent_socket_exists(run_dir: &std::path::Path, vault_id: &str) -> bool {
    run_dir.join(format!("{vault_id}.sock")).exists()
}

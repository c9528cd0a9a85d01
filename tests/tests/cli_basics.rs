//! CLI basics: where the passphrase comes from, "no passphrase" mode, addressing keys by label
//! or id prefix, confirmations, and delete reaching the keychain.

use keyward_tests::{exit, Cli, Keyring};
use serde_json::Value;

#[test]
fn init_without_terminal_or_passphrase_file_fails() {
    let mut cli = Cli::new(Keyring::unlocked());
    cli.set_passphrase(None);
    // stdin is /dev/null: no terminal to ask on.
    cli.json_err(&["init"], "vault.no_passphrase_source", exit::VAULT);
    let st = cli.json(&["status"]);
    assert_eq!(st["initialized"], false, "{st}");
    // Commands on the missing vault say so.
    cli.json_err(&["key", "list"], "vault.not_initialized", exit::VAULT);
}

#[test]
fn no_passphrase_mode_needs_no_passphrase_ever() {
    let mut cli = Cli::new(Keyring::unlocked());
    cli.set_passphrase(None);
    let st = cli.json(&["init", "--no-passphrase"]);
    assert_eq!(st["mode"], "none", "{st}");
    let vault_id = st["vaultId"].as_str().unwrap().to_string();
    let st = cli.json(&["status"]);
    assert_eq!(st["mode"], "none", "{st}");
    assert_eq!(st["initialized"], true, "{st}");
    assert_eq!(st["agent"], false, "{st}");

    let id = cli.gen("automation")["id"].as_str().unwrap().to_string();
    assert!(cli
        .export_private(&id)
        .starts_with("-----BEGIN PRIVATE KEY-----"));
    // The vault key really is unwrapped in this mode, and labelled so.
    let vk: Value = serde_json::from_str(
        &cli.keyring()
            .secret_tool_lookup(&format!("keyward-{vault_id}"), "vault-key")
            .expect("vault-key item"),
    )
    .unwrap();
    assert_eq!(vk["mode"], "none", "{vk}");

    // An agent starts without a passphrase too.
    let agent = cli.spawn_agent();
    assert_eq!(cli.json(&["status"])["agent"], true);
    cli.gen("through-agent");
    agent.stop_cleanly();
    assert_eq!(cli.key_ids().len(), 2);
}

#[test]
fn keys_are_addressed_by_id_unique_prefix_or_unique_label() {
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    let a = cli.gen("twin")["id"].as_str().unwrap().to_string();
    let b = cli.gen("twin")["id"].as_str().unwrap().to_string();
    assert_ne!(a, b);

    let err = cli.json_err(&["key", "show", "twin"], "key.ambiguous", exit::KEY);
    let mut got: Vec<(String, String)> = err["candidates"]
        .as_array()
        .unwrap_or_else(|| panic!("no candidates in {err}"))
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().into(),
                c["label"].as_str().unwrap().into(),
            )
        })
        .collect();
    got.sort();
    let mut want = vec![
        (a.clone(), "twin".to_string()),
        (b.clone(), "twin".to_string()),
    ];
    want.sort();
    assert_eq!(got, want, "{err}");
    // Every other command that addresses a key resolves the same way.
    cli.json_err(
        &["key", "export", "twin", "--format", "pem"],
        "key.ambiguous",
        exit::KEY,
    );

    // Full id and unique id prefixes.
    assert_eq!(cli.json(&["key", "show", &a])["id"], a.as_str());
    let prefix = shortest_unique_prefix(&a, &b);
    assert_eq!(cli.json(&["key", "show", &a[..prefix]])["id"], a.as_str());
    assert_eq!(cli.json(&["key", "show", &b[..prefix]])["id"], b.as_str());
    cli.json_err(&["key", "show", "nope"], "key.not_found", exit::KEY);

    // A rename makes both labels unique.
    let r = cli.json(&["key", "rename", &b, "single"]);
    assert_eq!(r["label"], "single", "{r}");
    assert_eq!(cli.json(&["key", "show", "twin"])["id"], a.as_str());
    assert_eq!(cli.json(&["key", "show", "single"])["id"], b.as_str());
}

/// The shortest prefix length (at least 8) that tells the two ids apart.
fn shortest_unique_prefix(a: &str, b: &str) -> usize {
    let common = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    (common + 1).max(8)
}

#[test]
fn private_export_and_delete_need_yes_and_delete_reaches_the_keychain() {
    let cli = Cli::new(Keyring::unlocked());
    let service = format!("keyward-{}", cli.init());
    let keep = cli.gen("keep")["id"].as_str().unwrap().to_string();
    let gone = cli.gen("gone")["id"].as_str().unwrap().to_string();

    let out = cli.run(&["--json", "key", "export-private", &gone, "--format", "pem"]);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("PRIVATE KEY"));
    cli.json_err(
        &["key", "export-private", &gone, "--format", "pem"],
        "key.confirmation_required",
        exit::KEY,
    );
    cli.json_err(
        &["key", "delete", &gone],
        "key.confirmation_required",
        exit::KEY,
    );
    assert!(cli.keyring().secret_tool_lookup(&service, &gone).is_some());
    assert_eq!(cli.key_ids().len(), 2);

    let d = cli.json(&["key", "delete", "gone", "--yes"]);
    assert_eq!(d["id"], gone.as_str(), "{d}");
    assert_eq!(
        cli.keyring().secret_tool_lookup(&service, &gone),
        None,
        "item left behind"
    );
    let mut want = vec![
        keep.clone(),
        "vault-key".to_string(),
        "audit-anchor".to_string(),
    ];
    want.sort();
    assert_eq!(cli.keyring().accounts(&service), want);
    assert_eq!(cli.key_ids(), [keep]);
    cli.json_err(&["key", "show", &gone], "key.not_found", exit::KEY);
    let (code, doc) = cli.json_any(&["doctor"]);
    assert_eq!(code, Some(exit::OK), "{doc}");
}

#[test]
fn usage_errors_exit_2() {
    let cli = Cli::new(Keyring::no_bus());
    let out = cli.run(&["key", "gen", "--alg", "p521"]);
    assert_eq!(out.status.code(), Some(exit::USAGE), "{out:?}");
    let out = cli.run(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(exit::USAGE), "{out:?}");
}

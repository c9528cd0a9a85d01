//! Signing through the vault: usage policies (stored, enforced, kept by backups), signing and
//! minting inside the agent, and an audit trail that holds digests, never messages or tokens.

use keyward_tests::{Cli, Keyring};

#[test]
fn usage_policy_is_enforced_kept_by_backups_and_signing_runs_in_the_agent() {
    let mut cli = Cli::new(Keyring::unlocked());
    cli.init();
    let k = cli.json(&["key", "gen", "--alg", "secp256k1", "--label", "w"]);
    let usage: Vec<&str> = k["usage"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap())
        .collect();
    assert_eq!(usage, ["raw", "eip191", "siwe", "bsm", "eos", "jwt"], "{k}");

    let p = cli.json(&["key", "policy", "w", "--allow", "eip191,jwt"]);
    assert_eq!(p["usage"], serde_json::json!(["eip191", "jwt"]), "{p}");
    let e = cli.json_err(
        &["sign", "--key", "w", "--scheme", "bsm", "--message", "m"],
        "sign.policy_forbidden",
        7,
    );
    assert!(e["hint"].as_str().unwrap().contains("key policy"), "{e}");
    cli.json_err(
        &["key", "policy", "w", "--allow", "ed25519"],
        "sign.scheme_not_for_alg",
        7,
    );
    let secret_message = "pay 100 to carol";
    let s = cli.json(&[
        "sign",
        "--key",
        "w",
        "--scheme",
        "eip191",
        "--message",
        secret_message,
    ]);
    assert!(s["signature"].as_str().unwrap().starts_with("0x"), "{s}");

    // The audit trail names the scheme and the digest, not the message.
    let audit = cli
        .json(&["audit", "list", "--action", "key.sign"])
        .to_string();
    assert!(audit.contains("eip191"), "{audit}");
    assert!(
        audit.contains(&s["digest"].as_str().unwrap()[..16]),
        "{audit}"
    );
    assert!(!audit.contains(secret_message), "{audit}");

    // A backup carries the policy; the restored vault enforces it.
    let file = cli.scratch().join("b.kwbackup");
    cli.json(&["backup", "create", file.to_str().unwrap()]);
    cli.use_data_dir("restored");
    cli.json(&["backup", "restore", file.to_str().unwrap()]);
    let shown = cli.json(&["key", "show", "w"]);
    assert_eq!(
        shown["usage"],
        serde_json::json!(["eip191", "jwt"]),
        "{shown}"
    );
    cli.json_err(
        &["sign", "--key", "w", "--scheme", "raw", "--message", "m"],
        "sign.policy_forbidden",
        7,
    );

    // With an agent running, signing needs no passphrase: it happens inside the agent.
    let _agent = cli.spawn_agent();
    cli.set_passphrase(None);
    let again = cli.json(&[
        "sign",
        "--key",
        "w",
        "--scheme",
        "eip191",
        "--message",
        secret_message,
    ]);
    assert_eq!(
        again["signature"], s["signature"],
        "RFC 6979: the same signature"
    );
    let token = cli.run(&["jwt", "mint", "--key", "w", "--mode", "generic"]);
    assert!(token.status.success());
    assert_eq!(
        String::from_utf8(token.stdout)
            .unwrap()
            .matches('.')
            .count(),
        2
    );
    cli.json(&["key", "policy", "w", "--reset"]);
    let shown = cli.json(&["key", "show", "w"]);
    assert_eq!(shown["usage"].as_array().unwrap().len(), 6, "{shown}");
}

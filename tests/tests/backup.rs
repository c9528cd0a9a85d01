//! Backup and restore through the CLI on a real keychain: a round trip restores every key
//! byte for byte into a new vault that shares no keychain item with its source; a wrong
//! passphrase and a truncated file each fail cleanly and leave no vault behind.

use keyward_tests::{exit, Cli, Keyring};
use serde_json::Value;

/// Every key's private PKCS#8 and public forms, by id.
fn snapshot(cli: &Cli) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for id in cli.key_ids() {
        let private = cli.export_private(&id);
        let shown = cli.json(&["key", "show", &id]);
        out.push((id, private, shown));
    }
    out
}

fn source_vault() -> (Cli, String) {
    let cli = Cli::new(Keyring::unlocked());
    let source_id = cli.init();
    cli.gen("p256-key");
    for alg in ["p384", "secp256k1", "ed25519", "rsa2048"] {
        cli.json(&[
            "key",
            "gen",
            "--alg",
            alg,
            "--label",
            &format!("{alg}-key"),
            "--tag",
            "prod",
        ]);
    }
    cli.json_stdin(
        &[
            "key", "import", "-", "--format", "mnemonic", "--path", "eos:1", "--label", "hd",
        ],
        b"test test test test test test test test test test test junk",
    );
    (cli, source_id)
}

#[test]
fn round_trip_restores_every_key_byte_for_byte_into_a_new_vault() {
    let (mut cli, source_id) = source_vault();
    let before = snapshot(&cli);
    assert_eq!(before.len(), 6);
    let file = cli.scratch().join("keys.kwbackup");
    let made = cli.json(&["backup", "create", file.to_str().unwrap()]);
    assert_eq!(made["keys"], 6, "{made}");
    let bytes = std::fs::read(&file).unwrap();
    assert!(bytes.starts_with(b"KWBACKUP"));
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // Without --force an existing file is not replaced.
    cli.json_err(
        &["backup", "create", file.to_str().unwrap()],
        "usage.invalid",
        exit::USAGE,
    );

    let source_service = cli.service();
    let source_items = cli.keyring().accounts(&source_service);

    cli.use_data_dir("restored");
    let report = cli.json(&["backup", "restore", file.to_str().unwrap()]);
    assert_eq!(report["keys"], 6, "{report}");
    assert_eq!(report["sourceVaultId"], source_id.as_str(), "{report}");
    let new_id = report["vaultId"].as_str().unwrap().to_string();
    assert_ne!(new_id, source_id, "a restore makes a new vault");

    let after = snapshot(&cli);
    assert_eq!(after.len(), before.len());
    for ((id_a, priv_a, show_a), (id_b, priv_b, show_b)) in before.iter().zip(&after) {
        assert_eq!(id_a, id_b);
        assert_eq!(
            priv_a, priv_b,
            "private key {id_a} differs after the restore"
        );
        for field in [
            "label",
            "alg",
            "fingerprint",
            "createdAt",
            "tags",
            "origin",
            "exports",
        ] {
            assert_eq!(show_a[field], show_b[field], "{field} of {id_a}");
        }
    }
    // No keychain item is shared: the new vault's items live under its own service, and the
    // source's items are untouched.
    let new_service = cli.service();
    assert_ne!(new_service, source_service);
    assert_eq!(cli.keyring().accounts(&new_service).len(), 6 + 2);
    cli.use_data_dir("vault");
    assert_eq!(cli.keyring().accounts(&source_service), source_items);
    cli.use_data_dir("restored");
    let log = cli.json(&["audit", "list", "--action", "backup.restore"]);
    assert_eq!(log.as_array().unwrap().len(), 1, "{log}");
    let (code, verify) = cli.json_any(&["audit", "verify"]);
    assert_eq!(code, Some(exit::OK), "{verify}");

    // A restore never lands on an existing vault.
    cli.json_err(
        &["backup", "restore", file.to_str().unwrap()],
        "vault.already_initialized",
        exit::VAULT,
    );
}

#[test]
fn wrong_passphrase_and_truncated_file_fail_cleanly() {
    let (mut cli, _) = source_vault();
    let file = cli.scratch().join("keys.kwbackup");
    let other_pass = cli.scratch().join("other-pass");
    std::fs::write(&other_pass, "a separate backup passphrase\n").unwrap();
    cli.json(&[
        "backup",
        "create",
        file.to_str().unwrap(),
        "--passphrase-file",
        other_pass.to_str().unwrap(),
    ]);
    let bytes = std::fs::read(&file).unwrap();
    let truncated = cli.scratch().join("truncated.kwbackup");
    std::fs::write(&truncated, &bytes[..bytes.len() * 2 / 3]).unwrap();
    let not_backup = cli.scratch().join("notes.txt");
    std::fs::write(&not_backup, "just some notes\n").unwrap();

    cli.use_data_dir("restored");
    // The vault passphrase is not the backup passphrase here.
    cli.json_err(
        &["backup", "restore", file.to_str().unwrap()],
        "backup.bad_passphrase",
        exit::VAULT,
    );
    for (path, code) in [
        (&truncated, "backup.truncated"),
        (&not_backup, "backup.not_a_backup"),
    ] {
        cli.json_err(
            &[
                "backup",
                "restore",
                path.to_str().unwrap(),
                "--passphrase-file",
                other_pass.to_str().unwrap(),
            ],
            code,
            exit::VAULT,
        );
    }
    // Nothing was created by the failures.
    let st = cli.json(&["status"]);
    assert_eq!(st["initialized"], false, "{st}");
    // And the right passphrase restores.
    let r = cli.json(&[
        "backup",
        "restore",
        file.to_str().unwrap(),
        "--passphrase-file",
        other_pass.to_str().unwrap(),
    ]);
    assert_eq!(r["keys"], 6, "{r}");
}

//! Backup and restore through the CLI on a real keychain: a round trip restores every key
//! byte for byte into a new vault that shares no keychain item with its source; a wrong
//! passphrase and a truncated file each fail cleanly and leave no vault behind; `backup verify`
//! reports what a file holds and writes nothing; `backup restore --merge` adds to an open
//! vault what it lacks and skips what it has, all or nothing.

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

/// `service add NAME --kind engine` with an admin token from standard input.
fn add_service(cli: &Cli, name: &str, token: &str) {
    cli.json_stdin(
        &[
            "service",
            "add",
            name,
            "--kind",
            "engine",
            "--url",
            "https://engine.example.com",
            "--admin-token-file",
            "-",
        ],
        token.as_bytes(),
    );
}

const ADMIN_TOKEN: &str = "engine-admin-token-SECRET";

#[test]
fn verify_reports_what_a_backup_holds_and_writes_nothing() {
    let (mut cli, source_id) = source_vault();
    add_service(&cli, "ops", ADMIN_TOKEN);
    let file = cli.scratch().join("keys.kwbackup");
    cli.json(&["backup", "create", file.to_str().unwrap()]);

    // No vault is needed to read one.
    cli.use_data_dir("elsewhere");
    let s = cli.json(&["backup", "verify", file.to_str().unwrap()]);
    assert_eq!(s["sourceVaultId"], source_id.as_str(), "{s}");
    assert_eq!(
        (s["keys"].clone(), s["profiles"].clone()),
        (6.into(), 1.into()),
        "{s}"
    );
    assert_eq!(s["credentials"], 1, "{s}");
    let labels: Vec<&str> = s["keyList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["label"].as_str().unwrap())
        .collect();
    assert!(
        labels.contains(&"p256-key") && labels.contains(&"hd"),
        "{labels:?}"
    );
    assert_eq!(s["profileList"][0]["name"], "ops", "{s}");
    assert!(!s.to_string().contains(ADMIN_TOKEN), "no secret in {s}");
    let human = cli.run(&["backup", "verify", file.to_str().unwrap()]);
    assert!(human.status.success());
    assert!(String::from_utf8_lossy(&human.stdout).contains("p256-key"));

    cli.set_passphrase(Some("not the backup passphrase"));
    cli.json_err(
        &["backup", "verify", file.to_str().unwrap()],
        "backup.bad_passphrase",
        exit::VAULT,
    );
    // Nothing was written.
    assert_eq!(cli.json(&["status"])["initialized"], false);
}

#[test]
fn merge_adds_what_the_vault_lacks_skips_what_it_has_and_writes_nothing_on_a_bad_file() {
    let (mut cli, source_id) = source_vault();
    add_service(&cli, "ops", ADMIN_TOKEN);
    let file = cli.scratch().join("keys.kwbackup");
    cli.json(&["backup", "create", file.to_str().unwrap()]);
    let source = snapshot(&cli);
    let (p256_id, p256_pem, _) = source[0].clone();
    assert_eq!(cli.json(&["key", "show", &p256_id])["label"], "p256-key");

    // Another vault: a key of its own, the source's p256 key imported under another id, and a
    // service of the same name.
    cli.use_data_dir("dest");
    cli.init();
    let own = cli.gen("own")["id"].as_str().unwrap().to_string();
    let copy = cli.json_stdin(
        &["key", "import", "-", "--label", "copy"],
        p256_pem.as_bytes(),
    );
    add_service(&cli, "ops", "the destination's own token");
    let service = cli.service();
    let items = cli.keyring().accounts(&service);

    // Without --merge a restore still refuses an existing vault.
    cli.json_err(
        &["backup", "restore", file.to_str().unwrap()],
        "vault.already_initialized",
        exit::VAULT,
    );
    // A truncated or altered file, a wrong passphrase: refused, nothing written.
    let bytes = std::fs::read(&file).unwrap();
    let truncated = cli.scratch_file("truncated.kwbackup", &bytes[..bytes.len() / 2]);
    let mut flipped = bytes.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x40;
    let flipped = cli.scratch_file("flipped.kwbackup", &flipped);
    for bad in [&truncated, &flipped] {
        let (code, doc) = cli.json_any(&["backup", "restore", bad, "--merge"]);
        assert_eq!(code, Some(exit::VAULT), "{doc}");
        assert!(
            doc["error"]["code"]
                .as_str()
                .unwrap()
                .starts_with("backup."),
            "{doc}"
        );
    }
    let wrong = cli.scratch_file("wrong-pass", "wrong backup passphrase\n");
    cli.json_err(
        &[
            "backup",
            "restore",
            file.to_str().unwrap(),
            "--merge",
            "--passphrase-file",
            &wrong,
        ],
        "backup.bad_passphrase",
        exit::VAULT,
    );
    assert_eq!(cli.key_ids().len(), 2);
    assert_eq!(cli.keyring().accounts(&service), items);

    // The merge: five keys added under their ids, the copy's original skipped, the service
    // kept as it is.
    let r = cli.json(&["backup", "restore", file.to_str().unwrap(), "--merge"]);
    assert_eq!(r["sourceVaultId"], source_id.as_str(), "{r}");
    assert_eq!(
        (r["keysAdded"].clone(), r["keysSkipped"].clone()),
        (5.into(), 1.into()),
        "{r}"
    );
    assert_eq!(r["skippedKeys"][0]["id"], p256_id.as_str(), "{r}");
    assert_eq!(r["skippedKeys"][0]["reason"], "sameFingerprint", "{r}");
    assert_eq!(r["skippedProfiles"], serde_json::json!(["ops"]), "{r}");
    assert_eq!(
        (
            r["credentialsAdded"].clone(),
            r["credentialsSkipped"].clone()
        ),
        (0.into(), 1.into()),
        "{r}"
    );
    let ids = cli.key_ids();
    assert_eq!(ids.len(), 7);
    assert!(ids.contains(&own) && ids.contains(&copy["id"].as_str().unwrap().to_string()));
    for (id, pem, shown) in &source[1..] {
        assert_eq!(&cli.export_private(id), pem, "{id} came over byte for byte");
        assert_eq!(cli.json(&["key", "show", id])["label"], shown["label"]);
    }
    let log = cli.json(&["audit", "list", "--action", "backup.merge"]);
    assert_eq!(log.as_array().unwrap().len(), 1, "{log}");
    let (code, verify) = cli.json_any(&["audit", "verify"]);
    assert_eq!(code, Some(exit::OK), "{verify}");
    let (code, doctor) = cli.json_any(&["doctor"]);
    assert_eq!(code, Some(exit::OK), "{doctor}");

    // Through a running agent (no vault passphrase asked), a second merge finds it all here.
    let agent = cli.spawn_agent();
    let backup_pass = cli.scratch_file("backup-pass", format!("{}\n", keyward_tests::PASSPHRASE));
    cli.set_passphrase(None);
    let r = cli.json(&[
        "backup",
        "restore",
        file.to_str().unwrap(),
        "--merge",
        "--passphrase-file",
        &backup_pass,
    ]);
    assert_eq!(
        (r["keysAdded"].clone(), r["keysSkipped"].clone()),
        (0.into(), 6.into()),
        "{r}"
    );
    assert_eq!(cli.key_ids().len(), 7);
    agent.stop_cleanly();
}

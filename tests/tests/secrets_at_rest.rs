//! Secrets at rest: a key lives as one sealed keychain item, and its private scalar is nowhere
//! in the keychain or the data dir in any readable form, locked or not.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use keyward_tests::{assert_no_scalar, p256_scalar, pem_body, read_tree, Cli, Keyring};
use serde_json::Value;
use std::path::Path;

/// Reads every file under the data dir (index, WAL, SHM, anything else) and checks none holds
/// any of `scalars`; returns the file names seen.
fn assert_data_dir_clean(dir: &Path, scalars: &[[u8; 32]]) -> Vec<String> {
    let files = read_tree(dir);
    assert!(
        !files.is_empty(),
        "nothing in the data dir {}",
        dir.display()
    );
    for (path, bytes) in &files {
        for s in scalars {
            assert_no_scalar(bytes, s, &format!("data file {}", path.display()));
        }
    }
    files
        .iter()
        .map(|(p, _)| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

/// The item's secret, as text and base64-decoded, holds no form of the scalar; returns the
/// decoded sealed bytes.
fn assert_item_sealed(secret: &str, scalar: &[u8; 32], pkcs8_der: &[u8], what: &str) -> Vec<u8> {
    assert_no_scalar(secret.as_bytes(), scalar, &format!("{what} (as text)"));
    let sealed = STANDARD
        .decode(secret.trim())
        .unwrap_or_else(|e| panic!("{what} is not base64 ({e}): {secret:?}"));
    assert_no_scalar(&sealed, scalar, &format!("{what} (base64-decoded)"));
    assert!(
        !sealed.windows(pkcs8_der.len()).any(|w| w == pkcs8_der),
        "{what} holds the PKCS#8 DER in clear"
    );
    // A sealed PKCS#8 P-256 key: longer than the key itself plus an AEAD tag.
    assert!(
        sealed.len() >= pkcs8_der.len() + 16,
        "{what} is {} bytes: too short to be the sealed key",
        sealed.len()
    );
    sealed
}

#[test]
fn generated_key_is_one_sealed_keychain_item_and_nowhere_in_the_data_dir() {
    let mut cli = Cli::new(Keyring::unlocked());
    let vault_id = cli.init();
    let service = format!("keyward-{vault_id}");
    let key = cli.gen("deploy");
    let id = key["id"].as_str().unwrap().to_string();

    // Exactly one item for the key, under the vault's service, account = key id; besides it
    // only the vault key and the audit anchor.
    let items = cli.keyring().secret_tool_search(&service);
    assert_eq!(
        cli.keyring().accounts(&service),
        {
            let mut v = vec![
                id.clone(),
                "vault-key".to_string(),
                "audit-anchor".to_string(),
            ];
            v.sort();
            v
        },
        "items of {service}: {items:?}"
    );
    let mine: Vec<_> = items.iter().filter(|i| i.account() == id).collect();
    assert_eq!(mine.len(), 1, "{items:?}");
    assert_eq!(mine[0].attributes["service"], service);
    let secret = cli
        .keyring()
        .secret_tool_lookup(&service, &id)
        .expect("the key's keychain item");
    assert_eq!(secret, mine[0].secret, "lookup and search disagree");

    let pem = cli.export_private(&id);
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"), "{pem}");
    let scalar = p256_scalar(&pem);
    let der = pem_body(&pem);
    let sealed = assert_item_sealed(&secret, &scalar, &der, "the key's keychain item");
    let vault_key = cli
        .keyring()
        .secret_tool_lookup(&service, "vault-key")
        .unwrap();
    assert_no_scalar(vault_key.as_bytes(), &scalar, "the vault-key item");
    assert_no_scalar(
        cli.keyring().secret_tool_search_text(&service).as_bytes(),
        &scalar,
        "secret-tool search output",
    );
    let names = assert_data_dir_clean(&cli.data_dir(), &[scalar]);
    assert!(names.iter().any(|n| n == "index.sqlite3"), "{names:?}");

    // A second key, generated through the agent, checked while the agent holds the index open
    // (so the SQLite WAL and SHM files exist and are read too).
    let agent = cli.spawn_agent();
    cli.set_passphrase(None);
    let second = cli.gen("through-agent");
    let second_id = second["id"].as_str().unwrap().to_string();
    let second_pem = cli.export_private(&second_id);
    let second_scalar = p256_scalar(&second_pem);
    assert_ne!(second_scalar, scalar);
    let second_secret = cli
        .keyring()
        .secret_tool_lookup(&service, &second_id)
        .unwrap();
    let second_sealed = assert_item_sealed(
        &second_secret,
        &second_scalar,
        &pem_body(&second_pem),
        "the second key's keychain item",
    );
    assert_ne!(sealed, second_sealed);
    assert_no_scalar(second_secret.as_bytes(), &scalar, "the second key's item");
    assert_no_scalar(secret.as_bytes(), &second_scalar, "the first key's item");
    let names = assert_data_dir_clean(&cli.data_dir(), &[scalar, second_scalar]);
    assert!(
        names.iter().any(|n| n == "index.sqlite3-wal")
            && names.iter().any(|n| n == "index.sqlite3-shm"),
        "the WAL and SHM files were not there to check while the agent ran: {names:?}"
    );
    agent.stop_cleanly();
    assert_data_dir_clean(&cli.data_dir(), &[scalar, second_scalar]);
    // two keys, the vault key, the audit anchor
    assert_eq!(cli.keyring().accounts(&service).len(), 4);
}

#[test]
fn locked_vault_leaves_only_ciphertext_in_the_keychain() {
    let mut cli = Cli::new(Keyring::unlocked());
    let vault_id = cli.init();
    let service = format!("keyward-{vault_id}");
    let _agent = cli.spawn_agent();
    cli.set_passphrase(None);
    let id = cli.gen("signing")["id"].as_str().unwrap().to_string();
    let scalar = p256_scalar(&cli.export_private(&id));

    let st = cli.json(&["lock"]);
    assert_eq!(st["locked"], true, "{st}");
    cli.json_err(
        &["key", "export-private", &id, "--format", "pem", "--yes"],
        "vault.locked",
        3,
    );

    // Whoever reads the keychain now gets the sealed item …
    let secret = cli
        .keyring()
        .secret_tool_lookup(&service, &id)
        .expect("the key's item survives the lock");
    assert_no_scalar(secret.as_bytes(), &scalar, "the key's item after lock");
    let sealed = STANDARD.decode(secret.trim()).expect("the item is base64");
    assert_no_scalar(&sealed, &scalar, "the key's item after lock, decoded");

    // … and the vault key only in its passphrase-wrapped form.
    let vk_text = cli
        .keyring()
        .secret_tool_lookup(&service, "vault-key")
        .expect("the vault-key item");
    assert_no_scalar(vk_text.as_bytes(), &scalar, "the vault-key item after lock");
    let vk: Value = serde_json::from_str(&vk_text)
        .unwrap_or_else(|e| panic!("the vault-key item is not JSON ({e}): {vk_text}"));
    assert_eq!(vk["mode"], "passphrase", "{vk}");
    assert!(
        vk.get("key").is_none(),
        "a raw key in a passphrase vault's item: {vk}"
    );
    let top: Vec<&str> = vk.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(top, ["mode", "v", "wrapped"], "{vk}");
    let wrapped = &vk["wrapped"];
    assert_eq!(wrapped["kdf"], "argon2id", "{vk}");
    let sealed_vk = STANDARD
        .decode(
            wrapped["sealed"]
                .as_str()
                .expect("wrapped.sealed is a string"),
        )
        .expect("wrapped.sealed is base64");
    // 32 bytes of key, sealed: nonce and tag on top.
    assert!(
        sealed_vk.len() > 32 + 16,
        "sealed vault key is {} bytes",
        sealed_vk.len()
    );
    assert!(
        STANDARD
            .decode(wrapped["salt"].as_str().expect("salt"))
            .unwrap()
            .len()
            >= 16,
        "{vk}"
    );

    assert_no_scalar(
        cli.keyring().secret_tool_search_text(&service).as_bytes(),
        &scalar,
        "secret-tool search output after lock",
    );
}

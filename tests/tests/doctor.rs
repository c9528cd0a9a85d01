//! `doctor` cross-checks the index against the keychain and names what disagrees.

use keyward_tests::{exit, Cli, Keyring};
use serde_json::json;

#[test]
fn doctor_names_items_deleted_or_added_behind_keywards_back() {
    let cli = Cli::new(Keyring::unlocked());
    let vault_id = cli.init();
    let service = format!("keyward-{vault_id}");

    let (code, doc) = cli.json_any(&["doctor"]);
    assert_eq!(code, Some(exit::OK), "{doc}");
    assert_eq!(doc["result"]["healthy"], true, "{doc}");

    let a = cli.gen("alpha");
    let b = cli.gen("beta");
    let (a_id, b_id) = (a["id"].as_str().unwrap(), b["id"].as_str().unwrap());
    let (code, doc) = cli.json_any(&["doctor"]);
    assert_eq!(code, Some(exit::OK), "{doc}");
    let r = &doc["result"];
    assert_eq!(r["healthy"], true, "{doc}");
    assert_eq!(r["vaultId"], vault_id.as_str(), "{doc}");
    assert_eq!(r["rows"], 2, "{doc}");
    assert_eq!(
        r["items"], 4,
        "two keys, the vault key, the audit anchor: {doc}"
    );
    assert_eq!(r["problems"], json!([]), "{doc}");

    // A key's item deleted behind Keyward's back.
    cli.keyring().secret_tool_clear(&service, a_id);
    assert_eq!(cli.keyring().secret_tool_lookup(&service, a_id), None);
    let (code, doc) = cli.json_any(&["doctor"]);
    assert_eq!(code, Some(exit::VAULT), "{doc}");
    let r = &doc["result"];
    assert_eq!(r["healthy"], false, "{doc}");
    assert_eq!(
        r["problems"],
        json!([{"kind": "row_without_item", "id": a_id, "label": "alpha"}]),
        "{doc}"
    );

    // An item of the vault's service that no row knows.
    cli.keyring()
        .secret_tool_store(&service, "stray-account", "not keyward's");
    let (code, doc) = cli.json_any(&["doctor"]);
    assert_eq!(code, Some(exit::VAULT), "{doc}");
    let problems = doc["result"]["problems"]
        .as_array()
        .expect("problems")
        .clone();
    assert_eq!(problems.len(), 2, "{doc}");
    assert!(
        problems.contains(&json!({"kind": "row_without_item", "id": a_id, "label": "alpha"})),
        "{doc}"
    );
    assert!(
        problems.contains(&json!({"kind": "item_without_row", "account": "stray-account"})),
        "{doc}"
    );
    // The untouched key is not named.
    assert!(!doc.to_string().contains(b_id), "{doc}");

    // The human form exits the same way.
    let out = cli.run(&["doctor"]);
    assert_eq!(out.status.code(), Some(exit::VAULT));
}

#[test]
fn repair_recovers_rows_finishes_deletes_and_deletes_only_when_confirmed() {
    let cli = Cli::new(Keyring::unlocked());
    let vault_id = cli.init();
    let service = format!("keyward-{vault_id}");
    let keep = cli.gen("keep")["id"].as_str().unwrap().to_string();
    let lost_row = cli.gen("lost-row")["id"].as_str().unwrap().to_string();
    let lost_item = cli.gen("lost-item")["id"].as_str().unwrap().to_string();
    let lost_row_pem = cli.export_private(&lost_row);

    // The row of a key vanishes from the index (its item stays), the item of another key
    // vanishes from the keychain, and a foreign item appears under the vault's service.
    let db = rusqlite::Connection::open(cli.data_dir().join("index.sqlite3")).unwrap();
    db.execute("DELETE FROM keys WHERE id = ?1", [&lost_row])
        .unwrap();
    cli.keyring().secret_tool_clear(&service, &lost_item);
    cli.keyring()
        .secret_tool_store(&service, "stray-account", "not keyward's");
    let (code, _) = cli.json_any(&["doctor"]);
    assert_eq!(code, Some(exit::VAULT));

    // Without --yes: the row comes back; nothing is deleted.
    let (code, doc) = cli.json_any(&["doctor", "--repair"]);
    assert_eq!(code, Some(exit::VAULT), "{doc}");
    let r = &doc["result"];
    assert_eq!(
        r["done"],
        json!([{"kind": "row_recovered", "id": lost_row}]),
        "{doc}"
    );
    assert_eq!(r["needsConfirmation"].as_array().unwrap().len(), 2, "{doc}");
    assert_eq!(
        cli.keyring()
            .secret_tool_lookup(&service, "stray-account")
            .as_deref(),
        Some("not keyward's"),
        "deleted without confirmation"
    );
    // The recovered key is the same key.
    assert_eq!(cli.export_private(&lost_row), lost_row_pem);
    let shown = cli.json(&["key", "show", &lost_row]);
    assert_eq!(shown["origin"], "recovered", "{shown}");

    // With --yes: the foreign item and the dead row go; the vault is healthy.
    let (code, doc) = cli.json_any(&["doctor", "--repair", "--yes"]);
    assert_eq!(code, Some(exit::OK), "{doc}");
    assert_eq!(doc["result"]["after"]["healthy"], true, "{doc}");
    assert_eq!(
        cli.keyring().secret_tool_lookup(&service, "stray-account"),
        None
    );
    let mut ids = cli.key_ids();
    ids.sort();
    let mut want = vec![keep, lost_row];
    want.sort();
    assert_eq!(ids, want);
    let repairs = cli.json(&["audit", "list", "--action", "doctor.repair"]);
    assert_eq!(repairs.as_array().unwrap().len(), 3, "{repairs}");
}

#[test]
fn repair_finishes_an_interrupted_delete() {
    let cli = Cli::new(Keyring::unlocked());
    let vault_id = cli.init();
    let service = format!("keyward-{vault_id}");
    let id = cli.gen("half-deleted")["id"].as_str().unwrap().to_string();
    // A delete that stopped after its tombstone.
    let db = rusqlite::Connection::open(cli.data_dir().join("index.sqlite3")).unwrap();
    db.execute(
        "UPDATE keys SET deleted_at = '2026-11-22T00:00:00Z' WHERE id = ?1",
        [&id],
    )
    .unwrap();
    let (code, doc) = cli.json_any(&["doctor"]);
    assert_eq!(code, Some(exit::VAULT), "{doc}");
    assert_eq!(doc["result"]["problems"][0]["kind"], "tombstone", "{doc}");
    let (code, doc) = cli.json_any(&["doctor", "--repair"]);
    assert_eq!(code, Some(exit::OK), "{doc}");
    assert_eq!(
        doc["result"]["done"],
        json!([{"kind": "delete_finished", "id": id}]),
        "{doc}"
    );
    assert_eq!(cli.keyring().secret_tool_lookup(&service, &id), None);
}

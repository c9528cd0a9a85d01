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

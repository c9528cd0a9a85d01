//! The audit log through the CLI, on a real keychain: every action is logged; an edited row,
//! a deleted middle row, the newest rows deleted and a rewritten chain are each detected;
//! rows after the anchor are unanchored, not tampered; four processes appending at once leave
//! one valid chain.

use keyward_tests::{exit, Cli, Keyring};
use rusqlite::Connection;
use serde_json::Value;

fn db(cli: &Cli) -> Connection {
    Connection::open(cli.data_dir().join("index.sqlite3")).expect("open the index")
}

fn verify(cli: &Cli) -> (Option<i32>, Value) {
    let (code, doc) = cli.json_any(&["audit", "verify"]);
    (code, doc["result"].clone())
}

fn problems(report: &Value) -> Vec<String> {
    report["problems"]
        .as_array()
        .unwrap_or_else(|| panic!("no problems list: {report}"))
        .iter()
        .map(|p| p["kind"].as_str().expect("kind").to_string())
        .collect()
}

/// A vault with a few logged actions, all anchored.
fn logged_vault() -> (Cli, String) {
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    let id = cli.gen("audited")["id"].as_str().unwrap().to_string();
    cli.export(&id, "pem");
    cli.export_private(&id);
    cli.json(&["key", "rename", &id, "audited-2"]);
    cli.json(&["key", "tag", &id, "--add", "prod"]);
    let other = cli.gen("doomed")["id"].as_str().unwrap().to_string();
    cli.json(&["key", "delete", &other, "--yes"]);
    (cli, id)
}

#[test]
fn every_action_is_logged_without_secrets_and_verifies() {
    let (cli, id) = logged_vault();
    let entries = cli.json(&["audit", "list"]);
    let actions: Vec<&str> = entries
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "vault.init",
            "key.generate",
            "key.export",
            "key.export_private",
            "key.rename",
            "key.tag",
            "key.generate",
            "key.delete"
        ],
        "{entries}"
    );
    let (code, r) = verify(&cli);
    assert_eq!(code, Some(exit::OK), "{r}");
    assert_eq!(r["ok"], true, "{r}");
    assert_eq!(r["rows"], 8, "{r}");
    assert_eq!(
        r["anchoredThrough"], 8,
        "every CLI call anchors as it ends: {r}"
    );
    assert_eq!(r["unanchored"], 0, "{r}");
    assert_eq!(r["anchorChecked"], true, "{r}");

    // Filters: by key (label resolves to the id) and by action family.
    let mine = cli.json(&["audit", "list", "--key", "audited-2"]);
    assert_eq!(mine.as_array().unwrap().len(), 5, "{mine}");
    assert!(mine
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["keyId"] == id.as_str()));
    let vault_only = cli.json(&["audit", "list", "--action", "vault."]);
    assert_eq!(vault_only.as_array().unwrap().len(), 1, "{vault_only}");

    // Exports hold hashes and summaries, never the key.
    let pem = cli.export_private(&id);
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    for format in ["jsonl", "csv"] {
        let text = cli.json(&["audit", "export", "--format", format])["text"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(!text.contains(&body[..40]), "{format} export holds the key");
        let lines = text.lines().count();
        assert_eq!(lines, if format == "csv" { 10 } else { 9 }, "{text}");
    }
    let jsonl = cli.json(&["audit", "export", "--format", "jsonl"])["text"]
        .as_str()
        .unwrap()
        .to_string();
    let first: Value = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
    assert_eq!(first["seq"], 1);
    assert_eq!(first["prev"], "0".repeat(64));
}

#[test]
fn an_edited_row_is_detected() {
    let (cli, _) = logged_vault();
    db(&cli)
        .execute(
            "UPDATE audit SET summary = 'exported nothing' WHERE action = 'key.export_private'",
            [],
        )
        .unwrap();
    let (code, r) = verify(&cli);
    assert_eq!(code, Some(exit::VAULT), "{r}");
    assert_eq!(problems(&r), ["edited"], "{r}");
    assert_eq!(r["problems"][0]["seq"], 4, "{r}");
}

#[test]
fn a_deleted_middle_row_is_detected() {
    let (cli, _) = logged_vault();
    db(&cli)
        .execute("DELETE FROM audit WHERE seq = 4", [])
        .unwrap();
    let (code, r) = verify(&cli);
    assert_eq!(code, Some(exit::VAULT), "{r}");
    assert_eq!(problems(&r), ["gap", "broken"], "{r}");
}

#[test]
fn deleting_the_newest_anchored_rows_is_detected() {
    let (cli, _) = logged_vault();
    db(&cli)
        .execute("DELETE FROM audit WHERE seq >= 7", [])
        .unwrap();
    let (code, r) = verify(&cli);
    assert_eq!(code, Some(exit::VAULT), "{r}");
    assert_eq!(problems(&r), ["truncated"], "{r}");
    assert_eq!(r["problems"][0]["anchored"], 8, "{r}");
    assert_eq!(r["problems"][0]["last"], 6, "{r}");
}

#[test]
fn a_rewritten_chain_is_detected_by_its_anchor() {
    let (cli, _) = logged_vault();
    // The attacker knows the format: every row rewritten, every hash recomputed, so the chain
    // is consistent in itself.
    let conn = db(&cli);
    let rows: Vec<(i64, String, String, String, Option<String>)> = conn
        .prepare("SELECT seq, at, actor, action, key_id FROM audit ORDER BY seq")
        .unwrap()
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut prev = keyward_vault::audit::GENESIS.to_string();
    for (seq, at, actor, action, key_id) in rows {
        let summary = "nothing happened";
        let hash = keyward_vault::audit::entry_hash(
            seq,
            &at,
            &actor,
            &action,
            key_id.as_deref(),
            summary,
            &prev,
        );
        conn.execute(
            "UPDATE audit SET summary = ?2, prev = ?3, hash = ?4 WHERE seq = ?1",
            rusqlite::params![seq, summary, prev, hash],
        )
        .unwrap();
        prev = hash;
    }
    let (code, r) = verify(&cli);
    assert_eq!(code, Some(exit::VAULT), "{r}");
    assert_eq!(problems(&r), ["rewritten"], "{r}");
}

#[test]
fn rows_after_the_anchor_are_unanchored_not_tampered() {
    let (cli, id) = logged_vault();
    // Public exports need no vault key, so nothing anchors them yet.
    cli.export(&id, "jwk");
    cli.export(&id, "fingerprint");
    let (code, r) = verify(&cli);
    assert_eq!(code, Some(exit::OK), "{r}");
    assert_eq!(r["ok"], true, "{r}");
    assert_eq!(r["anchoredThrough"], 8, "{r}");
    assert_eq!(r["unanchored"], 2, "{r}");
    // Deleting them is undetectable (nothing vouched for them) but not reported as tampering.
    db(&cli)
        .execute("DELETE FROM audit WHERE seq > 8", [])
        .unwrap();
    let (code, r) = verify(&cli);
    assert_eq!(code, Some(exit::OK), "{r}");
}

#[test]
fn a_missing_anchor_is_reported() {
    let (cli, _) = logged_vault();
    cli.keyring()
        .secret_tool_clear(&cli.service(), "audit-anchor");
    let (code, r) = verify(&cli);
    assert_eq!(code, Some(exit::VAULT), "{r}");
    assert_eq!(problems(&r), ["anchor_missing"], "{r}");
}

#[test]
fn four_processes_appending_at_once_leave_one_valid_chain() {
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    let id = cli.gen("busy")["id"].as_str().unwrap().to_string();
    const EACH: usize = 8;
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..EACH {
                    let out = cli.run(&["--json", "key", "export", &id, "--format", "fingerprint"]);
                    assert!(out.status.success(), "{out:?}");
                }
            });
        }
    });
    let (code, r) = verify(&cli);
    assert_eq!(code, Some(exit::OK), "{r}");
    assert_eq!(r["rows"], 2 + 4 * EACH as i64, "{r}");
    let seqs: Vec<i64> = cli
        .json(&["audit", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect();
    let want: Vec<i64> = (1..=2 + 4 * EACH as i64).rev().collect();
    assert_eq!(seqs, want, "one chain, no forks, no gaps");
}

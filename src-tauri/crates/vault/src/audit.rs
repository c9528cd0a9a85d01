//! The audit log: a hash chain in the index database, anchored in the keychain.
//!
//! Every entry holds the SHA-256 of the one before it; an entry's own hash covers its fields
//! and that link, so editing a row or deleting one in the middle breaks the chain. Appends run
//! in one `BEGIN IMMEDIATE` transaction (read the head, insert after it), so the CLI, the
//! agent and the app, appending at once, never fork it. The head's sequence number and hash
//! are sealed under the vault key into the keychain item `audit-anchor` at most every
//! [`ANCHOR_INTERVAL`], on lock and on exit (a keychain write costs milliseconds, so never per
//! append): deleting the newest anchored rows, or rewriting the whole chain with fresh hashes,
//! no longer matches the anchor. Rows after the last anchor are reported as unanchored, not
//! as tampered: nothing can vouch for them yet.
//!
//! Entries carry actions, key ids, formats and labels: never a secret.

use crate::error::Result;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::time::Duration;

/// The chain's first `prev`.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// Keychain account of the sealed anchor.
pub const ANCHOR_ACCOUNT: &str = "audit-anchor";
/// Anchors are written at most this often (and on lock and on exit).
pub const ANCHOR_INTERVAL: Duration = Duration::from_secs(5);

pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS audit (
  seq INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  key_id TEXT,
  summary TEXT NOT NULL,
  prev TEXT NOT NULL,
  hash TEXT NOT NULL
);
";

/// One entry of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    #[ts(type = "number")]
    pub seq: i64,
    /// RFC 3339, UTC.
    pub at: String,
    /// `cli`, `agent` or `app`.
    pub actor: String,
    /// `vault.init`, `vault.unlock`, `vault.unlock_failed`, `vault.lock`, `key.generate`,
    /// `key.import`, `key.export`, `key.export_private`, `key.reveal`, `key.rename`, `key.tag`,
    /// `key.delete`, `backup.create`, `backup.restore`, `doctor.repair`, `app.pair`,
    /// `app.unpair`, `grant.add`, `grant.revoke`, `grant.drop`, and whatever the approval
    /// broker logs through `Vault::log_batch`.
    pub action: String,
    pub key_id: Option<String>,
    pub summary: String,
    /// Hex SHA-256 of the previous entry.
    pub prev: String,
    /// Hex SHA-256 of this entry (see [`entry_hash`]).
    pub hash: String,
}

/// What the anchor item holds (sealed under the vault key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    pub seq: i64,
    pub hash: String,
    pub at: String,
}

/// Which entries `list` returns, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
// Every field has a default and may be left out.
#[ts(optional_fields = nullable)]
pub struct AuditFilter {
    /// An action, or a prefix ending in `.` (`key.`).
    #[serde(default)]
    pub action: Option<String>,
    #[serde(default)]
    pub key_id: Option<String>,
    /// At most this many (all when `None`).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// One thing `verify` found wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum AuditProblem {
    /// The row's hash is not the hash of its fields: it was edited.
    Edited {
        #[ts(type = "number")]
        seq: i64,
    },
    /// The row does not link to the one before it: rows were deleted or reordered.
    Broken {
        #[ts(type = "number")]
        seq: i64,
    },
    /// Sequence numbers skip: rows in between were deleted.
    Gap {
        #[ts(type = "number")]
        after: i64,
        #[ts(type = "number")]
        next: i64,
    },
    /// The anchor names a row that is gone: the newest rows were deleted.
    Truncated {
        #[ts(type = "number")]
        anchored: i64,
        #[ts(type = "number")]
        last: i64,
    },
    /// The anchored row's hash differs from the anchor: the chain was rewritten.
    Rewritten {
        #[ts(type = "number")]
        seq: i64,
    },
    /// The anchor item cannot be opened with this vault's key.
    AnchorInvalid,
    /// Rows exist that an anchor should cover, but the anchor item is gone.
    AnchorMissing,
}

/// The result of `verify`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AuditReport {
    /// No problems (unanchored rows are not a problem).
    pub ok: bool,
    #[ts(type = "number")]
    pub rows: i64,
    /// The newest row the anchor vouches for (0: none).
    #[ts(type = "number")]
    pub anchored_through: i64,
    /// Rows after the anchor.
    #[ts(type = "number")]
    pub unanchored: i64,
    /// Whether the anchor was checked (it needs the vault key).
    pub anchor_checked: bool,
    pub head: String,
    pub problems: Vec<AuditProblem>,
}

/// SHA-256 over the entry's fields and its link, each length-prefixed so no two entries
/// share an encoding.
pub fn entry_hash(
    seq: i64,
    at: &str,
    actor: &str,
    action: &str,
    key_id: Option<&str>,
    summary: &str,
    prev: &str,
) -> String {
    let mut h = Sha256::new();
    h.update(b"keyward-audit-v1");
    h.update(seq.to_be_bytes());
    for field in [at, actor, action, key_id.unwrap_or("\u{0}"), summary, prev] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Appends one entry after the current head, in one `BEGIN IMMEDIATE` transaction.
pub fn append(
    conn: &mut Connection,
    at: &str,
    actor: &str,
    action: &str,
    key_id: Option<&str>,
    summary: &str,
) -> Result<AuditEntry> {
    let mut out = append_many(conn, at, actor, &[(action, key_id, summary)])?;
    Ok(out.pop().expect("one entry in, one entry out"))
}

/// Appends `(action, key id, summary)` entries in order after the current head, in one
/// `BEGIN IMMEDIATE` transaction (one commit, one fsync: a group commit). The head is read
/// once; each entry links to the one before it exactly as [`append`] would have linked it.
pub fn append_many(
    conn: &mut Connection,
    at: &str,
    actor: &str,
    entries: &[(&str, Option<&str>, &str)],
) -> Result<Vec<AuditEntry>> {
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let head: Option<(i64, String)> = tx
        .query_row(
            "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (mut seq, mut prev) = match head {
        Some((s, h)) => (s + 1, h),
        None => (1, GENESIS.to_string()),
    };
    let mut out = Vec::with_capacity(entries.len());
    {
        let mut st = tx.prepare_cached(
            "INSERT INTO audit (seq, at, actor, action, key_id, summary, prev, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for &(action, key_id, summary) in entries {
            let hash = entry_hash(seq, at, actor, action, key_id, summary, &prev);
            st.execute(params![seq, at, actor, action, key_id, summary, prev, hash])?;
            out.push(AuditEntry {
                seq,
                at: at.into(),
                actor: actor.into(),
                action: action.into(),
                key_id: key_id.map(str::to_string),
                summary: summary.into(),
                prev: std::mem::replace(&mut prev, hash.clone()),
                hash,
            });
            seq += 1;
        }
    }
    tx.commit()?;
    Ok(out)
}

fn entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        seq: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        action: r.get(3)?,
        key_id: r.get(4)?,
        summary: r.get(5)?,
        prev: r.get(6)?,
        hash: r.get(7)?,
    })
}

const COLUMNS: &str = "seq, at, actor, action, key_id, summary, prev, hash";

/// The newest row's sequence number and hash.
pub fn head(conn: &Connection) -> Result<Option<(i64, String)>> {
    Ok(conn
        .query_row(
            "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// Entries, newest first.
pub fn list(conn: &Connection, f: &AuditFilter) -> Result<Vec<AuditEntry>> {
    let mut sql = format!("SELECT {COLUMNS} FROM audit WHERE 1=1");
    let mut args: Vec<String> = Vec::new();
    if let Some(a) = &f.action {
        if let Some(prefix) = a.strip_suffix('.') {
            sql.push_str(" AND action LIKE ? ESCAPE '\\'");
            args.push(format!(
                "{}.%",
                prefix.replace('%', "\\%").replace('_', "\\_")
            ));
        } else {
            sql.push_str(" AND action = ?");
            args.push(a.clone());
        }
    }
    if let Some(k) = &f.key_id {
        sql.push_str(" AND key_id = ?");
        args.push(k.clone());
    }
    sql.push_str(" ORDER BY seq DESC");
    if let Some(n) = f.limit {
        sql.push_str(&format!(" LIMIT {n}"));
    }
    let mut st = conn.prepare(&sql)?;
    let rows = st.query_map(rusqlite::params_from_iter(args.iter()), entry)?;
    Ok(rows.collect::<std::result::Result<Vec<_>, _>>()?)
}

/// Walks the chain oldest first and checks it against `anchor` (`None` with
/// `anchor_checked` false when the vault key is not at hand; `None` with it true when the
/// anchor item is absent; `Err` inside when it could not be opened).
pub fn verify(
    conn: &Connection,
    anchor: Option<std::result::Result<Anchor, ()>>,
    anchor_checked: bool,
) -> Result<AuditReport> {
    let mut st = conn.prepare(&format!("SELECT {COLUMNS} FROM audit ORDER BY seq"))?;
    let mut rows = st.query([])?;
    let mut problems = Vec::new();
    let mut prev_hash = GENESIS.to_string();
    let mut prev_seq = 0i64;
    let mut count = 0i64;
    let mut hashes: Vec<(i64, String)> = Vec::new();
    while let Some(r) = rows.next()? {
        let e = entry(r)?;
        count += 1;
        if e.seq != prev_seq + 1 {
            problems.push(AuditProblem::Gap {
                after: prev_seq,
                next: e.seq,
            });
        }
        let want = entry_hash(
            e.seq,
            &e.at,
            &e.actor,
            &e.action,
            e.key_id.as_deref(),
            &e.summary,
            &e.prev,
        );
        if want != e.hash {
            problems.push(AuditProblem::Edited { seq: e.seq });
        } else if e.prev != prev_hash {
            problems.push(AuditProblem::Broken { seq: e.seq });
        }
        prev_hash = e.hash.clone();
        prev_seq = e.seq;
        hashes.push((e.seq, e.hash));
    }
    let last = prev_seq;
    let mut anchored_through = 0;
    match anchor {
        Some(Ok(a)) => {
            anchored_through = a.seq;
            match hashes.binary_search_by_key(&a.seq, |(s, _)| *s) {
                Ok(i) if hashes[i].1 == a.hash => {}
                Ok(_) => problems.push(AuditProblem::Rewritten { seq: a.seq }),
                Err(_) if a.seq > last => problems.push(AuditProblem::Truncated {
                    anchored: a.seq,
                    last,
                }),
                Err(_) => problems.push(AuditProblem::Rewritten { seq: a.seq }),
            }
        }
        Some(Err(())) => problems.push(AuditProblem::AnchorInvalid),
        None if anchor_checked && count > 0 => {
            // A fresh vault appends before its first anchor; only a chain that an anchor
            // should already cover (more than the first few rows of one session) counts.
            // An absent anchor is reported, never silently accepted.
            problems.push(AuditProblem::AnchorMissing)
        }
        None => {}
    }
    let unanchored = (last - anchored_through).max(0);
    Ok(AuditReport {
        ok: problems.is_empty(),
        rows: count,
        anchored_through: anchored_through.min(last),
        unanchored,
        anchor_checked,
        head: prev_hash,
        problems,
    })
}

/// The forms an export of the log takes (`keyward-cli audit export --format`, the app's
/// `audit_export`): the same text from both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// JSON Lines: one entry a line, as JSON (`json` is accepted for it).
    #[serde(alias = "json")]
    #[cfg_attr(feature = "clap", value(alias = "json"))]
    Jsonl,
    /// RFC 4180 CSV with a header row.
    Csv,
}

impl ExportFormat {
    /// Its name, which is also its file extension.
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Jsonl => "jsonl",
            ExportFormat::Csv => "csv",
        }
    }

    /// `entries` (newest first, as [`list`] returns them) in this form, oldest first.
    pub fn render(self, entries: &[AuditEntry]) -> String {
        match self {
            ExportFormat::Jsonl => to_jsonl(entries),
            ExportFormat::Csv => to_csv(entries),
        }
    }

    /// The name an export is offered under: `keyward-activity-YYYY-MM-DD.csv|jsonl`, dated
    /// `unix` (UTC).
    pub fn file_name(self, unix: i64) -> String {
        format!(
            "keyward-activity-{}.{}",
            crate::backup::utc_date(unix),
            self.as_str()
        )
    }
}

/// JSON Lines, oldest first.
pub fn to_jsonl(entries: &[AuditEntry]) -> String {
    let mut out = String::new();
    for e in entries.iter().rev() {
        out.push_str(&serde_json::to_string(e).expect("entries serialise"));
        out.push('\n');
    }
    out
}

/// RFC 4180 CSV with a header, oldest first.
pub fn to_csv(entries: &[AuditEntry]) -> String {
    fn field(s: &str) -> String {
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    }
    let mut out = String::from("seq,at,actor,action,key_id,summary,prev,hash\r\n");
    for e in entries.iter().rev() {
        let row = [
            e.seq.to_string(),
            e.at.clone(),
            e.actor.clone(),
            e.action.clone(),
            e.key_id.clone().unwrap_or_default(),
            e.summary.clone(),
            e.prev.clone(),
            e.hash.clone(),
        ];
        out.push_str(&row.iter().map(|f| field(f)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

/// Every action the audit log records, in the order the Activity screen lists them. The UI's
/// filter and labels come from this list (`tests/tests/bindings.rs` writes it into the UI's
/// generated tables).
pub const ACTIONS: &[&str] = &[
    "vault.init",
    "vault.unlock",
    "vault.unlock_failed",
    "vault.lock",
    "vault.passphrase_change",
    "key.generate",
    "key.import",
    "key.export",
    "key.export_private",
    "key.reveal",
    "key.rename",
    "key.tag",
    "key.delete",
    "backup.create",
    "backup.restore",
    "backup.merge",
    "doctor.repair",
    "settings.set",
    "key.sign",
    "key.policy",
    "jwt.mint",
    "siwe.sign",
    "service.add",
    "service.update",
    "service.remove",
    "credential.store",
    "credential.delete",
    "approval.asked",
    "approval.shown",
    "approval.approved",
    "approval.denied",
    "approval.expired",
    "approval.withdrawn",
    "approval.refused",
    "approval.refusals",
    "approval.signed",
    "approval.pair_asked",
    "approval.pair_denied",
    "approval.pair_expired",
    "app.pair",
    "app.unpair",
    "grant.add",
    "grant.revoke",
    "grant.drop",
    "endpoint.key",
    "link.delivered",
    "link.delivery_failed",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> Connection {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch(SCHEMA).unwrap();
        c
    }

    fn fill(c: &mut Connection, n: i64) {
        for i in 0..n {
            append(
                c,
                "2026-11-22T00:00:00Z",
                "cli",
                "key.export",
                Some("k1"),
                &format!("export {i}"),
            )
            .unwrap();
        }
    }

    fn anchor_at(c: &Connection, seq: i64) -> Anchor {
        let hash: String = c
            .query_row("SELECT hash FROM audit WHERE seq = ?1", [seq], |r| r.get(0))
            .unwrap();
        Anchor {
            seq,
            hash,
            at: String::new(),
        }
    }

    #[test]
    fn a_clean_chain_verifies_and_counts_unanchored_rows() {
        let mut c = db();
        fill(&mut c, 6);
        let a = anchor_at(&c, 4);
        let r = verify(&c, Some(Ok(a)), true).unwrap();
        assert!(r.ok, "{r:?}");
        assert_eq!((r.rows, r.anchored_through, r.unanchored), (6, 4, 2));
    }

    #[test]
    fn an_edited_row_is_found() {
        let mut c = db();
        fill(&mut c, 5);
        c.execute(
            "UPDATE audit SET summary = 'nothing to see' WHERE seq = 3",
            [],
        )
        .unwrap();
        let r = verify(&c, Some(Ok(anchor_at(&c, 5))), true).unwrap();
        assert_eq!(r.problems, vec![AuditProblem::Edited { seq: 3 }]);
    }

    #[test]
    fn a_deleted_middle_row_is_found() {
        let mut c = db();
        fill(&mut c, 5);
        let a = anchor_at(&c, 5);
        c.execute("DELETE FROM audit WHERE seq = 3", []).unwrap();
        let r = verify(&c, Some(Ok(a)), true).unwrap();
        assert!(
            r.problems
                .contains(&AuditProblem::Gap { after: 2, next: 4 }),
            "{r:?}"
        );
        assert!(
            r.problems.contains(&AuditProblem::Broken { seq: 4 }),
            "{r:?}"
        );
    }

    #[test]
    fn deleting_the_newest_anchored_rows_is_found() {
        let mut c = db();
        fill(&mut c, 5);
        let a = anchor_at(&c, 5);
        c.execute("DELETE FROM audit WHERE seq >= 4", []).unwrap();
        let r = verify(&c, Some(Ok(a)), true).unwrap();
        assert_eq!(
            r.problems,
            vec![AuditProblem::Truncated {
                anchored: 5,
                last: 3
            }]
        );
    }

    #[test]
    fn a_rewritten_chain_is_found_by_the_anchor_alone() {
        let mut c = db();
        fill(&mut c, 4);
        let a = anchor_at(&c, 4);
        // Rewrite every row and recompute every hash: internally consistent again.
        c.execute("DELETE FROM audit", []).unwrap();
        for i in 0..4 {
            append(
                &mut c,
                "2026-11-22T00:00:00Z",
                "cli",
                "key.export",
                Some("k1"),
                &format!("forged {i}"),
            )
            .unwrap();
        }
        let r = verify(&c, None, false).unwrap();
        assert!(r.ok, "without the anchor the forgery is consistent: {r:?}");
        let r = verify(&c, Some(Ok(a)), true).unwrap();
        assert_eq!(r.problems, vec![AuditProblem::Rewritten { seq: 4 }]);
    }

    #[test]
    fn a_batch_chains_like_single_appends() {
        let mut c = db();
        fill(&mut c, 2);
        let batch = append_many(
            &mut c,
            "2026-11-22T00:00:02Z",
            "app",
            &[
                ("sign.approve", Some("k1"), "one"),
                ("key.sign", Some("k1"), "two"),
                ("grant.use", None, "three"),
            ],
        )
        .unwrap();
        assert_eq!(
            batch.iter().map(|e| e.seq).collect::<Vec<_>>(),
            vec![3, 4, 5]
        );
        assert_eq!(batch[0].prev, head_hash(&c, 2));
        assert_eq!(batch[1].prev, batch[0].hash);
        assert_eq!(batch[2].prev, batch[1].hash);
        assert!(append_many(&mut c, "x", "app", &[]).unwrap().is_empty());
        let r = verify(&c, Some(Ok(anchor_at(&c, 5))), true).unwrap();
        assert!(r.ok && r.rows == 5, "{r:?}");
    }

    fn head_hash(c: &Connection, seq: i64) -> String {
        anchor_at(c, seq).hash
    }

    #[test]
    fn prefix_filters_and_exports() {
        let mut c = db();
        fill(&mut c, 2);
        append(
            &mut c,
            "2026-11-22T00:00:01Z",
            "app",
            "vault.lock",
            None,
            "locked, with \"quotes\", commas",
        )
        .unwrap();
        let keys = list(
            &c,
            &AuditFilter {
                action: Some("key.".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(keys.len(), 2);
        let all = list(&c, &AuditFilter::default()).unwrap();
        assert_eq!(all[0].seq, 3, "newest first");
        let csv = to_csv(&all);
        assert!(
            csv.lines().nth(1).unwrap().starts_with("1,"),
            "oldest first: {csv}"
        );
        assert!(csv.contains("\"locked, with \"\"quotes\"\", commas\""));
        let jsonl = to_jsonl(&all);
        assert_eq!(jsonl.lines().count(), 3);
        let first: AuditEntry = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
        assert_eq!(first.prev, GENESIS);
    }
}

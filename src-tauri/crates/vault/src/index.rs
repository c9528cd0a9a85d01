//! The index: public metadata in SQLite (WAL). Nothing secret is ever written here.

use crate::error::{Result, VaultError};
use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;

pub const DB_FILE: &str = "index.sqlite3";

pub struct Index {
    conn: Connection,
}

/// A key's public record.
#[derive(Debug, Clone)]
pub struct KeyRow {
    pub id: String,
    pub label: String,
    pub alg: String,
    pub spki: Vec<u8>,
    pub fingerprint: String,
    pub created_at: String,
    pub deleted_at: Option<String>,
    /// Lower-case tags, sorted, unique.
    pub tags: Vec<String>,
    /// An HD key's extended public key (public data, like the SPKI).
    pub xpub: Option<String>,
    /// Where the key came from: `generated`, or the import format (and a mnemonic's path).
    pub origin: String,
    /// The key's usage policy (`eip191,jwt`); `None` = every usage its algorithm fits.
    pub usage: Option<String>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS keys (
  id TEXT PRIMARY KEY,
  label TEXT NOT NULL,
  alg TEXT NOT NULL,
  spki BLOB NOT NULL,
  fingerprint TEXT NOT NULL,
  created_at TEXT NOT NULL,
  deleted_at TEXT
);
CREATE INDEX IF NOT EXISTS keys_created ON keys(created_at, id);
CREATE INDEX IF NOT EXISTS keys_label ON keys(label);
CREATE TABLE IF NOT EXISTS profiles (
  name TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  json TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS credentials (
  id TEXT PRIMARY KEY,
  profile TEXT NOT NULL,
  name TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (profile, name)
);
CREATE TABLE IF NOT EXISTS apps (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  token_salt TEXT UNIQUE,
  origin TEXT,
  keys TEXT,
  created_at INTEGER NOT NULL,
  last_seen INTEGER
);
CREATE TABLE IF NOT EXISTS grants (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL,
  key_id TEXT NOT NULL,
  until_lock INTEGER NOT NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER
);
CREATE INDEX IF NOT EXISTS grants_app ON grants(app_id);
";

/// A service profile's stored row (`json` holds base URL and settings: public data only).
#[derive(Debug, Clone)]
pub struct ProfileRow {
    pub name: String,
    pub kind: String,
    pub json: String,
    pub created_at: String,
    pub updated_at: String,
}

/// A credential's row: its secret is the keychain item `id`.
#[derive(Debug, Clone)]
pub struct CredentialRow {
    pub id: String,
    pub profile: String,
    pub name: String,
    pub created_at: String,
}

/// A paired app's row. `token_salt` is public: the app's token is derived from it and the
/// endpoint's MAC secret, which is sealed in the keychain (`None`: paired before that, by a
/// token hash the index no longer keeps; such an app must pair again). `keys` is a JSON
/// array of key ids, or `None` for any key. Times are unix seconds.
#[derive(Debug, Clone)]
pub struct AppRow {
    pub id: String,
    pub name: String,
    pub token_salt: Option<String>,
    pub origin: Option<String>,
    pub keys: Option<String>,
    pub created_at: i64,
    pub last_seen: Option<i64>,
}

/// A grant's row: `body` is the approval crate's JSON, opaque here. Times are unix seconds.
#[derive(Debug, Clone)]
pub struct GrantRow {
    pub id: String,
    pub app_id: String,
    pub key_id: String,
    pub until_lock: bool,
    pub body: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
}

/// Columns added after the first release, added in place to older databases.
const ADDED_COLUMNS: &[(&str, &str)] = &[
    ("tags", "TEXT NOT NULL DEFAULT ''"),
    ("xpub", "TEXT"),
    ("origin", "TEXT NOT NULL DEFAULT ''"),
    ("usage", "TEXT"),
];

/// The index's schema version (`PRAGMA user_version`) this build writes.
pub const SCHEMA_VERSION: i64 = 1;

fn columns(conn: &Connection, table: &str) -> Result<Vec<String>> {
    Ok(conn
        .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?)
}

/// Brings an index of any earlier shape up to [`SCHEMA_VERSION`], in order, each step in one
/// transaction (another process may open the same index at the same moment). A newer index
/// than this build knows is refused rather than misread.
fn migrate(conn: &Connection) -> Result<()> {
    let have = columns(conn, "keys")?;
    for (name, ty) in ADDED_COLUMNS {
        if !have.iter().any(|h| h == name) {
            conn.execute_batch(&format!("ALTER TABLE keys ADD COLUMN {name} {ty}"))?;
        }
    }
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(VaultError::Index(format!(
            "the index is of a newer Keyward (schema {version}; this one knows {SCHEMA_VERSION})"
        )));
    }
    if version < 1 {
        // 1: a paired app's token is derived from a secret sealed under the vault key; the
        // token hash the index kept (enough to act as the app) goes. Apps paired before
        // keep their row, with no salt: they are refused until they pair again.
        // The dropped rows' bytes are overwritten, not left in free pages of the file.
        conn.pragma_update(None, "secure_delete", "ON")?;
        conn.execute_batch("BEGIN IMMEDIATE")?;
        let step = (|| -> Result<()> {
            let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
            if v >= 1 {
                return Ok(());
            }
            if columns(conn, "apps")?.iter().any(|c| c == "token_hash") {
                conn.execute_batch(
                    "CREATE TABLE apps_v1 (
                       id TEXT PRIMARY KEY,
                       name TEXT NOT NULL,
                       token_salt TEXT UNIQUE,
                       origin TEXT,
                       keys TEXT,
                       created_at INTEGER NOT NULL,
                       last_seen INTEGER
                     );
                     INSERT INTO apps_v1 (id, name, token_salt, origin, keys, created_at, last_seen)
                       SELECT id, name, NULL, origin, keys, created_at, last_seen FROM apps;
                     DROP TABLE apps;
                     ALTER TABLE apps_v1 RENAME TO apps;",
                )?;
            }
            conn.execute_batch("PRAGMA user_version = 1")?;
            Ok(())
        })();
        match step {
            Ok(()) => conn.execute_batch("COMMIT")?,
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                return Err(e);
            }
        }
        // And out of the write-ahead log.
        let _: (i64, i64, i64) = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
    }
    Ok(())
}

/// Tags are stored as one text column, comma-separated with a comma at each end, so
/// `LIKE '%,tag,%'` finds one exactly.
fn tags_to_db(tags: &[String]) -> String {
    if tags.is_empty() {
        String::new()
    } else {
        format!(",{},", tags.join(","))
    }
}

fn tags_from_db(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

const COLUMNS: &str =
    "id, label, alg, spki, fingerprint, created_at, deleted_at, tags, xpub, origin, usage";

impl Index {
    pub fn open(dir: &Path) -> Result<Index> {
        crate::paths::ensure_private_dir(dir)?;
        let path = dir.join(DB_FILE);
        let conn = Connection::open(&path)?;
        crate::paths::make_private(&path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.execute_batch(SCHEMA)?;
        conn.execute_batch(crate::audit::SCHEMA)?;
        migrate(&conn)?;
        Ok(Index { conn })
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    pub(crate) fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    pub fn meta(&self, k: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT v FROM meta WHERE k = ?1", [k], |r| r.get(0))
            .optional()?)
    }

    /// Writes several meta values in one transaction.
    pub fn set_meta(&mut self, pairs: &[(&str, &str)]) -> Result<()> {
        let tx = self.conn.transaction()?;
        for (k, v) in pairs {
            tx.execute(
                "INSERT INTO meta (k, v) VALUES (?1, ?2) ON CONFLICT(k) DO UPDATE SET v = excluded.v",
                params![k, v],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    pub fn insert_key(&self, row: &KeyRow) -> Result<()> {
        self.conn.execute(
            "INSERT INTO keys (id, label, alg, spki, fingerprint, created_at, tags, xpub, origin, usage) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![row.id, row.label, row.alg, row.spki, row.fingerprint, row.created_at, tags_to_db(&row.tags), row.xpub, row.origin, row.usage],
        )?;
        Ok(())
    }

    fn rows(&self, sql: &str, args: &[&dyn rusqlite::ToSql]) -> Result<Vec<KeyRow>> {
        let mut st = self.conn.prepare_cached(sql)?;
        let rows = st.query_map(args, |r| {
            Ok(KeyRow {
                id: r.get(0)?,
                label: r.get(1)?,
                alg: r.get(2)?,
                spki: r.get(3)?,
                fingerprint: r.get(4)?,
                created_at: r.get(5)?,
                deleted_at: r.get(6)?,
                tags: tags_from_db(&r.get::<_, String>(7)?),
                xpub: r.get(8)?,
                origin: r.get(9)?,
                usage: r.get(10)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Live keys, oldest first.
    pub fn keys(&self) -> Result<Vec<KeyRow>> {
        self.rows(
            &format!("SELECT {COLUMNS} FROM keys WHERE deleted_at IS NULL ORDER BY created_at, id"),
            &[],
        )
    }

    /// Every row, tombstones included (for doctor).
    pub fn all_keys(&self) -> Result<Vec<KeyRow>> {
        self.rows(
            &format!("SELECT {COLUMNS} FROM keys ORDER BY created_at, id"),
            &[],
        )
    }

    pub fn count_keys(&self) -> Result<u64> {
        Ok(self.conn.query_row(
            "SELECT COUNT(*) FROM keys WHERE deleted_at IS NULL",
            [],
            |r| r.get(0),
        )?)
    }

    /// Finds one live key by exact id, unique id prefix or unique label.
    pub fn resolve(&self, query: &str) -> Result<KeyRow> {
        let q = query.trim();
        if q.is_empty() {
            return Err(VaultError::KeyNotFound(query.to_string()));
        }
        let live = self.keys()?;
        if let Some(row) = live.iter().find(|r| r.id == q) {
            return Ok(row.clone());
        }
        let q_lower = q.to_ascii_lowercase();
        let mut hits: Vec<&KeyRow> = live
            .iter()
            .filter(|r| r.label == q || (q.len() >= 4 && r.id.starts_with(&q_lower)))
            .collect();
        hits.dedup_by(|a, b| a.id == b.id);
        match hits.len() {
            0 => Err(VaultError::KeyNotFound(query.to_string())),
            1 => Ok(hits[0].clone()),
            _ => Err(VaultError::Ambiguous {
                query: query.to_string(),
                candidates: hits
                    .iter()
                    .map(|r| (r.id.clone(), r.label.clone()))
                    .collect(),
            }),
        }
    }

    pub fn rename_key(&self, id: &str, label: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE keys SET label = ?2 WHERE id = ?1",
            params![id, label],
        )?;
        Ok(())
    }

    /// Marks a key deleted; the row stays until its keychain item is gone too.
    pub fn tombstone_key(&self, id: &str, at: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE keys SET deleted_at = ?2 WHERE id = ?1",
            params![id, at],
        )?;
        Ok(())
    }

    pub fn set_tags(&self, id: &str, tags: &[String]) -> Result<()> {
        self.conn.execute(
            "UPDATE keys SET tags = ?2 WHERE id = ?1",
            params![id, tags_to_db(tags)],
        )?;
        Ok(())
    }

    pub fn set_usage(&self, id: &str, usage: Option<&str>) -> Result<()> {
        self.conn.execute(
            "UPDATE keys SET usage = ?2 WHERE id = ?1",
            params![id, usage],
        )?;
        Ok(())
    }

    pub fn profiles(&self) -> Result<Vec<ProfileRow>> {
        let mut st = self.conn.prepare_cached(
            "SELECT name, kind, json, created_at, updated_at FROM profiles ORDER BY name",
        )?;
        let rows = st.query_map([], |r| {
            Ok(ProfileRow {
                name: r.get(0)?,
                kind: r.get(1)?,
                json: r.get(2)?,
                created_at: r.get(3)?,
                updated_at: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    pub fn profile(&self, name: &str) -> Result<Option<ProfileRow>> {
        Ok(self.profiles()?.into_iter().find(|p| p.name == name))
    }

    pub fn put_profile(&self, row: &ProfileRow) -> Result<()> {
        self.conn.execute(
            "INSERT INTO profiles (name, kind, json, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(name) DO UPDATE SET kind = excluded.kind, json = excluded.json, updated_at = excluded.updated_at",
            params![row.name, row.kind, row.json, row.created_at, row.updated_at],
        )?;
        Ok(())
    }

    pub fn delete_profile(&self, name: &str) -> Result<()> {
        self.conn
            .execute("DELETE FROM profiles WHERE name = ?1", [name])?;
        Ok(())
    }

    pub fn credentials(&self, profile: Option<&str>) -> Result<Vec<CredentialRow>> {
        let mut st = self.conn.prepare_cached(
            "SELECT id, profile, name, created_at FROM credentials WHERE ?1 IS NULL OR profile = ?1 ORDER BY profile, name",
        )?;
        let rows = st.query_map([profile], |r| {
            Ok(CredentialRow {
                id: r.get(0)?,
                profile: r.get(1)?,
                name: r.get(2)?,
                created_at: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    pub fn put_credential(&self, row: &CredentialRow) -> Result<()> {
        self.conn.execute(
            "INSERT INTO credentials (id, profile, name, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![row.id, row.profile, row.name, row.created_at],
        )?;
        Ok(())
    }

    pub fn delete_credential(&self, id: &str) -> Result<()> {
        self.conn
            .execute("DELETE FROM credentials WHERE id = ?1", [id])?;
        Ok(())
    }

    /// Paired apps, oldest first.
    pub fn apps(&self) -> Result<Vec<AppRow>> {
        let mut st = self.conn.prepare_cached(
            "SELECT id, name, token_salt, origin, keys, created_at, last_seen FROM apps ORDER BY created_at, id",
        )?;
        let rows = st.query_map([], |r| {
            Ok(AppRow {
                id: r.get(0)?,
                name: r.get(1)?,
                token_salt: r.get(2)?,
                origin: r.get(3)?,
                keys: r.get(4)?,
                created_at: r.get(5)?,
                last_seen: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    pub fn insert_app(&self, row: &AppRow) -> Result<()> {
        self.conn.execute(
            "INSERT INTO apps (id, name, token_salt, origin, keys, created_at, last_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![row.id, row.name, row.token_salt, row.origin, row.keys, row.created_at, row.last_seen],
        )?;
        Ok(())
    }

    /// Whether an app has this id, or this token salt.
    pub fn app_taken(&self, id: &str, token_salt: &str) -> Result<(bool, bool)> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM apps WHERE id = ?1), EXISTS (SELECT 1 FROM apps WHERE token_salt = ?2)",
            params![id, token_salt],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?)
    }

    /// Sets an app's `last_seen`; the number of rows changed (0: no such app).
    pub fn set_app_seen(&self, id: &str, at: i64) -> Result<usize> {
        Ok(self.conn.execute(
            "UPDATE apps SET last_seen = ?2 WHERE id = ?1",
            params![id, at],
        )?)
    }

    /// Deletes an app and its grants in one transaction; the number of grants deleted.
    pub fn delete_app(&mut self, id: &str) -> Result<usize> {
        let tx = self.conn.transaction()?;
        let grants = tx.execute("DELETE FROM grants WHERE app_id = ?1", [id])?;
        tx.execute("DELETE FROM apps WHERE id = ?1", [id])?;
        tx.commit()?;
        Ok(grants)
    }

    /// Grants, oldest first; with `live_at`, only those without an expiry or expiring after it.
    pub fn grants(&self, live_at: Option<i64>) -> Result<Vec<GrantRow>> {
        let mut st = self.conn.prepare_cached(
            "SELECT id, app_id, key_id, until_lock, body, created_at, expires_at FROM grants
             WHERE ?1 IS NULL OR expires_at IS NULL OR expires_at > ?1 ORDER BY created_at, id",
        )?;
        let rows = st.query_map([live_at], |r| {
            Ok(GrantRow {
                id: r.get(0)?,
                app_id: r.get(1)?,
                key_id: r.get(2)?,
                until_lock: r.get(3)?,
                body: r.get(4)?,
                created_at: r.get(5)?,
                expires_at: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    pub fn grant(&self, id: &str) -> Result<Option<GrantRow>> {
        Ok(self.grants(None)?.into_iter().find(|g| g.id == id))
    }

    pub fn insert_grant(&self, row: &GrantRow) -> Result<()> {
        self.conn.execute(
            "INSERT INTO grants (id, app_id, key_id, until_lock, body, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![row.id, row.app_id, row.key_id, row.until_lock, row.body, row.created_at, row.expires_at],
        )?;
        Ok(())
    }

    pub fn delete_grant(&self, id: &str) -> Result<()> {
        self.conn
            .execute("DELETE FROM grants WHERE id = ?1", [id])?;
        Ok(())
    }

    /// Deletes every grant of key `key_id` (the key is gone); how many there were.
    pub fn delete_key_grants(&self, key_id: &str) -> Result<usize> {
        Ok(self
            .conn
            .execute("DELETE FROM grants WHERE key_id = ?1", [key_id])?)
    }

    /// Deletes every "until lock" grant; how many there were.
    pub fn delete_until_lock_grants(&self) -> Result<usize> {
        Ok(self
            .conn
            .execute("DELETE FROM grants WHERE until_lock <> 0", [])?)
    }

    /// SQLite's `PRAGMA data_version` of this connection: it changes when another connection
    /// commits.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    /// Empties the database (a failed restore).
    pub fn wipe(&mut self) -> Result<()> {
        self.conn
            .execute_batch("DELETE FROM keys; DELETE FROM meta; DELETE FROM audit; DELETE FROM profiles; DELETE FROM credentials; DELETE FROM apps; DELETE FROM grants;")?;
        Ok(())
    }

    pub fn remove_key(&self, id: &str) -> Result<()> {
        self.conn.execute("DELETE FROM keys WHERE id = ?1", [id])?;
        Ok(())
    }
}

#[cfg(test)]
mod migration_tests {
    use super::*;

    /// The token hash the v0 fixture's app was paired with (SHA-256 of its token).
    const V0_HASH: &str = "637fd5acf35ef77bdb9df3fd23a3a6365623b96ed7fc465117f8c7f9557fd1cb";

    /// A data dir of the shape Keyward released before schema 1 (fixtures/datadir-v0): it
    /// opens, its paired app is kept without a salt (refused until it pairs again), and the
    /// token hash is gone from every byte of the index.
    #[test]
    fn a_v0_index_opens_and_loses_its_token_hashes() {
        let dir = tempfile::tempdir().unwrap();
        let fixture =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/datadir-v0/index.sqlite3");
        std::fs::copy(&fixture, dir.path().join(DB_FILE)).unwrap();
        assert!(std::fs::read(&fixture)
            .unwrap()
            .windows(64)
            .any(|w| w == V0_HASH.as_bytes()));
        let index = Index::open(dir.path()).unwrap();
        let apps = index.apps().unwrap();
        assert_eq!(apps.len(), 1);
        assert_eq!(apps[0].id, "legacyapp1");
        assert_eq!(apps[0].token_salt, None);
        assert_eq!(index.grants(None).unwrap().len(), 1);
        let v: i64 = index
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, SCHEMA_VERSION);
        drop(index);
        for name in [DB_FILE, "index.sqlite3-wal"] {
            let bytes = std::fs::read(dir.path().join(name)).unwrap_or_default();
            assert!(
                !bytes.windows(64).any(|w| w == V0_HASH.as_bytes()),
                "the token hash is still in {name}"
            );
        }
        // Opening again is a no-op.
        let again = Index::open(dir.path()).unwrap();
        assert_eq!(again.apps().unwrap().len(), 1);
    }

    #[test]
    fn a_newer_index_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        drop(Index::open(dir.path()).unwrap());
        let c = Connection::open(dir.path().join(DB_FILE)).unwrap();
        c.execute_batch("PRAGMA user_version = 99").unwrap();
        drop(c);
        assert!(Index::open(dir.path()).is_err());
    }
}

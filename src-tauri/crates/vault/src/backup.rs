//! Backup and restore: the index and every secret in one file, encrypted under the backup
//! passphrase (`keyward_crypto::backup`). A restore creates a new vault (new vault id, new
//! vault key, every secret re-sealed), so it never shares keychain items with its source; key
//! ids, labels, tags and origins come back as they were, every key byte for byte; service
//! profiles and their credentials come back too (credentials under new keychain item names).
//! A merge adds a backup's keys, profiles and credentials to an open vault instead
//! ([`crate::Vault::merge_backup`]); [`inspect`] only reads one.
//!
//! What a backup holds and what it leaves out is [`INCLUDES`] and [`EXCLUDES`] (the UI's
//! `BACKUP_INCLUDES` and `BACKUP_EXCLUDES`, generated from them).

use crate::error::{Result, VaultError};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use keyward_crypto::{CryptoError, PrivateKey};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

pub const PAYLOAD_FORMAT: u32 = 1;

/// What a backup carries, as a screen states it.
pub const INCLUDES: &[&str] = &[
    "keys: private keys with their labels, tags, origins and usage policies",
    "service profiles (each service's URL and settings)",
    "service credentials: API keys, access tokens, passwords and sessions",
];

/// What a backup leaves out, and why, as a screen states it.
pub const EXCLUDES: &[&str] = &[
    "paired apps and their grants: their pairing secrets are tied to this vault, so apps pair again",
    "settings (idle lock, endpoint port, JWT lifetimes, links, agent approval)",
    "the activity log: a restored vault starts its own",
];

/// What a backup file holds, encrypted.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Payload {
    pub format: u32,
    pub created_at: String,
    pub source_vault_id: String,
    /// `passphrase` or `none`: the restored vault gets the same mode.
    pub source_mode: String,
    pub keys: Vec<BackupKey>,
    /// Service profiles (public settings), absent from backups made before they existed.
    #[serde(default)]
    pub profiles: Vec<BackupProfile>,
    /// The profiles' credentials, with their secrets.
    #[serde(default)]
    pub credentials: Vec<BackupCredential>,
}

/// A service profile's index row.
#[derive(Serialize, Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct BackupProfile {
    pub name: String,
    pub kind: String,
    pub json: String,
    pub created_at: String,
    pub updated_at: String,
}

/// A credential: its profile, name and secret (base64 of the plaintext).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupCredential {
    pub profile: String,
    pub name: String,
    pub created_at: String,
    pub secret: String,
}

impl Drop for BackupCredential {
    fn drop(&mut self) {
        self.secret.zeroize();
    }
}

/// One key: its index row and its sealed-form secret (base64 of `PrivateKey::to_storage`).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupKey {
    pub id: String,
    pub label: String,
    pub alg: String,
    pub fingerprint: String,
    pub created_at: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub origin: String,
    #[serde(default)]
    pub xpub: Option<String>,
    /// The usage policy (`None` = the algorithm's default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<String>,
    pub secret: String,
}

impl Drop for BackupKey {
    fn drop(&mut self) {
        self.secret.zeroize();
    }
}

/// What `backup create` returns: the file and what went into it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupFile {
    /// The encrypted file, base64 (it crosses the agent socket as JSON).
    pub file: String,
    pub keys: usize,
    pub created_at: String,
}

impl BackupFile {
    /// The encrypted file's bytes.
    pub fn bytes(&self) -> Result<Vec<u8>> {
        STANDARD
            .decode(self.file.as_bytes())
            .map_err(|_| VaultError::AgentProtocol("the backup is not base64".into()))
    }
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RestoreReport {
    pub vault_id: String,
    pub source_vault_id: String,
    pub backup_created_at: String,
    pub keys: usize,
    /// Service profiles and credentials restored with them.
    #[serde(default)]
    pub profiles: usize,
    #[serde(default)]
    pub credentials: usize,
}

/// The name a new backup is offered under: `keyward-YYYY-MM-DD.kwbackup`, dated `unix` (UTC).
pub fn file_name(unix: i64) -> String {
    format!("keyward-{}.kwbackup", utc_date(unix))
}

/// `YYYY-MM-DD` of `unix` (UTC), for dated file names.
pub(crate) fn utc_date(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .date()
        .to_string()
}

/// What a backup holds, read without writing anything ([`inspect`]): public data only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct BackupSummary {
    /// When the backup was made (RFC 3339).
    pub created_at: String,
    /// The vault it was made from.
    pub source_vault_id: String,
    /// `passphrase` or `none`: the mode a vault restored from it gets.
    pub source_mode: String,
    /// How many keys, service profiles and credentials it holds.
    pub keys: usize,
    pub profiles: usize,
    pub credentials: usize,
    /// Its keys, oldest first.
    pub key_list: Vec<BackupKeyView>,
    /// Its service profiles, by name.
    pub profile_list: Vec<BackupProfileView>,
}

/// A key in a backup: what identifies it, no secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct BackupKeyView {
    pub id: String,
    pub label: String,
    pub alg: String,
    pub fingerprint: String,
    pub created_at: String,
}

/// A service profile in a backup, and how many credentials it has there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct BackupProfileView {
    pub name: String,
    pub kind: String,
    pub credentials: usize,
}

/// What a merge into an open vault did ([`crate::Vault::merge_backup`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct MergeReport {
    pub source_vault_id: String,
    pub backup_created_at: String,
    pub keys_added: usize,
    pub keys_skipped: usize,
    pub profiles_added: usize,
    pub profiles_skipped: usize,
    /// Credentials of the added profiles; those of a skipped profile are skipped with it.
    pub credentials_added: usize,
    pub credentials_skipped: usize,
    /// The keys left out: this vault has them already.
    pub skipped_keys: Vec<SkippedKey>,
    /// The profiles left out: this vault has a profile of that name (kept as it is).
    pub skipped_profiles: Vec<String>,
}

/// A key a merge left out, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SkippedKey {
    pub id: String,
    pub label: String,
    /// `sameId` or `sameFingerprint`: the vault holds a key with this id, or the same key under
    /// another id.
    pub reason: SkipReason,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum SkipReason {
    SameId,
    SameFingerprint,
}

/// Decrypts and checks a backup completely (as a restore would, every key parsed and matched
/// with its fingerprint) and says what it holds. Writes nothing and needs no vault: it works
/// while locked, and before any vault exists.
pub fn inspect(file: &[u8], passphrase: &[u8]) -> Result<BackupSummary> {
    let (payload, keys) = open_and_check(file, passphrase)?;
    check_credentials(&payload)?;
    let profile_list = payload
        .profiles
        .iter()
        .map(|p| BackupProfileView {
            name: p.name.clone(),
            kind: p.kind.clone(),
            credentials: payload
                .credentials
                .iter()
                .filter(|c| c.profile == p.name)
                .count(),
        })
        .collect();
    Ok(BackupSummary {
        created_at: payload.created_at.clone(),
        source_vault_id: payload.source_vault_id.clone(),
        source_mode: payload.source_mode.clone(),
        keys: keys.len(),
        profiles: payload.profiles.len(),
        credentials: payload.credentials.len(),
        key_list: keys
            .iter()
            .map(|k| BackupKeyView {
                id: k.key.id.clone(),
                label: k.key.label.clone(),
                alg: k.key.alg.clone(),
                fingerprint: k.key.fingerprint.clone(),
                created_at: k.key.created_at.clone(),
            })
            .collect(),
        profile_list,
    })
}

/// Every credential's secret decodes, and no profile has two of one name.
pub(crate) fn check_credentials(payload: &Payload) -> Result<()> {
    let mut seen = std::collections::BTreeSet::new();
    for c in &payload.credentials {
        if !seen.insert((c.profile.as_str(), c.name.as_str())) {
            return Err(corrupt("a credential is repeated"));
        }
        let mut plain = STANDARD
            .decode(c.secret.as_bytes())
            .map_err(|_| corrupt("a credential is not base64"))?;
        plain.zeroize();
    }
    Ok(())
}

/// A credential's secret, decoded ([`check_credentials`] checked it decodes).
pub(crate) fn credential_secret(c: &BackupCredential) -> Result<Zeroizing<Vec<u8>>> {
    Ok(Zeroizing::new(
        STANDARD
            .decode(c.secret.as_bytes())
            .map_err(|_| corrupt("a credential is not base64"))?,
    ))
}

/// A backup file on the agent's wire: base64 (a JSON array of numbers would be four times
/// longer).
pub(crate) mod wire_bytes {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        STANDARD
            .decode(text.as_bytes())
            .map_err(|_| serde::de::Error::custom("the backup is not base64"))
    }
}

/// A key checked and ready to be re-sealed.
pub(crate) struct Checked {
    pub key: BackupKey,
    pub blob: Zeroizing<Vec<u8>>,
    pub spki: Vec<u8>,
}

impl Checked {
    /// Its index row, as it was in the vault the backup came from.
    pub(crate) fn row(&self) -> crate::index::KeyRow {
        crate::index::KeyRow {
            id: self.key.id.clone(),
            label: self.key.label.clone(),
            alg: self.key.alg.clone(),
            spki: self.spki.clone(),
            fingerprint: self.key.fingerprint.clone(),
            created_at: self.key.created_at.clone(),
            deleted_at: None,
            tags: self.key.tags.clone(),
            xpub: self.key.xpub.clone(),
            origin: self.key.origin.clone(),
            usage: self.key.usage.clone(),
        }
    }
}

fn corrupt(what: impl Into<String>) -> VaultError {
    VaultError::Crypto(CryptoError::BackupContents(what.into()))
}

/// Decrypts and checks a backup without restoring it: the number of keys it holds. (The
/// restore's own check, public for the fuzz target.)
pub fn check_backup(file: &[u8], passphrase: &[u8]) -> Result<usize> {
    open_and_check(file, passphrase).map(|(_, keys)| keys.len())
}

/// Decrypts and checks a backup completely before anything is written: every secret parses,
/// and matches the algorithm and fingerprint its row claims; ids are unique.
pub(crate) fn open_and_check(file: &[u8], passphrase: &[u8]) -> Result<(Payload, Vec<Checked>)> {
    let plain = keyward_crypto::backup::open_backup(file, passphrase)?;
    // Parser messages can quote the input; they are not passed on.
    let mut payload: Payload = serde_json::from_slice(&plain)
        .map_err(|e| corrupt(format!("not a Keyward backup payload (line {})", e.line())))?;
    if payload.format != PAYLOAD_FORMAT {
        return Err(corrupt(format!("payload format {}", payload.format)));
    }
    if !matches!(payload.source_mode.as_str(), "passphrase" | "none") {
        return Err(corrupt("unknown vault mode"));
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut checked = Vec::with_capacity(payload.keys.len());
    for key in std::mem::take(&mut payload.keys) {
        let valid_id = key.id.len() == 16 && key.id.bytes().all(|b| b.is_ascii_hexdigit());
        if !valid_id || !seen.insert(key.id.clone()) {
            return Err(corrupt("a key id is invalid or repeated"));
        }
        let blob = Zeroizing::new(
            STANDARD
                .decode(key.secret.as_bytes())
                .map_err(|_| corrupt(format!("key {}: the secret is not base64", key.id)))?,
        );
        let private = PrivateKey::from_storage(&blob)
            .map_err(|_| corrupt(format!("key {}: the secret is not a key", key.id)))?;
        let public = private.public();
        if public.fingerprint() != key.fingerprint || private.alg().as_str() != key.alg {
            return Err(corrupt(format!(
                "key {}: the secret does not match its fingerprint",
                key.id
            )));
        }
        checked.push(Checked {
            spki: public.spki_der(),
            key,
            blob,
        });
    }
    Ok((payload, checked))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_backup_is_offered_under_a_dated_name() {
        // 2025-03-04T05:06:07Z
        assert_eq!(
            super::file_name(1_741_064_767),
            "keyward-2025-03-04.kwbackup"
        );
    }
}

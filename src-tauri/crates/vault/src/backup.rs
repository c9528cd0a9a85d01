//! Backup and restore: the index and every secret in one file, encrypted under the backup
//! passphrase (`keyward_crypto::backup`). A restore creates a new vault (new vault id, new
//! vault key, every secret re-sealed), so it never shares keychain items with its source; key
//! ids, labels, tags and origins come back as they were, every key byte for byte; service
//! profiles and their credentials come back too (credentials under new keychain item names).

use crate::error::{Result, VaultError};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use keyward_crypto::{CryptoError, PrivateKey};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

pub const PAYLOAD_FORMAT: u32 = 1;

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

/// A key checked and ready to be re-sealed.
pub(crate) struct Checked {
    pub key: BackupKey,
    pub blob: Zeroizing<Vec<u8>>,
    pub spki: Vec<u8>,
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

//! The operations a vault offers, as one trait served both in-process ([`crate::Vault`]) and
//! through the agent ([`crate::agent::AgentClient`]). Every type here is public data, except
//! the passphrase going in and an explicit private export coming out.

use crate::error::Result;
use keyward_crypto::keys::Jwk;
use keyward_crypto::KeyAlg;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    pub initialized: bool,
    pub locked: bool,
    /// `passphrase` or `none` (the vault key kept unwrapped in the keychain).
    pub mode: Option<String>,
    pub vault_id: Option<String>,
    pub data_dir: String,
    pub key_count: Option<u64>,
    /// Whether this answer came from a running agent.
    #[serde(default)]
    pub agent: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyInfo {
    pub id: String,
    pub label: String,
    pub alg: String,
    pub fingerprint: String,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyDetail {
    #[serde(flatten)]
    pub info: KeyInfo,
    pub public_pem: String,
    pub jwk: Jwk,
}

/// A QR code of a key's public data, rendered as SVG.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QrView {
    /// The text the symbol carries.
    pub payload: String,
    pub svg: String,
    /// `L`, `M`, `Q` or `H`, chosen for the payload.
    pub ec_level: String,
    pub version: i16,
    pub modules: usize,
}

impl QrView {
    pub fn of(payload: String) -> Result<QrView> {
        let qr = keyward_crypto::qr::Qr::encode(payload.as_bytes())?;
        Ok(QrView {
            svg: qr.svg(8),
            ec_level: qr.ec_level().to_string(),
            version: qr.version(),
            modules: qr.modules(),
            payload,
        })
    }
}

/// Public export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PublicFormat {
    Pem,
    Jwk,
    Fingerprint,
}

/// Private export formats (explicit action only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PrivateFormat {
    Pem,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Problem {
    /// An index row whose keychain item is gone.
    RowWithoutItem { id: String, label: String },
    /// A keychain item of this vault with no index row.
    ItemWithoutRow { account: String },
    /// A delete that did not finish (the row waits for its item to go).
    Tombstone { id: String, label: String },
    /// The vault key item itself is missing.
    VaultKeyMissing,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DoctorReport {
    pub healthy: bool,
    pub vault_id: String,
    pub rows: usize,
    pub items: usize,
    pub problems: Vec<Problem>,
}

/// What the CLI, the app and the agent ask of a vault.
pub trait Backend {
    fn status(&mut self) -> Result<Status>;
    /// `None` for a vault in "no passphrase" mode.
    fn unlock(&mut self, passphrase: Option<Zeroizing<String>>) -> Result<Status>;
    fn lock(&mut self) -> Result<Status>;
    fn key_list(&mut self) -> Result<Vec<KeyInfo>>;
    fn key_generate(&mut self, alg: KeyAlg, label: Option<String>) -> Result<KeyInfo>;
    fn key_import(&mut self, text: Zeroizing<String>, label: Option<String>) -> Result<KeyInfo>;
    fn key_show(&mut self, key: &str) -> Result<KeyDetail>;
    fn key_export(&mut self, key: &str, format: PublicFormat) -> Result<String>;
    /// A QR code of the key's public data (see `PublicKey::qr_payload`).
    fn key_qr(&mut self, key: &str) -> Result<QrView>;
    fn key_export_private(&mut self, key: &str, format: PrivateFormat)
        -> Result<Zeroizing<String>>;
    fn key_rename(&mut self, key: &str, label: &str) -> Result<KeyInfo>;
    fn key_delete(&mut self, key: &str) -> Result<KeyInfo>;
}

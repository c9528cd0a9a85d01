//! The operations a vault offers, as one trait served both in-process ([`crate::Vault`]) and
//! through the agent ([`crate::agent::AgentClient`]). Every type here is public data, except
//! the passphrase going in and an explicit private export coming out.

pub use crate::audit::{AuditEntry, AuditFilter, AuditProblem, AuditReport};
pub use crate::backup::{BackupFile, RestoreReport};
use crate::error::Result;
pub use crate::ops::Backend;
use keyward_core::Secret;
pub use keyward_crypto::jwt::{MintOptions, Minted, Mode as JwtMode, Verified, VerifyOptions};
use keyward_crypto::keys::Jwk;
pub use keyward_crypto::sign::{Encoding, JwsAlg, Scheme, Signature, Usage, Verdict};
pub use keyward_crypto::{ImportFormat, KeyAlg, PrivateFormat, PublicFormat};
use serde::{Deserialize, Serialize};

/// What is signed or verified, as the user gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", tag = "kind", content = "value")]
pub enum SignInput {
    /// Text, signed as its UTF-8 bytes.
    Message(String),
    /// Bytes as hex (`0x` optional), signed as they are.
    Hex(String),
    /// A precomputed digest as hex (raw and eos schemes only).
    Digest(String),
}

impl SignInput {
    /// The bytes, and whether they are a digest.
    pub fn bytes(&self) -> Result<(Vec<u8>, bool)> {
        let hex_of = |h: &str, what: &str| -> Result<Vec<u8>> {
            let t = h.trim();
            let t = t.strip_prefix("0x").unwrap_or(t);
            hex::decode(t).map_err(|_| {
                crate::VaultError::from(keyward_crypto::CryptoError::BadSignatureInput(format!(
                    "the {what} is not hex (an even number of 0-9a-f digits)"
                )))
            })
        };
        Ok(match self {
            SignInput::Message(m) => (m.as_bytes().to_vec(), false),
            SignInput::Hex(h) => (hex_of(h, "hex input")?, false),
            SignInput::Digest(h) => (hex_of(h, "digest")?, true),
        })
    }
}

impl VerifyRequest {
    /// Verifies against `stored` (the public key of `key`, looked up by the caller) or the
    /// address or public key the request carries. Public data only: needs no vault when the
    /// request names no stored key.
    pub fn verify(&self, stored: Option<keyward_crypto::PublicKey>) -> Result<Verdict> {
        use keyward_crypto::sign::{self, Payload, VerifyWith};
        let with = match (stored, &self.address, &self.pubkey) {
            (Some(k), None, None) => VerifyWith::Key(Box::new(k)),
            (None, Some(a), None) => VerifyWith::Address(a.clone()),
            (None, None, Some(p)) => {
                let hint = self.pubkey_alg.or(self.scheme.implied_alg());
                VerifyWith::Key(Box::new(keyward_crypto::PublicKey::from_text(p, hint)?))
            }
            _ => {
                return Err(crate::VaultError::Usage(
                    "give exactly one of a key, an address or a public key".into(),
                ))
            }
        };
        let (bytes, is_digest) = self.input.bytes()?;
        let payload = if is_digest {
            Payload::Digest(&bytes)
        } else {
            Payload::Message(&bytes)
        };
        let sig = sign::decode_signature(self.scheme, &self.signature)?;
        Ok(sign::verify(self.scheme, payload, &sig, &with)?)
    }
}

/// Sign `input` with `key` under `scheme`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SignRequest {
    pub key: String,
    pub scheme: Scheme,
    pub input: SignInput,
    #[serde(default)]
    pub encoding: Encoding,
}

/// Check `signature` over `input` against a stored key, an address, or a public key given as
/// text (PEM, JWK, EOS public key, SEC1 hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
// Its `Option` fields have a default: they may be left out.
#[ts(optional_fields = nullable)]
pub struct VerifyRequest {
    pub scheme: Scheme,
    pub input: SignInput,
    pub signature: String,
    #[serde(default)]
    pub key: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub pubkey: Option<String>,
    /// The curve of a hex public key, where its length leaves it open.
    #[serde(default)]
    pub pubkey_alg: Option<KeyAlg>,
}

/// Verify a JWT against a stored key or a public key given as text.
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
// Its `Option` fields have a default: they may be left out.
#[ts(optional_fields = nullable)]
pub struct JwtVerifyRequest {
    pub token: String,
    #[serde(default)]
    pub key: Option<String>,
    #[serde(default)]
    pub pubkey: Option<String>,
    pub options: VerifyOptions,
}

/// A named profile of a remote service: where it is and how to talk to it. Public data only;
/// its secrets are credentials, sealed in the keychain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub name: String,
    /// `engine`, … (what `keyward-services` knows how to speak).
    pub kind: String,
    pub base_url: String,
    /// Kind-specific settings: paths, header names, a pinned response-signing key, registered
    /// keypairs, lifetimes.
    #[serde(default)]
    #[ts(type = "unknown")]
    pub settings: serde_json::Value,
    #[serde(default)]
    pub credentials: Vec<CredentialInfo>,
    #[serde(default)]
    pub created_at: String,
    #[serde(default)]
    pub updated_at: String,
}

/// A stored credential's name and age (never its value).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct CredentialInfo {
    pub name: String,
    pub created_at: String,
}

/// A paired third-party app (public data; its token salt goes only to the endpoint, through
/// [`crate::Vault::app_auth`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PairedApp {
    pub id: String,
    /// The name the app gave at pairing (1-64 characters, no control or bidi characters).
    pub name: String,
    /// The web origin it pairs from, when it has one.
    pub origin: Option<String>,
    /// Ids of the keys it may use; `None`: any key.
    pub keys: Option<Vec<String>>,
    /// Unix seconds.
    #[ts(type = "number")]
    pub created_at: i64,
    /// Unix seconds of its last authenticated request.
    #[ts(type = "number | null")]
    pub last_seen: Option<i64>,
}

/// A grant the approval crate made, stored as opaque JSON (`body`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct StoredGrant {
    pub id: String,
    pub app_id: String,
    pub key_id: String,
    /// Dropped when the vault locks.
    pub until_lock: bool,
    #[ts(type = "unknown")]
    pub body: serde_json::Value,
    /// Unix seconds.
    #[ts(type = "number")]
    pub created_at: i64,
    /// Unix seconds; `None`: no time limit.
    #[ts(type = "number | null")]
    pub expires_at: Option<i64>,
}

/// A signed SIWE message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SiweSigned {
    pub message: String,
    /// 0x-hex of r ‖ s ‖ v.
    pub signature: String,
    pub address: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    pub initialized: bool,
    pub locked: bool,
    /// `passphrase` or `none` (the vault key kept unwrapped in the keychain).
    pub mode: Option<String>,
    pub vault_id: Option<String>,
    pub data_dir: String,
    #[ts(type = "number | null")]
    pub key_count: Option<u64>,
    /// Whether this answer came from a running agent.
    #[serde(default)]
    pub agent: bool,
    /// Why the vault locked, while it is locked (none at start, or once unlocked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub locked_by: Option<LockReason>,
}

/// Why a vault locked: what the unlock screen tells the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "kebab-case")]
pub enum LockReason {
    /// A program asked (`keyward-cli lock` through the agent).
    Request,
    /// The user, in the app's window (the Lock button or Ctrl+L).
    Window,
    /// The tray menu.
    Tray,
    /// No use for the idle time set.
    Idle,
    /// The screen locked.
    ScreenLock,
    /// The machine went to sleep.
    Suspend,
}

impl LockReason {
    /// For the audit log: `vault locked (idle)`.
    pub fn as_str(self) -> &'static str {
        match self {
            LockReason::Request => "asked by a program",
            LockReason::Window => "from the window",
            LockReason::Tray => "from the tray",
            LockReason::Idle => "idle",
            LockReason::ScreenLock => "the screen locked",
            LockReason::Suspend => "the machine slept",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct KeyInfo {
    pub id: String,
    pub label: String,
    pub alg: String,
    pub fingerprint: String,
    pub created_at: String,
    #[serde(default)]
    pub tags: Vec<String>,
    /// `generated`, or the import format (a mnemonic's with its path: `mnemonic m/44'/60'/0'/0/0`).
    #[serde(default)]
    pub origin: String,
    /// What the key may sign (its usage policy): `raw`, `eip191`, `siwe`, `bsm`, `eos`,
    /// `ed25519`, `jwt`.
    #[serde(default)]
    // Written from the key's `UsagePolicy`: only `Usage` names.
    #[ts(as = "Vec<Usage>")]
    pub usage: Vec<String>,
    /// A wallet key's address, what its owner recognises it by (secp256k1: the Ethereum
    /// address, or the Bitcoin or EOS one when its derivation path is that chain's); none for
    /// other keys, which go by their fingerprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub address: Option<PublicView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct KeyDetail {
    #[serde(flatten)]
    pub info: KeyInfo,
    pub public_pem: String,
    pub jwk: Jwk,
    /// Every public form of the key (addresses, OpenSSH line, xpub, fingerprint, …).
    pub exports: Vec<PublicView>,
    /// The format a QR code of this key shows unless another is asked for.
    pub qr_default: PublicFormat,
}

/// What an import would add, shown before it is kept (nothing stored, nothing logged).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportPreview {
    pub alg: String,
    pub fingerprint: String,
    /// As [`KeyInfo::origin`]: the format, and a mnemonic's path.
    pub origin: String,
    /// A wallet key's address (see [`KeyInfo::address`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub address: Option<PublicView>,
}

/// One public form of a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PublicView {
    pub format: PublicFormat,
    pub title: String,
    pub value: String,
}

/// A key to generate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
// Its `Option` fields have a default: they may be left out.
#[ts(optional_fields = nullable)]
pub struct GenerateRequest {
    pub alg: KeyAlg,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
}

/// A key to import. Holds secrets, so neither `Debug` nor `Clone`.
#[derive(Serialize, Deserialize, Default, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
// Its `Option` fields have a default: they may be left out.
#[ts(optional_fields = nullable)]
pub struct ImportRequest {
    #[serde(with = "keyward_core::secret::wire")]
    #[ts(type = "string")]
    pub text: Secret,
    #[serde(default)]
    pub format: ImportFormat,
    /// The curve of a raw hex key.
    #[serde(default)]
    pub alg: Option<KeyAlg>,
    /// A mnemonic's derivation path or preset (`eth`, `eos:2`, `m/44'/0'/0'/0/0`).
    #[serde(default)]
    pub path: Option<String>,
    /// The input's own passphrase (never the vault's); a mnemonic's BIP39 passphrase.
    #[serde(default, with = "keyward_core::secret::wire")]
    #[ts(type = "string | null", optional = nullable)]
    pub passphrase: Option<Secret>,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
}

/// Which keys `key_list` returns.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
// Its `Option` fields have a default: they may be left out.
#[ts(optional_fields = nullable)]
pub struct ListFilter {
    #[serde(default)]
    pub alg: Option<KeyAlg>,
    #[serde(default)]
    pub tag: Option<String>,
}

/// A QR code of a key's public data, rendered as SVG.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
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

/// One thing `doctor --repair` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Repair {
    /// A found item of this vault opened as a key; its row is back.
    RowRecovered { id: String },
    /// An interrupted delete was finished.
    DeleteFinished { id: String },
    /// (Confirmed) an item that is not a key of this vault was deleted.
    OrphanDeleted { account: String },
    /// (Confirmed) the row of a key whose secret is gone was removed.
    DeadRowRemoved { id: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RepairReport {
    pub done: Vec<Repair>,
    /// Destructive repairs left undone: run again with confirmation.
    pub needs_confirmation: Vec<Problem>,
    /// The state after the repair.
    pub after: DoctorReport,
}

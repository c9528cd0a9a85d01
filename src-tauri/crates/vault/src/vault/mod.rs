//! The vault: the vault key, the lock, and keys kept as sealed keychain items.

use crate::api::*;
use crate::audit::{self, Anchor, AuditEntry, AuditFilter, AuditReport, ANCHOR_ACCOUNT};
use crate::error::{Result, VaultError};
use crate::index::{Index, KeyRow};
use crate::store::{KeychainStore, SecretStore};
use keyward_core::{Clock, SystemClock};
use keyward_crypto::seal::{KdfParams, VaultKey, WrappedKey};
use keyward_crypto::sign::UsagePolicy;
use keyward_crypto::KeyAlg;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use zeroize::Zeroizing;

mod approvals;
mod backend;
mod backups;
mod doctor;
mod keys;
mod lock;
mod profiles;
pub(crate) mod settings;
mod signing;
#[cfg(test)]
mod tests;

pub use approvals::{at_text, KeyFacts, PROGRAM_GRANT_APP};

/// Keychain account of the (wrapped) vault key.
pub const VAULT_KEY_ACCOUNT: &str = "vault-key";
const MIN_PASSPHRASE: usize = 8;

/// How the vault key sits in the keychain.
#[derive(Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "lowercase")]
enum StoredVaultKey {
    Passphrase {
        v: u32,
        wrapped: WrappedKey,
    },
    /// Explicit "no passphrase" mode: the key itself, for automation.
    None {
        v: u32,
        key: Zeroizing<String>,
    },
}

pub struct Vault {
    dir: PathBuf,
    index: Index,
    store: Arc<dyn SecretStore>,
    vault_id: Option<String>,
    mode: Option<String>,
    key: Option<VaultKey>,
    kdf: KdfParams,
    /// Who acts, for the audit log: `cli`, `agent` or `app`.
    actor: &'static str,
    /// Entries appended since the last anchor.
    audit_dirty: bool,
    last_anchor: Option<std::time::Instant>,
    /// Bumped by every change this process makes to paired apps' rights and to grants, and by
    /// each lock: half of [`Vault::approvals_stamp`].
    approvals_changes: u64,
    /// Every "now" of the vault (timestamps, grant and token lifetimes).
    clock: Arc<dyn Clock>,
    /// Why the vault last locked, while it stays locked (the unlock screen says it).
    locked_by: Option<LockReason>,
}

impl Drop for Vault {
    /// On exit the audit anchor catches up (when the vault key is at hand).
    fn drop(&mut self) {
        let _ = self.anchor_if_dirty();
    }
}

/// Keychain service string of a vault.
pub fn service_name(vault_id: &str) -> String {
    format!("keyward-{vault_id}")
}

fn check_label(label: &str) -> Result<String> {
    let l = label.trim();
    if l.is_empty() || l.chars().count() > 100 {
        return Err(VaultError::BadLabel("1 to 100 characters".into()));
    }
    if l.chars().any(|c| c.is_control()) {
        return Err(VaultError::BadLabel(
            "control characters are not allowed".into(),
        ));
    }
    Ok(l.to_string())
}

/// Tags: lower case, 1 to 32 of `a-z 0-9 - _ . :`, at most 32 on a key.
fn check_tags(tags: &[String]) -> Result<Vec<String>> {
    let mut out = BTreeSet::new();
    for t in tags {
        let t = t.trim().to_lowercase();
        let ok = !t.is_empty()
            && t.len() <= 32
            && t.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.:".contains(c));
        if !ok {
            return Err(VaultError::BadTag(
                "1 to 32 of a-z, 0-9, -, _, . and :".into(),
            ));
        }
        out.insert(t);
    }
    if out.len() > 32 {
        return Err(VaultError::BadTag("at most 32 tags on a key".into()));
    }
    Ok(out.into_iter().collect())
}

fn info(row: &KeyRow) -> KeyInfo {
    KeyInfo {
        id: row.id.clone(),
        label: row.label.clone(),
        alg: row.alg.clone(),
        fingerprint: row.fingerprint.clone(),
        created_at: row.created_at.clone(),
        tags: row.tags.clone(),
        origin: row.origin.clone(),
        usage: policy_of(row)
            .0
            .iter()
            .map(|u| u.as_str().to_string())
            .collect(),
        address: address_of(row),
    }
}

/// A wallet key's address (see [`KeyInfo::address`]), from its index row.
fn address_of(row: &KeyRow) -> Option<PublicView> {
    let alg = KeyAlg::parse(&row.alg).ok()?;
    if alg != KeyAlg::Secp256k1 {
        return None;
    }
    let public = keyward_crypto::PublicKey::from_spki_der(&row.spki).ok()?;
    address_for(alg, &row.origin, &public)
}

/// A wallet key's address: for secp256k1, the chain its derivation path names (BIP44 coin 0
/// Bitcoin, 194 EOS), else Ethereum's; none for other keys.
pub(crate) fn address_for(
    alg: KeyAlg,
    origin: &str,
    public: &keyward_crypto::PublicKey,
) -> Option<PublicView> {
    use keyward_crypto::PublicFormat;
    if alg != KeyAlg::Secp256k1 {
        return None;
    }
    let path = origin.strip_prefix("mnemonic ").unwrap_or("");
    let coin = path
        .split('/')
        .nth(2)
        .map(|c| c.trim_end_matches(['\'', 'h']));
    let format = match coin {
        Some("0") => PublicFormat::Btc,
        Some("194") => PublicFormat::Eos,
        _ => PublicFormat::Eth,
    };
    let value = public.export(format, "").ok()?;
    Some(PublicView {
        format,
        title: format.title().to_string(),
        value,
    })
}

/// A row's effective usage policy.
fn policy_of(row: &KeyRow) -> UsagePolicy {
    match KeyAlg::parse(&row.alg) {
        Ok(alg) => UsagePolicy::from_stored(row.usage.as_deref(), alg),
        Err(_) => UsagePolicy(vec![]),
    }
}

impl Vault {
    /// Now, as the index stores it (RFC 3339, UTC, to the nanosecond).
    fn now(&self) -> String {
        time::OffsetDateTime::from_unix_timestamp_nanos(self.clock.now_nanos())
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
            .format(&time::format_description::well_known::Rfc3339)
            .expect("formatting a time cannot fail")
    }

    /// Now, in unix seconds.
    fn unix_now(&self) -> i64 {
        self.clock.now()
    }

    /// Sets the clock every "now" of the vault comes from (tests move a `ManualClock`).
    pub fn set_clock(&mut self, clock: Arc<dyn Clock>) {
        self.clock = clock;
    }

    /// Opens the vault of the default data dir on the OS keychain.
    pub fn open_default() -> Result<Vault> {
        Vault::open(&crate::paths::data_dir()?, Arc::new(KeychainStore::new()))
    }

    /// Opens (without unlocking) the vault in `dir`; creates the index when missing.
    pub fn open(dir: &Path, store: Arc<dyn SecretStore>) -> Result<Vault> {
        let index = Index::open(dir)?;
        let vault_id = index.meta("vault_id")?;
        let mode = index.meta("mode")?;
        Ok(Vault {
            dir: dir.to_path_buf(),
            index,
            store,
            vault_id,
            mode,
            key: None,
            kdf: KdfParams::default(),
            actor: "cli",
            audit_dirty: false,
            last_anchor: None,
            approvals_changes: 0,
            clock: Arc::new(SystemClock),
            locked_by: None,
        })
    }

    /// Names who acts in audit entries: `cli`, `agent` or `app`.
    pub fn set_actor(&mut self, actor: &'static str) {
        self.actor = actor;
    }

    /// Appends an audit entry; anchors the chain when the last anchor is older than
    /// [`audit::ANCHOR_INTERVAL`] and the vault key is at hand.
    fn log(&mut self, action: &str, key_id: Option<&str>, summary: &str) -> Result<()> {
        let at = self.now();
        audit::append(
            self.index.conn_mut(),
            &at,
            self.actor,
            action,
            key_id,
            summary,
        )?;
        self.appended()
    }

    /// After an append: the chain is dirty; anchors it when an anchor is due and the vault key
    /// is at hand.
    fn appended(&mut self) -> Result<()> {
        self.audit_dirty = true;
        let due = self
            .last_anchor
            .is_none_or(|t| t.elapsed() >= audit::ANCHOR_INTERVAL);
        if due && self.key.is_some() {
            self.anchor()?;
        }
        Ok(())
    }

    /// Seals the chain's head into the keychain.
    fn anchor(&mut self) -> Result<()> {
        if let Some((seq, hash)) = audit::head(self.index.conn())? {
            let a = Anchor {
                seq,
                hash,
                at: self.now(),
            };
            let blob = Zeroizing::new(serde_json::to_vec(&a).expect("an anchor serialises"));
            self.put_secret(ANCHOR_ACCOUNT, &blob)?;
        }
        self.audit_dirty = false;
        self.last_anchor = Some(std::time::Instant::now());
        Ok(())
    }

    /// Anchors what was appended since the last anchor, if the vault key is at hand.
    pub fn anchor_if_dirty(&mut self) -> Result<()> {
        if self.audit_dirty && self.key.is_some() && self.vault_id.is_some() {
            self.anchor()?;
        }
        Ok(())
    }

    fn read_anchor(&self) -> Result<Option<std::result::Result<Anchor, ()>>> {
        match self.get_secret(ANCHOR_ACCOUNT) {
            Ok(blob) => Ok(Some(serde_json::from_slice(&blob).map_err(|_| ()))),
            Err(VaultError::MissingItem(_)) => Ok(None),
            Err(VaultError::Crypto(_)) => Ok(Some(Err(()))),
            Err(e) => Err(e),
        }
    }

    /// Entries, newest first. Needs no vault key.
    pub fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        self.id()?;
        audit::list(self.index.conn(), filter)
    }

    /// Checks the chain; against the keychain anchor when the vault is unlocked.
    pub fn audit_check(&mut self) -> Result<AuditReport> {
        self.id()?;
        if self.key.is_some() {
            // What this process appended is anchored first, so it is not reported as
            // unanchored.
            self.anchor_if_dirty()?;
            let anchor = self.read_anchor()?;
            audit::verify(self.index.conn(), anchor, true)
        } else {
            audit::verify(self.index.conn(), None, false)
        }
    }

    /// Overrides the Argon2id cost of a vault about to be created (tests, slow machines).
    pub fn set_kdf_params(&mut self, p: KdfParams) {
        self.kdf = p;
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn vault_id(&self) -> Option<&str> {
        self.vault_id.as_deref()
    }

    pub fn is_locked(&self) -> bool {
        self.key.is_none()
    }

    /// Fails with `vault.not_initialized` when no vault exists in this data dir.
    pub fn ensure_initialized(&self) -> Result<()> {
        self.id().map(|_| ())
    }

    /// Whether unlocking needs a passphrase (false in the explicit "no passphrase" mode).
    pub fn needs_passphrase(&self) -> bool {
        self.mode.as_deref() == Some("passphrase")
    }

    fn id(&self) -> Result<&str> {
        self.vault_id
            .as_deref()
            .ok_or_else(|| VaultError::NotInitialized(self.dir.display().to_string()))
    }

    fn service(&self) -> Result<String> {
        Ok(service_name(self.id()?))
    }

    fn vault_key(&self) -> Result<&VaultKey> {
        self.id()?;
        self.key.as_ref().ok_or(VaultError::Locked)
    }
}

#[cfg(test)]
mod address_tests {
    use super::*;
    use keyward_crypto::{PrivateKey, PublicFormat};

    // Hardhat's account #0 (its documented default accounts): the key and its address.
    const HARDHAT_0: &str = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    const HARDHAT_0_ADDRESS: &str = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

    fn row(alg: KeyAlg, spki: Vec<u8>, origin: &str) -> KeyRow {
        KeyRow {
            id: "k".into(),
            label: "k".into(),
            alg: alg.as_str().into(),
            spki,
            fingerprint: String::new(),
            created_at: String::new(),
            deleted_at: None,
            tags: vec![],
            xpub: None,
            origin: origin.into(),
            usage: None,
        }
    }

    #[test]
    fn a_wallet_key_goes_by_the_address_of_its_chain() {
        let secret = hex::decode(HARDHAT_0).unwrap();
        let public = PrivateKey::from_raw(KeyAlg::Secp256k1, &secret)
            .unwrap()
            .public();
        let spki = public.spki_der();
        let eth = address_of(&row(KeyAlg::Secp256k1, spki.clone(), "hex")).unwrap();
        assert_eq!(eth.format, PublicFormat::Eth);
        assert_eq!(eth.value, HARDHAT_0_ADDRESS);
        let btc = address_of(&row(
            KeyAlg::Secp256k1,
            spki.clone(),
            "mnemonic m/44'/0'/0'/0/0",
        ));
        assert_eq!(
            btc.unwrap().value,
            public.export(PublicFormat::Btc, "").unwrap()
        );
        let eos = address_of(&row(KeyAlg::Secp256k1, spki, "mnemonic m/44h/194h/0h/0/0"));
        assert_eq!(eos.unwrap().format, PublicFormat::Eos);
    }

    #[test]
    fn other_keys_have_no_address() {
        let public = PrivateKey::generate(KeyAlg::P256).unwrap().public();
        assert!(address_of(&row(KeyAlg::P256, public.spki_der(), "generated")).is_none());
    }
}

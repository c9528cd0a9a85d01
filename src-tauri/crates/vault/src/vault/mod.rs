// Size: over 800 lines; issue 14 turns it into a `vault/` directory without `#[path]`
// (lock, keys, items, doctor apart).

//! The vault: the vault key, the lock, and keys kept as sealed keychain items.

use crate::api::*;
use crate::audit::{self, Anchor, AuditEntry, AuditFilter, AuditReport, ANCHOR_ACCOUNT};
use crate::error::{Result, VaultError};
use crate::index::{Index, KeyRow};
use crate::store::{KeychainStore, SecretStore, MAX_ITEM_BYTES};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use keyward_crypto::seal::{self, KdfParams, VaultKey, WrappedKey};
use keyward_crypto::sign::UsagePolicy;
use keyward_crypto::KeyAlg;
use keyward_crypto::{import, Coded, PrivateKey, PublicKey};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use zeroize::Zeroizing;

#[path = "approvals.rs"]
mod approvals;
#[path = "profiles.rs"]
mod profiles;
#[path = "settings.rs"]
pub(crate) mod settings;

pub use approvals::{at_text, KeyFacts, PROGRAM_GRANT_APP};
#[path = "signing.rs"]
mod signing;

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

fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .expect("formatting the current time cannot fail")
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
    }
}

/// A row's effective usage policy.
fn policy_of(row: &KeyRow) -> UsagePolicy {
    match KeyAlg::parse(&row.alg) {
        Ok(alg) => UsagePolicy::from_stored(row.usage.as_deref(), alg),
        Err(_) => UsagePolicy(vec![]),
    }
}

impl Vault {
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
        })
    }

    /// Names who acts in audit entries: `cli`, `agent` or `app`.
    pub fn set_actor(&mut self, actor: &'static str) {
        self.actor = actor;
    }

    /// Appends an audit entry; anchors the chain when the last anchor is older than
    /// [`audit::ANCHOR_INTERVAL`] and the vault key is at hand.
    fn log(&mut self, action: &str, key_id: Option<&str>, summary: &str) -> Result<()> {
        audit::append(
            self.index.conn_mut(),
            &now(),
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
                at: now(),
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

    /// Creates the vault: a random id and vault key, wrapped under `passphrase`, or kept
    /// unwrapped when `passphrase` is `None` (the explicit "no passphrase" mode).
    /// The keychain item is written first; the index only after it succeeded.
    pub fn init(&mut self, passphrase: Option<&str>) -> Result<Status> {
        if self.vault_id.is_some() {
            return Err(VaultError::AlreadyInitialized(
                self.dir.display().to_string(),
            ));
        }
        if let Some(p) = passphrase {
            let n = p.chars().count();
            if n < MIN_PASSPHRASE {
                return Err(VaultError::WeakPassphrase(n));
            }
        }
        let vault_id = keyward_crypto::random_id(8);
        let key = VaultKey::generate();
        let (mode, stored) = match passphrase {
            Some(p) => (
                "passphrase",
                StoredVaultKey::Passphrase {
                    v: 1,
                    wrapped: seal::wrap(&key, p.as_bytes(), self.kdf, vault_id.as_bytes())?,
                },
            ),
            None => (
                "none",
                StoredVaultKey::None {
                    v: 1,
                    key: Zeroizing::new(STANDARD.encode(key.expose())),
                },
            ),
        };
        let blob = Zeroizing::new(serde_json::to_vec(&stored).expect("serialising cannot fail"));
        self.store
            .set(&service_name(&vault_id), VAULT_KEY_ACCOUNT, &blob)?;
        let created = now();
        self.index.set_meta(&[
            ("vault_id", &vault_id),
            ("mode", mode),
            ("created_at", &created),
        ])?;
        self.vault_id = Some(vault_id);
        self.mode = Some(mode.to_string());
        self.key = Some(key);
        self.log("vault.init", None, &format!("vault created (mode {mode})"))?;
        self.status_now()
    }

    /// Unlocks: reads the vault key item and unwraps it with `passphrase`. Logged as
    /// `vault.unlock` (or `vault.unlock_failed`).
    pub fn unlock_with(&mut self, passphrase: Option<&str>) -> Result<Status> {
        match self.open_vault_key(passphrase) {
            Ok(()) => {
                self.log("vault.unlock", None, "vault unlocked")?;
                self.status_now()
            }
            Err(e) => {
                self.log_unlock_failure(&e);
                Err(e)
            }
        }
    }

    /// Unlocks for the length of one command (the CLI without an agent): only a failure is
    /// logged, the command itself is.
    pub fn unlock_for_call(&mut self, passphrase: Option<&str>) -> Result<()> {
        self.open_vault_key(passphrase)
            .inspect_err(|e| self.log_unlock_failure(e))
    }

    /// Logs an unlock that began with [`unlock_for_call`](Self::unlock_for_call) but lasts
    /// (an agent starting unlocked).
    pub fn record_unlock(&mut self, summary: &str) -> Result<()> {
        self.vault_key()?;
        self.log("vault.unlock", None, summary)
    }

    fn log_unlock_failure(&mut self, e: &VaultError) {
        if e.code() == "vault.bad_passphrase" {
            let _ = self.log("vault.unlock_failed", None, "wrong passphrase");
        }
    }

    fn open_vault_key(&mut self, passphrase: Option<&str>) -> Result<()> {
        let id = self.id()?.to_string();
        let blob = self
            .store
            .get(&service_name(&id), VAULT_KEY_ACCOUNT)?
            .map(Zeroizing::new)
            .ok_or_else(|| VaultError::MissingItem(VAULT_KEY_ACCOUNT.into()))?;
        // Parser messages can quote the input, so they are not passed on.
        let stored: StoredVaultKey = serde_json::from_slice(&blob)
            .map_err(|_| VaultError::BadVaultKeyItem("not a Keyward vault key record".into()))?;
        let key = match stored {
            StoredVaultKey::Passphrase { wrapped, .. } => {
                let p = passphrase.ok_or(VaultError::PassphraseRequired)?;
                seal::unwrap(&wrapped, p.as_bytes(), id.as_bytes())?
            }
            StoredVaultKey::None { key, .. } => {
                let raw =
                    Zeroizing::new(STANDARD.decode(key.as_bytes()).map_err(|_| {
                        VaultError::BadVaultKeyItem("the key is not base64".into())
                    })?);
                VaultKey::from_bytes(&raw)?
            }
        };
        self.key = Some(key);
        Ok(())
    }

    /// Locks: logs `vault.lock`, drops every "until lock" grant, anchors the audit chain,
    /// drops the vault key (zeroized).
    pub fn lock_now(&mut self) {
        if self.key.is_some() {
            let _ = self.log("vault.lock", None, "vault locked");
        }
        if self.vault_id.is_some() {
            let _ = self.grants_drop_until_lock();
        }
        self.approvals_changes += 1;
        self.release();
    }

    /// Ends a one-command unlock: anchors what was logged, drops the vault key, logs no lock.
    /// "Until lock" grants stay: the vault was not locked, this process only let go of it.
    pub fn release(&mut self) {
        let _ = self.anchor_if_dirty();
        self.key = None;
    }

    pub fn status_now(&self) -> Result<Status> {
        Ok(Status {
            initialized: self.vault_id.is_some(),
            locked: self.key.is_none(),
            mode: self.mode.clone(),
            vault_id: self.vault_id.clone(),
            data_dir: self.dir.display().to_string(),
            key_count: if self.vault_id.is_some() {
                Some(self.index.count_keys()?)
            } else {
                None
            },
            agent: false,
        })
    }

    /// Seals `secret` under the vault key and writes it to the keychain; refuses items over
    /// the portable size limit before touching the keychain.
    fn put_secret(&self, account: &str, plain: &[u8]) -> Result<()> {
        let key = self.vault_key()?;
        let sealed = STANDARD.encode(seal::seal(key, account.as_bytes(), plain));
        if sealed.len() > MAX_ITEM_BYTES {
            return Err(VaultError::ItemTooLarge(sealed.len(), MAX_ITEM_BYTES));
        }
        self.store
            .set(&self.service()?, account, sealed.as_bytes())?;
        Ok(())
    }

    fn get_secret(&self, account: &str) -> Result<Zeroizing<Vec<u8>>> {
        let key = self.vault_key()?;
        let item = self
            .store
            .get(&self.service()?, account)?
            .ok_or_else(|| VaultError::MissingItem(account.to_string()))?;
        let sealed = STANDARD
            .decode(&item)
            .map_err(|_| VaultError::Crypto(keyward_crypto::CryptoError::Malformed))?;
        Ok(seal::open(key, account.as_bytes(), &sealed)?)
    }

    fn add_key(
        &mut self,
        key: PrivateKey,
        label: Option<String>,
        tags: &[String],
        origin: String,
    ) -> Result<KeyInfo> {
        // A new key may take a label the broker resolved to another: it must look again.
        self.approvals_changes += 1;
        self.vault_key()?;
        let tags = check_tags(tags)?;
        let id = keyward_crypto::random_id(8);
        let label = match label {
            Some(l) => check_label(&l)?,
            None => format!("{}-{}", key.alg(), &id[..6]),
        };
        let public = key.public();
        let row = KeyRow {
            id: id.clone(),
            label,
            alg: key.alg().as_str().to_string(),
            spki: public.spki_der(),
            fingerprint: public.fingerprint(),
            created_at: now(),
            deleted_at: None,
            tags,
            xpub: public.xpub().map(str::to_string),
            origin,
            usage: None,
        };
        // Keychain item first, index row second (DESIGN.md "Consistency").
        self.put_secret(&id, &key.to_storage())?;
        if let Err(e) = self.index.insert_key(&row) {
            let _ = self.store.delete(&self.service()?, &id);
            return Err(e);
        }
        let (action, summary) = match row.origin.as_str() {
            "generated" => (
                "key.generate",
                format!("generated {} key {:?}", row.alg, row.label),
            ),
            origin => (
                "key.import",
                format!("imported {} key {:?} from {origin}", row.alg, row.label),
            ),
        };
        self.log(action, Some(&id), &summary)?;
        Ok(info(&row))
    }

    fn private_key(&self, row: &KeyRow) -> Result<PrivateKey> {
        let blob = self.get_secret(&row.id)?;
        Ok(PrivateKey::from_storage(&blob)?)
    }

    fn public_key(row: &KeyRow) -> Result<PublicKey> {
        Ok(PublicKey::from_spki_der(&row.spki)?.with_xpub(row.xpub.clone()))
    }

    /// Public reads: the index is public metadata, so they need no vault key.
    pub fn list_public(&self, filter: &ListFilter) -> Result<Vec<KeyInfo>> {
        self.id()?;
        let tag = filter.tag.as_deref().map(str::to_lowercase);
        Ok(self
            .index
            .keys()?
            .iter()
            .filter(|r| filter.alg.is_none_or(|a| r.alg == a.as_str()))
            .filter(|r| tag.as_ref().is_none_or(|t| r.tags.contains(t)))
            .map(info)
            .collect())
    }

    pub fn show_public(&self, key: &str) -> Result<KeyDetail> {
        self.id()?;
        let row = self.index.resolve(key)?;
        let public = Self::public_key(&row)?;
        let exports = public
            .formats()
            .into_iter()
            .filter(|f| *f != PublicFormat::Jwks)
            .filter_map(|f| {
                Some(PublicView {
                    format: f,
                    title: f.title().to_string(),
                    value: public.export(f, &row.label).ok()?,
                })
            })
            .collect();
        Ok(KeyDetail {
            info: info(&row),
            public_pem: public.spki_pem(),
            jwk: public.jwk(),
            exports,
            qr_default: public.qr_default(),
        })
    }

    /// One public form of a key, ending in a newline (JSON formats pretty-printed).
    pub fn export_public(&mut self, key: &str, format: PublicFormat) -> Result<String> {
        self.id()?;
        let row = self.index.resolve(key)?;
        let public = Self::public_key(&row)?;
        let out = match format {
            PublicFormat::Jwk => {
                serde_json::to_string_pretty(&public.jwk()).expect("JWK serialises")
            }
            PublicFormat::Jwks => return self.jwks(&[key.to_string()]),
            f => public.export(f, &row.label)?,
        };
        self.log(
            "key.export",
            Some(&row.id),
            &format!("exported the public key as {}", format.as_str()),
        )?;
        Ok(if out.ends_with('\n') { out } else { out + "\n" })
    }

    /// A JWK Set of several keys, pretty-printed.
    pub fn jwks(&mut self, keys: &[String]) -> Result<String> {
        self.id()?;
        let mut jwks = Vec::with_capacity(keys.len());
        let mut ids = Vec::with_capacity(keys.len());
        for k in keys {
            let row = self.index.resolve(k)?;
            let jwk = Self::public_key(&row)?.jwk();
            if !jwks.contains(&jwk) {
                jwks.push(jwk);
                ids.push(row.id);
            }
        }
        let n = ids.len();
        for id in ids {
            self.log(
                "key.export",
                Some(&id),
                &format!("exported the public key in a JWK Set of {n}"),
            )?;
        }
        let mut s = serde_json::to_string_pretty(&serde_json::json!({ "keys": jwks }))
            .expect("JWKS serialises");
        s.push('\n');
        Ok(s)
    }

    /// A private key shown once in the app, after the user confirmed it (logged as
    /// `key.reveal`); `passphrase` encrypts `pkcs8-enc`.
    pub fn reveal(
        &mut self,
        key: &str,
        format: PrivateFormat,
        passphrase: Option<Zeroizing<String>>,
    ) -> Result<Zeroizing<String>> {
        self.private_export(key, format, passphrase, "key.reveal")
    }

    fn private_export(
        &mut self,
        key: &str,
        format: PrivateFormat,
        passphrase: Option<Zeroizing<String>>,
        action: &str,
    ) -> Result<Zeroizing<String>> {
        self.vault_key()?;
        let row = self.index.resolve(key)?;
        let k = self.private_key(&row)?;
        let mut out = k.export(format, passphrase.as_ref().map(|p| p.as_bytes()))?;
        // Logged before the secret leaves: no entry, no export.
        let verb = if action == "key.reveal" {
            "revealed"
        } else {
            "exported"
        };
        self.log(
            action,
            Some(&row.id),
            &format!("{verb} the private key as {}", format.as_str()),
        )?;
        if !out.ends_with('\n') {
            out.push('\n');
        }
        Ok(out)
    }

    /// Writes every key (index row and secret) into one encrypted backup file.
    pub fn backup_create(&mut self, passphrase: &str) -> Result<crate::backup::BackupFile> {
        use crate::backup::{BackupFile, BackupKey, Payload, PAYLOAD_FORMAT};
        self.vault_key()?;
        let rows = self.index.keys()?;
        let mut keys = Vec::with_capacity(rows.len());
        for row in &rows {
            let blob = self.get_secret(&row.id)?;
            // Checked now, so a backup never carries an item that would not restore.
            PrivateKey::from_storage(&blob)?;
            keys.push(BackupKey {
                id: row.id.clone(),
                label: row.label.clone(),
                alg: row.alg.clone(),
                fingerprint: row.fingerprint.clone(),
                created_at: row.created_at.clone(),
                tags: row.tags.clone(),
                origin: row.origin.clone(),
                xpub: row.xpub.clone(),
                usage: row.usage.clone(),
                secret: STANDARD.encode(&*blob),
            });
        }
        let profiles = self
            .index
            .profiles()?
            .into_iter()
            .map(|p| crate::backup::BackupProfile {
                name: p.name,
                kind: p.kind,
                json: p.json,
                created_at: p.created_at,
                updated_at: p.updated_at,
            })
            .collect();
        let mut credentials = Vec::new();
        for c in self.index.credentials(None)? {
            let blob = self.get_secret(&c.id)?;
            credentials.push(crate::backup::BackupCredential {
                profile: c.profile,
                name: c.name,
                created_at: c.created_at,
                secret: STANDARD.encode(&*blob),
            });
        }
        let created_at = now();
        let payload = Payload {
            format: PAYLOAD_FORMAT,
            created_at: created_at.clone(),
            source_vault_id: self.id()?.to_string(),
            source_mode: self.mode.clone().unwrap_or_else(|| "passphrase".into()),
            keys,
            profiles,
            credentials,
        };
        let json = Zeroizing::new(serde_json::to_vec(&payload).expect("a payload serialises"));
        let file = keyward_crypto::backup::seal_backup(&json, passphrase.as_bytes(), self.kdf)?;
        let n = payload.keys.len();
        self.log("backup.create", None, &format!("backed up {n} keys"))?;
        Ok(BackupFile {
            file: STANDARD.encode(file),
            keys: n,
            created_at,
        })
    }

    /// Restores a backup into this data dir, which must hold no vault: a new vault (new id,
    /// new vault key; passphrase mode with `new_passphrase` when the source had one), every
    /// secret re-sealed under it. The whole file is decrypted and checked before anything is
    /// written; a failure while writing removes what was written.
    pub fn restore(
        &mut self,
        file: &[u8],
        backup_passphrase: &str,
        new_passphrase: Option<&str>,
    ) -> Result<crate::backup::RestoreReport> {
        if self.vault_id.is_some() {
            return Err(VaultError::AlreadyInitialized(
                self.dir.display().to_string(),
            ));
        }
        let (payload, keys) = crate::backup::open_and_check(file, backup_passphrase.as_bytes())?;
        let pass = match payload.source_mode.as_str() {
            "none" => None,
            _ => Some(new_passphrase.unwrap_or(backup_passphrase)),
        };
        self.init(pass)?;
        let mut written = Vec::with_capacity(keys.len());
        let result = (|| -> Result<()> {
            for k in &keys {
                self.put_secret(&k.key.id, &k.blob)?;
                written.push(k.key.id.clone());
                self.index.insert_key(&KeyRow {
                    id: k.key.id.clone(),
                    label: k.key.label.clone(),
                    alg: k.key.alg.clone(),
                    spki: k.spki.clone(),
                    fingerprint: k.key.fingerprint.clone(),
                    created_at: k.key.created_at.clone(),
                    deleted_at: None,
                    tags: k.key.tags.clone(),
                    xpub: k.key.xpub.clone(),
                    origin: k.key.origin.clone(),
                    usage: k.key.usage.clone(),
                })?;
            }
            for p in &payload.profiles {
                self.index.put_profile(&crate::index::ProfileRow {
                    name: p.name.clone(),
                    kind: p.kind.clone(),
                    json: p.json.clone(),
                    created_at: p.created_at.clone(),
                    updated_at: p.updated_at.clone(),
                })?;
            }
            for c in &payload.credentials {
                let secret = Zeroizing::new(STANDARD.decode(&c.secret).map_err(|_| {
                    VaultError::Crypto(keyward_crypto::CryptoError::BackupContents(
                        "a credential is not base64".into(),
                    ))
                })?);
                // A new item name: the restored vault shares nothing with its source.
                let id = format!(
                    "{}{}",
                    profiles::CREDENTIAL_PREFIX,
                    keyward_crypto::random_id(8)
                );
                self.put_secret(&id, &secret)?;
                written.push(id.clone());
                self.index.put_credential(&crate::index::CredentialRow {
                    id,
                    profile: c.profile.clone(),
                    name: c.name.clone(),
                    created_at: c.created_at.clone(),
                })?;
            }
            Ok(())
        })();
        if let Err(e) = result {
            self.undo_restore(&written);
            return Err(e);
        }
        let report = crate::backup::RestoreReport {
            vault_id: self.id()?.to_string(),
            source_vault_id: payload.source_vault_id.clone(),
            backup_created_at: payload.created_at.clone(),
            keys: keys.len(),
            profiles: payload.profiles.len(),
            credentials: payload.credentials.len(),
        };
        self.log(
            "backup.restore",
            None,
            &format!(
                "restored {} keys from vault {} (backup of {})",
                report.keys, report.source_vault_id, report.backup_created_at
            ),
        )?;
        Ok(report)
    }

    /// Removes a half-made restore: its items, its vault key and anchor, its index.
    fn undo_restore(&mut self, written: &[String]) {
        if let Ok(service) = self.service() {
            for id in written {
                let _ = self.store.delete(&service, id);
            }
            let _ = self.store.delete(&service, ANCHOR_ACCOUNT);
            let _ = self.store.delete(&service, VAULT_KEY_ACCOUNT);
            let _ = self.store.delete(&service, approvals::ENDPOINT_KEY_ACCOUNT);
            let _ = self.store.delete(&service, approvals::ENDPOINT_MAC_ACCOUNT);
        }
        let _ = self.index.wipe();
        self.vault_id = None;
        self.mode = None;
        self.key = None;
        self.audit_dirty = false;
    }

    /// Repairs what `doctor` finds. Safe repairs always: a found item of this vault that opens
    /// as a key gets its row back (label `recovered-…`); an unfinished delete is finished.
    /// Destructive ones only with `confirmed`: an item that does not open with this vault's
    /// key is deleted; a row whose item is gone (the secret is lost) is removed.
    pub fn repair(&mut self, confirmed: bool) -> Result<RepairReport> {
        self.vault_key()?;
        let service = self.service()?;
        let before = self.doctor()?;
        let mut done = Vec::new();
        let mut needs_confirmation = Vec::new();
        for p in before.problems {
            match &p {
                Problem::ItemWithoutRow { account } => match self.recover_row(account) {
                    Ok(info) => {
                        self.log(
                            "doctor.repair",
                            Some(&info.id),
                            &format!("recovered the index row of a found {} key", info.alg),
                        )?;
                        done.push(Repair::RowRecovered { id: info.id });
                    }
                    Err(_) if confirmed => {
                        self.store.delete(&service, account)?;
                        self.log(
                            "doctor.repair",
                            None,
                            &format!("deleted keychain item {account:?}, which is not a key of this vault"),
                        )?;
                        done.push(Repair::OrphanDeleted {
                            account: account.clone(),
                        });
                    }
                    Err(_) => needs_confirmation.push(p.clone()),
                },
                Problem::Tombstone { id, .. } => {
                    self.store.delete(&service, id)?;
                    self.index.remove_key(id)?;
                    self.log("doctor.repair", Some(id), "finished an interrupted delete")?;
                    done.push(Repair::DeleteFinished { id: id.clone() });
                }
                Problem::RowWithoutItem { id, .. } if confirmed => {
                    self.index.remove_key(id)?;
                    self.log(
                        "doctor.repair",
                        Some(id),
                        "removed the index row of a key whose keychain item is gone",
                    )?;
                    done.push(Repair::DeadRowRemoved { id: id.clone() });
                }
                Problem::RowWithoutItem { .. } => needs_confirmation.push(p.clone()),
                Problem::VaultKeyMissing => {}
            }
        }
        let after = self.doctor()?;
        Ok(RepairReport {
            done,
            needs_confirmation,
            after,
        })
    }

    /// Re-creates the row of a found item that opens under this vault's key as a key.
    fn recover_row(&mut self, account: &str) -> Result<KeyInfo> {
        let valid_id = account.len() == 16 && account.bytes().all(|b| b.is_ascii_hexdigit());
        if !valid_id {
            return Err(VaultError::MissingItem(account.to_string()));
        }
        let blob = self.get_secret(account)?;
        let key = PrivateKey::from_storage(&blob)?;
        let public = key.public();
        let row = KeyRow {
            id: account.to_string(),
            label: format!("recovered-{}", &account[..6]),
            alg: key.alg().as_str().to_string(),
            spki: public.spki_der(),
            fingerprint: public.fingerprint(),
            created_at: now(),
            deleted_at: None,
            tags: vec![],
            xpub: public.xpub().map(str::to_string),
            origin: "recovered".into(),
            usage: None,
        };
        self.index.insert_key(&row)?;
        Ok(info(&row))
    }

    /// Cross-checks the index against the keychain. Needs no vault key.
    pub fn doctor(&self) -> Result<DoctorReport> {
        let id = self.id()?.to_string();
        let items: BTreeSet<String> = self.store.list(&self.service()?)?.into_iter().collect();
        let rows = self.index.all_keys()?;
        let mut problems = Vec::new();
        if !items.contains(VAULT_KEY_ACCOUNT) {
            problems.push(Problem::VaultKeyMissing);
        }
        let mut known: BTreeSet<String> = self
            .index
            .credentials(None)?
            .into_iter()
            .map(|c| c.id)
            .collect();
        for row in &rows {
            known.insert(row.id.clone());
            if row.deleted_at.is_some() {
                problems.push(Problem::Tombstone {
                    id: row.id.clone(),
                    label: row.label.clone(),
                });
            } else if !items.contains(&row.id) {
                problems.push(Problem::RowWithoutItem {
                    id: row.id.clone(),
                    label: row.label.clone(),
                });
            }
        }
        for account in &items {
            let own = [
                VAULT_KEY_ACCOUNT,
                ANCHOR_ACCOUNT,
                approvals::ENDPOINT_KEY_ACCOUNT,
                approvals::ENDPOINT_MAC_ACCOUNT,
            ];
            if !own.contains(&account.as_str()) && !known.contains(account) {
                problems.push(Problem::ItemWithoutRow {
                    account: account.clone(),
                });
            }
        }
        Ok(DoctorReport {
            healthy: problems.is_empty(),
            vault_id: id,
            rows: rows.len(),
            items: items.len(),
            problems,
        })
    }
}

impl Backend for Vault {
    fn status(&mut self) -> Result<Status> {
        self.status_now()
    }

    fn unlock(&mut self, passphrase: Option<Zeroizing<String>>) -> Result<Status> {
        self.unlock_with(passphrase.as_ref().map(|p| p.as_str()))
    }

    fn lock(&mut self) -> Result<Status> {
        self.lock_now();
        self.status_now()
    }

    fn key_list(&mut self, filter: &ListFilter) -> Result<Vec<KeyInfo>> {
        self.list_public(filter)
    }

    fn key_generate(&mut self, req: GenerateRequest) -> Result<KeyInfo> {
        self.vault_key()?;
        check_tags(&req.tags)?;
        let key = PrivateKey::generate(req.alg)?;
        self.add_key(key, req.label, &req.tags, "generated".into())
    }

    fn key_import(&mut self, req: ImportRequest) -> Result<KeyInfo> {
        self.vault_key()?;
        check_tags(&req.tags)?;
        let opts = import::ImportOptions {
            format: req.format,
            alg: req.alg,
            path: req.path.as_deref(),
            passphrase: req.passphrase.as_ref().map(|p| p.as_bytes()),
        };
        let imported = import::import(&req.text, &opts)?;
        let origin = match &imported.path {
            Some(p) => format!("{} {p}", imported.format.as_str()),
            None => imported.format.as_str().to_string(),
        };
        self.add_key(imported.key, req.label, &req.tags, origin)
    }

    fn key_show(&mut self, key: &str) -> Result<KeyDetail> {
        self.show_public(key)
    }

    fn key_export(&mut self, key: &str, format: PublicFormat) -> Result<String> {
        self.export_public(key, format)
    }

    fn key_jwks(&mut self, keys: &[String]) -> Result<String> {
        self.jwks(keys)
    }

    fn key_qr(&mut self, key: &str, format: Option<PublicFormat>) -> Result<QrView> {
        self.id()?;
        let row = self.index.resolve(key)?;
        let public = Self::public_key(&row)?;
        let format = format.unwrap_or_else(|| public.qr_default());
        let payload = match format {
            PublicFormat::Jwk | PublicFormat::Jwks => public.jwk().to_json(),
            f => public.export(f, &row.label)?,
        };
        QrView::of(payload)
    }

    fn key_export_private(
        &mut self,
        key: &str,
        format: PrivateFormat,
        passphrase: Option<Zeroizing<String>>,
    ) -> Result<Zeroizing<String>> {
        self.private_export(key, format, passphrase, "key.export_private")
    }

    fn key_rename(&mut self, key: &str, label: &str) -> Result<KeyInfo> {
        self.vault_key()?;
        let label = check_label(label)?;
        let mut row = self.index.resolve(key)?;
        self.index.rename_key(&row.id, &label)?;
        // The approval broker resolves labels: it must look again.
        self.approvals_changes += 1;
        self.log(
            "key.rename",
            Some(&row.id),
            &format!("renamed {:?} to {label:?}", row.label),
        )?;
        row.label = label;
        Ok(info(&row))
    }

    fn audit_list(&mut self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        self.audit_entries(filter)
    }

    fn audit_verify(&mut self) -> Result<AuditReport> {
        self.audit_check()
    }

    fn backup_create(&mut self, passphrase: Zeroizing<String>) -> Result<BackupFile> {
        Vault::backup_create(self, &passphrase)
    }

    fn key_policy(&mut self, key: &str, allow: Option<Vec<Usage>>) -> Result<KeyInfo> {
        self.set_policy(key, allow)
    }

    fn key_sign(&mut self, req: SignRequest) -> Result<Signature> {
        self.sign_with(req)
    }

    fn key_verify(&mut self, req: VerifyRequest) -> Result<Verdict> {
        self.verify_with(req)
    }

    fn jwt_mint(&mut self, key: &str, options: MintOptions) -> Result<Minted> {
        self.mint(key, options)
    }

    fn jwt_verify(&mut self, req: JwtVerifyRequest) -> Result<Verified> {
        self.verify_jwt(req)
    }

    fn siwe_sign(&mut self, key: &str, message: &str) -> Result<SiweSigned> {
        self.sign_siwe(key, message)
    }

    fn profile_list(&mut self) -> Result<Vec<Profile>> {
        self.profiles()
    }

    fn profile_get(&mut self, name: &str) -> Result<Profile> {
        self.profile(name)
    }

    fn profile_put(&mut self, profile: Profile, create: bool) -> Result<Profile> {
        self.put_profile(profile, create)
    }

    fn profile_remove(&mut self, name: &str) -> Result<Profile> {
        self.remove_profile(name)
    }

    fn credential_put(
        &mut self,
        profile: &str,
        name: &str,
        secret: Zeroizing<String>,
    ) -> Result<CredentialInfo> {
        self.put_credential(profile, name, &secret)
    }

    fn credential_get(&mut self, profile: &str, name: &str) -> Result<Zeroizing<String>> {
        self.get_credential(profile, name)
    }

    fn credential_delete(&mut self, profile: &str, name: &str) -> Result<()> {
        self.delete_credential(profile, name)
    }

    fn app_list(&mut self) -> Result<Vec<PairedApp>> {
        self.apps()
    }

    fn app_unpair(&mut self, app: &str) -> Result<PairedApp> {
        self.unpair(app)
    }

    fn grant_list(&mut self) -> Result<Vec<StoredGrant>> {
        self.live_grants()
    }

    fn grant_revoke(&mut self, id: &str) -> Result<StoredGrant> {
        self.revoke(id)
    }

    fn settings_get(&mut self) -> Result<crate::Settings> {
        self.read_settings()
    }

    fn settings_set(&mut self, name: &str, value: &str) -> Result<crate::Settings> {
        self.write_setting(name, value)
    }

    fn key_tag(&mut self, key: &str, add: &[String], remove: &[String]) -> Result<KeyInfo> {
        self.vault_key()?;
        let mut row = self.index.resolve(key)?;
        let remove = check_tags(remove)?;
        let mut tags: Vec<String> = row
            .tags
            .iter()
            .filter(|t| !remove.contains(t))
            .cloned()
            .collect();
        tags.extend(check_tags(add)?);
        let tags = check_tags(&tags)?;
        self.index.set_tags(&row.id, &tags)?;
        self.approvals_changes += 1;
        self.log(
            "key.tag",
            Some(&row.id),
            &format!("tags now [{}]", tags.join(", ")),
        )?;
        row.tags = tags;
        Ok(info(&row))
    }

    fn key_delete(&mut self, key: &str) -> Result<KeyInfo> {
        self.vault_key()?;
        let row = self.index.resolve(key)?;
        // Tombstone, item, row: a crash in between leaves a tombstone doctor reports.
        self.index.tombstone_key(&row.id, &now())?;
        self.store.delete(&self.service()?, &row.id)?;
        self.index.remove_key(&row.id)?;
        // Grants of the key go with it, and the broker drops what it holds of it.
        self.index.delete_key_grants(&row.id)?;
        self.approvals_changes += 1;
        self.log(
            "key.delete",
            Some(&row.id),
            &format!("deleted {} key {:?}", row.alg, row.label),
        )?;
        Ok(info(&row))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;
    use keyward_crypto::KeyAlg;

    fn gen(label: Option<&str>) -> GenerateRequest {
        GenerateRequest {
            alg: KeyAlg::P256,
            label: label.map(str::to_string),
            tags: vec![],
        }
    }

    const CHEAP: KdfParams = KdfParams {
        m_kib: 64,
        t: 1,
        p: 1,
    };

    fn vault(dir: &Path, store: Arc<dyn SecretStore>) -> Vault {
        let mut v = Vault::open(dir, store).unwrap();
        v.set_kdf_params(CHEAP);
        v
    }

    #[test]
    fn init_lock_unlock_and_keys() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
        let mut v = vault(dir.path(), store.clone());
        let st = v.init(Some("correct horse battery")).unwrap();
        assert!(st.initialized && !st.locked);
        let k = v.key_generate(gen(Some("deploy"))).unwrap();
        let pem = v
            .key_export_private(&k.id, PrivateFormat::Pem, None)
            .unwrap();
        v.lock_now();
        assert_eq!(
            v.key_generate(gen(None)).err().unwrap().code(),
            "vault.locked"
        );
        assert_eq!(
            v.key_export_private("deploy", PrivateFormat::Pem, None)
                .err()
                .unwrap()
                .code(),
            "vault.locked"
        );
        // A fresh process (new Vault) unlocks with the passphrase only.
        let mut v2 = vault(dir.path(), store);
        assert_eq!(
            v2.unlock_with(Some("wrong horse battery"))
                .err()
                .unwrap()
                .code(),
            "vault.bad_passphrase"
        );
        assert_eq!(
            v2.unlock_with(None).err().unwrap().code(),
            "vault.passphrase_required"
        );
        v2.unlock_with(Some("correct horse battery")).unwrap();
        assert_eq!(
            v2.key_export_private("deploy", PrivateFormat::Pem, None)
                .unwrap(),
            pem
        );
    }

    #[test]
    fn secrets_are_sealed_and_bound_to_their_item() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(MemoryStore::default());
        let mut v = vault(dir.path(), store.clone());
        v.init(None).unwrap();
        let a = v.key_generate(gen(Some("a"))).unwrap();
        let b = v.key_generate(gen(Some("b"))).unwrap();
        let svc = service_name(v.vault_id().unwrap());
        let item_a = store.get(&svc, &a.id).unwrap().unwrap();
        let pem = v
            .key_export_private(&a.id, PrivateFormat::Pem, None)
            .unwrap();
        let scalar = PrivateKey::from_pem(&pem, None)
            .unwrap()
            .raw_bytes()
            .unwrap();
        let raw = STANDARD.decode(&item_a).unwrap();
        assert!(!raw.windows(32).any(|w| w == scalar.as_slice()));
        // Moving a's sealed item under b's id must not yield a's key as b.
        store.set(&svc, &b.id, &item_a).unwrap();
        assert_eq!(
            v.key_export_private(&b.id, PrivateFormat::Pem, None)
                .err()
                .unwrap()
                .code(),
            "vault.corrupt_item"
        );
    }

    #[test]
    fn resolve_by_prefix_and_label_and_ambiguity() {
        let dir = tempfile::tempdir().unwrap();
        let mut v = vault(dir.path(), Arc::new(MemoryStore::default()));
        v.init(None).unwrap();
        let a = v.key_generate(gen(Some("twin"))).unwrap();
        let b = v.key_generate(gen(Some("twin"))).unwrap();
        assert_eq!(v.key_show(&a.id[..8]).unwrap().info.id, a.id);
        let e = v.key_show("twin").err().unwrap();
        assert_eq!(e.code(), "key.ambiguous");
        let body = crate::error::ErrorBody::from(&e);
        let ids: Vec<_> = body.candidates.unwrap().into_iter().map(|c| c.id).collect();
        assert!(ids.contains(&a.id) && ids.contains(&b.id));
        v.key_rename(&b.id, "single").unwrap();
        assert_eq!(v.key_show("twin").unwrap().info.id, a.id);
        assert_eq!(v.key_show("nope").err().unwrap().code(), "key.not_found");
        v.key_delete("single").unwrap();
        assert_eq!(v.key_list(&ListFilter::default()).unwrap().len(), 1);
    }

    #[test]
    fn doctor_names_orphans_on_both_sides() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(MemoryStore::default());
        let mut v = vault(dir.path(), store.clone());
        v.init(None).unwrap();
        assert!(v.doctor().unwrap().healthy);
        let a = v.key_generate(gen(None)).unwrap();
        let svc = service_name(v.vault_id().unwrap());
        store.delete(&svc, &a.id).unwrap();
        store.set(&svc, "stray", b"x").unwrap();
        let r = v.doctor().unwrap();
        assert!(!r.healthy);
        assert!(r.problems.contains(&Problem::RowWithoutItem {
            id: a.id.clone(),
            label: a.label.clone()
        }));
        assert!(r.problems.contains(&Problem::ItemWithoutRow {
            account: "stray".into()
        }));
    }

    #[test]
    fn oversized_items_are_refused_before_the_keychain() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(MemoryStore::default());
        let mut v = vault(dir.path(), store.clone());
        v.init(None).unwrap();
        let e = v.put_secret("big", &[0u8; 2000]).err().unwrap();
        assert_eq!(e.code(), "vault.item_too_large");
        let svc = service_name(v.vault_id().unwrap());
        assert!(store.get(&svc, "big").unwrap().is_none());
    }

    #[test]
    fn init_refuses_weak_passphrase_and_reinit() {
        let dir = tempfile::tempdir().unwrap();
        let mut v = vault(dir.path(), Arc::new(MemoryStore::default()));
        assert_eq!(
            v.init(Some("short")).err().unwrap().code(),
            "vault.weak_passphrase"
        );
        v.init(Some("long enough")).unwrap();
        assert_eq!(
            v.init(None).err().unwrap().code(),
            "vault.already_initialized"
        );
    }
}

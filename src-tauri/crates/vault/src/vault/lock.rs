//! The lock: creating the vault, unlocking it (and logging failures), locking it.

use super::*;
use crate::error::{Result, VaultError};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use keyward_crypto::seal::{self, VaultKey};
use keyward_crypto::Coded;
use zeroize::Zeroizing;

impl Vault {
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
        let created = self.now();
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

    pub(super) fn log_unlock_failure(&mut self, e: &VaultError) {
        if e.code() == "vault.bad_passphrase" {
            let _ = self.log("vault.unlock_failed", None, "wrong passphrase");
        }
    }

    pub(super) fn open_vault_key(&mut self, passphrase: Option<&str>) -> Result<()> {
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
}

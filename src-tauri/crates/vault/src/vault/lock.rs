//! The lock: creating the vault, unlocking it (and logging failures), locking it, changing
//! the passphrase that wraps the vault key.

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
            check_strength(p)?;
        }
        let vault_id = keyward_crypto::random_id(8);
        let key = VaultKey::generate();
        let (mode, blob) = match passphrase {
            Some(p) => ("passphrase", self.wrapped_record(&key, p, &vault_id)?),
            None => (
                "none",
                record(&StoredVaultKey::None {
                    v: 1,
                    key: Zeroizing::new(STANDARD.encode(key.expose())),
                }),
            ),
        };
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
                self.locked_by = None;
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
        let (key, mode) = self.read_vault_key(passphrase)?;
        self.key = Some(key);
        // The keychain item says which mode the vault is in. The index says it too, for
        // callers that ask before unlocking, and lags only after a crash in the middle of a
        // switch to passphrase mode (index first, then the item): mended here.
        if self.mode.as_deref() != Some(mode) {
            self.index.set_meta(&[("mode", mode)])?;
            self.mode = Some(mode.to_string());
        }
        Ok(())
    }

    /// The vault key from its keychain item (unwrapped with `passphrase` in passphrase mode;
    /// ignored in "no passphrase" mode), and the mode the item is in.
    fn read_vault_key(&self, passphrase: Option<&str>) -> Result<(VaultKey, &'static str)> {
        let id = self.id()?;
        let blob = self
            .store
            .get(&service_name(id), VAULT_KEY_ACCOUNT)?
            .map(Zeroizing::new)
            .ok_or_else(|| VaultError::MissingItem(VAULT_KEY_ACCOUNT.into()))?;
        // Parser messages can quote the input, so they are not passed on.
        let stored: StoredVaultKey = serde_json::from_slice(&blob)
            .map_err(|_| VaultError::BadVaultKeyItem("not a Keyward vault key record".into()))?;
        Ok(match stored {
            StoredVaultKey::Passphrase { wrapped, .. } => {
                let p = passphrase.ok_or(VaultError::PassphraseRequired)?;
                let key = seal::unwrap(&wrapped, p.as_bytes(), id.as_bytes())?;
                (key, "passphrase")
            }
            StoredVaultKey::None { key, .. } => {
                let raw =
                    Zeroizing::new(STANDARD.decode(key.as_bytes()).map_err(|_| {
                        VaultError::BadVaultKeyItem("the key is not base64".into())
                    })?);
                (VaultKey::from_bytes(&raw)?, "none")
            }
        })
    }

    /// The keychain record of `key` wrapped under `passphrase` (Argon2id with this vault's
    /// current parameters and a fresh salt), bound to the vault id.
    fn wrapped_record(
        &self,
        key: &VaultKey,
        passphrase: &str,
        vault_id: &str,
    ) -> Result<Zeroizing<Vec<u8>>> {
        let wrapped = seal::wrap(key, passphrase.as_bytes(), self.kdf, vault_id.as_bytes())?;
        Ok(record(&StoredVaultKey::Passphrase { v: 1, wrapped }))
    }

    /// Changes the passphrase that wraps the vault key: `old` is checked against the keychain
    /// item (`None` for a vault in "no passphrase" mode, which this switches to passphrase
    /// mode), `new` as at [`init`](Self::init), then the vault key is re-wrapped under `new`
    /// (fresh salt, current KDF parameters). The vault must be unlocked and stays so.
    ///
    /// The wrapping is one keychain item whose secret is replaced in place, so a crash leaves
    /// the old wrapping or the new one, never neither. A switch from "no passphrase" mode also
    /// writes the mode into the index, before the item: a crash between the two leaves an
    /// unwrapped key the next unlock reads (the passphrase then asked for is not needed) and
    /// mends the index from. Logged as `vault.passphrase_change` (a wrong `old` as
    /// `vault.unlock_failed`); neither passphrase is logged.
    pub fn change_passphrase(&mut self, old: Option<&str>, new: &str) -> Result<Status> {
        self.vault_key()?;
        check_strength(new)?;
        let (key, mode) = self
            .read_vault_key(old)
            .inspect_err(|e| self.log_unlock_failure(e))?;
        if Some(key.expose()) != self.key.as_ref().map(VaultKey::expose) {
            return Err(VaultError::BadVaultKeyItem(
                "the keychain holds another vault key than the unlocked one".into(),
            ));
        }
        let id = self.id()?.to_string();
        let blob = self.wrapped_record(&key, new, &id)?;
        if mode != "passphrase" {
            self.index.set_meta(&[("mode", "passphrase")])?;
        }
        if let Err(e) = self.store.set(&service_name(&id), VAULT_KEY_ACCOUNT, &blob) {
            if mode != "passphrase" {
                let _ = self.index.set_meta(&[("mode", mode)]);
            }
            return Err(e.into());
        }
        self.mode = Some("passphrase".into());
        let summary = match mode {
            "passphrase" => "passphrase changed",
            _ => "passphrase set (the vault leaves \"no passphrase\" mode)",
        };
        self.log("vault.passphrase_change", None, summary)?;
        self.status_now()
    }

    /// Locks because a program asked (the agent's `lock`); see [`Vault::lock_because`].
    pub fn lock_now(&mut self) {
        self.lock_because(LockReason::Request);
    }

    /// Locks: logs `vault.lock` with `why`, drops every "until lock" grant, anchors the audit
    /// chain, drops the vault key (zeroized). `why` is in the status until the next unlock.
    pub fn lock_because(&mut self, why: LockReason) {
        if self.key.is_some() {
            let _ = self.log(
                "vault.lock",
                None,
                &format!("vault locked ({})", why.as_str()),
            );
            self.locked_by = Some(why);
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
            locked_by: if self.key.is_none() {
                self.locked_by
            } else {
                None
            },
        })
    }
}

/// The strength rule of a new passphrase (init and change): at least [`MIN_PASSPHRASE`]
/// characters.
fn check_strength(passphrase: &str) -> Result<()> {
    let n = passphrase.chars().count();
    if n < MIN_PASSPHRASE {
        return Err(VaultError::WeakPassphrase(n));
    }
    Ok(())
}

/// A vault key record as the keychain item holds it.
fn record(stored: &StoredVaultKey) -> Zeroizing<Vec<u8>> {
    Zeroizing::new(serde_json::to_vec(stored).expect("serialising cannot fail"))
}

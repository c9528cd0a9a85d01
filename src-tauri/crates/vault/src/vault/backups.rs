//! Backups of every key into one encrypted file, and restoring one (all or nothing).

use super::*;
use crate::audit::ANCHOR_ACCOUNT;
use crate::error::{Result, VaultError};
use crate::index::KeyRow;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use keyward_crypto::PrivateKey;
use zeroize::Zeroizing;

impl Vault {
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
        let created_at = self.now();
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
    pub(super) fn undo_restore(&mut self, written: &[String]) {
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
}

//! Backups of every key into one encrypted file, restoring one into a new vault, and merging
//! one into an open vault (each all or nothing).

use super::*;
use crate::audit::ANCHOR_ACCOUNT;
use crate::error::{Result, VaultError};
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
                self.index.insert_key(&k.row())?;
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

    /// Merges a backup into this open vault: its keys, service profiles and their credentials
    /// are added (keys under their ids, credentials under new item names); a key the vault
    /// has (the same id, or the same key under another id) and a profile whose name it has
    /// (with the profile's credentials) are skipped and reported. The whole file is decrypted
    /// and checked, and every secret sealed, before anything is written; then the keychain
    /// items, then every index row in one transaction; a failure removes the items written.
    /// Logged as `backup.merge`.
    pub fn merge_backup(
        &mut self,
        file: &[u8],
        passphrase: &str,
    ) -> Result<crate::backup::MergeReport> {
        use crate::backup::{credential_secret, MergeReport, SkipReason, SkippedKey};
        use crate::index::{CredentialRow, ProfileRow};
        self.vault_key()?;
        let (payload, keys) = crate::backup::open_and_check(file, passphrase.as_bytes())?;
        crate::backup::check_credentials(&payload)?;

        // What goes in: sealed items (account, sealed text) and index rows.
        let mut items: Vec<(String, String)> = Vec::new();
        let mut ids: BTreeSet<String> = self.index.all_keys()?.into_iter().map(|r| r.id).collect();
        let mut fingerprints: BTreeSet<String> = self
            .index
            .keys()?
            .into_iter()
            .map(|r| r.fingerprint)
            .collect();
        let (mut key_rows, mut skipped_keys) = (Vec::new(), Vec::new());
        for k in &keys {
            let reason = if ids.contains(&k.key.id) {
                Some(SkipReason::SameId)
            } else if fingerprints.contains(&k.key.fingerprint) {
                Some(SkipReason::SameFingerprint)
            } else {
                None
            };
            if let Some(reason) = reason {
                skipped_keys.push(SkippedKey {
                    id: k.key.id.clone(),
                    label: k.key.label.clone(),
                    reason,
                });
                continue;
            }
            ids.insert(k.key.id.clone());
            fingerprints.insert(k.key.fingerprint.clone());
            items.push((k.key.id.clone(), self.seal_item(&k.key.id, &k.blob)?));
            key_rows.push(k.row());
        }
        let have: BTreeSet<String> = self.index.profiles()?.into_iter().map(|p| p.name).collect();
        let (mut profile_rows, mut skipped_profiles) = (Vec::new(), Vec::new());
        for p in &payload.profiles {
            if have.contains(&p.name) {
                skipped_profiles.push(p.name.clone());
            } else {
                profile_rows.push(ProfileRow {
                    name: p.name.clone(),
                    kind: p.kind.clone(),
                    json: p.json.clone(),
                    created_at: p.created_at.clone(),
                    updated_at: p.updated_at.clone(),
                });
            }
        }
        let (mut credential_rows, mut credentials_skipped) = (Vec::new(), 0);
        for c in &payload.credentials {
            if !profile_rows.iter().any(|p| p.name == c.profile) {
                credentials_skipped += 1;
                continue;
            }
            let id = format!(
                "{}{}",
                profiles::CREDENTIAL_PREFIX,
                keyward_crypto::random_id(8)
            );
            items.push((id.clone(), self.seal_item(&id, &credential_secret(c)?)?));
            credential_rows.push(CredentialRow {
                id,
                profile: c.profile.clone(),
                name: c.name.clone(),
                created_at: c.created_at.clone(),
            });
        }

        // Written: the items, then the rows in one transaction.
        let service = self.service()?;
        let mut written = Vec::with_capacity(items.len());
        let result = (|| -> Result<()> {
            for (account, sealed) in &items {
                self.store.set(&service, account, sealed.as_bytes())?;
                written.push(account.as_str());
            }
            let tx = self.index.conn().unchecked_transaction()?;
            for r in &key_rows {
                self.index.insert_key(r)?;
            }
            for p in &profile_rows {
                self.index.put_profile(p)?;
            }
            for c in &credential_rows {
                self.index.put_credential(c)?;
            }
            tx.commit()?;
            Ok(())
        })();
        if let Err(e) = result {
            for account in written {
                let _ = self.store.delete(&service, account);
            }
            return Err(e);
        }
        // New labels: the approval broker resolves keys by label and must look again.
        self.approvals_changes += 1;
        let report = MergeReport {
            source_vault_id: payload.source_vault_id.clone(),
            backup_created_at: payload.created_at.clone(),
            keys_added: key_rows.len(),
            keys_skipped: skipped_keys.len(),
            profiles_added: profile_rows.len(),
            profiles_skipped: skipped_profiles.len(),
            credentials_added: credential_rows.len(),
            credentials_skipped,
            skipped_keys,
            skipped_profiles,
        };
        self.log(
            "backup.merge",
            None,
            &format!(
                "merged a backup of vault {} ({}): added {} keys, {} profiles, {} credentials; skipped {} keys, {} profiles already here",
                report.source_vault_id,
                report.backup_created_at,
                report.keys_added,
                report.profiles_added,
                report.credentials_added,
                report.keys_skipped,
                report.profiles_skipped
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

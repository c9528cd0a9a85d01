//! `doctor` (the index against the keychain) and its repairs.

use super::*;
use crate::audit::ANCHOR_ACCOUNT;
use crate::error::{Result, VaultError};
use crate::index::KeyRow;
use keyward_crypto::PrivateKey;
use std::collections::BTreeSet;

impl Vault {
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
    pub(super) fn recover_row(&mut self, account: &str) -> Result<KeyInfo> {
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
            created_at: self.now(),
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

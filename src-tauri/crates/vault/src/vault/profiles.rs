//! Service profiles (public metadata in the index) and their credentials (sealed keychain
//! items, one per credential, named by a random id so nothing about the service shows in the
//! keychain). Keychain item first, index row second, as for keys.

use super::Vault;
use crate::api::{CredentialInfo, Profile};
use crate::error::{Result, VaultError};
use crate::index::{CredentialRow, ProfileRow};
use keyward_core::Secret;

/// Prefix of credential items in the keychain.
pub(crate) const CREDENTIAL_PREFIX: &str = "cred-";

fn check_name(name: &str) -> Result<String> {
    let n = name.trim();
    let ok = !n.is_empty()
        && n.len() <= 64
        && n.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'));
    if !ok {
        return Err(VaultError::Usage(
            "a profile or credential name is 1-64 letters, digits, - _ . :".into(),
        ));
    }
    Ok(n.to_string())
}

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Stored {
    base_url: String,
    #[serde(default)]
    settings: serde_json::Value,
}

impl Vault {
    fn profile_of(&self, row: ProfileRow) -> Result<Profile> {
        let stored: Stored = serde_json::from_str(&row.json)
            .map_err(|e| VaultError::Index(format!("profile {}: {e}", row.name)))?;
        let credentials = self
            .index
            .credentials(Some(&row.name))?
            .into_iter()
            .map(|c| CredentialInfo {
                name: c.name,
                created_at: c.created_at,
            })
            .collect();
        Ok(Profile {
            name: row.name,
            kind: row.kind,
            base_url: stored.base_url,
            settings: stored.settings,
            credentials,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }

    pub(crate) fn profiles(&self) -> Result<Vec<Profile>> {
        self.id()?;
        self.index
            .profiles()?
            .into_iter()
            .map(|r| self.profile_of(r))
            .collect()
    }

    pub(crate) fn profile(&self, name: &str) -> Result<Profile> {
        self.id()?;
        let row = self
            .index
            .profile(name)?
            .ok_or_else(|| VaultError::ProfileNotFound(name.to_string()))?;
        self.profile_of(row)
    }

    pub(crate) fn put_profile(&mut self, p: Profile, create: bool) -> Result<Profile> {
        self.vault_key()?;
        let name = check_name(&p.name)?;
        let existing = self.index.profile(&name)?;
        if create && existing.is_some() {
            return Err(VaultError::ProfileExists(name));
        }
        if !create && existing.is_none() {
            return Err(VaultError::ProfileNotFound(name));
        }
        let at = self.now();
        let json = serde_json::to_string(&Stored {
            base_url: p.base_url.clone(),
            settings: p.settings.clone(),
        })
        .expect("a profile serialises");
        self.index.put_profile(&ProfileRow {
            name: name.clone(),
            kind: p.kind.clone(),
            json,
            created_at: existing.map(|e| e.created_at).unwrap_or_else(|| at.clone()),
            updated_at: at,
        })?;
        let verb = if create { "added" } else { "updated" };
        self.log(
            if create {
                "service.add"
            } else {
                "service.update"
            },
            None,
            &format!("{verb} {} profile {name:?} ({})", p.kind, p.base_url),
        )?;
        self.profile(&name)
    }

    pub(crate) fn remove_profile(&mut self, name: &str) -> Result<Profile> {
        self.vault_key()?;
        let p = self.profile(name)?;
        let service = self.service()?;
        for c in self.index.credentials(Some(name))? {
            self.store.delete(&service, &c.id)?;
            self.index.delete_credential(&c.id)?;
        }
        self.index.delete_profile(name)?;
        self.log(
            "service.remove",
            None,
            &format!("removed {} profile {name:?} and its credentials", p.kind),
        )?;
        Ok(p)
    }

    pub(crate) fn put_credential(
        &mut self,
        profile: &str,
        name: &str,
        secret: &Secret,
    ) -> Result<CredentialInfo> {
        self.vault_key()?;
        self.profile(profile)?;
        let name = check_name(name)?;
        let old = self
            .index
            .credentials(Some(profile))?
            .into_iter()
            .find(|c| c.name == name);
        let id = format!("{CREDENTIAL_PREFIX}{}", keyward_crypto::random_id(8));
        // The secret is in the keychain before the index knows of it; a replaced one goes last.
        self.put_secret(&id, secret.expose().as_bytes())?;
        let row = CredentialRow {
            id: id.clone(),
            profile: profile.to_string(),
            name: name.clone(),
            created_at: self.now(),
        };
        if let Some(o) = &old {
            self.index.delete_credential(&o.id)?;
        }
        if let Err(e) = self.index.put_credential(&row) {
            let _ = self.store.delete(&self.service()?, &id);
            return Err(e);
        }
        if let Some(o) = old {
            let _ = self.store.delete(&self.service()?, &o.id);
        }
        self.log(
            "credential.store",
            None,
            &format!("stored credential {name:?} of profile {profile:?}"),
        )?;
        Ok(CredentialInfo {
            name,
            created_at: row.created_at,
        })
    }

    fn credential_row(&self, profile: &str, name: &str) -> Result<CredentialRow> {
        self.index
            .credentials(Some(profile))?
            .into_iter()
            .find(|c| c.name == name)
            .ok_or_else(|| VaultError::CredentialNotFound(profile.into(), name.into()))
    }

    pub(crate) fn get_credential(&self, profile: &str, name: &str) -> Result<Secret> {
        self.vault_key()?;
        let row = self.credential_row(profile, name)?;
        let bytes = self.get_secret(&row.id)?;
        String::from_utf8(bytes.to_vec())
            .map(Secret::from)
            .map_err(|_| VaultError::Crypto(keyward_crypto::CryptoError::Malformed))
    }

    pub(crate) fn delete_credential(&mut self, profile: &str, name: &str) -> Result<()> {
        self.vault_key()?;
        let row = self.credential_row(profile, name)?;
        self.store.delete(&self.service()?, &row.id)?;
        self.index.delete_credential(&row.id)?;
        self.log(
            "credential.delete",
            None,
            &format!("deleted credential {name:?} of profile {profile:?}"),
        )
    }
}

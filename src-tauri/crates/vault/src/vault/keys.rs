//! Keys as sealed keychain items: writing and reading secrets, adding keys, public views
//! and exports, and the explicit private export.

use super::*;
use crate::error::{Result, VaultError};
use crate::index::KeyRow;
use crate::store::MAX_ITEM_BYTES;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use keyward_core::Secret;
use keyward_crypto::seal::{self};
use keyward_crypto::{PrivateKey, PublicKey};
use zeroize::Zeroizing;

impl Vault {
    /// Seals `secret` under the vault key and writes it to the keychain; refuses items over
    /// the portable size limit before touching the keychain.
    pub(super) fn put_secret(&self, account: &str, plain: &[u8]) -> Result<()> {
        let sealed = self.seal_item(account, plain)?;
        self.store
            .set(&self.service()?, account, sealed.as_bytes())?;
        Ok(())
    }

    /// `plain` sealed under the vault key for item `account`, as the keychain holds it; items
    /// over the portable size limit are refused.
    pub(super) fn seal_item(&self, account: &str, plain: &[u8]) -> Result<String> {
        let key = self.vault_key()?;
        let sealed = STANDARD.encode(seal::seal(key, account.as_bytes(), plain));
        if sealed.len() > MAX_ITEM_BYTES {
            return Err(VaultError::ItemTooLarge(sealed.len(), MAX_ITEM_BYTES));
        }
        Ok(sealed)
    }

    pub(super) fn get_secret(&self, account: &str) -> Result<Zeroizing<Vec<u8>>> {
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

    pub(super) fn add_key(
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
            created_at: self.now(),
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

    pub(super) fn private_key(&self, row: &KeyRow) -> Result<PrivateKey> {
        let blob = self.get_secret(&row.id)?;
        Ok(PrivateKey::from_storage(&blob)?)
    }

    pub(super) fn public_key(row: &KeyRow) -> Result<PublicKey> {
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
        passphrase: Option<Secret>,
    ) -> Result<Secret> {
        self.private_export(key, format, passphrase, "key.reveal")
    }

    pub(super) fn private_export(
        &mut self,
        key: &str,
        format: PrivateFormat,
        passphrase: Option<Secret>,
        action: &str,
    ) -> Result<Secret> {
        self.vault_key()?;
        let row = self.index.resolve(key)?;
        let k = self.private_key(&row)?;
        let mut out = k.export(format, passphrase.as_ref().map(|p| p.expose().as_bytes()))?;
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
        Ok(Secret::from(out))
    }
}

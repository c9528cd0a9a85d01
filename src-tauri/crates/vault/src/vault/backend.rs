//! The vault in-process: [`Backend`] on [`Vault`], each operation a short call into the
//! modules beside it.

use super::*;
use crate::audit::{AuditEntry, AuditFilter, AuditReport};
use crate::error::Result;
use keyward_core::Secret;
use keyward_crypto::{import, PrivateKey};

impl Backend for Vault {
    fn status(&mut self) -> Result<Status> {
        self.status_now()
    }

    fn unlock(&mut self, passphrase: Option<Secret>) -> Result<Status> {
        self.unlock_with(passphrase.as_ref().map(|p| p.expose()))
    }

    fn lock(&mut self) -> Result<Status> {
        self.lock_now();
        self.status_now()
    }

    fn passphrase_change(&mut self, old: Option<Secret>, new: Secret) -> Result<Status> {
        self.change_passphrase(old.as_ref().map(|p| p.expose()), new.expose())
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
        let (key, origin) = parse_import(&req)?;
        self.add_key(key, req.label, &req.tags, origin)
    }

    fn key_import_preview(&mut self, req: ImportRequest) -> Result<ImportPreview> {
        let (key, origin) = parse_import(&req)?;
        let alg = key.alg();
        let public = key.public();
        Ok(ImportPreview {
            alg: alg.as_str().to_string(),
            fingerprint: public.fingerprint(),
            address: super::address_for(alg, &origin, &public),
            origin,
        })
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
        passphrase: Option<Secret>,
    ) -> Result<Secret> {
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

    fn backup_create(&mut self, passphrase: Secret) -> Result<BackupFile> {
        Vault::backup_create(self, passphrase.expose())
    }

    fn backup_merge(
        &mut self,
        file: &[u8],
        passphrase: Secret,
    ) -> Result<crate::backup::MergeReport> {
        self.merge_backup(file, passphrase.expose())
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
        secret: Secret,
    ) -> Result<CredentialInfo> {
        self.put_credential(profile, name, &secret)
    }

    fn credential_get(&mut self, profile: &str, name: &str) -> Result<Secret> {
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
        self.index.tombstone_key(&row.id, &self.now())?;
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

/// The key an import request holds, and its origin (the format, and a mnemonic's path).
fn parse_import(req: &ImportRequest) -> Result<(PrivateKey, String)> {
    let opts = import::ImportOptions {
        format: req.format,
        alg: req.alg,
        path: req.path.as_deref(),
        passphrase: req.passphrase.as_ref().map(|p| p.expose().as_bytes()),
    };
    let imported = import::import(req.text.expose(), &opts)?;
    let origin = match &imported.path {
        Some(p) => format!("{} {p}", imported.format.as_str()),
        None => imported.format.as_str().to_string(),
    };
    Ok((imported.key, origin))
}

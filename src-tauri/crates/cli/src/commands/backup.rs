//! `backup create|restore`: every key in one encrypted file, or a new vault from one.

use std::process::ExitCode;

use keyward_vault::VaultError;

use crate::cli::BackupCmd;
use crate::context::{CliContext, Need};
use crate::error::Result;
use crate::secrets;

pub fn run(ctx: &CliContext, cmd: BackupCmd) -> Result<ExitCode> {
    let out = &ctx.out;
    match cmd {
        BackupCmd::Create {
            file,
            passphrase_file,
            force,
        } => {
            if file.exists() && !force {
                return Err(VaultError::Usage(format!(
                    "{} exists; add --force to replace it",
                    file.display()
                ))
                .into());
            }
            let pass = match secrets::input_passphrase(passphrase_file.as_deref())? {
                Some(p) => p,
                None => secrets::passphrase("Backup passphrase (the vault passphrase): ")?,
            };
            let made = ctx.with_backend(Need::Key, |b| b.backup_create(pass))?;
            let bytes = made.bytes()?;
            keyward_vault::paths::write_private_file(&file, &bytes)?;
            out.backup_created(&made, &file, bytes.len());
        }
        BackupCmd::Restore {
            file,
            passphrase_file,
        } => {
            let mut vault = ctx.open()?;
            if vault.vault_id().is_some() {
                return Err(
                    VaultError::AlreadyInitialized(vault.dir().display().to_string()).into(),
                );
            }
            let bytes = secrets::read_bounded(
                Some(&file.display().to_string()),
                keyward_crypto::backup::MAX_BACKUP + keyward_crypto::backup::HEADER_LEN,
            )?;
            let pass = match secrets::input_passphrase(passphrase_file.as_deref())? {
                Some(p) => p,
                None => secrets::passphrase("Backup passphrase: ")?,
            };
            let report = vault.restore(&bytes, pass.expose(), None)?;
            vault.release();
            out.restored(&report);
        }
    }
    Ok(ExitCode::SUCCESS)
}

//! `backup create|verify|restore`: every key in one encrypted file, what a file holds, a new
//! vault from one or its keys merged into this vault.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use keyward_core::Secret;
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
        BackupCmd::Verify {
            file,
            passphrase_file,
        } => {
            let bytes = read_backup(&file)?;
            let pass = backup_passphrase(passphrase_file)?;
            let summary = keyward_vault::backup::inspect(&bytes, pass.expose().as_bytes())?;
            out.backup_summary(&summary);
        }
        BackupCmd::Restore {
            file,
            passphrase_file,
            merge: true,
        } => {
            let bytes = read_backup(&file)?;
            let pass = backup_passphrase(passphrase_file)?;
            let report = ctx.with_backend(Need::Key, |b| b.backup_merge(&bytes, pass))?;
            out.merged(&report);
        }
        BackupCmd::Restore {
            file,
            passphrase_file,
            merge: false,
        } => {
            let mut vault = ctx.open()?;
            if vault.vault_id().is_some() {
                return Err(
                    VaultError::AlreadyInitialized(vault.dir().display().to_string()).into(),
                );
            }
            let bytes = read_backup(&file)?;
            let pass = backup_passphrase(passphrase_file)?;
            let report = vault.restore(&bytes, pass.expose(), None)?;
            vault.release();
            out.restored(&report);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A backup file, at most as large as a backup can be.
fn read_backup(file: &Path) -> Result<Vec<u8>> {
    Ok(secrets::read_bounded(
        Some(&file.display().to_string()),
        keyward_crypto::backup::MAX_BACKUP + keyward_crypto::backup::HEADER_LEN,
    )?)
}

/// The backup's passphrase: `--passphrase-file`, else `KEYWARD_PASSPHRASE_FILE` or the terminal.
fn backup_passphrase(file: Option<PathBuf>) -> Result<Secret> {
    Ok(match secrets::input_passphrase(file.as_deref())? {
        Some(p) => p,
        None => secrets::passphrase("Backup passphrase: ")?,
    })
}

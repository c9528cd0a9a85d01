//! The Backup screen: every key into one encrypted file the user picks, what a backup file
//! holds, a restore from one into an empty data dir, and a merge of one into this vault.

use keyward_core::Secret;
use keyward_vault::backup::{self, BackupSummary, MergeReport};
use keyward_vault::{Backend, RestoreReport, VaultError};
use std::path::Path;
use zeroize::Zeroizing;

use crate::platform::dialog::{self, Filter};
use crate::state::{blocking, unlocked, with_vault, AppState, CmdResult};

const BACKUP_FILES: Filter = ("Keyward backup", &["kwbackup"]);

fn read(path: &Path) -> keyward_vault::Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| VaultError::Io(format!("cannot read {}: {e}", path.display())))
}

/// Backs up every key into a file the user picks (the Save dialog starts in Documents, else
/// home, with `keyward-YYYY-MM-DD.kwbackup` proposed); `passphrase` is the backup passphrase
/// (the UI suggests the vault's own). Returns the path and the key count.
#[tauri::command]
pub async fn backup_create(
    app: tauri::AppHandle,
    state: tauri::State<'_, AppState>,
    passphrase: String,
) -> CmdResult<serde_json::Value> {
    let pass = Zeroizing::new(passphrase);
    let name = backup::file_name(keyward_core::clock::now());
    let dir = dialog::documents_dir(&app);
    let path = dialog::save_file_in(&app, name, dir, Some(BACKUP_FILES)).await?;
    with_vault(&state, move |v| {
        unlocked(v)?;
        let made = v.backup_create(&pass)?;
        let bytes = made.bytes()?;
        keyward_vault::paths::write_private_file(&path, &bytes)?;
        Ok(serde_json::json!({
            "path": path.display().to_string(),
            "keys": made.keys,
            "createdAt": made.created_at,
        }))
    })
    .await
}

/// What a backup the user picks holds: decrypted and checked with `passphrase`, nothing
/// written. Needs no vault key (works while locked, and before a vault exists).
#[tauri::command]
pub async fn backup_inspect(app: tauri::AppHandle, passphrase: String) -> CmdResult<BackupSummary> {
    let pass = Secret::from(passphrase);
    let path = dialog::open_file(&app, BACKUP_FILES).await?;
    blocking(move || backup::inspect(&read(&path)?, pass.expose().as_bytes())).await
}

/// Restores a backup the user picks into this (empty) data dir; the new vault's passphrase
/// is the backup's.
#[tauri::command]
pub async fn backup_restore(
    app: tauri::AppHandle,
    state: tauri::State<'_, AppState>,
    passphrase: String,
) -> CmdResult<RestoreReport> {
    let pass = Zeroizing::new(passphrase);
    let path = dialog::open_file(&app, BACKUP_FILES).await?;
    with_vault(&state, move |v| v.restore(&read(&path)?, &pass, None)).await
}

/// Merges a backup the user picks into this unlocked vault: its keys, service profiles and
/// credentials are added, what the vault has already (a key by id or fingerprint, a profile
/// by name) is skipped and listed; all or nothing. Paired apps and grants are never in a
/// backup (`keyward_vault::backup::EXCLUDES`).
#[tauri::command]
pub async fn backup_merge(
    app: tauri::AppHandle,
    state: tauri::State<'_, AppState>,
    passphrase: String,
) -> CmdResult<MergeReport> {
    let pass = Secret::from(passphrase);
    let path = dialog::open_file(&app, BACKUP_FILES).await?;
    with_vault(&state, move |v| {
        unlocked(v)?;
        v.backup_merge(&read(&path)?, pass)
    })
    .await
}

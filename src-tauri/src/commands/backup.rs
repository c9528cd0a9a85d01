//! The Backup screen: every key into one encrypted file the user picks, and a restore from
//! one into an empty data dir.

use keyward_vault::{RestoreReport, VaultError};
use zeroize::Zeroizing;

use crate::platform::dialog::{self, Filter};
use crate::state::{unlocked, with_vault, AppState, CmdResult};

const BACKUP_FILES: Filter = ("Keyward backup", &["kwbackup"]);

/// Backs up every key into a file the user picks; `passphrase` is the backup passphrase
/// (the UI suggests the vault's own). Returns the path and the key count.
#[tauri::command]
pub async fn backup_create(
    app: tauri::AppHandle,
    state: tauri::State<'_, AppState>,
    passphrase: String,
) -> CmdResult<serde_json::Value> {
    let pass = Zeroizing::new(passphrase);
    let path = dialog::save_file(&app, "keyward.kwbackup", Some(BACKUP_FILES)).await?;
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
    with_vault(&state, move |v| {
        let bytes = std::fs::read(&path)
            .map_err(|e| VaultError::Io(format!("cannot read {}: {e}", path.display())))?;
        v.restore(&bytes, &pass, None)
    })
    .await
}

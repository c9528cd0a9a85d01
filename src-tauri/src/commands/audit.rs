//! The Activity screen: the audit log, the check of its chain, and its export to a file.

use keyward_vault::audit::ExportFormat;
use keyward_vault::{AuditEntry, AuditFilter, AuditReport, Backend};
use serde::Serialize;

use crate::platform::dialog;
use crate::state::{unlocked, with_vault, AppState, CmdResult};

/// Audit entries, newest first.
#[tauri::command]
pub async fn audit_list(
    state: tauri::State<'_, AppState>,
    filter: Option<AuditFilter>,
) -> CmdResult<Vec<AuditEntry>> {
    with_vault(&state, move |v| {
        unlocked(v)?;
        v.audit_list(&filter.unwrap_or_default())
    })
    .await
}

/// Checks the audit chain against its keychain anchor.
#[tauri::command]
pub async fn audit_verify(state: tauri::State<'_, AppState>) -> CmdResult<AuditReport> {
    with_vault(&state, |v| {
        unlocked(v)?;
        v.audit_verify()
    })
    .await
}

/// What `audit_export` wrote.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Exported {
    path: String,
    /// How many entries.
    count: usize,
}

/// Writes the entries `filter` selects (every one without it), oldest first, to a file the
/// user picks (the Save dialog starts in Documents, else home, with
/// `keyward-activity-YYYY-MM-DD.csv|jsonl` proposed): the text `keyward-cli audit export`
/// writes (`ExportFormat::render`).
#[tauri::command]
pub async fn audit_export(
    app: tauri::AppHandle,
    state: tauri::State<'_, AppState>,
    format: ExportFormat,
    filter: Option<AuditFilter>,
) -> CmdResult<Exported> {
    let name = format.file_name(keyward_core::clock::now());
    let dir = dialog::documents_dir(&app);
    let files: dialog::Filter = match format {
        ExportFormat::Csv => ("CSV", &["csv"]),
        ExportFormat::Jsonl => ("JSON Lines", &["jsonl"]),
    };
    let path = dialog::save_file_in(&app, name, dir, Some(files)).await?;
    with_vault(&state, move |v| {
        unlocked(v)?;
        let entries = v.audit_list(&filter.unwrap_or_default())?;
        keyward_vault::paths::write_private_file(&path, format.render(&entries).as_bytes())?;
        Ok(Exported {
            path: path.display().to_string(),
            count: entries.len(),
        })
    })
    .await
}

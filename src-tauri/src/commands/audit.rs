//! The Activity screen: the audit log and the check of its chain.

use keyward_vault::{AuditEntry, AuditFilter, AuditReport, Backend};

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

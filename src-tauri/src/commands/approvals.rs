//! The approval commands: the prompt window's (the oldest prompt, a decision) and the
//! Approvals screen's (pending prompts, paired apps, live grants; unpair, revoke). The broker
//! they talk to is started by `platform::endpoint`.

use keyward_approval::endpoint::{
    DecideInput, EndpointError, GrantView, PairingView, PromptItem, PromptView,
};
use keyward_approval::grant::GrantSpec;
use keyward_vault::{Backend, PairedApp, StoredGrant};
use serde::Serialize;
use tauri::{AppHandle, Emitter};

use crate::events::APPROVALS_CHANGED;
use crate::platform::endpoint;
use crate::platform::prompt_window;
use crate::state::{blocking, now, with_vault, AppError, AppState, CmdResult};

/// The oldest open prompt (prompt window).
#[tauri::command]
pub async fn prompt_current(state: tauri::State<'_, AppState>) -> CmdResult<Option<PromptItem>> {
    let b = state.broker()?;
    let item = b.prompts().into_iter().next();
    if let Some(PromptItem::Request(p)) = &item {
        b.mark_shown(&p.id);
    }
    Ok(item)
}

/// The user's answer to a request prompt (prompt window only).
#[tauri::command]
#[allow(clippy::too_many_arguments)]
pub async fn approval_decide(
    app: AppHandle,
    state: tauri::State<'_, AppState>,
    request_id: String,
    rendered_hash: String,
    approved: bool,
    grant: Option<String>,
    minutes: Option<u32>,
    passphrase: Option<String>,
) -> CmdResult<()> {
    // The user's decision is use of Keyward (the broker's own vault calls are not).
    state.idle.touch(now());
    let b = state.broker()?;
    let grant = grant
        .map(|g| GrantSpec::parse(&g, minutes))
        .transpose()
        .map_err(EndpointError::BadRequest)?;
    let pass = passphrase.map(keyward_core::Secret::from);
    let r = blocking(move || {
        b.decide(
            DecideInput {
                request_id,
                rendered_hash,
                approved,
                grant,
            },
            pass,
        )
    })
    .await;
    let _ = app.emit(APPROVALS_CHANGED, ());
    r
}

/// The user's answer to a pairing prompt (prompt window only).
#[tauri::command]
pub async fn pairing_decide(
    app: AppHandle,
    state: tauri::State<'_, AppState>,
    id: String,
    approved: bool,
    keys: Option<Vec<String>>,
) -> CmdResult<()> {
    state.idle.touch(now());
    let b = state.broker()?;
    let r = blocking(move || b.decide_pairing(&id, approved, keys)).await;
    let _ = app.emit(APPROVALS_CHANGED, ());
    r
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointInfo {
    url: Option<String>,
    key_fingerprint: Option<String>,
    error: Option<AppError>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalsState {
    endpoint: EndpointInfo,
    pending: Vec<PromptView>,
    pairings: Vec<PairingView>,
    apps: Vec<PairedApp>,
    grants: Vec<GrantView>,
}

/// What the Approvals screen shows.
#[tauri::command]
pub async fn approvals_state(
    app: AppHandle,
    state: tauri::State<'_, AppState>,
) -> CmdResult<ApprovalsState> {
    let a = app.clone();
    tauri::async_runtime::spawn_blocking(move || endpoint::ensure_started(&a)).await?;
    let (b, url, error) = {
        let slot = state.endpoint.lock().unwrap_or_else(|p| p.into_inner());
        (slot.broker.clone(), slot.url.clone(), slot.error.clone())
    };
    let apps = with_vault(&state, |v| {
        if v.vault_id().is_none() {
            return Ok(Vec::new());
        }
        v.app_list()
    })
    .await?;
    let (mut pending, mut pairings, mut grants) = (Vec::new(), Vec::new(), Vec::new());
    if let Some(b) = &b {
        let b2 = b.clone();
        let _ = blocking(move || b2.refresh()).await;
        for item in b.prompts() {
            match item {
                PromptItem::Request(r) => pending.push(r),
                PromptItem::Pairing(p) => pairings.push(p),
            }
        }
        grants = b.grants();
    }
    Ok(ApprovalsState {
        endpoint: EndpointInfo {
            url,
            key_fingerprint: b.as_ref().map(|b| b.fingerprint()),
            error,
        },
        pending,
        pairings,
        apps,
        grants,
    })
}

/// Forgets a paired app and its grants.
#[tauri::command]
pub async fn app_unpair(
    handle: AppHandle,
    state: tauri::State<'_, AppState>,
    app: String,
) -> CmdResult<PairedApp> {
    let gone = with_vault(&state, move |v| v.app_unpair(&app)).await?;
    if let Ok(b) = state.broker() {
        let _ = blocking(move || b.refresh()).await;
    }
    let _ = handle.emit(APPROVALS_CHANGED, ());
    Ok(gone)
}

/// Ends a grant now.
#[tauri::command]
pub async fn grant_revoke(
    app: AppHandle,
    state: tauri::State<'_, AppState>,
    id: String,
) -> CmdResult<StoredGrant> {
    let g = with_vault(&state, move |v| v.grant_revoke(&id)).await?;
    if let Ok(b) = state.broker() {
        let _ = blocking(move || b.refresh()).await;
    }
    let _ = app.emit(APPROVALS_CHANGED, ());
    Ok(g)
}

/// Brings the prompt window forward.
#[tauri::command]
pub async fn prompt_focus(app: AppHandle) -> CmdResult<()> {
    prompt_window::show_prompt_window(&app);
    Ok(())
}

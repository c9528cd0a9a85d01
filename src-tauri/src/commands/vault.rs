//! The vault's lock and settings: the first screen (create, unlock), the lock button and the
//! Settings screen.

use keyward_core::Secret;
use keyward_vault::{Backend, LockReason, Status, Vault};
use zeroize::Zeroizing;

use crate::platform::endpoint;
use crate::platform::links;
use crate::state::{with_vault, AppState, CmdResult};

/// The vault is reopened while uninitialised, so a vault the CLI creates meanwhile shows up.
#[tauri::command]
pub async fn vault_status(state: tauri::State<'_, AppState>) -> CmdResult<Status> {
    with_vault(&state, |v| {
        if v.vault_id().is_none() {
            *v = Vault::open_default()?;
            v.set_actor("app");
        }
        v.status_now()
    })
    .await
}

/// `passphrase: null` chooses the explicit "no passphrase" mode.
#[tauri::command]
pub async fn vault_init(
    app: tauri::AppHandle,
    state: tauri::State<'_, AppState>,
    passphrase: Option<String>,
) -> CmdResult<Status> {
    let p = passphrase.map(Zeroizing::new);
    let st = with_vault(&state, move |v| v.init(p.as_ref().map(|p| p.as_str()))).await?;
    // The endpoint needs a vault: start it now that there is one.
    std::thread::spawn(move || endpoint::ensure_started(&app));
    Ok(st)
}

#[tauri::command]
pub async fn vault_unlock(
    app: tauri::AppHandle,
    state: tauri::State<'_, AppState>,
    passphrase: String,
) -> CmdResult<Status> {
    let p = keyward_core::Secret::from(passphrase);
    let st = with_vault(&state, move |v| v.unlock(Some(p))).await?;
    // A vault the CLI created after launch: the endpoint starts at the first unlock; a running
    // one takes what it needs to authenticate apps.
    std::thread::spawn(move || {
        endpoint::ensure_started(&app);
        endpoint::broker_follows_vault(&app);
    });
    Ok(st)
}

#[tauri::command]
pub async fn vault_lock(
    app: tauri::AppHandle,
    state: tauri::State<'_, AppState>,
) -> CmdResult<Status> {
    let st = with_vault(&state, |v| {
        v.lock_because(LockReason::Window);
        v.status_now()
    })
    .await?;
    endpoint::broker_follows_vault(&app);
    Ok(st)
}

/// Changes the vault passphrase: `old` is checked (`null` for a vault in "no passphrase" mode,
/// which then gets `new` and leaves that mode), `new` must be as strong as at creation. The
/// vault stays unlocked; after a lock only `new` unlocks. The status after.
#[tauri::command]
pub async fn vault_change_passphrase(
    state: tauri::State<'_, AppState>,
    old: Option<String>,
    new: String,
) -> CmdResult<Status> {
    let (old, new) = (old.map(Secret::from), Secret::from(new));
    with_vault(&state, move |v| v.passphrase_change(old, new)).await
}

/// The settings (defaults where none were set).
#[tauri::command]
pub async fn settings_get(state: tauri::State<'_, AppState>) -> CmdResult<keyward_vault::Settings> {
    with_vault(&state, |v| v.settings_get()).await
}

/// Changes one setting by its `config` name; the settings after.
#[tauri::command]
pub async fn settings_set(
    app: tauri::AppHandle,
    state: tauri::State<'_, AppState>,
    name: String,
    value: String,
) -> CmdResult<keyward_vault::Settings> {
    let s = with_vault(&state, move |v| v.settings_set(&name, &value)).await?;
    // `simplewallet-links` (un)registers its scheme now.
    tauri::async_runtime::spawn_blocking(move || links::apply_settings(&app));
    Ok(s)
}

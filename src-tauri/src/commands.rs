//! IPC commands. Each runs its vault call on the blocking pool (keychain calls can wait on a
//! prompt) and maps errors to `ErrorBody`. Nothing secret is returned.

use keyward_vault::{
    AuditEntry, AuditFilter, AuditReport, Backend, ErrorBody, GenerateRequest, ImportRequest,
    KeyDetail, KeyInfo, ListFilter, PrivateFormat, PublicFormat, QrView, RestoreReport, Status,
    Vault, VaultError,
};
use std::sync::{Arc, Mutex};
use zeroize::Zeroizing;

#[derive(Default)]
pub struct AppState {
    pub(crate) vault: Arc<Mutex<Option<Vault>>>,
    /// The loopback endpoint's broker (started at launch, or once a vault exists).
    pub(crate) endpoint: Mutex<crate::approvals::EndpointSlot>,
    /// The local playground the app started (killed when replaced, stopped or on exit).
    pub(crate) playground: Arc<Mutex<Option<keyward_services::playground::Playground>>>,
    /// When Keyward was last used (the window, the agent socket, the endpoint): the idle lock.
    pub(crate) idle: Arc<keyward_vault::session::Idle>,
    /// What the app copied, and its pending clear.
    pub(crate) clip: Arc<crate::clipboard::Clip>,
}

pub(crate) type CmdResult<T> = Result<T, ErrorBody>;

impl AppState {
    /// The settings of the open vault, without counting as use; `None` before a vault exists
    /// or is open.
    pub fn settings_now(&self) -> Option<keyward_vault::Settings> {
        let guard = self.vault.lock().ok()?;
        guard
            .as_ref()
            .filter(|v| v.vault_id().is_some())
            .and_then(|v| v.settings_now().ok())
    }

    /// Locks the vault (logging the lock and anchoring the audit chain) as the app exits.
    pub fn lock_on_exit(&self) {
        if let Ok(mut guard) = self.vault.lock() {
            if let Some(v) = guard.as_mut() {
                v.lock_now();
            }
        }
    }

    /// Kills the playground child, if one runs, as the app exits.
    pub fn stop_playground_on_exit(&self) {
        if let Ok(mut guard) = self.playground.lock() {
            guard.take();
        }
    }
}

/// An error of the shell itself (a join failure, a poisoned lock) in the shape of the others.
pub(crate) fn io_error(msg: impl Into<String>) -> ErrorBody {
    ErrorBody::from(&VaultError::Io(msg.into()))
}

/// Runs `f` on the vault (opened on first use) on the blocking pool; `f`'s error is any error
/// type with an `ErrorBody` form (the vault's, the services').
pub(crate) async fn with_backend<T, E>(
    state: &AppState,
    f: impl FnOnce(&mut Vault) -> Result<T, E> + Send + 'static,
) -> CmdResult<T>
where
    T: Send + 'static,
    for<'e> ErrorBody: From<&'e E>,
{
    let slot = state.vault.clone();
    state.idle.touch(crate::session::now());
    tauri::async_runtime::spawn_blocking(move || {
        let mut guard = slot.lock().map_err(|_| io_error("vault state poisoned"))?;
        if guard.is_none() {
            let mut v =
                Vault::open_default().map_err(|e| <ErrorBody as From<&VaultError>>::from(&e))?;
            v.set_actor("app");
            *guard = Some(v);
        }
        let vault = guard.as_mut().expect("opened above");
        f(vault).map_err(|e| ErrorBody::from(&e))
    })
    .await
    .map_err(|e| io_error(e.to_string()))?
}

/// [`with_backend`] for the vault's own calls.
pub(crate) async fn with_vault<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&mut Vault) -> keyward_vault::Result<T> + Send + 'static,
) -> CmdResult<T> {
    with_backend(state, f).await
}

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
    std::thread::spawn(move || crate::approvals::ensure_started(&app));
    Ok(st)
}

#[tauri::command]
pub async fn vault_unlock(
    app: tauri::AppHandle,
    state: tauri::State<'_, AppState>,
    passphrase: String,
) -> CmdResult<Status> {
    let p = Zeroizing::new(passphrase);
    let st = with_vault(&state, move |v| v.unlock(Some(p))).await?;
    // A vault the CLI created after launch: the endpoint starts at the first unlock; a running
    // one takes what it needs to authenticate apps.
    std::thread::spawn(move || {
        crate::approvals::ensure_started(&app);
        crate::session::broker_follows_vault(&app);
    });
    Ok(st)
}

#[tauri::command]
pub async fn vault_lock(
    app: tauri::AppHandle,
    state: tauri::State<'_, AppState>,
) -> CmdResult<Status> {
    let st = with_vault(&state, |v| v.lock()).await?;
    crate::session::broker_follows_vault(&app);
    Ok(st)
}

/// The app shows keys only while unlocked (the CLI's agent follows the same rule).
pub(crate) fn unlocked(v: &Vault) -> keyward_vault::Result<()> {
    if v.is_locked() {
        return Err(VaultError::Locked);
    }
    Ok(())
}

#[tauri::command]
pub async fn key_list(
    state: tauri::State<'_, AppState>,
    filter: Option<ListFilter>,
) -> CmdResult<Vec<KeyInfo>> {
    with_vault(&state, move |v| {
        unlocked(v)?;
        v.key_list(&filter.unwrap_or_default())
    })
    .await
}

/// RSA generation takes seconds; it runs on the blocking pool like every vault call, so the
/// window stays responsive and shows its progress.
#[tauri::command]
pub async fn key_generate(
    state: tauri::State<'_, AppState>,
    req: GenerateRequest,
) -> CmdResult<KeyInfo> {
    with_vault(&state, move |v| v.key_generate(req)).await
}

/// The request carries the input and its own passphrase in; only public data comes back.
#[tauri::command]
pub async fn key_import(
    state: tauri::State<'_, AppState>,
    req: ImportRequest,
) -> CmdResult<KeyInfo> {
    with_vault(&state, move |v| v.key_import(req)).await
}

#[tauri::command]
pub async fn key_detail(state: tauri::State<'_, AppState>, key: String) -> CmdResult<KeyDetail> {
    with_vault(&state, move |v| {
        unlocked(v)?;
        v.key_show(&key)
    })
    .await
}

/// A QR code (SVG) of one public form of the key (its default when `format` is null).
#[tauri::command]
pub async fn key_qr(
    state: tauri::State<'_, AppState>,
    key: String,
    format: Option<PublicFormat>,
) -> CmdResult<QrView> {
    with_vault(&state, move |v| {
        unlocked(v)?;
        v.key_qr(&key, format)
    })
    .await
}

/// One public form of a key (a JWK Set when several keys are given with `jwks`).
#[tauri::command]
pub async fn key_export(
    state: tauri::State<'_, AppState>,
    keys: Vec<String>,
    format: PublicFormat,
) -> CmdResult<String> {
    with_vault(&state, move |v| {
        unlocked(v)?;
        v.key_export_many(&keys, format)
    })
    .await
}

#[tauri::command]
pub async fn key_tag(
    state: tauri::State<'_, AppState>,
    key: String,
    add: Vec<String>,
    remove: Vec<String>,
) -> CmdResult<KeyInfo> {
    with_vault(&state, move |v| v.key_tag(&key, &add, &remove)).await
}

#[tauri::command]
pub async fn key_rename(
    state: tauri::State<'_, AppState>,
    key: String,
    label: String,
) -> CmdResult<KeyInfo> {
    with_vault(&state, move |v| v.key_rename(&key, &label)).await
}

#[tauri::command]
pub async fn key_delete(state: tauri::State<'_, AppState>, key: String) -> CmdResult<()> {
    with_vault(&state, move |v| v.key_delete(&key).map(|_| ())).await
}

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

/// Asks the user, in a native dialog the webview cannot script or skip.
fn confirm(app: &tauri::AppHandle, title: &str, message: &str, ok: &str) -> bool {
    use tauri_plugin_dialog::{DialogExt, MessageDialogButtons, MessageDialogKind};
    app.dialog()
        .message(message)
        .title(title)
        .kind(MessageDialogKind::Warning)
        .buttons(MessageDialogButtons::OkCancelCustom(
            ok.to_string(),
            "Cancel".to_string(),
        ))
        .blocking_show()
}

fn cancelled() -> ErrorBody {
    ErrorBody {
        code: "ui.cancelled".into(),
        message: "cancelled".into(),
        hint: "Nothing was done.".into(),
        candidates: None,
    }
}

/// A private key, shown once, after a native confirmation (logged as `key.reveal`). The
/// caller keeps it on screen only until the user closes it. `passphrase` encrypts `pkcs8-enc`.
#[tauri::command]
pub async fn key_reveal(
    app: tauri::AppHandle,
    state: tauri::State<'_, AppState>,
    key: String,
    format: PrivateFormat,
    passphrase: Option<String>,
) -> CmdResult<String> {
    let passphrase = passphrase.map(Zeroizing::new);
    let label = with_vault(&state, {
        let key = key.clone();
        move |v| {
            unlocked(v)?;
            v.key_show(&key).map(|d| d.info.label)
        }
    })
    .await?;
    let ok = tauri::async_runtime::spawn_blocking(move || {
        confirm(
            &app,
            "Reveal private key",
            &format!(
                "Show the private key of \"{label}\" as {}?\n\nAnyone who sees it can use the key. \
                 The reveal is written to the audit log.",
                format.as_str()
            ),
            "Reveal",
        )
    })
    .await
    .map_err(|e| ErrorBody::from(&VaultError::Io(e.to_string())))?;
    if !ok {
        return Err(cancelled());
    }
    with_vault(&state, move |v| {
        unlocked(v)?;
        v.reveal(&key, format, passphrase).map(|s| s.to_string())
    })
    .await
}

/// Writes a public export to a file the user picks in a native save dialog; returns its path.
#[tauri::command]
pub async fn key_export_file(
    app: tauri::AppHandle,
    state: tauri::State<'_, AppState>,
    keys: Vec<String>,
    format: PublicFormat,
) -> CmdResult<String> {
    let text = key_export(state, keys, format).await?;
    let name = match format {
        PublicFormat::Pem => "public-key.pem",
        PublicFormat::Jwk => "public-key.jwk.json",
        PublicFormat::Jwks => "jwks.json",
        PublicFormat::Openssh => "id_keyward.pub",
        _ => "public-key.txt",
    };
    tauri::async_runtime::spawn_blocking(move || {
        use tauri_plugin_dialog::DialogExt;
        let path = app
            .dialog()
            .file()
            .set_file_name(name)
            .blocking_save_file()
            .ok_or_else(cancelled)?
            .into_path()
            .map_err(|e| ErrorBody::from(&VaultError::Io(e.to_string())))?;
        std::fs::write(&path, text.as_bytes()).map_err(|e| {
            ErrorBody::from(&VaultError::Io(format!(
                "cannot write {}: {e}",
                path.display()
            )))
        })?;
        Ok(path.display().to_string())
    })
    .await
    .map_err(|e| ErrorBody::from(&VaultError::Io(e.to_string())))?
}

/// Backs up every key into a file the user picks; `passphrase` is the backup passphrase
/// (the UI suggests the vault's own). Returns the path and the key count.
#[tauri::command]
pub async fn backup_create(
    app: tauri::AppHandle,
    state: tauri::State<'_, AppState>,
    passphrase: String,
) -> CmdResult<serde_json::Value> {
    let pass = Zeroizing::new(passphrase);
    let path = tauri::async_runtime::spawn_blocking(move || {
        use tauri_plugin_dialog::DialogExt;
        app.dialog()
            .file()
            .set_file_name("keyward.kwbackup")
            .add_filter("Keyward backup", &["kwbackup"])
            .blocking_save_file()
            .ok_or_else(cancelled)?
            .into_path()
            .map_err(|e| ErrorBody::from(&VaultError::Io(e.to_string())))
    })
    .await
    .map_err(|e| ErrorBody::from(&VaultError::Io(e.to_string())))??;
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
    let path = tauri::async_runtime::spawn_blocking(move || {
        use tauri_plugin_dialog::DialogExt;
        app.dialog()
            .file()
            .add_filter("Keyward backup", &["kwbackup"])
            .blocking_pick_file()
            .ok_or_else(cancelled)?
            .into_path()
            .map_err(|e| ErrorBody::from(&VaultError::Io(e.to_string())))
    })
    .await
    .map_err(|e| ErrorBody::from(&VaultError::Io(e.to_string())))??;
    with_vault(&state, move |v| {
        let bytes = std::fs::read(&path)
            .map_err(|e| VaultError::Io(format!("cannot read {}: {e}", path.display())))?;
        v.restore(&bytes, &pass, None)
    })
    .await
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
    tauri::async_runtime::spawn_blocking(move || crate::links::apply_settings(&app));
    Ok(s)
}

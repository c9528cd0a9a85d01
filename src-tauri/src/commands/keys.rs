//! The Keys screen: list, generate, import, detail, QR codes, public exports (to the screen or
//! a file), tags, labels, usage policies, deletion, and the private key revealed after a
//! native confirmation. Nothing secret comes back but that reveal.

use keyward_vault::api::Usage;
use keyward_vault::{
    Backend, GenerateRequest, ImportPreview, ImportRequest, KeyDetail, KeyInfo, ListFilter,
    PrivateFormat, PublicFormat, QrView, VaultError,
};
use zeroize::Zeroizing;

use crate::platform::dialog;
use crate::state::{blocking, cancelled, unlocked, with_vault, AppState, CmdResult};

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

/// What an import would add (its address, for a recovery phrase), before anything is kept.
#[tauri::command]
pub async fn key_import_preview(
    state: tauri::State<'_, AppState>,
    req: ImportRequest,
) -> CmdResult<ImportPreview> {
    with_vault(&state, move |v| v.key_import_preview(req)).await
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

/// Writes a public export to a file the user picks in a native save dialog; returns its path.
#[tauri::command]
pub async fn key_export_file(
    app: tauri::AppHandle,
    state: tauri::State<'_, AppState>,
    keys: Vec<String>,
    format: PublicFormat,
) -> CmdResult<String> {
    let text = key_export(state, keys, format).await?;
    let path = dialog::save_file(&app, format.file_name(), None).await?;
    blocking(move || {
        std::fs::write(&path, text.as_bytes())
            .map_err(|e| VaultError::Io(format!("cannot write {}: {e}", path.display())))?;
        Ok::<_, VaultError>(path.display().to_string())
    })
    .await
}

/// Saves a QR code of one public form of the key (its default when `format` is null) as an SVG
/// file the user picks in a native save dialog; returns its path.
#[tauri::command]
pub async fn key_qr_file(
    app: tauri::AppHandle,
    state: tauri::State<'_, AppState>,
    key: String,
    format: Option<PublicFormat>,
) -> CmdResult<String> {
    let qr = key_qr(state, key, format).await?;
    let path = dialog::save_file_in(
        &app,
        "keyward-qr.svg".into(),
        dialog::documents_dir(&app),
        Some(("SVG image", &["svg"])),
    )
    .await?;
    blocking(move || {
        std::fs::write(&path, qr.svg.as_bytes())
            .map_err(|e| VaultError::Io(format!("cannot write {}: {e}", path.display())))?;
        Ok::<_, VaultError>(path.display().to_string())
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

/// Sets what a key may sign (`allow: null`: every usage its algorithm fits).
#[tauri::command]
pub async fn key_policy(
    state: tauri::State<'_, AppState>,
    key: String,
    allow: Option<Vec<Usage>>,
) -> CmdResult<KeyInfo> {
    with_vault(&state, move |v| v.key_policy(&key, allow)).await
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
    let ok = dialog::confirm(
        &app,
        "Reveal private key".into(),
        format!(
            "Show the private key of \"{label}\" as {}?\n\nAnyone who sees it can use the key. \
             The reveal is written to the audit log.",
            format.as_str()
        ),
        "Reveal",
    )
    .await?;
    if !ok {
        return Err(cancelled());
    }
    with_vault(&state, move |v| {
        unlocked(v)?;
        v.reveal(&key, format, passphrase.map(Into::into))
            .map(|s| s.expose().to_string())
    })
    .await
}

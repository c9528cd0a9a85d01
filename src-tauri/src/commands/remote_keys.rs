//! A service's remote keys (Engine's access tokens, and every later kind with key
//! administration): one set of commands over `keyward_services::admin`, whatever the kind.
//! A created key's secret is sealed before the command answers, and the page gets it once in
//! that answer: beside the sealed credential (`secret`, shown once with a "stored in keychain"
//! tick), or — when the keychain refused it — as `unsaved.secret`, the only copy there is. The
//! service will not show it again; the page clears it on navigation or after 60 s, and nothing
//! logs it.

use keyward_core::Secret;
use keyward_services::admin::{flows, Check, NewKey, RemoteKey};
use keyward_services::once::Sealed;
use keyward_vault::api::CredentialInfo;
use serde::Serialize;

use crate::state::{with_http, AppError, AppState, CmdResult};

/// A created key as the page sees it: sealed in the keychain (`credential`) with its `secret`
/// to show once, or — when the keychain refused it — `unsaved`, the secret itself to show once
/// as NOT SAVED. Exactly one of `credential` and `unsaved` is present; `secret` comes with
/// `credential`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedKey {
    key: RemoteKey,
    noun: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    credential: Option<CredentialInfo>,
    /// On purpose: a secret the service shows once is shown once, right after it was sealed
    /// (DESIGN, "Secrets in the webview"); the only secrets a command returns without a reveal
    /// are these and `Unsaved::secret`.
    #[serde(
        with = "keyward_core::secret::wire",
        skip_serializing_if = "Option::is_none"
    )]
    secret: Option<Secret>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unsaved: Option<Unsaved>,
}

/// A created key's secret the keychain refused: the only copy there is.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Unsaved {
    /// On purpose: shown once without a reveal, as NOT SAVED.
    #[serde(with = "keyward_core::secret::wire")]
    secret: Secret,
    error: AppError,
}

fn label_of(label: Option<String>) -> Option<String> {
    label
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
}

#[tauri::command]
pub async fn service_key_list(
    state: tauri::State<'_, AppState>,
    service: String,
) -> CmdResult<Vec<RemoteKey>> {
    with_http(&state, move |v, http| flows::list(v, http, &service)).await
}

#[tauri::command]
pub async fn service_key_create(
    state: tauri::State<'_, AppState>,
    service: String,
    label: Option<String>,
) -> CmdResult<CreatedKey> {
    let label = label_of(label);
    with_http(&state, move |v, http| {
        let created = flows::create(
            v,
            http,
            &service,
            NewKey {
                label: label.as_deref(),
                tag: None,
            },
        )?;
        let (credential, secret, unsaved) = match created.sealed {
            Sealed::Stored { info, secret } => (Some(info), Some(secret), None),
            Sealed::Unsaved { secret, error } => (
                None,
                None,
                Some(Unsaved {
                    secret,
                    error: error.into(),
                }),
            ),
        };
        Ok(CreatedKey {
            key: created.key,
            noun: created.noun,
            credential,
            secret,
            unsaved,
        })
    })
    .await
}

#[tauri::command]
pub async fn service_key_rename(
    state: tauri::State<'_, AppState>,
    service: String,
    id: String,
    label: Option<String>,
) -> CmdResult<()> {
    let label = label_of(label);
    with_http(&state, move |v, http| {
        flows::rename(v, http, &service, &id, label.as_deref())
    })
    .await
}

#[tauri::command]
pub async fn service_key_revoke(
    state: tauri::State<'_, AppState>,
    service: String,
    id: String,
) -> CmdResult<()> {
    with_http(&state, move |v, http| flows::revoke(v, http, &service, &id)).await
}

/// Whether the stored secret of key `id` still works at the service.
#[tauri::command]
pub async fn service_key_check(
    state: tauri::State<'_, AppState>,
    service: String,
    id: String,
) -> CmdResult<Check> {
    with_http(&state, move |v, http| flows::check(v, http, &service, &id)).await
}

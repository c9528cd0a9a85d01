//! A service's remote keys (Engine's access tokens, and every later kind with key
//! administration): one set of commands over `keyward_services::admin`, whatever the kind.
//! A created key's secret is sealed before the command answers; the page gets it only when
//! the keychain refused it (`unsaved`): the service will not show it again.

use keyward_core::Secret;
use keyward_services::admin::{flows, Check, NewKey, RemoteKey};
use keyward_services::once::Sealed;
use keyward_vault::api::CredentialInfo;
use serde::Serialize;

use crate::state::{with_http, AppError, AppState, CmdResult};

/// A created key as the page sees it: sealed in the keychain (`credential`), or — when the
/// keychain refused it — the secret itself, to be shown once as NOT SAVED.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedKey {
    key: RemoteKey,
    noun: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    credential: Option<CredentialInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unsaved: Option<Unsaved>,
}

/// The only secret a command returns without a reveal: the service will not show it again.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Unsaved {
    /// On purpose: the one secret a command returns without a reveal.
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
        let (credential, unsaved) = match created.sealed {
            Sealed::Stored(c) => (Some(c), None),
            Sealed::Unsaved { secret, error } => (
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

//! Service commands: the Services screen (profiles, Engine's keypairs and endpoint calls) and
//! the local playground; remote keys (access tokens) are `remote_keys`. The flows live in `keyward-services`; HTTP is blocking
//! reqwest, so every call runs on the blocking pool, never on the async runtime's threads.
//! A flow that talks to a service never holds the vault lock across its I/O: it reaches the
//! vault through `PerCall`, which locks it for each vault call only, so a slow or silent
//! service (30 s a try, and retries) does not stall the agent socket, the endpoint or a lock.
//!
//! Secrets cross IPC one way only: an admin token comes in from the webview once, is sealed in
//! the keychain and never goes back.

use keyward_services::engine::{self, CallResult, Health, Keypair};
use keyward_services::{playground, ServiceError};
use keyward_vault::api::{JwsAlg, MintOptions, Profile};
use keyward_vault::Backend;
use serde::Serialize;
use zeroize::Zeroizing;

use crate::state::{blocking, io_error, unlocked, with_backend, with_http, AppState, CmdResult};

type ServiceResult<T> = Result<T, ServiceError>;

#[tauri::command]
pub async fn service_list(state: tauri::State<'_, AppState>) -> CmdResult<Vec<Profile>> {
    with_backend(&state, |v| -> ServiceResult<_> {
        unlocked(v)?;
        Ok(v.profile_list()?)
    })
    .await
}

/// Adds an Engine profile; `admin_token` (an access token or the secret key) is sealed in the
/// keychain as its `admin-token` credential and never returned.
#[tauri::command]
pub async fn service_add_engine(
    state: tauri::State<'_, AppState>,
    name: String,
    url: String,
    admin_token: Option<String>,
) -> CmdResult<Profile> {
    let token = admin_token
        .map(|t| Zeroizing::new(t.trim().to_string()))
        .filter(|t| !t.is_empty());
    with_backend(&state, move |v| {
        unlocked(v)?;
        engine::add_profile(v, name.trim(), &url, token.map(Into::into), None)
    })
    .await
}

/// Removes a profile and every credential it holds (the page confirms first).
#[tauri::command]
pub async fn service_remove(state: tauri::State<'_, AppState>, name: String) -> CmdResult<Profile> {
    with_backend(&state, move |v| -> ServiceResult<_> {
        unlocked(v)?;
        Ok(v.profile_remove(&name)?)
    })
    .await
}

#[tauri::command]
pub async fn engine_health(
    state: tauri::State<'_, AppState>,
    profile: String,
) -> CmdResult<Health> {
    with_http(&state, move |v, http| engine::health(v, http, &profile)).await
}

/// Registers a vault key's public key with Engine (`alg`: the key's default when null).
#[tauri::command]
pub async fn engine_keypair_add(
    state: tauri::State<'_, AppState>,
    profile: String,
    key: String,
    label: Option<String>,
    alg: Option<JwsAlg>,
) -> CmdResult<Keypair> {
    with_http(&state, move |v, http| {
        let label = label.as_deref().map(str::trim).filter(|l| !l.is_empty());
        engine::register_key(v, http, &profile, &key, label, alg)
    })
    .await
}

#[tauri::command]
pub async fn engine_keypair_list(
    state: tauri::State<'_, AppState>,
    profile: String,
) -> CmdResult<Vec<Keypair>> {
    with_http(&state, move |v, http| {
        engine::list_keypairs(v, http, &profile)
    })
    .await
}

/// Removes a keypair by its hash or by the vault key it is; returns the hash.
#[tauri::command]
pub async fn engine_keypair_remove(
    state: tauri::State<'_, AppState>,
    profile: String,
    target: String,
) -> CmdResult<String> {
    with_http(&state, move |v, http| {
        engine::remove_keypair(v, http, &profile, &target)
    })
    .await
}

/// Calls an endpoint with a fresh keypair JWT from `key` (`data`: a JSON body, bound by
/// `bodyHash`). The answer carries the token's claims, never the token.
#[tauri::command]
#[allow(clippy::too_many_arguments)]
pub async fn engine_call(
    state: tauri::State<'_, AppState>,
    profile: String,
    key: String,
    method: String,
    path: String,
    data: Option<String>,
    exp_secs: Option<u64>,
    use_kid: Option<bool>,
) -> CmdResult<CallResult> {
    let opts = MintOptions {
        exp_secs,
        use_kid: use_kid.unwrap_or(false),
        ..Default::default()
    };
    let data = data.filter(|d| !d.trim().is_empty());
    with_http(&state, move |v, http| {
        engine::call(
            v,
            http,
            &profile,
            &key,
            engine::Endpoint {
                method: &method,
                path: &path,
                data: data.as_deref().map(str::as_bytes),
            },
            opts,
        )
    })
    .await
}

/// Where the started playground listens, and the profile that points at it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlaygroundInfo {
    url: String,
    profile: String,
}

/// Starts `keyward-playground` (Engine) next to the app binary, replacing one this app started
/// before, and creates or replaces the `playground` profile with its URL and admin token. The
/// child lives in the app's state and dies with the app (and with its stdin, if the app dies).
#[tauri::command]
pub async fn playground_start(state: tauri::State<'_, AppState>) -> CmdResult<PlaygroundInfo> {
    // Nothing is started for a locked vault: the profile could not be written.
    with_backend(&state, |v| unlocked(v)).await?;
    let exe = std::env::current_exe().map_err(|e| io_error(e.to_string()))?;
    let binary = playground::locate(&exe);
    // The old one goes first, so that two never run for one app. On failure the new one is
    // dropped, which kills the child.
    state
        .playground
        .lock()
        .map_err(|_| io_error("playground state poisoned"))?
        .take();
    let pg = with_http(&state, move |v, _| {
        playground::start_with_profile(v, &binary)
    })
    .await?;
    let url = pg.ready.url.clone();
    *state
        .playground
        .lock()
        .map_err(|_| io_error("playground state poisoned"))? = Some(pg);
    Ok(PlaygroundInfo {
        url,
        profile: playground::PROFILE.into(),
    })
}

/// Stops the playground this app started; false when none was running. The profile stays.
#[tauri::command]
pub async fn playground_stop(state: tauri::State<'_, AppState>) -> CmdResult<bool> {
    let slot = state.playground.clone();
    blocking(move || -> CmdResult<bool> {
        // Dropping it kills and reaps the child.
        let pg = slot
            .lock()
            .map_err(|_| io_error("playground state poisoned"))?
            .take();
        Ok(pg.is_some())
    })
    .await
}

/// Whether a playground this app started is running, and where.
#[tauri::command]
pub async fn playground_status(state: tauri::State<'_, AppState>) -> CmdResult<Option<String>> {
    let guard = state
        .playground
        .lock()
        .map_err(|_| io_error("playground state poisoned"))?;
    Ok(guard.as_ref().map(|p| p.ready.url.clone()))
}

//! What the app serves while it runs: the loopback approval endpoint (and its Unix socket),
//! whose prompts open in the prompt window, and the vault's agent socket, through which the
//! CLI shares the app's unlocked vault.

use std::sync::Arc;

use keyward_approval::endpoint::{self, Broker, Config, SystemClock, VaultAccess};
use keyward_vault::Backend;
use tauri::{AppHandle, Emitter, Manager};

use crate::events::VAULT_CHANGED;
use crate::platform::prompt_window::WindowApprover;
use crate::state::{AppState, AppVault};

/// Default port of the endpoint (`KEYWARD_ENDPOINT_PORT` overrides it; 0 = any free port).
const DEFAULT_PORT: u16 = 47800;

/// Starts the endpoint unless it runs (a vault that does not exist yet is retried on the
/// next call).
pub fn ensure_started(app: &AppHandle) {
    let state = app.state::<AppState>();
    let mut slot = state.endpoint.lock().unwrap_or_else(|p| p.into_inner());
    if slot.broker.is_some() {
        return;
    }
    let access = Arc::new(AppVault(state.vault.clone(), None));
    let broker = match Broker::new(
        access,
        Arc::new(WindowApprover(app.clone())),
        Arc::new(SystemClock),
        Config::default(),
    ) {
        Ok(b) => b,
        Err(e) => {
            slot.error = Some(e.into());
            return;
        }
    };
    // KEYWARD_ENDPOINT_PORT, else the `endpoint-port` setting.
    let configured =
        keyward_vault::access::on_vault(&AppVault(state.vault.clone(), None), |v| v.settings_get())
            .map(|s| s.endpoint_port)
            .unwrap_or(DEFAULT_PORT);
    let port = std::env::var("KEYWARD_ENDPOINT_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(configured);
    let listener = match tauri::async_runtime::block_on(endpoint::http::bind(port)) {
        Ok(l) => l,
        Err(e) => {
            slot.error = Some(e.into());
            return;
        }
    };
    let bound = listener.local_addr().map(|a| a.port()).unwrap_or(port);
    slot.url = Some(format!("http://127.0.0.1:{bound}"));
    slot.error = None;
    slot.broker = Some(broker.clone());
    let vault_id = state
        .vault
        .lock()
        .ok()
        .and_then(|g| g.as_ref().and_then(|v| v.vault_id().map(str::to_owned)));
    if let Some(id) = vault_id {
        if let Ok(path) = keyward_vault::paths::endpoint_socket_path(&id) {
            let b = broker.clone();
            tauri::async_runtime::spawn(async move {
                let _ = endpoint::http::serve_unix(b, path, std::future::pending()).await;
            });
        }
        // The app is the vault's agent while it runs: the CLI shares its unlocked vault (and,
        // while it is locked, gets only status and unlock). A CLI agent already serving this
        // vault keeps it; the app then goes without.
        if let Ok(socket) = keyward_vault::paths::socket_path(&id) {
            let access: Arc<dyn VaultAccess> =
                Arc::new(AppVault(state.vault.clone(), Some(state.idle.clone())));
            let handle = app.clone();
            // The windows re-read what they show when the CLI changed the vault.
            let on_change: keyward_vault::agent::OnChange = Arc::new(move || {
                // A `config set simplewallet-links` through the socket (re)registers the
                // scheme: `platform::links` follows this event.
                let _ = handle.emit(VAULT_CHANGED, ());
                let h = handle.clone();
                // A `lock` through it drops the keys the broker holds unsealed, now.
                std::thread::spawn(move || broker_follows_vault(&h));
            });
            // Programs using the socket are asked about in the prompt window (the
            // `agent-approval` setting; per program by default).
            let gate: Arc<dyn keyward_vault::agent::AgentGate> =
                endpoint::broker::AgentPrompts::new(
                    broker.clone(),
                    keyward_vault::agent::AgentApproval::PerProgram,
                );
            tauri::async_runtime::spawn(async move {
                let _ = keyward_vault::agent::serve_gated(
                    access,
                    socket,
                    |_| {},
                    std::future::pending(),
                    Some(on_change),
                    Some(gate),
                )
                .await;
            });
        }
    }
    tauri::async_runtime::spawn(async move {
        let _ = endpoint::http::serve(broker, listener, std::future::pending()).await;
    });
}

/// After a lock or an unlock (by a button, the agent, anything) the broker follows at once:
/// a lock drops the keys it holds unsealed and its "until lock" grants; an unlock gives it
/// what it needs to authenticate apps.
pub(crate) fn broker_follows_vault(app: &AppHandle) {
    let state = app.state::<AppState>();
    if let Ok(b) = state.broker() {
        b.vault_changed();
    }
}

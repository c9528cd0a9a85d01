//! The approval broker in the desktop app: the loopback endpoint runs while the app runs, its
//! prompts open in the `prompt` window (the only window whose capability may send a
//! decision), and the main window's Approvals screen lists pending prompts, paired apps and
//! live grants.

use std::sync::{Arc, Mutex};

use keyward_approval::endpoint::{
    self, Approver, Broker, Closed, Config, DecideInput, EndpointError, GrantView, PairingView,
    PromptItem, PromptView, SystemClock, VaultAccess,
};
use keyward_approval::grant::GrantSpec;
use keyward_crypto::Coded;
use keyward_vault::session::Idle;
use keyward_vault::{Backend, ErrorBody, PairedApp, StoredGrant, Vault, VaultError};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, UserAttentionType, WebviewUrl, WebviewWindowBuilder};
use zeroize::Zeroizing;

use crate::commands::{io_error, with_vault, AppState, CmdResult};

/// Default port of the endpoint (`KEYWARD_ENDPOINT_PORT` overrides it; 0 = any free port).
const DEFAULT_PORT: u16 = 47800;
const CHANGED: &str = "approvals://changed";
/// Emitted when the CLI changed the vault through the app's agent socket.
pub(crate) const VAULT_CHANGED: &str = "vault://changed";
const PROMPT: &str = "prompt";

fn body(e: &EndpointError) -> ErrorBody {
    ErrorBody {
        code: e.code().to_owned(),
        message: e.to_string(),
        hint: e.hint(),
        candidates: None,
    }
}

/// The app's vault slot, as the broker and the agent reach it. What counts as use of Keyward
/// for the idle lock (`Some(idle)`) is the agent's calls: commands the user runs. The
/// broker's are not (`None`): anyone can reach the endpoint, and a paired app polling its
/// grant must not hold the vault open; the user's decisions count where they are made.
pub(crate) struct AppVault(
    pub(crate) Arc<Mutex<Option<Vault>>>,
    pub(crate) Option<Arc<Idle>>,
);

impl VaultAccess for AppVault {
    fn with_vault(
        &self,
        f: &mut dyn FnMut(&mut Vault) -> Result<(), VaultError>,
    ) -> Result<(), VaultError> {
        if let Some(idle) = &self.1 {
            idle.touch(crate::session::now());
        }
        let mut guard = self
            .0
            .lock()
            .map_err(|_| VaultError::Io("vault state poisoned".into()))?;
        if guard.is_none() {
            let mut v = Vault::open_default()?;
            v.set_actor("app");
            *guard = Some(v);
        }
        f(guard.as_mut().expect("opened above"))
    }
}

/// Opens prompts in the prompt window and tells both windows something changed.
struct WindowApprover(AppHandle);

/// Shows the prompt window (creating it the first time), focused and asking for attention
/// (the urgency hint on X11; Wayland's focus rules may leave it behind other windows).
pub(crate) fn show_prompt_window(app: &AppHandle) {
    if let Some(w) = app.get_webview_window(PROMPT) {
        let _ = w.show();
        let _ = w.set_focus();
        let _ = w.request_user_attention(Some(UserAttentionType::Critical));
        return;
    }
    let built = WebviewWindowBuilder::new(app, PROMPT, WebviewUrl::App("prompt.html".into()))
        .title("Keyward — approval")
        .inner_size(520.0, 640.0)
        .always_on_top(true)
        .focused(true)
        .build();
    if let Ok(w) = built {
        let _ = w.request_user_attention(Some(UserAttentionType::Critical));
        // Closing the prompt is a "no" to everything it holds; the window stays for the next.
        let handle = app.clone();
        let window = w.clone();
        w.on_window_event(move |ev| {
            if let tauri::WindowEvent::CloseRequested { api, .. } = ev {
                api.prevent_close();
                let _ = window.hide();
                let h = handle.clone();
                std::thread::spawn(move || deny_all(&h));
            }
        });
    }
}

/// Denies every open prompt (the prompt window was closed).
fn deny_all(app: &AppHandle) {
    let state = app.state::<AppState>();
    let Ok(b) = broker(&state) else { return };
    for item in b.prompts() {
        let _ = match item {
            PromptItem::Request(p) => b.decide(
                DecideInput {
                    request_id: p.id,
                    rendered_hash: p.rendered_hash,
                    approved: false,
                    grant: None,
                },
                None,
            ),
            PromptItem::Pairing(p) => b.decide_pairing(&p.id, false, None),
        };
    }
    let _ = app.emit(CHANGED, ());
}

/// Hides the prompt window once nothing waits.
fn hide_when_idle(app: &AppHandle) {
    let state = app.state::<AppState>();
    let idle = broker(&state)
        .map(|b| b.prompts().is_empty())
        .unwrap_or(true);
    if idle {
        if let Some(w) = app.get_webview_window(PROMPT) {
            // Nothing waits: no attention asked either (set again by the next prompt).
            let _ = w.request_user_attention(None);
            let _ = w.hide();
        }
    }
}

/// Whether the user sees the main window.
fn main_visible(app: &AppHandle) -> bool {
    app.get_webview_window("main")
        .map(|w| w.is_visible().unwrap_or(false) && !w.is_minimized().unwrap_or(false))
        .unwrap_or(false)
}

impl Approver for WindowApprover {
    /// While the main window shows, the prompt window opens at once. While it is hidden
    /// (background mode), a notification asks the user first and its click opens the prompt;
    /// with no notification server, the prompt opens at once. A deep link's prompt opens at
    /// once too: the user just followed the link.
    fn open(&self, item: &PromptItem) {
        let (title, from) = match item {
            PromptItem::Request(r) => (r.title.clone(), r.app.name.clone()),
            PromptItem::Pairing(p) => ("pair with Keyward".to_owned(), p.app_name.clone()),
        };
        let from_link = from == keyward_approval::endpoint::link::UNKNOWN_APP;
        if from_link
            || main_visible(&self.0)
            || !crate::notify::request(&self.0, item.id(), &title, &from)
        {
            show_prompt_window(&self.0);
        }
        let _ = self.0.emit(CHANGED, ());
        let app = self.0.clone();
        // Off the broker's call: it may hold its state lock.
        std::thread::spawn(move || crate::tray::update(&app));
    }

    /// An app waits for the first unlock of this run (before it, nobody can be
    /// authenticated): the main window comes forward on its unlock screen, and a notification
    /// says why when the window was hidden.
    fn unlock_needed(&self) {
        let app = self.0.clone();
        std::thread::spawn(move || {
            let hidden = !main_visible(&app);
            if let Some(w) = app.get_webview_window("main") {
                let _ = w.show();
                let _ = w.unminimize();
                let _ = w.set_focus();
            }
            if hidden {
                crate::notify::refusal(
                    &app,
                    "An app is waiting for Keyward",
                    "Unlock Keyward so it can check which app is asking.",
                );
            }
        });
    }

    fn close(&self, id: &str, _why: Closed) {
        let _ = self.0.emit(CHANGED, ());
        let app = self.0.clone();
        let id = id.to_owned();
        // Off the broker's call: it may hold its state lock.
        std::thread::spawn(move || {
            crate::notify::withdraw(&id);
            hide_when_idle(&app);
            crate::tray::update(&app);
        });
    }
}

/// The broker and where it listens, or why it does not.
#[derive(Default)]
pub struct EndpointSlot {
    broker: Option<Arc<Broker>>,
    url: Option<String>,
    error: Option<ErrorBody>,
}

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
            slot.error = Some(body(&e));
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
            slot.error = Some(body(&e));
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
                let _ = handle.emit(VAULT_CHANGED, ());
                let h = handle.clone();
                // A `config set simplewallet-links` through the socket (re)registers the scheme;
                // a `lock` through it drops the keys the broker holds unsealed, now.
                std::thread::spawn(move || {
                    crate::links::apply_settings(&h);
                    crate::session::broker_follows_vault(&h);
                });
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

pub(crate) fn broker(state: &AppState) -> CmdResult<Arc<Broker>> {
    let slot = state.endpoint.lock().unwrap_or_else(|p| p.into_inner());
    slot.broker.clone().ok_or_else(|| {
        slot.error.clone().unwrap_or_else(|| {
            body(&EndpointError::Unavailable(
                "the endpoint is not running".into(),
            ))
        })
    })
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, EndpointError> + Send + 'static,
) -> CmdResult<T> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| io_error(e.to_string()))?
        .map_err(|e| body(&e))
}

/// The oldest open prompt (prompt window).
#[tauri::command]
pub async fn prompt_current(state: tauri::State<'_, AppState>) -> CmdResult<Option<PromptItem>> {
    let b = broker(&state)?;
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
    state.idle.touch(crate::session::now());
    let b = broker(&state)?;
    let grant = grant
        .map(|g| GrantSpec::parse(&g, minutes))
        .transpose()
        .map_err(|e| body(&EndpointError::BadRequest(e)))?;
    let pass = passphrase.map(Zeroizing::new);
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
    let _ = app.emit(CHANGED, ());
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
    state.idle.touch(crate::session::now());
    let b = broker(&state)?;
    let r = blocking(move || b.decide_pairing(&id, approved, keys)).await;
    let _ = app.emit(CHANGED, ());
    r
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointInfo {
    url: Option<String>,
    key_fingerprint: Option<String>,
    error: Option<ErrorBody>,
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
    tauri::async_runtime::spawn_blocking(move || ensure_started(&a))
        .await
        .map_err(|e| io_error(e.to_string()))?;
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
    if let Ok(b) = broker(&state) {
        let _ = blocking(move || b.refresh()).await;
    }
    let _ = handle.emit(CHANGED, ());
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
    if let Ok(b) = broker(&state) {
        let _ = blocking(move || b.refresh()).await;
    }
    let _ = app.emit(CHANGED, ());
    Ok(g)
}

/// Brings the prompt window forward.
#[tauri::command]
pub async fn prompt_focus(app: AppHandle) -> CmdResult<()> {
    show_prompt_window(&app);
    Ok(())
}

//! What the shell holds and how it fails. [`AppState`]: the app's vault slot (which the
//! windows, the agent socket and the endpoint share), the endpoint's slot, the playground and
//! the idle clock. [`AppError`]: the one error of the shell, the `{code, message, hint,
//! candidates?}` every command answers with, worded for the app. And the helpers every
//! command uses: vault calls and other blocking work run on the blocking pool, never on the
//! async runtime's threads (keychain calls can wait on a prompt).

use std::sync::{Arc, Mutex};

use keyward_approval::endpoint::{Broker, EndpointError, VaultAccess};
use keyward_crypto::CryptoError;
use keyward_services::{ReqwestClient, ServiceError};
use keyward_vault::session::Idle;
use keyward_vault::{Backend, ErrorBody, LockReason, Vault, VaultError};
use serde::{Serialize, Serializer};
use tauri::{AppHandle, Emitter, Manager};

use crate::events;

#[derive(Default)]
pub struct AppState {
    pub(crate) vault: Arc<Mutex<Option<Vault>>>,
    /// The loopback endpoint's broker (started at launch, or once a vault exists).
    pub(crate) endpoint: Mutex<EndpointSlot>,
    /// The local playground the app started (killed when replaced, stopped or on exit).
    pub(crate) playground: Arc<Mutex<Option<keyward_services::playground::Playground>>>,
    /// When Keyward was last used (the window, the agent socket, the endpoint): the idle lock.
    pub(crate) idle: Arc<Idle>,
}

/// The broker and where it listens, or why it does not (`platform::endpoint` fills it).
#[derive(Default)]
pub struct EndpointSlot {
    pub(crate) broker: Option<Arc<Broker>>,
    pub(crate) url: Option<String>,
    pub(crate) error: Option<AppError>,
}

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

    /// The running broker, or why there is none.
    pub(crate) fn broker(&self) -> CmdResult<Arc<Broker>> {
        let slot = self.endpoint.lock().unwrap_or_else(|p| p.into_inner());
        slot.broker.clone().ok_or_else(|| {
            slot.error.clone().unwrap_or_else(|| {
                EndpointError::Unavailable("the endpoint is not running".into()).into()
            })
        })
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

/// Unix seconds, from the one clock.
pub(crate) fn now() -> i64 {
    keyward_core::clock::now()
}

/// Locks the vault if it is unlocked (logged as `vault.lock`, with `why`). Reaches the vault
/// without counting as use. Locking drops "until lock" grants and the keys the broker kept
/// unsealed, and the windows show the unlock screen (which says `why`).
pub(crate) fn lock(app: &AppHandle, why: LockReason) {
    let state = app.state::<AppState>();
    let locked = {
        let Ok(mut guard) = state.vault.lock() else {
            return;
        };
        match guard.as_mut() {
            Some(v) if !v.is_locked() => {
                v.lock_because(why);
                true
            }
            _ => false,
        }
    };
    if locked {
        if let Ok(b) = state.broker() {
            b.locked_now();
        }
        let _ = app.emit(events::VAULT_CHANGED, ());
    }
}

// ---- the error ----------------------------------------------------------------------------

/// The one error of the shell. It serialises as the body every wire carries (`{code,
/// message, hint, candidates?}`, what the UI reads), with the hint the error registry writes
/// for the app where it has one (a screen names buttons, not CLI flags).
#[derive(Debug, Clone)]
pub struct AppError(pub ErrorBody);

pub(crate) type CmdResult<T> = Result<T, AppError>;

impl Serialize for AppError {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let b = &self.0;
        keyward_core::ErrorBody {
            code: b.code.clone(),
            message: b.message.clone(),
            hint: b.hint.clone(),
            candidates: b.candidates.as_ref().map(|cs| {
                cs.iter()
                    .map(|c| keyward_core::Candidate {
                        id: c.id.clone(),
                        label: c.label.clone(),
                    })
                    .collect()
            }),
        }
        .for_surface(keyward_core::Surface::Gui)
        .serialize(s)
    }
}

impl From<ErrorBody> for AppError {
    fn from(b: ErrorBody) -> Self {
        AppError(b)
    }
}

impl From<VaultError> for AppError {
    fn from(e: VaultError) -> Self {
        AppError(ErrorBody::from(&e))
    }
}

impl From<ServiceError> for AppError {
    fn from(e: ServiceError) -> Self {
        AppError(ErrorBody::from(&e))
    }
}

impl From<EndpointError> for AppError {
    fn from(e: EndpointError) -> Self {
        // The endpoint's own body (what its HTTP answers carry), which has no candidates.
        let b = e.body();
        AppError(ErrorBody {
            code: b.code,
            message: b.message,
            hint: b.hint,
            candidates: None,
        })
    }
}

impl From<CryptoError> for AppError {
    fn from(e: CryptoError) -> Self {
        VaultError::Crypto(e).into()
    }
}

/// A task of the blocking pool that did not finish (it panicked).
impl From<tauri::Error> for AppError {
    fn from(e: tauri::Error) -> Self {
        io_error(e.to_string())
    }
}

/// An error of the shell itself (a join failure, a poisoned lock) in the shape of the others.
pub(crate) fn io_error(msg: impl Into<String>) -> AppError {
    VaultError::Io(msg.into()).into()
}

/// The user said no in a native dialog: nothing was done.
pub(crate) fn cancelled() -> AppError {
    AppError(ErrorBody {
        code: "ui.cancelled".into(),
        message: "cancelled".into(),
        hint: "Nothing was done.".into(),
        candidates: None,
    })
}

// ---- running calls ------------------------------------------------------------------------

/// Runs `f` on the blocking pool; its error is any error the shell maps.
pub(crate) async fn blocking<T, E>(
    f: impl FnOnce() -> Result<T, E> + Send + 'static,
) -> CmdResult<T>
where
    T: Send + 'static,
    AppError: From<E>,
{
    tauri::async_runtime::spawn_blocking(move || f().map_err(AppError::from)).await?
}

/// The vault in the app's slot, opened on first use.
fn opened(slot: &mut Option<Vault>) -> keyward_vault::Result<&mut Vault> {
    if slot.is_none() {
        let mut v = Vault::open_default()?;
        v.set_actor("app");
        *slot = Some(v);
    }
    Ok(slot.as_mut().expect("opened above"))
}

/// Runs `f` on the vault (opened on first use) on the blocking pool, inside the vault lock;
/// `f`'s error is any error the shell maps (the vault's, the services'). Counts as use.
pub(crate) async fn with_backend<T, E>(
    state: &AppState,
    f: impl FnOnce(&mut Vault) -> Result<T, E> + Send + 'static,
) -> CmdResult<T>
where
    T: Send + 'static,
    AppError: From<E>,
{
    let slot = state.vault.clone();
    state.idle.touch(now());
    blocking::<T, AppError>(move || {
        let mut guard = slot.lock().map_err(|_| io_error("vault state poisoned"))?;
        Ok(f(opened(&mut guard)?)?)
    })
    .await
}

/// [`with_backend`] for the vault's own calls.
pub(crate) async fn with_vault<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&mut Vault) -> keyward_vault::Result<T> + Send + 'static,
) -> CmdResult<T> {
    with_backend(state, f).await
}

/// Runs `f` on the unlocked vault with a fresh HTTP client, on the blocking pool. The vault
/// is locked for each of `f`'s vault calls only, never across its HTTP calls. Counts as use.
pub(crate) async fn with_http<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&mut dyn Backend, &ReqwestClient) -> Result<T, ServiceError> + Send + 'static,
) -> CmdResult<T> {
    state.idle.touch(now());
    let vault = AppVault(state.vault.clone(), None);
    blocking(move || {
        keyward_vault::access::on_vault(&vault, |v| unlocked(v))?;
        let http = ReqwestClient::new()?;
        f(&mut keyward_vault::ops::PerCall(&vault), &http)
    })
    .await
}

/// The app shows keys only while unlocked (the CLI's agent follows the same rule).
pub(crate) fn unlocked(v: &Vault) -> keyward_vault::Result<()> {
    if v.is_locked() {
        return Err(VaultError::Locked);
    }
    Ok(())
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
            idle.touch(now());
        }
        let mut guard = self
            .0
            .lock()
            .map_err(|_| VaultError::Io("vault state poisoned".into()))?;
        f(opened(&mut guard)?)
    }
}

//! How long-running services (the agent, the approval endpoint) reach a vault that a shell
//! holds. The CLI's agent holds a `Mutex<Vault>`; the desktop app holds its own slot and
//! implements [`VaultAccess`] over it, so one vault serves the app, its agent socket and its
//! endpoint at once.

use std::sync::Mutex;

use crate::error::{Result, VaultError};
use crate::vault::Vault;

/// Runs closures on a vault someone else holds. Calls block (SQLite, the keychain): callers
/// on an async runtime make them on its blocking pool.
pub trait VaultAccess: Send + Sync + 'static {
    /// Runs `f` on the vault.
    fn with_vault(&self, f: &mut dyn FnMut(&mut Vault) -> Result<()>) -> Result<()>;
}

impl VaultAccess for Mutex<Vault> {
    fn with_vault(&self, f: &mut dyn FnMut(&mut Vault) -> Result<()>) -> Result<()> {
        let mut v = self
            .lock()
            .map_err(|_| VaultError::Io("vault state poisoned".into()))?;
        f(&mut v)
    }
}

/// Runs `f` once on the vault behind `va` and returns its value.
pub fn on_vault<R>(va: &dyn VaultAccess, f: impl FnOnce(&mut Vault) -> Result<R>) -> Result<R> {
    let mut f = Some(f);
    let mut out = None;
    va.with_vault(&mut |v| {
        if let Some(f) = f.take() {
            out = Some(f(v)?);
        }
        Ok(())
    })?;
    out.ok_or_else(|| VaultError::Io("the vault call did not run".into()))
}

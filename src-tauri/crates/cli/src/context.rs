//! The one context every command runs with: how to print, and the one way to the vault —
//! through the running agent if one serves this vault, else the vault opened here (unlocked
//! for this call when the command needs a key).

use keyward_core::Secret;
use keyward_vault::agent::AgentClient;
use keyward_vault::{Backend, Result, Vault, VaultError};

use crate::output::Out;
use crate::secrets;

/// What a command needs of the vault when no agent serves it and it is opened here.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// The index and public data only: the vault stays locked.
    Index,
    /// A secret: the vault is unlocked for this one call (a passphrase may be asked for).
    Key,
}

/// Built once in `main` and handed to every command.
pub struct CliContext {
    pub out: Out,
}

impl CliContext {
    pub fn new(json: bool) -> Self {
        CliContext { out: Out { json } }
    }

    /// The data dir's vault, opened and locked; it may not exist yet (init, status, restore).
    pub fn open(&self) -> Result<Vault> {
        Vault::open_default()
    }

    /// The data dir's vault, opened and locked; `vault.not_initialized` when there is none.
    pub fn open_existing(&self) -> Result<Vault> {
        let vault = self.open()?;
        require_vault(&vault)?;
        Ok(vault)
    }

    /// The agent of this data dir's vault, when one runs.
    pub fn agent_for(&self, vault: &Vault) -> Result<Option<AgentClient>> {
        match vault.vault_id() {
            Some(id) => AgentClient::connect(id),
            None => Ok(None),
        }
    }

    /// The agent serving the existing vault, for what only an agent does (unlock, lock):
    /// `agent.not_running` without one.
    pub fn running_agent(&self) -> Result<(Vault, AgentClient)> {
        let vault = self.open_existing()?;
        let agent = self.agent_for(&vault)?.ok_or(VaultError::AgentNotRunning)?;
        Ok((vault, agent))
    }

    /// Refuses to serve vault `id` a second time (`agent`, `endpoint serve`): one agent per
    /// vault.
    pub fn refuse_running_agent(&self, id: &str) -> Result<()> {
        if AgentClient::connect(id)?.is_some() {
            return Err(VaultError::AgentRunning(
                keyward_vault::paths::socket_path(id)?.display().to_string(),
            ));
        }
        Ok(())
    }

    /// The vault's passphrase when it has one (`KEYWARD_PASSPHRASE_FILE` or the terminal).
    pub fn passphrase_for(&self, vault: &Vault) -> Result<Option<Secret>> {
        Ok(if vault.needs_passphrase() {
            Some(secrets::passphrase("Keyward passphrase: ")?)
        } else {
            None
        })
    }

    /// Unlocks the local vault for this one call.
    pub fn unlock_local(&self, vault: &mut Vault) -> Result<()> {
        require_vault(vault)?;
        let pass = self.passphrase_for(vault)?;
        vault.unlock_for_call(pass.as_ref().map(|p| p.expose()))?;
        Ok(())
    }

    /// Runs `f` against the agent if one serves this vault, else against the local vault
    /// (unlocked first when `need` is [`Need::Key`], released after). Errors of opening and
    /// unlocking arrive as `E`; `f`'s own errors as they are.
    pub fn with_backend<T, E: From<VaultError>>(
        &self,
        need: Need,
        f: impl FnOnce(&mut dyn Backend) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let mut vault = self.open_existing()?;
        if let Some(mut agent) = self.agent_for(&vault)? {
            return f(&mut agent);
        }
        if need == Need::Key {
            self.unlock_local(&mut vault)?;
        }
        let r = f(&mut vault);
        vault.release();
        r
    }
}

/// Now, in Unix seconds: the endpoint's clock (pairing, prompt expiry, links).
pub fn unix_now() -> i64 {
    keyward_core::clock::now()
}

fn require_vault(vault: &Vault) -> Result<()> {
    if vault.vault_id().is_none() {
        return Err(VaultError::NotInitialized(
            vault.dir().display().to_string(),
        ));
    }
    Ok(())
}

//! `init`, `status`, `unlock`, `lock`, `passphrase change`: the vault itself, and the agent
//! that holds it unlocked.

use std::process::ExitCode;

use keyward_vault::{Backend, VaultError};

use crate::context::CliContext;
use crate::error::Result;
use crate::secrets;

pub fn init(ctx: &CliContext, no_passphrase: bool) -> Result<ExitCode> {
    let out = &ctx.out;
    let mut vault = ctx.open()?;
    if vault.vault_id().is_some() {
        return Err(VaultError::AlreadyInitialized(vault.dir().display().to_string()).into());
    }
    let pass = if no_passphrase {
        None
    } else {
        Some(secrets::new_passphrase()?)
    };
    let st = vault.init(pass.as_ref().map(|p| p.expose()))?;
    vault.release();
    out.init(&st);
    Ok(ExitCode::SUCCESS)
}

pub fn status(ctx: &CliContext) -> Result<ExitCode> {
    let out = &ctx.out;
    let mut vault = ctx.open()?;
    let st = match ctx.agent_for(&vault)?.map(|mut a| a.status()) {
        Some(Ok(st)) => st,
        // An agent that hangs up before answering is on its way out (an app quitting):
        // the vault as it is on disk is the answer.
        Some(Err(VaultError::AgentUnreachable(..))) | None => vault.status()?,
        Some(Err(e)) => return Err(e.into()),
    };
    out.status(&st);
    Ok(ExitCode::SUCCESS)
}

pub fn unlock(ctx: &CliContext) -> Result<ExitCode> {
    let out = &ctx.out;
    let (vault, mut agent) = ctx.running_agent()?;
    let pass = ctx.passphrase_for(&vault)?;
    let st = agent.unlock(pass)?;
    out.status(&st);
    Ok(ExitCode::SUCCESS)
}

pub fn lock(ctx: &CliContext) -> Result<ExitCode> {
    let out = &ctx.out;
    let (_, mut agent) = ctx.running_agent()?;
    let st = agent.lock()?;
    out.status(&st);
    Ok(ExitCode::SUCCESS)
}

/// The current passphrase as `unlock` reads it, the new one as `init` does but from
/// `KEYWARD_NEW_PASSPHRASE_FILE`; through the agent when one serves the vault, else here
/// (unlocked with the current passphrase for this call).
pub fn change_passphrase(ctx: &CliContext) -> Result<ExitCode> {
    let out = &ctx.out;
    let mut vault = ctx.open_existing()?;
    let old = if vault.needs_passphrase() {
        Some(secrets::passphrase("Current passphrase: ")?)
    } else {
        None
    };
    let new = secrets::changed_passphrase()?;
    let st = match ctx.agent_for(&vault)? {
        Some(mut agent) => agent.passphrase_change(old, new)?,
        None => {
            vault.unlock_for_call(old.as_ref().map(|p| p.expose()))?;
            let r = vault.passphrase_change(old, new);
            vault.release();
            r?
        }
    };
    out.passphrase_changed(&st);
    Ok(ExitCode::SUCCESS)
}

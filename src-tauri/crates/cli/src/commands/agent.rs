//! `agent`: serves the vault, unlocked, on its Unix socket until SIGTERM or Ctrl-C.

use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use keyward_vault::VaultError;

use crate::context::CliContext;
use crate::error::Result;

pub fn run(ctx: &CliContext) -> Result<ExitCode> {
    let out = &ctx.out;
    let mut vault = ctx.open_existing()?;
    let id = vault
        .vault_id()
        .expect("open_existing checks it")
        .to_string();
    ctx.refuse_running_agent(&id)?;
    vault.set_actor("agent");
    ctx.unlock_local(&mut vault)?;
    vault.record_unlock("agent started, vault unlocked")?;
    let socket = keyward_vault::paths::socket_path(&id)?;
    let mode = vault.settings_now()?.agent_approval;
    out.note(&match mode {
        None | Some(keyward_vault::agent::AgentApproval::Never) => {
            "agent-approval: never (no window to ask in): while unlocked, any program of yours may use keys and read secrets through this agent".to_owned()
        }
        Some(m) => format!(
            "agent-approval is {}: this agent has no window to ask in, so it refuses key use and secrets it would have to ask about",
            m.as_str()
        ),
    });
    let vault = Arc::new(Mutex::new(vault));
    let gate: Arc<dyn keyward_vault::agent::AgentGate> =
        Arc::new(keyward_vault::agent::Headless(vault.clone()));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| VaultError::Io(e.to_string()))?;
    rt.block_on(async {
        use tokio::signal::unix::{signal, SignalKind};
        // Listening for SIGTERM before the agent says it is ready: a stop sent right after
        // "ready" ends it cleanly (the vault locked), not by the signal's default action.
        let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
        keyward_vault::agent::serve_gated(
            vault,
            socket,
            |path| out.agent_ready(&id, path),
            async move {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            },
            None,
            Some(gate),
        )
        .await
    })?;
    out.note("agent stopped; vault locked");
    Ok(ExitCode::SUCCESS)
}

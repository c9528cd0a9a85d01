//! `playground serve`: runs `keyward-playground` in the foreground, its ready line and its
//! exit status passed through (`keyward_services::playground::serve`).

use std::process::ExitCode;

use keyward_vault::VaultError;

use crate::cli::PlaygroundCmd;
use crate::error::Result;
use keyward_services::kind::Kind;

pub fn run(cmd: PlaygroundCmd) -> Result<ExitCode> {
    let PlaygroundCmd::Serve {
        service: Kind::Engine,
        port,
        no_keypair_auth,
    } = cmd;
    let exe = std::env::current_exe().map_err(|e| VaultError::Io(e.to_string()))?;
    let bin = keyward_services::playground::locate(&exe);
    let mut args = vec!["--port".to_string(), port.to_string()];
    if no_keypair_auth {
        args.extend(["--keypair-auth".to_string(), "false".to_string()]);
    }
    let status = keyward_services::playground::serve(&bin, "engine", &args)?;
    Ok(if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

//! `playground serve`: runs `keyward-playground` in the foreground, its ready line and its
//! exit status passed through.
//!
//! Not through `keyward_services::playground::spawn`, which the app uses: that one pipes the
//! playground's stdout to read the ready line itself and kills the playground when its handle
//! drops. Here the ready line must reach this command's stdout as the playground wrote it, and
//! a playground that cannot start (its port taken) must end this command with its own message
//! and exit status 1, where `spawn` would report `service.bad_response` (exit 8).

use std::process::ExitCode;

use keyward_services::ServiceError;
use keyward_vault::VaultError;

use crate::args::KindArg;
use crate::cli::PlaygroundCmd;
use crate::error::Result;

pub fn run(cmd: PlaygroundCmd) -> Result<ExitCode> {
    let PlaygroundCmd::Serve {
        service: KindArg::Engine,
        port,
        no_keypair_auth,
    } = cmd;
    let exe = std::env::current_exe().map_err(|e| VaultError::Io(e.to_string()))?;
    let bin = keyward_services::playground::locate(&exe);
    // Its stdin is a pipe this process holds: when the CLI dies, however it dies, the
    // playground reads end-of-file and exits too.
    let mut child = std::process::Command::new(&bin)
        .args([
            "--service",
            "engine",
            "--port",
            &port.to_string(),
            "--exit-on-stdin-eof",
        ])
        .args(if no_keypair_auth {
            &["--keypair-auth", "false"][..]
        } else {
            &[][..]
        })
        .stdin(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| ServiceError::Unreachable {
            url: bin.display().to_string(),
            reason: format!("cannot start the playground: {e}"),
        })?;
    // Held, not closed: `wait` closes a stdin it still owns, which would stop the playground.
    let _stdin = child.stdin.take();
    let status = child.wait().map_err(|e| VaultError::Io(e.to_string()))?;
    Ok(if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

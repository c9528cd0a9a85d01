//! Starts `keyward-playground` (a separate binary, sharing no code with the product) as a child
//! process and reads the one JSON line it prints when it listens.

use crate::error::{Result, ServiceError};
use keyward_core::Secret;
use keyward_vault::{Backend, VaultError};
use serde::Deserialize;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub const BINARY: &str = "keyward-playground";

/// What the playground prints when it is ready.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct Ready {
    pub service: String,
    pub url: String,
    pub admin_token: String,
}

/// A running playground; killed when dropped.
pub struct Playground {
    pub child: Child,
    pub ready: Ready,
}

impl Drop for Playground {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The playground binary next to `exe` (how the CLI and the app find it), or on `PATH`.
pub fn locate(exe: &Path) -> PathBuf {
    let sibling = exe.with_file_name(BINARY);
    if sibling.is_file() {
        sibling
    } else {
        PathBuf::from(BINARY)
    }
}

/// Runs `binary --service S [args]` in the foreground until it exits: its ready line and
/// everything it prints go to this process's own output, and its exit status comes back (a
/// playground that cannot start, its port taken, says so itself and exits non-zero). Its
/// stdin is a pipe this process holds, so when the caller dies, however it dies, the
/// playground reads end-of-file and exits too.
pub fn serve(binary: &Path, service: &str, args: &[String]) -> Result<std::process::ExitStatus> {
    let mut child = Command::new(binary)
        .arg("--service")
        .arg(service)
        .arg("--exit-on-stdin-eof")
        .args(args)
        .stdin(Stdio::piped())
        .spawn()
        .map_err(|e| ServiceError::Unreachable {
            url: binary.display().to_string(),
            reason: format!("cannot start the playground: {e}"),
        })?;
    // Held, not closed: `wait` closes a stdin it still owns, which would stop the playground.
    let _stdin = child.stdin.take();
    child
        .wait()
        .map_err(|e| VaultError::Io(e.to_string()).into())
}

/// The profile [`start_with_profile`] creates (or replaces).
pub const PROFILE: &str = "playground";

/// Starts the playground's Engine and points the `playground` profile at it (replacing one
/// left from an earlier run), its admin token sealed. The child is killed if the profile
/// cannot be written.
pub fn start_with_profile(b: &mut dyn Backend, binary: &Path) -> Result<Playground> {
    let pg = spawn(binary, "engine", &[])?;
    match b.profile_remove(PROFILE) {
        Ok(_) | Err(VaultError::ProfileNotFound(_)) => {}
        Err(e) => return Err(e.into()),
    }
    let token = Secret::from(pg.ready.admin_token.clone());
    crate::engine::add_profile(b, PROFILE, &pg.ready.url, Some(token), None)?;
    Ok(pg)
}

/// Starts `binary --service S [args]` and waits for its ready line.
pub fn spawn(binary: &Path, service: &str, args: &[String]) -> Result<Playground> {
    let mut child = Command::new(binary)
        .arg("--service")
        .arg(service)
        .arg("--exit-on-stdin-eof")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| ServiceError::Unreachable {
            url: binary.display().to_string(),
            reason: format!("cannot start the playground: {e}"),
        })?;
    let stdout = child.stdout.take().expect("piped");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .map_err(|e| ServiceError::BadResponse(format!("playground output: {e}")))?;
    let ready: Ready = serde_json::from_str(line.trim()).map_err(|_| {
        let _ = child.kill();
        ServiceError::BadResponse("the playground did not report where it listens".into())
    })?;
    Ok(Playground { child, ready })
}

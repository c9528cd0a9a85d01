//! The agent: one process per vault holds the unlocked vault key and runs key operations
//! for the CLI (and later the app's own callers) over a Unix socket.
//!
//! Wire: one JSON object per line each way. `{"op": "...", ...}` in, `{"ok": true, "result":
//! ...}` or `{"ok": false, "error": {code, message, hint}}` out. The socket lives in a 0700
//! per-user directory, is itself 0600, and every peer's uid is checked. While the vault is
//! locked the agent answers only `status`, `unlock` and `lock`.
//!
//! Before an operation that uses a key or releases a secret ([`AskClass`]), an [`AgentGate`]
//! may ask the user about the calling [`Program`] (the `agent-approval` setting).

mod client;
mod gate;

pub use client::AgentClient;
pub use gate::{must_ask, AgentApproval, AgentGate, AskClass, Headless, Program};

use crate::error::{ErrorBody, Result, VaultError};
pub use crate::ops::{dispatch, Request};
use crate::vault::Vault;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::access::VaultAccess;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
use zeroize::{Zeroize, Zeroizing};

/// Longest request line accepted: a backup to merge, as base64, with room for the rest of the
/// request (an imported PEM, the next longest, is at most 64 KiB).
const MAX_LINE: u64 = (keyward_crypto::backup::MAX_BACKUP + keyward_crypto::backup::HEADER_LEN)
    .div_ceil(3) as u64
    * 4
    + 64 * 1024;

#[derive(Serialize, Deserialize)]
pub(crate) struct Reply {
    pub(crate) ok: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) result: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<ErrorBody>,
}

fn handle(vault: &dyn VaultAccess, req: Request) -> Result<Value> {
    crate::access::on_vault(vault, |v| handle_on(v, req))
}

fn handle_on(v: &mut Vault, req: Request) -> Result<Value> {
    if v.is_locked() && !req.allowed_while_locked() {
        return Err(VaultError::Locked);
    }
    let mut out = dispatch(v, req)?;
    if let Some(obj) = out.as_object_mut() {
        if obj.contains_key("initialized") {
            obj.insert("agent".into(), Value::Bool(true));
        }
    }
    Ok(out)
}

/// Holds the per-vault agent lock: a second agent for the same vault refuses to start.
pub struct AgentLock {
    _file: std::fs::File,
    socket: PathBuf,
}

impl AgentLock {
    pub fn acquire(socket: &Path) -> Result<AgentLock> {
        use rustix::fs::{flock, FlockOperation};
        use std::os::unix::fs::OpenOptionsExt;
        let lock_path = socket.with_extension("lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .open(&lock_path)?;
        flock(&file, FlockOperation::NonBlockingLockExclusive)
            .map_err(|_| VaultError::AgentRunning(socket.display().to_string()))?;
        Ok(AgentLock {
            _file: file,
            socket: socket.to_path_buf(),
        })
    }
}

impl Drop for AgentLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.socket);
    }
}

/// Called after the agent handled a request that may have changed the vault
/// ([`Request::changes_vault`]), so a window showing it can refresh.
pub type OnChange = Arc<dyn Fn() + Send + Sync>;

/// Serves `vault` on its socket until `shutdown` completes, then locks it.
pub async fn serve(
    vault: Arc<dyn VaultAccess>,
    socket: PathBuf,
    ready: impl FnOnce(&Path),
    shutdown: impl std::future::Future<Output = ()>,
) -> Result<()> {
    serve_with(vault, socket, ready, shutdown, None).await
}

/// [`serve`], calling `on_change` after every request that may have changed the vault.
pub async fn serve_with(
    vault: Arc<dyn VaultAccess>,
    socket: PathBuf,
    ready: impl FnOnce(&Path),
    shutdown: impl std::future::Future<Output = ()>,
    on_change: Option<OnChange>,
) -> Result<()> {
    serve_gated(vault, socket, ready, shutdown, on_change, None).await
}

/// [`serve_with`], asking `gate` before each operation that uses a key or releases a secret.
pub async fn serve_gated(
    vault: Arc<dyn VaultAccess>,
    socket: PathBuf,
    ready: impl FnOnce(&Path),
    shutdown: impl std::future::Future<Output = ()>,
    on_change: Option<OnChange>,
    gate: Option<Arc<dyn AgentGate>>,
) -> Result<()> {
    let lock = AgentLock::acquire(&socket)?;
    let _ = std::fs::remove_file(&socket);
    let std_listener = std::os::unix::net::UnixListener::bind(&socket)?;
    crate::paths::make_private(&socket)?;
    std_listener.set_nonblocking(true)?;
    let listener = tokio::net::UnixListener::from_std(std_listener)?;
    let my_uid = rustix::process::getuid().as_raw();
    ready(&socket);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let vault = vault.clone();
                let on_change = on_change.clone();
                let gate = gate.clone();
                tokio::spawn(async move {
                    let _ = connection(vault, stream, my_uid, on_change, gate).await;
                });
            }
        }
    }
    drop(listener);
    let _ = crate::access::on_vault(vault.as_ref(), |v| {
        v.lock_now();
        Ok(())
    });
    drop(lock);
    Ok(())
}

async fn connection(
    vault: Arc<dyn VaultAccess>,
    stream: tokio::net::UnixStream,
    my_uid: u32,
    on_change: Option<OnChange>,
    gate: Option<Arc<dyn AgentGate>>,
) -> Result<()> {
    let cred = stream.peer_cred()?;
    let peer = cred.uid();
    let program = Arc::new(Program::of_pid(
        cred.pid().and_then(|p| u32::try_from(p).ok()),
    ));
    let (rd, mut wr) = stream.into_split();
    if peer != my_uid {
        let _ = write_reply(&mut wr, Err(VaultError::PeerRejected(peer))).await;
        return Ok(());
    }
    let mut reader = tokio::io::BufReader::new(rd);
    loop {
        let mut buf = Vec::new();
        let n = (&mut reader)
            .take(MAX_LINE)
            .read_until(b'\n', &mut buf)
            .await?;
        if n == 0 {
            return Ok(());
        }
        if buf.last() != Some(&b'\n') && n as u64 >= MAX_LINE {
            buf.zeroize();
            let too_large = VaultError::AgentProtocol("request too large".into());
            let _ = write_reply(&mut wr, Err(too_large)).await;
            return Ok(());
        }
        let parsed: std::result::Result<Request, _> = serde_json::from_slice(&buf);
        buf.zeroize();
        let answer = match parsed {
            Err(e) => Err(VaultError::AgentProtocol(json_error("request", &e))),
            Ok(req) => {
                let vault = vault.clone();
                let changes = req.changes_vault();
                let (gate, program) = (gate.clone(), program.clone());
                let answer = tokio::task::spawn_blocking(move || {
                    // Asked before the vault is taken (the gate may wait for the user), and
                    // only for what a locked vault would run at all.
                    if let Some(g) = &gate {
                        if req.ask_class() != AskClass::Never {
                            let locked =
                                crate::access::on_vault(vault.as_ref(), |v| Ok(v.is_locked()))?;
                            if locked {
                                return Err(VaultError::Locked);
                            }
                            g.check(&program, &req)?;
                        }
                    }
                    handle(vault.as_ref(), req)
                })
                .await
                .unwrap_or_else(|e| Err(VaultError::AgentProtocol(e.to_string())));
                if changes && answer.is_ok() {
                    if let Some(f) = &on_change {
                        f();
                    }
                }
                answer
            }
        };
        write_reply(&mut wr, answer).await?;
    }
}

/// Writes one reply line; the buffer (which may hold a private export) is zeroized.
async fn write_reply(
    wr: &mut tokio::net::unix::OwnedWriteHalf,
    answer: Result<Value>,
) -> std::io::Result<()> {
    let reply = match answer {
        Ok(v) => Reply {
            ok: true,
            result: Some(v),
            error: None,
        },
        Err(e) => Reply {
            ok: false,
            result: None,
            error: Some(ErrorBody::from(&e)),
        },
    };
    let mut line = Zeroizing::new(serde_json::to_vec(&reply).expect("reply serialises"));
    line.push(b'\n');
    wr.write_all(&line).await
}

/// Describes a JSON error without serde's message, which can quote the input (a passphrase
/// going in, a private export coming out).
pub(crate) fn json_error(what: &str, e: &serde_json::Error) -> String {
    format!(
        "malformed {what} ({:?} error at column {})",
        e.classify(),
        e.column()
    )
}

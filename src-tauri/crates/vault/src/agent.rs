// Size: over 800 lines; issue 14 declares each operation once in an `ops!` table (with its
// ask class) and generates the request enum, dispatch and client, which shrinks this file;
// the approval rule (`AgentGate`, `Program`) then moves to `agent/gate.rs`.

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

use crate::api::*;
use crate::error::{ErrorBody, Result, VaultError};
use crate::vault::Vault;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream as StdStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::access::VaultAccess;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
use zeroize::{Zeroize, Zeroizing};

/// Longest request line accepted (an imported PEM is at most 64 KiB).
const MAX_LINE: u64 = 256 * 1024;

/// A request to the agent. Holds secrets going in, so neither `Debug` nor `Clone`.
#[derive(Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Request {
    Status,
    Unlock {
        passphrase: Option<Zeroizing<String>>,
    },
    Lock,
    KeyList {
        #[serde(default)]
        filter: ListFilter,
    },
    KeyGenerate(GenerateRequest),
    KeyImport(ImportRequest),
    KeyShow {
        key: String,
    },
    KeyQr {
        key: String,
        #[serde(default)]
        format: Option<PublicFormat>,
    },
    KeyExport {
        key: String,
        format: PublicFormat,
    },
    KeyJwks {
        keys: Vec<String>,
    },
    KeyExportPrivate {
        key: String,
        format: PrivateFormat,
        #[serde(default)]
        passphrase: Option<Zeroizing<String>>,
    },
    KeyRename {
        key: String,
        label: String,
    },
    KeyTag {
        key: String,
        #[serde(default)]
        add: Vec<String>,
        #[serde(default)]
        remove: Vec<String>,
    },
    KeyDelete {
        key: String,
    },
    AuditList {
        #[serde(default)]
        filter: AuditFilter,
    },
    AuditVerify,
    BackupCreate {
        passphrase: Zeroizing<String>,
    },
    KeyPolicy {
        key: String,
        #[serde(default)]
        allow: Option<Vec<Usage>>,
    },
    KeySign(SignRequest),
    KeyVerify(VerifyRequest),
    JwtMint {
        key: String,
        options: MintOptions,
    },
    JwtVerify(JwtVerifyRequest),
    SiweSign {
        key: String,
        message: String,
    },
    ProfileList,
    ProfileGet {
        name: String,
    },
    ProfilePut {
        profile: Profile,
        create: bool,
    },
    ProfileRemove {
        name: String,
    },
    CredentialPut {
        profile: String,
        name: String,
        secret: Zeroizing<String>,
    },
    CredentialGet {
        profile: String,
        name: String,
    },
    CredentialDelete {
        profile: String,
        name: String,
    },
    AppList,
    AppUnpair {
        app: String,
    },
    GrantList,
    GrantRevoke {
        id: String,
    },
    SettingsGet,
    SettingsSet {
        name: String,
        value: String,
    },
}

/// The agent's approval rule (the `agent-approval` setting): whether a program using the
/// agent socket is asked about first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AgentApproval {
    /// Nothing is asked: any program of the user may use the unlocked vault.
    Never,
    /// Key use is asked once per program (a grant until lock may cover it, never for blind
    /// signing); releasing a secret is asked every time.
    PerProgram,
    /// Every key use and every release of a secret is asked, every time.
    Always,
}

impl AgentApproval {
    /// `never`, `per-program`, `always`.
    pub fn as_str(self) -> &'static str {
        match self {
            AgentApproval::Never => "never",
            AgentApproval::PerProgram => "per-program",
            AgentApproval::Always => "always",
        }
    }

    /// From its name.
    pub fn parse(s: &str) -> Option<AgentApproval> {
        match s.trim() {
            "never" => Some(AgentApproval::Never),
            "per-program" => Some(AgentApproval::PerProgram),
            "always" => Some(AgentApproval::Always),
            _ => None,
        }
    }
}

/// What an agent operation hands out, for the approval rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AskClass {
    /// Public reads, status, lock, unlock, bookkeeping: never asked.
    Never,
    /// Signing and minting with a key.
    KeyUse,
    /// A secret leaves the vault, or what protects it changes: a private export, a backup, a
    /// service credential, settings and usage policies.
    SecretRelease,
}

/// Whether the user must be asked before an operation of `class` runs under `mode`, when a
/// program grant does (`granted`) or does not cover it.
pub fn must_ask(mode: AgentApproval, class: AskClass, granted: bool) -> bool {
    match (mode, class) {
        (_, AskClass::Never) | (AgentApproval::Never, _) => false,
        (AgentApproval::PerProgram, AskClass::KeyUse) => !granted,
        _ => true,
    }
}

/// A program calling the agent, as the kernel tells it: the executable of the peer process
/// and, when that is `keyward-cli`, a shell or an interpreter, the nearest ancestor that is
/// none of those (the terminal or the app that runs it), as 1Password's SSH agent does.
/// Advisory: an executable path can be imitated; it tells programs apart, it proves nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Program {
    /// The peer's executable.
    pub exe: Option<PathBuf>,
    /// The peer's process id.
    pub pid: Option<u32>,
    /// The nearest ancestor that is not keyward-cli, a shell or an interpreter.
    pub via: Option<PathBuf>,
}

/// Programs that run what someone else chose: the caller is whoever runs them.
fn runs_others(exe: &Path) -> bool {
    let name = exe.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let base = name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    matches!(
        base,
        "keyward-cli"
            | "sh"
            | "bash"
            | "dash"
            | "zsh"
            | "fish"
            | "ksh"
            | "mksh"
            | "tcsh"
            | "csh"
            | "busybox"
            | "env"
            | "sudo"
            | "doas"
            | "setsid"
            | "timeout"
            | "nohup"
            | "xargs"
            | "python"
            | "perl"
            | "ruby"
            | "node"
            | "nodejs"
            | "deno"
            | "bun"
            | "php"
            | "lua"
            | "tclsh"
            | "make"
            | "cargo"
    )
}

/// The parent of process `pid` (`/proc/PID/stat`: `pid (comm) state ppid …`).
fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = stat.rsplit_once(')')?.1;
    rest.split_whitespace().nth(1)?.parse().ok()
}

fn exe_of(pid: u32) -> Option<PathBuf> {
    std::fs::read_link(format!("/proc/{pid}/exe")).ok()
}

impl Program {
    /// The program behind process `pid`.
    pub fn of_pid(pid: Option<u32>) -> Program {
        let Some(pid) = pid else {
            return Program {
                exe: None,
                pid: None,
                via: None,
            };
        };
        let exe = exe_of(pid);
        let mut via = None;
        if exe.as_deref().is_none_or(runs_others) {
            let mut p = pid;
            for _ in 0..32 {
                match parent_of(p) {
                    Some(pp) if pp > 1 => {
                        p = pp;
                        match exe_of(p) {
                            Some(e) if !runs_others(&e) => {
                                via = Some(e);
                                break;
                            }
                            _ => continue,
                        }
                    }
                    _ => break,
                }
            }
        }
        Program {
            exe,
            pid: Some(pid),
            via,
        }
    }

    /// What a program grant is keyed on: the executable and the ancestor it runs under.
    pub fn id(&self) -> String {
        let path = |p: &Option<PathBuf>| {
            p.as_ref()
                .map_or_else(|| "?".to_owned(), |p| p.display().to_string())
        };
        format!("{} via {}", path(&self.exe), path(&self.via))
    }

    /// A short name for a prompt: `keyward-cli (in gnome-terminal-server)`.
    pub fn name(&self) -> String {
        let file = |p: &Path| {
            p.file_name().map_or_else(
                || p.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            )
        };
        let exe = self
            .exe
            .as_deref()
            .map_or_else(|| "an unknown program".to_owned(), file);
        match &self.via {
            Some(v) => format!("{exe} (in {})", file(v)),
            None => exe,
        }
    }
}

/// The agent asks the user through this before a program uses a key or gets a secret
/// (DESIGN "Seams"); the approval broker implements it, over the prompt window or the
/// terminal. Called on a blocking thread, never with the vault held; may wait for the user.
pub trait AgentGate: Send + Sync {
    /// `Ok` to run `req` for `program`, or why not.
    fn check(&self, program: &Program, req: &Request) -> Result<()>;
}

/// The gate of an agent with no window or terminal to ask in (`keyward-cli agent`): its
/// default is `never`; where the setting asks for approval it refuses what it would have to
/// ask about, rather than let it through unasked.
pub struct Headless(pub Arc<dyn VaultAccess>);

impl AgentGate for Headless {
    fn check(&self, _program: &Program, req: &Request) -> Result<()> {
        let mode = crate::access::on_vault(self.0.as_ref(), |v| v.settings_now())?
            .agent_approval
            .unwrap_or(AgentApproval::Never);
        if must_ask(mode, req.ask_class(), false) {
            return Err(VaultError::Remote(ErrorBody {
                code: "approval.no_approver".into(),
                message: format!(
                    "agent-approval is {}, and this agent has no window or terminal to ask in",
                    mode.as_str()
                ),
                hint: "Use the desktop app or keyward-cli endpoint serve as the agent, or set agent-approval to never or default.".into(),
                candidates: None,
            }));
        }
        Ok(())
    }
}

impl Request {
    /// What the operation hands out, for the approval rule.
    pub fn ask_class(&self) -> AskClass {
        match self {
            Request::KeySign(_) | Request::JwtMint { .. } | Request::SiweSign { .. } => {
                AskClass::KeyUse
            }
            Request::KeyExportPrivate { .. }
            | Request::BackupCreate { .. }
            | Request::CredentialGet { .. }
            | Request::SettingsSet { .. }
            | Request::KeyPolicy { .. } => AskClass::SecretRelease,
            _ => AskClass::Never,
        }
    }

    fn allowed_while_locked(&self) -> bool {
        matches!(
            self,
            Request::Status | Request::Unlock { .. } | Request::Lock
        )
    }

    /// Whether the request may change what a view of the vault shows (keys, their labels,
    /// tags and policies, the lock, profiles, paired apps, grants, the audit log).
    pub fn changes_vault(&self) -> bool {
        !matches!(
            self,
            Request::Status
                | Request::KeyList { .. }
                | Request::KeyShow { .. }
                | Request::KeyQr { .. }
                | Request::KeyJwks { .. }
                | Request::KeyVerify(_)
                | Request::JwtVerify(_)
                | Request::AuditVerify
                | Request::AuditList { .. }
                | Request::ProfileList
                | Request::ProfileGet { .. }
                | Request::AppList
                | Request::GrantList
                | Request::SettingsGet
        )
    }
}

#[derive(Serialize, Deserialize)]
struct Reply {
    ok: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    result: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error: Option<ErrorBody>,
}

fn to_value<T: Serialize>(v: T) -> Result<Value> {
    serde_json::to_value(v).map_err(|e| VaultError::AgentProtocol(e.to_string()))
}

/// Runs one request against a backend.
pub fn dispatch(b: &mut dyn Backend, req: Request) -> Result<Value> {
    match req {
        Request::Status => to_value(b.status()?),
        Request::Unlock { passphrase } => to_value(b.unlock(passphrase)?),
        Request::Lock => to_value(b.lock()?),
        Request::KeyList { filter } => to_value(b.key_list(&filter)?),
        Request::KeyGenerate(req) => to_value(b.key_generate(req)?),
        Request::KeyImport(req) => to_value(b.key_import(req)?),
        Request::KeyShow { key } => to_value(b.key_show(&key)?),
        Request::KeyExport { key, format } => to_value(b.key_export(&key, format)?),
        Request::KeyJwks { keys } => to_value(b.key_jwks(&keys)?),
        Request::KeyQr { key, format } => to_value(b.key_qr(&key, format)?),
        Request::KeyExportPrivate {
            key,
            format,
            passphrase,
        } => to_value(b.key_export_private(&key, format, passphrase)?.as_str()),
        Request::KeyRename { key, label } => to_value(b.key_rename(&key, &label)?),
        Request::KeyTag { key, add, remove } => to_value(b.key_tag(&key, &add, &remove)?),
        Request::KeyDelete { key } => to_value(b.key_delete(&key)?),
        Request::AuditList { filter } => to_value(b.audit_list(&filter)?),
        Request::AuditVerify => to_value(b.audit_verify()?),
        Request::BackupCreate { passphrase } => to_value(b.backup_create(passphrase)?),
        Request::KeyPolicy { key, allow } => to_value(b.key_policy(&key, allow)?),
        Request::KeySign(req) => to_value(b.key_sign(req)?),
        Request::KeyVerify(req) => to_value(b.key_verify(req)?),
        Request::JwtMint { key, options } => to_value(b.jwt_mint(&key, options)?),
        Request::JwtVerify(req) => to_value(b.jwt_verify(req)?),
        Request::SiweSign { key, message } => to_value(b.siwe_sign(&key, &message)?),
        Request::ProfileList => to_value(b.profile_list()?),
        Request::ProfileGet { name } => to_value(b.profile_get(&name)?),
        Request::ProfilePut { profile, create } => to_value(b.profile_put(profile, create)?),
        Request::ProfileRemove { name } => to_value(b.profile_remove(&name)?),
        Request::CredentialPut {
            profile,
            name,
            secret,
        } => to_value(b.credential_put(&profile, &name, secret)?),
        Request::CredentialGet { profile, name } => {
            to_value(b.credential_get(&profile, &name)?.as_str())
        }
        Request::CredentialDelete { profile, name } => {
            to_value(b.credential_delete(&profile, &name)?)
        }
        Request::AppList => to_value(b.app_list()?),
        Request::AppUnpair { app } => to_value(b.app_unpair(&app)?),
        Request::GrantList => to_value(b.grant_list()?),
        Request::GrantRevoke { id } => to_value(b.grant_revoke(&id)?),
        Request::SettingsGet => to_value(b.settings_get()?),
        Request::SettingsSet { name, value } => to_value(b.settings_set(&name, &value)?),
    }
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

/// The CLI's side of the socket.
pub struct AgentClient {
    reader: BufReader<StdStream>,
    socket: PathBuf,
}

impl AgentClient {
    /// Connects to the agent of `vault_id`; `None` when none is running (no socket, or a
    /// stale one nobody listens on).
    pub fn connect(vault_id: &str) -> Result<Option<AgentClient>> {
        let socket = crate::paths::socket_path(vault_id)?;
        Self::connect_at(&socket)
    }

    pub fn connect_at(socket: &Path) -> Result<Option<AgentClient>> {
        match StdStream::connect(socket) {
            Ok(s) => {
                s.set_read_timeout(Some(Duration::from_secs(120)))?;
                Ok(Some(AgentClient {
                    reader: BufReader::new(s),
                    socket: socket.to_path_buf(),
                }))
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(VaultError::AgentUnreachable(
                socket.display().to_string(),
                e.to_string(),
            )),
        }
    }

    fn call(&mut self, req: &Request) -> Result<Value> {
        let unreachable = |e: std::io::Error| {
            VaultError::AgentUnreachable(self_path(&self.socket), e.to_string())
        };
        let mut line = Zeroizing::new(serde_json::to_vec(req).expect("request serialises"));
        line.push(b'\n');
        self.reader
            .get_mut()
            .write_all(&line)
            .map_err(unreachable)?;
        let mut answer = Zeroizing::new(String::new());
        let n = self.reader.read_line(&mut answer).map_err(|e| {
            VaultError::AgentUnreachable(self.socket.display().to_string(), e.to_string())
        })?;
        if n == 0 {
            return Err(VaultError::AgentUnreachable(
                self.socket.display().to_string(),
                "the agent closed the connection".into(),
            ));
        }
        let reply: Reply = serde_json::from_str(&answer)
            .map_err(|e| VaultError::AgentProtocol(json_error("reply", &e)))?;
        match (reply.ok, reply.result, reply.error) {
            (true, Some(v), _) => Ok(v),
            (false, _, Some(e)) => Err(VaultError::Remote(e)),
            _ => Err(VaultError::AgentProtocol(
                "reply has neither result nor error".into(),
            )),
        }
    }

    fn call_as<T: serde::de::DeserializeOwned>(&mut self, req: &Request) -> Result<T> {
        serde_json::from_value(self.call(req)?)
            .map_err(|e| VaultError::AgentProtocol(e.to_string()))
    }
}

/// Describes a JSON error without serde's message, which can quote the input (a passphrase
/// going in, a private export coming out).
fn json_error(what: &str, e: &serde_json::Error) -> String {
    format!(
        "malformed {what} ({:?} error at column {})",
        e.classify(),
        e.column()
    )
}

fn self_path(p: &Path) -> String {
    p.display().to_string()
}

impl Backend for AgentClient {
    fn status(&mut self) -> Result<Status> {
        self.call_as(&Request::Status)
    }
    fn unlock(&mut self, passphrase: Option<Zeroizing<String>>) -> Result<Status> {
        self.call_as(&Request::Unlock { passphrase })
    }
    fn lock(&mut self) -> Result<Status> {
        self.call_as(&Request::Lock)
    }
    fn key_list(&mut self, filter: &ListFilter) -> Result<Vec<KeyInfo>> {
        self.call_as(&Request::KeyList {
            filter: filter.clone(),
        })
    }
    fn key_generate(&mut self, req: GenerateRequest) -> Result<KeyInfo> {
        self.call_as(&Request::KeyGenerate(req))
    }
    fn key_import(&mut self, req: ImportRequest) -> Result<KeyInfo> {
        self.call_as(&Request::KeyImport(req))
    }
    fn key_show(&mut self, key: &str) -> Result<KeyDetail> {
        self.call_as(&Request::KeyShow { key: key.into() })
    }
    fn key_export(&mut self, key: &str, format: PublicFormat) -> Result<String> {
        self.call_as(&Request::KeyExport {
            key: key.into(),
            format,
        })
    }
    fn key_jwks(&mut self, keys: &[String]) -> Result<String> {
        self.call_as(&Request::KeyJwks {
            keys: keys.to_vec(),
        })
    }
    fn key_qr(&mut self, key: &str, format: Option<PublicFormat>) -> Result<QrView> {
        self.call_as(&Request::KeyQr {
            key: key.into(),
            format,
        })
    }
    fn key_export_private(
        &mut self,
        key: &str,
        format: PrivateFormat,
        passphrase: Option<Zeroizing<String>>,
    ) -> Result<Zeroizing<String>> {
        let v = self.call(&Request::KeyExportPrivate {
            key: key.into(),
            format,
            passphrase,
        })?;
        match v {
            Value::String(s) => Ok(Zeroizing::new(s)),
            _ => Err(VaultError::AgentProtocol("expected a string".into())),
        }
    }
    fn key_rename(&mut self, key: &str, label: &str) -> Result<KeyInfo> {
        self.call_as(&Request::KeyRename {
            key: key.into(),
            label: label.into(),
        })
    }
    fn key_tag(&mut self, key: &str, add: &[String], remove: &[String]) -> Result<KeyInfo> {
        self.call_as(&Request::KeyTag {
            key: key.into(),
            add: add.to_vec(),
            remove: remove.to_vec(),
        })
    }
    fn key_delete(&mut self, key: &str) -> Result<KeyInfo> {
        self.call_as(&Request::KeyDelete { key: key.into() })
    }
    fn audit_list(&mut self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        self.call_as(&Request::AuditList {
            filter: filter.clone(),
        })
    }
    fn audit_verify(&mut self) -> Result<AuditReport> {
        self.call_as(&Request::AuditVerify)
    }
    fn backup_create(&mut self, passphrase: Zeroizing<String>) -> Result<BackupFile> {
        self.call_as(&Request::BackupCreate { passphrase })
    }
    fn key_policy(&mut self, key: &str, allow: Option<Vec<Usage>>) -> Result<KeyInfo> {
        self.call_as(&Request::KeyPolicy {
            key: key.into(),
            allow,
        })
    }
    fn key_sign(&mut self, req: SignRequest) -> Result<Signature> {
        self.call_as(&Request::KeySign(req))
    }
    fn key_verify(&mut self, req: VerifyRequest) -> Result<Verdict> {
        self.call_as(&Request::KeyVerify(req))
    }
    fn jwt_mint(&mut self, key: &str, options: MintOptions) -> Result<Minted> {
        self.call_as(&Request::JwtMint {
            key: key.into(),
            options,
        })
    }
    fn jwt_verify(&mut self, req: JwtVerifyRequest) -> Result<Verified> {
        self.call_as(&Request::JwtVerify(req))
    }
    fn siwe_sign(&mut self, key: &str, message: &str) -> Result<SiweSigned> {
        self.call_as(&Request::SiweSign {
            key: key.into(),
            message: message.into(),
        })
    }
    fn profile_list(&mut self) -> Result<Vec<Profile>> {
        self.call_as(&Request::ProfileList)
    }
    fn profile_get(&mut self, name: &str) -> Result<Profile> {
        self.call_as(&Request::ProfileGet { name: name.into() })
    }
    fn profile_put(&mut self, profile: Profile, create: bool) -> Result<Profile> {
        self.call_as(&Request::ProfilePut { profile, create })
    }
    fn profile_remove(&mut self, name: &str) -> Result<Profile> {
        self.call_as(&Request::ProfileRemove { name: name.into() })
    }
    fn credential_put(
        &mut self,
        profile: &str,
        name: &str,
        secret: Zeroizing<String>,
    ) -> Result<CredentialInfo> {
        self.call_as(&Request::CredentialPut {
            profile: profile.into(),
            name: name.into(),
            secret,
        })
    }
    fn credential_get(&mut self, profile: &str, name: &str) -> Result<Zeroizing<String>> {
        match self.call(&Request::CredentialGet {
            profile: profile.into(),
            name: name.into(),
        })? {
            Value::String(s) => Ok(Zeroizing::new(s)),
            _ => Err(VaultError::AgentProtocol("expected a string".into())),
        }
    }
    fn credential_delete(&mut self, profile: &str, name: &str) -> Result<()> {
        self.call_as(&Request::CredentialDelete {
            profile: profile.into(),
            name: name.into(),
        })
    }
    fn app_list(&mut self) -> Result<Vec<PairedApp>> {
        self.call_as(&Request::AppList)
    }
    fn app_unpair(&mut self, app: &str) -> Result<PairedApp> {
        self.call_as(&Request::AppUnpair { app: app.into() })
    }
    fn grant_list(&mut self) -> Result<Vec<StoredGrant>> {
        self.call_as(&Request::GrantList)
    }
    fn grant_revoke(&mut self, id: &str) -> Result<StoredGrant> {
        self.call_as(&Request::GrantRevoke { id: id.into() })
    }
    fn settings_get(&mut self) -> Result<crate::Settings> {
        self.call_as(&Request::SettingsGet)
    }
    fn settings_set(&mut self, name: &str, value: &str) -> Result<crate::Settings> {
        self.call_as(&Request::SettingsSet {
            name: name.into(),
            value: value.into(),
        })
    }
}

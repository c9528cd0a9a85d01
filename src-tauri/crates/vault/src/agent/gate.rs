//! The agent's gate: whether a program using the agent socket is asked about first (the
//! `agent-approval` setting), who the program is, and the seam ([`AgentGate`]) the shell that
//! asks implements.

use crate::error::{ErrorBody, Result, VaultError};
pub use crate::ops::Request;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::access::VaultAccess;

/// The agent's approval rule (the `agent-approval` setting): whether a program using the
/// agent socket is asked about first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
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

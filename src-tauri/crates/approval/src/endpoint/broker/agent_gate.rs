//! The agent's gate: before a program uses a key or gets a secret through the agent socket,
//! [`AgentPrompts`] asks the user in the same prompt as the endpoint's requests
//! ([`Broker::agent_check`], by the `agent-approval` setting), showing what the operation is
//! (`agent_view`); the answer comes back through [`Broker::decide`] (`decide_agent`). A
//! program's grant covers key use that is not blind signing, until the vault locks.

use std::sync::Arc;
use std::time::Duration;

use keyward_crypto::{jwt, KeyAlg};
use keyward_vault::access::on_vault;
use keyward_vault::{KeyFacts, VaultError};

use super::{quoted, Broker, Closed, DecideInput, KeyView, PromptItem, PromptView};
use crate::decode::{render, Block};
use crate::endpoint::error::EndpointError;
use crate::grant::{GrantSpec, Scope};
use crate::request::{AppIdentity, Kind, Request};
use crate::risk::{self, Context};

/// A program's agent operation waiting for the user (DESIGN "Seams": `AgentGate`).
pub(super) struct AgentPending {
    pub(super) shown: bool,
    pub(super) view: PromptView,
    /// Whether "until lock" may be chosen (non-blind key use, per-program mode).
    grantable: bool,
    program: keyward_vault::agent::Program,
    tx: Option<std::sync::mpsc::Sender<(bool, Option<GrantSpec>)>>,
}

/// The broker as the agent socket's [`AgentGate`]: before a program uses a key or gets a
/// secret through the agent, the user is asked in the same prompt as the endpoint's requests
/// (the prompt window, or the terminal of `endpoint serve`), by the `agent-approval` setting
/// or, where it says `default`, this gate's own default.
///
/// [`AgentGate`]: keyward_vault::agent::AgentGate
pub struct AgentPrompts {
    broker: Arc<Broker>,
    default: keyward_vault::agent::AgentApproval,
}

impl AgentPrompts {
    /// A gate over `broker`; `default` where the setting says `default`.
    pub fn new(
        broker: Arc<Broker>,
        default: keyward_vault::agent::AgentApproval,
    ) -> Arc<AgentPrompts> {
        Arc::new(AgentPrompts { broker, default })
    }
}

impl keyward_vault::agent::AgentGate for AgentPrompts {
    fn check(
        &self,
        program: &keyward_vault::agent::Program,
        req: &keyward_vault::agent::Request,
    ) -> Result<(), VaultError> {
        self.broker
            .agent_check(program, req, self.default)
            .map_err(|e| match e {
                EndpointError::Vault(v) => v,
                other => {
                    let b = other.body();
                    VaultError::Remote(keyward_vault::ErrorBody {
                        code: b.code,
                        message: b.message,
                        hint: b.hint,
                        candidates: None,
                    })
                }
            })
    }
}

impl Broker {
    /// Asks the user, if the rule says so, before `req` runs for `program`; waits (on the
    /// caller's blocking thread) for the decision or the prompt's end.
    pub fn agent_check(
        &self,
        program: &keyward_vault::agent::Program,
        req: &keyward_vault::agent::Request,
        default: keyward_vault::agent::AgentApproval,
    ) -> Result<(), EndpointError> {
        use keyward_vault::agent::{must_ask, AgentApproval, AskClass};
        let class = req.ask_class();
        if class == AskClass::Never {
            return Ok(());
        }
        let mode = on_vault(self.vault.as_ref(), |v| v.settings_now())
            .ok()
            .and_then(|s| s.agent_approval)
            .unwrap_or(default);
        let _ = self.refresh();
        let program_id = program.id();
        if !must_ask(mode, class, false) {
            return Ok(());
        }
        // A program grant covers key use that is not blind signing, only.
        let (view, blind) = self.agent_view(program, req)?;
        let granted = self.state().agent_grants.contains_key(&program_id);
        if !must_ask(mode, class, granted && !blind) {
            return Ok(());
        }
        let grantable = class == AskClass::KeyUse && mode == AgentApproval::PerProgram && !blind;
        let view = PromptView { grantable, ..view };
        let (tx, rx) = std::sync::mpsc::channel();
        let id = view.id.clone();
        self.state().agent_pending.insert(
            id.clone(),
            AgentPending {
                shown: false,
                view: view.clone(),
                grantable,
                program: program.clone(),
                tx: Some(tx),
            },
        );
        self.queue(
            "approval.asked",
            None,
            format!(
                "the program {} asked through the agent: {}",
                quoted(&program.name()),
                view.title
            ),
        );
        self.approver.open(&PromptItem::Request(view.clone()));
        let left = (view.expires_at - self.now()).max(0) as u64;
        match rx.recv_timeout(Duration::from_secs(left)) {
            Ok((true, grant)) => {
                if grant.is_some() {
                    let gid = keyward_crypto::random_id(8);
                    let (pid, name, now) = (program_id.clone(), program.name(), self.now());
                    on_vault(self.vault.as_ref(), |v| {
                        v.program_grant_put(&gid, &pid, &name, now).map(|_| ())
                    })?;
                    self.state()
                        .agent_grants
                        .insert(program_id, (gid, program.name(), now));
                }
                Ok(())
            }
            Ok((false, _)) => Err(crate::ApprovalError::Denied.into()),
            Err(_) => {
                if self.state().agent_pending.remove(&id).is_some() {
                    self.approver.close(&id, Closed::Expired);
                }
                Err(crate::ApprovalError::Expired {
                    expired_at: view.expires_at,
                    now: self.now(),
                }
                .into())
            }
        }
    }

    /// What the prompt shows for an agent operation, and whether it is blind signing.
    fn agent_view(
        &self,
        program: &keyward_vault::agent::Program,
        req: &keyward_vault::agent::Request,
    ) -> Result<(PromptView, bool), EndpointError> {
        use keyward_vault::agent::Request as A;
        let now = self.now();
        let app = AppIdentity {
            name: crate::decode::escape_field(&program.name()),
            exe: program.exe.as_ref().map(|p| {
                std::path::PathBuf::from(crate::decode::escape_field(&p.to_string_lossy()))
            }),
            pid: program.pid,
        };
        let key_of = |key: &str| -> Result<Arc<KeyFacts>, EndpointError> { self.facts(key) };
        let no_key = KeyView {
            id: String::new(),
            label: "no key".into(),
            alg: KeyAlg::Ed25519,
        };
        let secret = |title: String, fields: Vec<(&str, String)>| {
            let mut blocks = vec![Block::Title {
                text: title.clone(),
            }];
            for (label, value) in fields {
                blocks.push(Block::Field {
                    label: label.into(),
                    value: crate::decode::escape_field(&value),
                });
            }
            blocks.push(Block::Notice {
                text: "A secret leaves the vault, or what guards it changes: Keyward asks every time, and no grant covers it.".into(),
            });
            (title, blocks)
        };
        let mut verdicts = Vec::new();
        let mut blind = false;
        // Past the title block (the prompt's heading says it) unless a rendering says more.
        let mut payload_from = 1;
        let (kind, title, key, blocks) = match req {
            A::KeySign { req: r } => {
                let facts = key_of(&r.key)?;
                let (bytes, digest) = r.input.bytes()?;
                let kind = if digest {
                    Kind::SignDigest { scheme: r.scheme }
                } else {
                    Kind::SignMessage { scheme: r.scheme }
                };
                let request = Request::new(
                    app.clone(),
                    None,
                    facts.id.clone(),
                    facts.alg,
                    kind.clone(),
                    bytes,
                    now,
                    self.config.default_ttl_secs,
                );
                let rendered = render(&request);
                verdicts = risk::assess(
                    &request,
                    &rendered,
                    &Context {
                        now,
                        policy: &facts.policy,
                        history: &self.state().history,
                        link: false,
                    },
                );
                blind = verdicts.iter().any(|v| v.id == "blind_signing");
                payload_from = rendered.payload_start();
                (
                    "agent_key_use",
                    kind.title(),
                    Some(facts),
                    rendered.blocks().to_vec(),
                )
            }
            A::SiweSign { key, message } => {
                let facts = key_of(key)?;
                let request = Request::new(
                    app.clone(),
                    None,
                    facts.id.clone(),
                    facts.alg,
                    Kind::SiweLogin,
                    message.as_bytes().to_vec(),
                    now,
                    self.config.default_ttl_secs,
                );
                let rendered = render(&request);
                payload_from = rendered.payload_start();
                (
                    "agent_key_use",
                    Kind::SiweLogin.title(),
                    Some(facts),
                    rendered.blocks().to_vec(),
                )
            }
            A::JwtMint { key, options } => {
                let facts = key_of(key)?;
                let mut blocks = vec![Block::Title {
                    text: "Mint a JWT".into(),
                }];
                let field = |label: &str, value: String| Block::Field {
                    label: label.into(),
                    value: crate::decode::escape_field(&value),
                };
                blocks.push(field("Audience", options.aud.join(", ")));
                if let Some(sub) = &options.sub {
                    blocks.push(field("Subject", sub.clone()));
                }
                blocks.push(field(
                    "Lifetime",
                    format!("{} s", options.exp_secs.unwrap_or(jwt::DEFAULT_EXP_SECS)),
                ));
                if !options.claims.is_empty() {
                    blocks.push(field(
                        "Claims",
                        serde_json::Value::Object(options.claims.clone()).to_string(),
                    ));
                }
                (
                    "agent_key_use",
                    "Mint a JWT".to_owned(),
                    Some(facts),
                    blocks,
                )
            }
            A::KeyExportPrivate { key, format, .. } => {
                let facts = key_of(key)?;
                let (title, blocks) = secret(
                    "Export a private key".into(),
                    vec![
                        ("Key", format!("{} ({})", facts.label, facts.id)),
                        ("Format", format!("{format:?}")),
                    ],
                );
                ("agent_secret_release", title, Some(facts), blocks)
            }
            A::KeyPolicy { key, allow } => {
                let facts = key_of(key)?;
                let to = allow.as_ref().map_or_else(
                    || "every usage its algorithm fits".to_owned(),
                    |l| l.iter().map(|u| u.as_str()).collect::<Vec<_>>().join(", "),
                );
                let (title, blocks) = secret(
                    "Change a key's usage policy".into(),
                    vec![
                        ("Key", format!("{} ({})", facts.label, facts.id)),
                        ("Allow", to),
                    ],
                );
                ("agent_secret_release", title, Some(facts), blocks)
            }
            A::BackupCreate { .. } => {
                let (title, blocks) = secret(
                    "Make a backup of every key and secret".into(),
                    vec![("Protected by", "a passphrase the program chose".into())],
                );
                ("agent_secret_release", title, None, blocks)
            }
            A::CredentialGet { profile, name } => {
                let (title, blocks) = secret(
                    "Read a service credential".into(),
                    vec![("Service", profile.clone()), ("Credential", name.clone())],
                );
                ("agent_secret_release", title, None, blocks)
            }
            A::SettingsSet { name, value } => {
                let (title, blocks) = secret(
                    "Change a setting".into(),
                    vec![("Setting", name.clone()), ("Value", value.clone())],
                );
                ("agent_secret_release", title, None, blocks)
            }
            _ => {
                return Err(EndpointError::BadRequest(
                    "this operation is not asked about".into(),
                ))
            }
        };
        verdicts.sort_by_key(|v| std::cmp::Reverse(v.level));
        let mut hash_input = serde_json::to_vec(&blocks).unwrap_or_default();
        hash_input.extend_from_slice(program.id().as_bytes());
        let rendered_hash = {
            use sha2::{Digest, Sha256};
            hex::encode(Sha256::digest(&hash_input))
        };
        let view = PromptView {
            id: keyward_crypto::random_id(16),
            kind,
            title: format!(
                "{}: {} asks through the agent",
                title,
                crate::decode::escape_field(&program.name())
            ),
            app,
            origin: None,
            origin_verified: false,
            key: key.map_or(no_key, |f| KeyView {
                id: f.id.clone(),
                label: f.label.clone(),
                alg: f.alg,
            }),
            blocks,
            payload_from,
            rendered_hash,
            verdicts,
            created_at: now,
            expires_at: now + self.config.default_ttl_secs,
            locked: false,
            grantable: false,
            link: false,
        };
        Ok((view, blind))
    }

    /// A decision on an agent prompt, if `input` is for one: checked against what was shown,
    /// and a grant only "until lock", only where it was offered.
    pub(super) fn decide_agent(&self, input: &DecideInput) -> Result<bool, EndpointError> {
        let mut st = self.state();
        let Some(p) = st.agent_pending.get(&input.request_id) else {
            return Ok(false);
        };
        if p.view.rendered_hash != input.rendered_hash {
            return Err(crate::ApprovalError::PayloadMismatch.into());
        }
        if input.approved {
            if let Some(g) = &input.grant {
                if !p.grantable || g.scope != Scope::UntilLock {
                    return Err(crate::ApprovalError::NotGrantable {
                        kind: p.view.kind.to_owned(),
                    }
                    .into());
                }
            }
        }
        let Some(mut p) = st.agent_pending.remove(&input.request_id) else {
            return Ok(false);
        };
        drop(st);
        if let Some(tx) = p.tx.take() {
            let grant = if input.approved {
                input.grant.clone()
            } else {
                None
            };
            let _ = tx.send((input.approved, grant));
        }
        self.queue(
            if input.approved {
                "approval.approved"
            } else {
                "approval.denied"
            },
            None,
            format!(
                "{} the program {} through the agent: {}",
                if input.approved { "approved" } else { "denied" },
                quoted(&p.program.name()),
                p.view.title
            ),
        );
        self.approver.close(&input.request_id, Closed::Decided);
        Ok(true)
    }
}

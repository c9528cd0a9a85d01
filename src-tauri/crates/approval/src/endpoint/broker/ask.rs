//! An app's request, from its body to a signature. [`Broker::ask`] builds a [`Request`] from
//! the [`AskBody`] (key, payload, origin, lifetime), answers from a live grant or opens a
//! prompt (risk rules first: a forbidden verdict refuses without one) and waits for the
//! user's [`Broker::decide`]; then it signs what [`authorize`] cleared, the only place the
//! broker signs, and keeps the grant the decision asked for. A request whose app gives up is
//! withdrawn.

use std::sync::Arc;
use std::time::Duration;

use keyward_crypto::jwt;
use keyward_crypto::sign::{Encoding, Payload, Scheme, Signer};
use keyward_vault::access::on_vault;
use keyward_vault::{Backend, KeyFacts, StoredGrant, VaultError};
use serde_json::{Map, Value};
use tokio::sync::oneshot;

use super::links::LINK_APP_ID;
use super::{
    identity, quoted, AppRecord, Broker, Closed, DecideInput, KeyView, PromptItem, PromptView,
};
use crate::decision::{authorize, Authorized, Decision};
use crate::decode::{render, Rendered};
use crate::endpoint::error::EndpointError;
use crate::endpoint::wire::{Answer, AskBody};
use crate::grant::{GrantSpec, Scope};
use crate::request::{Kind, Request};
use crate::risk::{self, Context};

pub(super) struct PendingRequest {
    /// Whether an approver said the prompt is on screen (audited once).
    shown: bool,
    req: Request,
    rendered: Rendered,
    pub(super) view: PromptView,
    pub(super) app_id: String,
    tx: Option<oneshot::Sender<Decision>>,
}

/// Who is at the other end of a request's connection.
#[derive(Debug, Clone)]
pub(crate) enum Peer {
    /// Not known (tests, other transports).
    Unknown,
    /// A Unix socket peer, identified by the kernel.
    Unix {
        exe: Option<std::path::PathBuf>,
        pid: u32,
    },
    /// A loopback TCP peer at this address (looked up only when a prompt opens).
    Tcp(std::net::SocketAddr),
}

impl Broker {
    /// Builds the request an app's body describes.
    pub(super) fn build(
        &self,
        rec: &AppRecord,
        body: AskBody,
        browser_origin: Option<String>,
        peer: Option<(Option<std::path::PathBuf>, u32)>,
    ) -> Result<(Request, Arc<KeyFacts>), EndpointError> {
        let facts = match &rec.app.keys {
            None => self.facts(&body.key)?,
            // An app restricted to some keys gets one answer for every other name, whether
            // it matches a key, several, or none: it learns nothing about the others.
            Some(allowed) => match self.facts(&body.key) {
                Ok(f) if allowed.iter().any(|k| k == &f.id) => f,
                _ => {
                    return Err(EndpointError::KeyNotAllowed(crate::decode::escape_field(
                        &body.key.chars().take(64).collect::<String>(),
                    )))
                }
            },
        };
        let payload = match (&body.message, &body.payload_hex) {
            (Some(_), Some(_)) => {
                return Err(EndpointError::BadRequest(
                    "give message or payload_hex, not both".into(),
                ))
            }
            (Some(m), None) => m.as_bytes().to_vec(),
            (None, Some(h)) => hex::decode(h.trim().trim_start_matches("0x"))
                .map_err(|_| EndpointError::BadRequest("payload_hex is not hex".into()))?,
            (None, None) => Vec::new(),
        };
        match &body.kind {
            Kind::MintJwt { template } => {
                if !payload.is_empty() {
                    return Err(EndpointError::BadRequest(
                        "a JWT request carries a template, not a payload".into(),
                    ));
                }
                if template.exp_secs == 0 || template.exp_secs > 86_400 {
                    return Err(EndpointError::BadRequest(
                        "template.exp_secs must be 1 to 86400".into(),
                    ));
                }
            }
            _ if payload.is_empty() => {
                return Err(EndpointError::BadRequest(
                    "give the payload as message or payload_hex".into(),
                ))
            }
            _ => {}
        }
        // A browser's Origin is the app's paired origin (checked before); a body origin
        // from a browser must agree with it.
        let claimed = body.origin.as_deref().map(normalise_origin).transpose()?;
        let verified = browser_origin.is_some();
        let origin = match (browser_origin, claimed) {
            (Some(b), Some(o)) if b != o => {
                return Err(EndpointError::BadRequest(
                    "origin differs from the browser's Origin".into(),
                ))
            }
            (Some(b), _) => Some(b),
            (None, o) => o,
        };
        let ttl = body.ttl_secs.unwrap_or(self.config.default_ttl_secs);
        if ttl > self.config.max_ttl_secs {
            return Err(EndpointError::BadRequest(format!(
                "ttl_secs is at most {}",
                self.config.max_ttl_secs
            )));
        }
        let mut app = identity(&rec.app);
        if let Some((exe, pid)) = peer {
            app.exe = exe;
            app.pid = Some(pid);
        }
        let mut req = Request::new(
            app,
            origin,
            facts.id.clone(),
            facts.alg,
            body.kind,
            payload,
            self.now(),
            ttl,
        );
        req.origin_verified = verified;
        Ok((req, facts))
    }

    /// Handles one authenticated request to the end: a signature, or why not.
    pub(crate) async fn ask(
        self: &Arc<Self>,
        rec: AppRecord,
        body: AskBody,
        browser_origin: Option<String>,
        peer: Peer,
    ) -> Result<Answer, EndpointError> {
        let tcp = match &peer {
            Peer::Tcp(a) => Some(*a),
            _ => None,
        };
        let peer = match peer {
            Peer::Unix { exe, pid } => Some((exe, pid)),
            _ => None,
        };
        let this = self.clone();
        let rec2 = rec.clone();
        let prepared = tokio::task::spawn_blocking(move || {
            this.refresh()?;
            let (req, facts) = this.build(&rec2, body, browser_origin, peer)?;
            let now = this.now();
            if req.expired(now) {
                return Err(EndpointError::Approval(crate::ApprovalError::Expired {
                    expired_at: req.expires_at,
                    now,
                }));
            }
            // A live grant answers at once — never while locked.
            let granted = {
                let st = this.state();
                if st.locked || !req.kind.grantable() {
                    None
                } else {
                    st.grants.authorize(&req, &facts.policy, now).ok()
                }
            };
            if let Some(auth) = granted {
                let answer = this.sign(&auth, &facts)?;
                return Ok(Err(answer));
            }
            Ok(Ok((req, facts)))
        })
        .await
        .map_err(|e| EndpointError::Unavailable(e.to_string()))??;
        let (req, facts) = match prepared {
            Err(answer) => return Ok(answer),
            Ok(x) => x,
        };
        // Name the process behind a TCP connection for the prompt only: the request's identity
        // (what grants match) stays the paired app, so its granted requests need no lookup.
        let shown_peer = match tcp {
            Some(addr) if req.app.exe.is_none() => {
                let local = std::net::SocketAddr::from(([127, 0, 0, 1], self.port()));
                tokio::task::spawn_blocking(move || crate::endpoint::peer::tcp_peer(addr, local))
                    .await
                    .ok()
                    .flatten()
            }
            _ => None,
        };
        self.prompt(rec, req, facts, shown_peer, None, &mut false)
            .await
    }

    pub(super) async fn prompt(
        self: &Arc<Self>,
        rec: AppRecord,
        req: Request,
        facts: Arc<KeyFacts>,
        shown_peer: Option<(Option<std::path::PathBuf>, u32)>,
        answer_to: Option<String>,
        shown: &mut bool,
    ) -> Result<Answer, EndpointError> {
        let rendered = render(&req);
        let link = rec.app.id == LINK_APP_ID;
        let now = self.now();
        let (rx, view) = {
            let mut st = self.state();
            let mut verdicts = risk::assess(
                &req,
                &rendered,
                &Context {
                    now,
                    policy: &facts.policy,
                    history: &st.history,
                    link,
                },
            );
            verdicts.sort_by_key(|v| std::cmp::Reverse(v.level));
            if let Some(refusal) = risk::refusal(&verdicts) {
                drop(st);
                self.queue(
                    "approval.refused",
                    Some(facts.id.clone()),
                    format!(
                        "{} from {} refused without a prompt: {}",
                        req.kind.name(),
                        quoted(&rec.app.name),
                        refusal
                    ),
                );
                return Err(refusal.into());
            }
            let waiting = st
                .pending
                .values()
                .filter(|p| p.app_id == rec.app.id)
                .count();
            if waiting >= self.config.max_pending_per_app {
                return Err(EndpointError::TooManyPending {
                    limit: self.config.max_pending_per_app,
                });
            }
            let mut shown_app = req.app.clone();
            if let Some((exe, pid)) = shown_peer {
                shown_app.exe = exe;
                shown_app.pid = Some(pid);
            }
            // A file name can hold terminal escapes and bidi controls: shown escaped.
            shown_app.name = crate::decode::escape_field(&shown_app.name);
            shown_app.exe = shown_app.exe.map(|p| {
                std::path::PathBuf::from(crate::decode::escape_field(&p.to_string_lossy()))
            });
            let view = PromptView {
                id: req.id.clone(),
                kind: req.kind.name(),
                title: req.kind.title(),
                app: shown_app,
                origin_verified: answer_to.is_none() && req.origin_verified,
                origin: answer_to.or_else(|| req.origin.clone()),
                key: KeyView {
                    id: facts.id.clone(),
                    label: facts.label.clone(),
                    alg: facts.alg,
                },
                blocks: rendered.blocks().to_vec(),
                payload_from: rendered.payload_start(),
                rendered_hash: rendered.hash().to_owned(),
                verdicts,
                created_at: req.created_at,
                expires_at: req.expires_at,
                locked: st.locked,
                // A link's request is never granted, whatever its kind.
                grantable: req.kind.grantable() && !link,
                link,
            };
            st.history.record(&req.app, Some(&facts.id));
            let (tx, rx) = oneshot::channel();
            st.pending.insert(
                req.id.clone(),
                PendingRequest {
                    shown: false,
                    req: req.clone(),
                    rendered: rendered.clone(),
                    view: view.clone(),
                    app_id: rec.app.id.clone(),
                    tx: Some(tx),
                },
            );
            (rx, view)
        };
        self.queue(
            "approval.asked",
            Some(facts.id.clone()),
            format!(
                "{} asked: {} (shown {}…)",
                quoted(&rec.app.name),
                req.kind.name(),
                &rendered.hash()[..16]
            ),
        );
        let mut guard = Withdraw {
            broker: self.clone(),
            id: Some(req.id.clone()),
        };
        *shown = true;
        self.approver.open(&PromptItem::Request(view));
        let left = (req.expires_at - self.now()).max(0) as u64;
        let decision = match tokio::time::timeout(Duration::from_secs(left), rx).await {
            Ok(Ok(d)) => {
                guard.id = None;
                d
            }
            Ok(Err(_)) => {
                guard.id = None;
                return Err(EndpointError::Withdrawn);
            }
            Err(_) => {
                guard.id = None;
                if self.state().pending.remove(&req.id).is_some() {
                    self.approver.close(&req.id, Closed::Expired);
                    self.queue(
                        "approval.expired",
                        Some(facts.id.clone()),
                        format!(
                            "{}'s {} expired unanswered",
                            quoted(&rec.app.name),
                            req.kind.name()
                        ),
                    );
                }
                return Err(crate::ApprovalError::Expired {
                    expired_at: req.expires_at,
                    now: self.now(),
                }
                .into());
            }
        };
        let this = self.clone();
        tokio::task::spawn_blocking(move || {
            // Checked again right before signing: approval, hash, grant, expiry.
            let auth = authorize(&req, &rendered, &decision, this.now())?;
            let answer = this.sign(&auth, &facts)?;
            if auth.grant().is_some() {
                this.keep_grant(&auth, &rec)?;
            }
            Ok(answer)
        })
        .await
        .map_err(|e| EndpointError::Unavailable(e.to_string()))?
    }

    fn keep_grant(&self, auth: &Authorized, rec: &AppRecord) -> Result<(), EndpointError> {
        let now = self.now();
        let grant = {
            let mut st = self.state();
            match st.grants.add(auth, now)? {
                Some(g) => g.clone(),
                None => return Ok(()),
            }
        };
        self.state()
            .grant_apps
            .insert(grant.id.clone(), rec.app.id.clone());
        let stored = StoredGrant {
            id: grant.id.clone(),
            app_id: rec.app.id.clone(),
            key_id: grant.key_id.clone(),
            until_lock: grant.scope == Scope::UntilLock,
            body: serde_json::to_value(&grant)
                .map_err(|e| EndpointError::Unavailable(e.to_string()))?,
            created_at: grant.created_at,
            expires_at: grant.expires_at,
        };
        on_vault(self.vault.as_ref(), |v| v.grant_put(stored))?;
        // Our own write moved the stamp: take it without dropping the caches.
        if let Ok(stamp) = on_vault(self.vault.as_ref(), |v| v.approvals_stamp()) {
            self.state().stamp = Some(stamp);
        }
        Ok(())
    }

    /// The signer of `key`: cached for grantable kinds while unlocked.
    fn signer(&self, key_id: &str, keep: bool) -> Result<Arc<Signer<'static>>, EndpointError> {
        if let Some(s) = self.state().signers.get(key_id) {
            return Ok(s.clone());
        }
        let id = key_id.to_owned();
        let s = Arc::new(on_vault(self.vault.as_ref(), |v| v.unseal_signer(&id))?);
        if keep {
            self.state().signers.insert(key_id.to_owned(), s.clone());
        }
        Ok(s)
    }

    /// Signs what `auth` carries — the only place the broker produces a signature.
    fn sign(&self, auth: &Authorized, facts: &KeyFacts) -> Result<Answer, EndpointError> {
        facts.policy.check(auth.kind().usage())?;
        let signer = self.signer(auth.key_id(), auth.kind().grantable())?;
        let now = self.now();
        let mut answer = Answer {
            request_id: auth.request_id().to_owned(),
            kind: auth.kind().name().to_owned(),
            rendered_hash: auth.rendered_hash().to_owned(),
            grant_id: auth.granted_by().map(str::to_owned),
            signature: None,
            signer: None,
            digest: None,
            token: None,
            expires_at: None,
        };
        let what = match auth.kind() {
            Kind::SignMessage { scheme } | Kind::SignDigest { scheme } => {
                let payload = if matches!(auth.kind(), Kind::SignDigest { .. }) {
                    Payload::Digest(auth.payload())
                } else {
                    Payload::Message(auth.payload())
                };
                let sig = signer.sign(*scheme, payload, Encoding::Der)?;
                answer.signature = Some(sig.signature);
                answer.signer = Some(sig.signer);
                answer.digest = sig.digest;
                format!("signed with {scheme}")
            }
            Kind::SiweLogin => {
                // EIP-4361 signs the message text with EIP-191: the exact bytes shown.
                let sig = signer.sign(
                    Scheme::Eip191,
                    Payload::Message(auth.payload()),
                    Encoding::Der,
                )?;
                answer.signature = Some(sig.signature);
                answer.signer = Some(sig.signer);
                answer.digest = sig.digest;
                "signed a SIWE login".to_owned()
            }
            Kind::MintJwt { template } => {
                let claims = auth.jwt_claims(now).unwrap_or_default();
                let mut header = Map::new();
                header.insert("alg".into(), Value::from(template.alg.as_str()));
                header.insert("typ".into(), Value::from("JWT"));
                let token = jwt::compact(&signer, template.alg, &header, &claims)?;
                answer.expires_at = claims.get("exp").and_then(Value::as_i64);
                answer.token = Some(token);
                let alg = template.alg.as_str();
                let a = if alg.starts_with('P') { "a" } else { "an" };
                format!("minted {a} {alg} token, {} s", template.exp_secs)
            }
        };
        let by = match auth.granted_by() {
            Some(g) => format!("under grant {g}"),
            None => "after approval".to_owned(),
        };
        self.queue(
            "approval.signed",
            Some(facts.id.clone()),
            format!(
                "{what} for {} {by} (shown {}…)",
                quoted(&auth.app().name),
                &auth.rendered_hash()[..16]
            ),
        );
        Ok(answer)
    }

    /// The user's decision on a request. Unlocks the vault first when it is locked and the
    /// decision approves. Checks the decision against the request (hash, grant, expiry) so
    /// the prompt hears at once what is wrong; the signer checks again right before signing.
    pub fn decide(
        &self,
        input: DecideInput,
        passphrase: Option<keyward_core::Secret>,
    ) -> Result<(), EndpointError> {
        self.check_armed(&input.request_id, input.approved)?;
        if self.decide_agent(&input)? {
            return Ok(());
        }
        let (req, rendered) = {
            let st = self.state();
            let p = st
                .pending
                .get(&input.request_id)
                .ok_or_else(|| EndpointError::NotFound("request".into()))?;
            (p.req.clone(), p.rendered.clone())
        };
        let now = self.now();
        let decision = Decision {
            request_id: input.request_id.clone(),
            approved: input.approved,
            rendered_hash: input.rendered_hash.clone(),
            grant: input.grant.clone(),
            decided_at: now,
        };
        if input.approved {
            authorize(&req, &rendered, &decision, now)?;
            let locked = on_vault(self.vault.as_ref(), |v| Ok(v.is_locked()))?;
            if locked {
                let p = passphrase.ok_or(VaultError::Locked)?;
                on_vault(self.vault.as_ref(), |v| {
                    Backend::unlock(v, Some(p)).map(|_| ())
                })?;
                let _ = self.refresh();
            }
        }
        let pending = self.state().pending.remove(&input.request_id);
        let Some(mut pending) = pending else {
            return Err(EndpointError::NotFound("request".into()));
        };
        self.queue(
            if input.approved {
                "approval.approved"
            } else {
                "approval.denied"
            },
            Some(req.key_id.clone()),
            format!(
                "{} {} {}'s {}{}",
                if input.approved { "approved" } else { "denied" },
                match &input.grant {
                    Some(GrantSpec {
                        scope: Scope::ForMinutes(m),
                    }) => format!("(and granted {m} min)"),
                    Some(GrantSpec {
                        scope: Scope::UntilLock,
                    }) => "(and granted until lock)".into(),
                    _ => String::new(),
                },
                quoted(&req.app.name),
                req.kind.name(),
                format_args!(" (shown {}…)", &rendered.hash()[..16])
            ),
        );
        if let Some(tx) = pending.tx.take() {
            let _ = tx.send(decision);
        }
        self.approver.close(&input.request_id, Closed::Decided);
        Ok(())
    }

    /// An approver says the prompt `id` (a request, an agent request or a pairing) is on screen
    /// now: Approve arms [`super::ARM_MS`] later; a request is audited once as
    /// `approval.shown`.
    pub fn mark_shown(&self, id: &str) {
        self.note_shown(id);
        let first = {
            let mut st = self.state();
            if let Some(p) = st.agent_pending.get_mut(id) {
                p.shown = true;
                return;
            }
            match st.pending.get_mut(id) {
                Some(p) if !p.shown => {
                    p.shown = true;
                    Some((
                        p.req.key_id.clone(),
                        p.req.app.name.clone(),
                        p.view.rendered_hash.clone(),
                    ))
                }
                _ => None,
            }
        };
        if let Some((key, app, hash)) = first {
            self.queue(
                "approval.shown",
                Some(key),
                format!("showed {}'s request (shown {}…)", quoted(&app), &hash[..16]),
            );
        }
    }

    /// Denies every open prompt (requests, the agent's, pairings): the prompt window was
    /// closed, which is a "no" to everything it held.
    pub fn deny_all(&self) {
        for item in self.prompts() {
            let _ = match item {
                PromptItem::Request(p) => self.decide(
                    DecideInput {
                        request_id: p.id,
                        rendered_hash: p.rendered_hash,
                        approved: false,
                        grant: None,
                    },
                    None,
                ),
                PromptItem::Pairing(p) => self.decide_pairing(&p.id, false, None),
            };
        }
    }

    fn withdraw(&self, id: &str) {
        let removed = self.state().pending.remove(id);
        if let Some(p) = removed {
            self.approver.close(id, Closed::Withdrawn);
            self.queue(
                "approval.withdrawn",
                Some(p.req.key_id.clone()),
                format!(
                    "{} gave up its {}",
                    quoted(&p.req.app.name),
                    p.req.kind.name()
                ),
            );
        }
    }
}

/// Withdraws a waiting request when the task waiting on it is dropped (the app's
/// connection closed), so nothing stays signable after the requester gave up.
struct Withdraw {
    broker: Arc<Broker>,
    id: Option<String>,
}

impl Drop for Withdraw {
    fn drop(&mut self) {
        if let Some(id) = self.id.take() {
            self.broker.withdraw(&id);
        }
    }
}

/// A web origin as an app names it, parsed and normalised (`HTTPS://App.Example.com:443/x` →
/// `https://app.example.com`), or refused: only `http`/`https` origins, nothing that is not
/// one URL (no whitespace or control characters, at most 2,048 bytes).
pub fn normalise_origin(raw: &str) -> Result<String, EndpointError> {
    let bad = || {
        EndpointError::BadRequest(
            "origin must be a web origin such as https://app.example.com".into(),
        )
    };
    if raw.is_empty()
        || raw.len() > 2048
        || raw.chars().any(|c| c.is_control() || c.is_whitespace())
    {
        return Err(bad());
    }
    let url = url::Url::parse(raw).map_err(|_| bad())?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(bad());
    }
    let origin = url.origin();
    if !origin.is_tuple() {
        return Err(bad());
    }
    Ok(origin.ascii_serialization())
}

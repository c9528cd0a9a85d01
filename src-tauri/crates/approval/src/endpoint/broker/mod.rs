// Size: over the house's 800 lines of non-test code, on purpose for now. Issue 14 (the next)
// splits it along the seams its sections already mark (seams, views, pairing, asking, links,
// the agent's gate, audit, tests); splitting it here, in the issue that reshaped its
// behaviour, would have mixed a move with a change.

//! The broker: everything the endpoint decides, without HTTP. It keeps the paired apps and
//! grants (persisted in the vault's index, reloaded whenever the vault's approvals stamp
//! changes), the server nonces, the requests waiting for the user and the pairing prompts;
//! it turns an [`AskBody`] into a [`Request`], runs the risk rules, answers from a live grant
//! or asks the [`Approver`], and signs only through [`authorize`] / [`Grants::authorize`].
//!
//! Locking: the state mutex is never held across a vault call; the vault is reached through
//! [`VaultAccess`] (the shell's own mutex), always off the async runtime's threads.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicI64, AtomicU16, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use keyward_crypto::sign::{Encoding, Payload, Scheme, Signer};
use keyward_crypto::{jwt, Coded, KeyAlg};
use keyward_vault::{Backend, KeyFacts, PairedApp, StoredGrant, Vault, VaultError};
use serde::Serialize;
use serde_json::{Map, Value};
use tokio::sync::{oneshot, watch};
use zeroize::Zeroizing;

use super::error::EndpointError;
use super::link::{self, Link, LinkError, RateLimit};
use super::wire::{Answer, AskBody, LinkOutcome, PairBody, PairStarted, Paired};
use crate::auth::{self, EndpointKey, NonceBook};
use crate::decision::{authorize, Authorized, Decision};
use crate::decode::{render, Block, Rendered};
use crate::grant::{Grant, GrantSpec, Grants, Scope};
use crate::request::{AppIdentity, Kind, Request};
use crate::risk::{self, Context, MemoryHistory, Verdict};

// ---------------------------------------------------------------------------------------
// What the shell provides
// ---------------------------------------------------------------------------------------

/// The time, in unix seconds. Injectable so grant lifetimes can be tested.
pub trait Clock: Send + Sync + 'static {
    /// Now.
    fn now(&self) -> i64;
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0)
    }
}

/// A clock tests move by hand.
#[derive(Debug, Default)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    /// A clock showing `now`.
    pub fn new(now: i64) -> ManualClock {
        ManualClock(AtomicI64::new(now))
    }
    /// Moves the clock forward.
    pub fn advance(&self, secs: i64) {
        self.0.fetch_add(secs, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

use keyward_vault::access::on_vault;
pub use keyward_vault::access::VaultAccess;

/// Why a prompt closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Closed {
    /// The user decided (here or in another view).
    Decided,
    /// Its deadline passed.
    Expired,
    /// The app gave up (closed its connection).
    Withdrawn,
}

/// The user's side: the desktop app's prompt window, the CLI's terminal prompt, a test.
/// `open` shows a prompt; the decision comes back through [`Broker::decide`] or
/// [`Broker::decide_pairing`]; `close` says the prompt is moot. Both must return quickly.
pub trait Approver: Send + Sync + 'static {
    /// Show this prompt.
    fn open(&self, item: &PromptItem);
    /// The prompt with this id closed.
    fn close(&self, id: &str, why: Closed);
    /// An app waits for the vault to be unlocked (the endpoint has not seen it unlocked
    /// since it started, so it can authenticate nobody): ask the user to unlock.
    fn unlock_needed(&self) {}
}

/// What an [`Approver`] receives, as a message: for approvers that run their own loop.
#[derive(Debug, Clone)]
pub enum ApproverEvent {
    /// A prompt opened.
    Open(Box<PromptItem>),
    /// A prompt closed.
    Close(String, Closed),
    /// An app waits for the vault to be unlocked.
    UnlockNeeded,
}

/// An [`Approver`] that forwards every event into a channel.
#[derive(Debug, Clone)]
pub struct ChannelApprover(pub tokio::sync::mpsc::UnboundedSender<ApproverEvent>);

impl Approver for ChannelApprover {
    fn open(&self, item: &PromptItem) {
        let _ = self.0.send(ApproverEvent::Open(Box::new(item.clone())));
    }
    fn close(&self, id: &str, why: Closed) {
        let _ = self.0.send(ApproverEvent::Close(id.to_owned(), why));
    }
    fn unlock_needed(&self) {
        let _ = self.0.send(ApproverEvent::UnlockNeeded);
    }
}

// ---------------------------------------------------------------------------------------
// What the user sees
// ---------------------------------------------------------------------------------------

/// The key a prompt names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyView {
    /// The key's id.
    pub id: String,
    /// Its label.
    pub label: String,
    /// Its algorithm.
    pub alg: KeyAlg,
}

/// A request prompt.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PromptView {
    /// The request's id.
    pub id: String,
    /// `sign_message`, `sign_digest`, `siwe_login`, `mint_jwt`.
    pub kind: &'static str,
    /// A heading.
    pub title: String,
    /// Who asks.
    pub app: AppIdentity,
    /// The origin the app speaks for; for a deep link, where the answer is sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// Whether a browser vouched for `origin` (its `Origin` header, checked against the
    /// pairing); otherwise the app only claims it.
    pub origin_verified: bool,
    /// The key.
    pub key: KeyView,
    /// What to show, in order (already escaped).
    pub blocks: Vec<Block>,
    /// The first block of what is signed: the ones before say who asks with which key, which
    /// the prompt's header already states (they are bound by the hash all the same).
    pub payload_from: usize,
    /// The hash a decision must carry.
    pub rendered_hash: String,
    /// The risk rules' findings, worst first.
    pub verdicts: Vec<Verdict>,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub expires_at: i64,
    /// Whether approving needs the passphrase (the vault is locked).
    pub locked: bool,
    /// Whether a grant may be chosen.
    pub grantable: bool,
    /// Opened by a deep link: nobody vouches for the app, and `origin` is where the answer
    /// is sent.
    pub link: bool,
}

/// A pairing prompt.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PairingView {
    /// The pairing's id.
    pub id: String,
    /// The name the app gives itself.
    pub app_name: String,
    /// The browser origin it called from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// The code both sides show.
    pub code: String,
    /// The keys the app asked for, as it named them (escaped): nothing is looked up before
    /// the user approves.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keys: Option<Vec<String>>,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub expires_at: i64,
}

/// One prompt.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum PromptItem {
    /// A request to sign or mint.
    Request(PromptView),
    /// A request to pair.
    Pairing(PairingView),
}

impl PromptItem {
    /// The prompt's id.
    pub fn id(&self) -> &str {
        match self {
            PromptItem::Request(r) => &r.id,
            PromptItem::Pairing(p) => &p.id,
        }
    }
}

/// A live grant as the UI lists it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantView {
    /// The grant's id.
    pub id: String,
    /// The paired app's id.
    pub app_id: String,
    /// The app's name.
    pub app_name: String,
    /// The key.
    pub key_id: String,
    /// The key's label, when the key still exists.
    pub key_label: Option<String>,
    /// `for_minutes` or `until_lock`.
    pub scope: &'static str,
    /// The JWT audience.
    pub audience: Vec<String>,
    /// The JWT subject.
    pub subject: Option<String>,
    /// The JWT algorithm.
    pub alg: String,
    /// The longest lifetime a covered token may have.
    pub exp_secs: u64,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds (`for_minutes` only).
    pub expires_at: Option<i64>,
}

/// What the user's decision says, as a prompt sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecideInput {
    /// The request.
    pub request_id: String,
    /// The hash the prompt showed.
    pub rendered_hash: String,
    /// Approve or deny.
    pub approved: bool,
    /// A grant to keep.
    pub grant: Option<GrantSpec>,
}

// ---------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------

/// Limits and lifetimes.
#[derive(Debug, Clone)]
pub struct Config {
    /// Largest request body.
    pub max_body: usize,
    /// Requests one app may have waiting for the user.
    pub max_pending_per_app: usize,
    /// A request's life when it names none.
    pub default_ttl_secs: i64,
    /// The longest life a request may ask for.
    pub max_ttl_secs: i64,
    /// A server nonce's life.
    pub nonce_ttl_secs: i64,
    /// Live server nonces kept at most.
    pub nonce_capacity: usize,
    /// A pairing prompt's life.
    pub pair_ttl_secs: i64,
    /// No pairing prompt for this long after a refusal.
    pub pair_cooldown_secs: i64,
    /// At least this long between two pairing prompts.
    pub pair_interval_secs: i64,
    /// How often the audit queue is written (one transaction per batch).
    pub audit_flush: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_body: 64 * 1024,
            max_pending_per_app: 4,
            default_ttl_secs: 120,
            max_ttl_secs: 600,
            nonce_ttl_secs: 120,
            nonce_capacity: 100_000,
            pair_ttl_secs: 120,
            pair_cooldown_secs: 30,
            pair_interval_secs: 2,
            audit_flush: Duration::from_millis(5),
        }
    }
}

// ---------------------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------------------

/// The app id deep-link requests are filed under (for the pending limit and history).
const LINK_APP_ID: &str = "deep-link";

/// The key a SimpleWallet login uses (tagged [`link::SIMPLEWALLET_TAG`]) and its EOS
/// account (its [`link::EOS_ACCOUNT_TAG`] tag).
fn simplewallet_key(keys: &[keyward_vault::KeyInfo]) -> Result<(String, String), LinkError> {
    let key = match keys {
        [k] => k,
        [] => return Err(LinkError::NoKey("no key is tagged `simplewallet`".into())),
        _ => {
            return Err(LinkError::NoKey(
                "more than one key is tagged `simplewallet`".into(),
            ))
        }
    };
    let account = key
        .tags
        .iter()
        .find_map(|t| t.strip_prefix(link::EOS_ACCOUNT_TAG))
        .filter(|a| !a.is_empty())
        .ok_or_else(|| {
            LinkError::NoKey(format!(
                "the `simplewallet` key has no `{}NAME` tag",
                link::EOS_ACCOUNT_TAG
            ))
        })?;
    Ok((key.id.clone(), account.to_owned()))
}

/// A paired app as the broker knows it.
#[derive(Debug, Clone)]
pub(crate) struct AppRecord {
    pub(crate) app: PairedApp,
    /// The salt its token is derived from (`None`: paired before that; refused).
    pub(crate) token_salt: Option<String>,
}

struct PendingRequest {
    /// Whether an approver said the prompt is on screen (audited once).
    shown: bool,
    req: Request,
    rendered: Rendered,
    view: PromptView,
    app_id: String,
    tx: Option<oneshot::Sender<Decision>>,
}

#[derive(Clone)]
enum PairState {
    Waiting,
    Approved {
        app_id: String,
        token: Zeroizing<String>,
        keys: Option<Vec<String>>,
    },
    Denied,
    Expired,
    Collected,
}

/// A program's agent operation waiting for the user (DESIGN "Seams": `AgentGate`).
struct AgentPending {
    shown: bool,
    view: PromptView,
    /// Whether "until lock" may be chosen (non-blind key use, per-program mode).
    grantable: bool,
    program: keyward_vault::agent::Program,
    tx: Option<std::sync::mpsc::Sender<(bool, Option<GrantSpec>)>>,
}

struct PendingPairing {
    view: PairingView,
    /// The keys as the app named them (resolved when the user approves).
    asked: Option<Vec<String>>,
    state: watch::Sender<PairState>,
}

#[derive(Default)]
struct State {
    /// The stamp the caches below were loaded at.
    stamp: Option<(i64, u64)>,
    locked: bool,
    apps: HashMap<String, AppRecord>,
    grants: Grants,
    /// Grant id → paired app id.
    grant_apps: HashMap<String, String>,
    /// Unsealed keys of granted mints (zeroized when dropped: on lock and on reload).
    signers: HashMap<String, Arc<Signer<'static>>>,
    facts: HashMap<String, Arc<KeyFacts>>,
    history: MemoryHistory,
    pending: BTreeMap<String, PendingRequest>,
    pairings: BTreeMap<String, PendingPairing>,
    last_pair_prompt: Option<i64>,
    pair_cooldown_until: i64,
    last_seen_written: HashMap<String, i64>,
    /// Deep links admitted lately.
    links: RateLimit,
    /// Agent operations waiting for the user.
    agent_pending: BTreeMap<String, AgentPending>,
    /// Program grants of the agent: program id → (grant id, shown name, since).
    agent_grants: HashMap<String, (String, String, i64)>,
}

#[derive(Default)]
struct AuditQueue {
    entries: Vec<(String, Option<String>, String)>,
    /// app name → error code → count.
    refusals: BTreeMap<String, BTreeMap<String, u64>>,
}

/// The endpoint's brain. Shared (`Arc`) by the HTTP handlers and the shell.
pub struct Broker {
    vault: Arc<dyn VaultAccess>,
    approver: Arc<dyn Approver>,
    clock: Arc<dyn Clock>,
    pub(crate) config: Config,
    key: EndpointKey,
    port: AtomicU16,
    state: Mutex<State>,
    nonces: Mutex<NonceBook>,
    audit: Mutex<AuditQueue>,
    /// The secret app tokens derive from: held from the first unlock this broker sees until
    /// it drops (a lock keeps it: it authenticates, it signs nothing).
    mac_secret: Mutex<Option<Zeroizing<[u8; 32]>>>,
    /// When the approver was last told an app waits for an unlock.
    unlock_asked: AtomicI64,
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

impl Broker {
    /// A broker over `vault`, asking `approver`. Loads (or creates) the endpoint key, drops
    /// "until lock" grants a previous run left, and loads apps and grants.
    pub fn new(
        vault: Arc<dyn VaultAccess>,
        approver: Arc<dyn Approver>,
        clock: Arc<dyn Clock>,
        config: Config,
    ) -> Result<Arc<Broker>, EndpointError> {
        let seed = on_vault(vault.as_ref(), |v| {
            v.grants_drop_until_lock()?;
            v.endpoint_seed()
        })?;
        let key = EndpointKey::from_seed(&seed);
        let broker = Arc::new(Broker {
            vault,
            approver,
            clock,
            nonces: Mutex::new(NonceBook::new(config.nonce_ttl_secs, config.nonce_capacity)),
            config,
            key,
            port: AtomicU16::new(0),
            state: Mutex::new(State::default()),
            audit: Mutex::new(AuditQueue::default()),
            mac_secret: Mutex::new(None),
            unlock_asked: AtomicI64::new(i64::MIN),
        });
        broker.refresh()?;
        Ok(broker)
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the state cannot leave it half-written in a way that signs
        // anything: recover the guard rather than take the endpoint down.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Now, by the broker's clock.
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// The endpoint's public key (apps pin it).
    pub fn endpoint_public(&self) -> [u8; 32] {
        self.key.public()
    }

    /// `SHA-256` fingerprint of the endpoint key, as the UI shows it (hex, 16 bytes).
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        hex::encode(&Sha256::digest(self.key.public())[..16])
    }

    pub(crate) fn endpoint_key(&self) -> &EndpointKey {
        &self.key
    }

    /// The port the endpoint listens on (0 before it is bound).
    pub fn port(&self) -> u16 {
        self.port.load(Ordering::SeqCst)
    }

    pub(crate) fn set_port(&self, port: u16) {
        self.port.store(port, Ordering::SeqCst);
    }

    /// Whether the vault is locked (as of the last refresh).
    pub fn locked(&self) -> bool {
        self.state().locked
    }

    /// The MAC secret, if this broker has seen the vault unlocked.
    fn mac_secret(&self) -> Option<Zeroizing<[u8; 32]>> {
        self.mac_secret
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Tells the approver (at most every 30 s) that an app waits for the vault to unlock.
    fn unlock_needed(&self) {
        let now = self.now();
        let last = self.unlock_asked.load(Ordering::SeqCst);
        if now.saturating_sub(last) >= 30
            && self
                .unlock_asked
                .compare_exchange(last, now, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
        {
            self.approver.unlock_needed();
        }
    }

    /// Re-reads apps and grants when the vault's approvals stamp moved (another process or
    /// view paired, unpaired, revoked, or the vault locked). Cheap when nothing moved. Takes
    /// the MAC secret at the first refresh that finds the vault unlocked.
    pub fn refresh(&self) -> Result<(), EndpointError> {
        if self.mac_secret().is_none() {
            let secret = on_vault(self.vault.as_ref(), |v| {
                if v.is_locked() {
                    Ok(None)
                } else {
                    v.endpoint_mac_secret().map(Some)
                }
            })?;
            if let Some(s) = secret {
                *self.mac_secret.lock().unwrap_or_else(|p| p.into_inner()) = Some(s);
            }
        }
        let known = self.state().stamp;
        let loaded = on_vault(self.vault.as_ref(), |v| {
            let stamp = v.approvals_stamp()?;
            let locked = v.is_locked();
            if Some(stamp) == known {
                return Ok((stamp, locked, None));
            }
            Ok((stamp, locked, Some((v.app_auth()?, v.grant_list()?))))
        })?;
        let (stamp, locked, data) = loaded;
        let mut st = self.state();
        if st.locked != locked || data.is_some() {
            st.signers.clear();
            st.facts.clear();
        }
        st.locked = locked;
        st.stamp = Some(stamp);
        if let Some((apps, grants)) = data {
            st.apps = apps
                .into_iter()
                .map(|(app, token_salt)| (app.id.clone(), AppRecord { app, token_salt }))
                .collect();
            for rec in st.apps.values().cloned().collect::<Vec<_>>() {
                if rec.app.last_seen.is_some() {
                    st.history.record(&identity(&rec.app), None);
                }
            }
            let mut list = Vec::new();
            let mut owners = HashMap::new();
            st.agent_grants = grants
                .iter()
                .filter(|g| g.app_id == keyward_vault::PROGRAM_GRANT_APP && g.until_lock)
                .filter_map(|g| {
                    let program = g.body.get("program")?.as_str()?.to_owned();
                    let name = g.body.get("name")?.as_str()?.to_owned();
                    Some((program, (g.id.clone(), name, g.created_at)))
                })
                .collect();
            for g in grants {
                if !st.apps.contains_key(&g.app_id) {
                    continue;
                }
                if let Ok(grant) = serde_json::from_value::<Grant>(g.body.clone()) {
                    owners.insert(grant.id.clone(), g.app_id.clone());
                    list.push(grant);
                }
            }
            st.grants = Grants::from_list(list);
            st.grant_apps = owners;
            // A request whose app was unpaired meanwhile is refused.
            let gone: Vec<String> = st
                .pending
                .iter()
                .filter(|(_, p)| !st.apps.contains_key(&p.app_id))
                .map(|(id, _)| id.clone())
                .collect();
            for id in gone {
                st.pending.remove(&id);
                self.approver.close(&id, Closed::Withdrawn);
            }
        }
        Ok(())
    }

    // -----------------------------------------------------------------------------------
    // Nonces and authentication
    // -----------------------------------------------------------------------------------

    /// Issues `count` fresh nonces.
    pub fn issue_nonces(&self, count: usize) -> Vec<String> {
        let now = self.now();
        let mut book = self.nonces.lock().unwrap_or_else(|p| p.into_inner());
        (0..count).map(|_| book.issue(now)).collect()
    }

    /// Authenticates a request: the app exists, the MAC verifies, then the nonce is spent.
    pub(crate) fn authenticate(
        &self,
        app_id: &str,
        nonce: &str,
        method: &str,
        path_and_query: &str,
        body: &[u8],
        mac: &str,
    ) -> Result<AppRecord, EndpointError> {
        // An unpairing elsewhere (the CLI through the agent, another window) counts at once.
        self.refresh()?;
        let rec = self.state().apps.get(app_id).cloned();
        // Tokens are derived from the MAC secret, sealed under the vault key: before the
        // endpoint's first unlock nobody can be authenticated.
        let secret = self.mac_secret();
        let Some(secret) = secret else {
            self.unlock_needed();
            return Err(VaultError::Locked.into());
        };
        let hash = match &rec {
            Some(AppRecord {
                token_salt: Some(salt),
                app,
            }) => Some(auth::token_hash(&auth::derive_token(
                &secret, &app.id, salt,
            ))),
            Some(AppRecord {
                token_salt: None, ..
            }) => return Err(EndpointError::PairingOutdated),
            None => None,
        };
        auth::verify_request_mac(hash.as_deref(), nonce, method, path_and_query, body, mac)?;
        self.nonces
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take(nonce, self.now())?;
        let rec = rec.ok_or(auth::AuthError::Unpaired)?;
        let now = self.now();
        let due = {
            let mut st = self.state();
            let last = st.last_seen_written.get(app_id).copied();
            let due = last.is_none_or(|t| now - t >= 60);
            if due {
                st.last_seen_written.insert(app_id.to_owned(), now);
            }
            due
        };
        if due {
            let id = app_id.to_owned();
            let _ = on_vault(self.vault.as_ref(), |v| v.app_seen(&id, now));
        }
        Ok(rec)
    }

    /// Whether some paired app has this browser origin.
    pub(crate) fn origin_paired(&self, origin: &str) -> bool {
        self.state()
            .apps
            .values()
            .any(|r| r.app.origin.as_deref() == Some(origin))
    }

    // -----------------------------------------------------------------------------------
    // Pairing
    // -----------------------------------------------------------------------------------

    /// Starts a pairing: checks the rate limits, opens the prompt.
    pub fn start_pairing(
        &self,
        body: PairBody,
        origin: Option<String>,
    ) -> Result<PairStarted, EndpointError> {
        let (name, app_nonce) = check_pair_body(&body)?;
        // Nothing about keys is looked up for an unpaired caller: the names are shown as
        // asked and resolved when the user approves.
        let asked = body.keys.clone();
        let keys = asked
            .as_ref()
            .map(|l| l.iter().map(|k| crate::decode::escape_field(k)).collect());
        let now = self.now();
        let mut st = self.state();
        if st.pair_cooldown_until > now {
            return Err(EndpointError::PairCooldown {
                secs: st.pair_cooldown_until - now,
            });
        }
        if !st.pairings.is_empty() {
            return Err(EndpointError::PairCooldown {
                secs: self.config.pair_interval_secs.max(1),
            });
        }
        if let Some(t) = st.last_pair_prompt {
            let next = t + self.config.pair_interval_secs;
            if next > now {
                return Err(EndpointError::PairCooldown { secs: next - now });
            }
        }
        let server_nonce: [u8; 16] = rand_array();
        let code = auth::pairing_code(&self.key.public(), &app_nonce, &server_nonce);
        let id = keyward_crypto::random_id(16);
        let view = PairingView {
            id: id.clone(),
            app_name: crate::decode::escape_field(&name),
            origin: origin.clone(),
            code: code.clone(),
            keys,
            created_at: now,
            expires_at: now + self.config.pair_ttl_secs,
        };
        let (tx, _rx) = watch::channel(PairState::Waiting);
        st.pairings.insert(
            id.clone(),
            PendingPairing {
                view: view.clone(),
                asked,
                state: tx,
            },
        );
        st.last_pair_prompt = Some(now);
        drop(st);
        self.queue(
            "approval.pair_asked",
            None,
            format!(
                "{} asked to pair{} (code {code})",
                quoted(&name),
                origin
                    .as_deref()
                    .map(|o| format!(" from {o}"))
                    .unwrap_or_default()
            ),
        );
        self.approver.open(&PromptItem::Pairing(view.clone()));
        Ok(PairStarted {
            pairing_id: id,
            server_nonce: b64(&server_nonce),
            endpoint_key: b64(&self.key.public()),
            code,
            expires_at: view.expires_at,
        })
    }

    /// The user's answer to a pairing prompt; `keys` narrows the keys the app may use.
    pub fn decide_pairing(
        &self,
        id: &str,
        approved: bool,
        keys: Option<Vec<String>>,
    ) -> Result<(), EndpointError> {
        let (view, asked) = {
            let st = self.state();
            let p = st
                .pairings
                .get(id)
                .ok_or_else(|| EndpointError::NotFound("pairing".into()))?;
            if !matches!(*p.state.borrow(), PairState::Waiting) {
                return Err(EndpointError::NotFound("pairing".into()));
            }
            (p.view.clone(), p.asked.clone())
        };
        let now = self.now();
        let outcome = if approved {
            // Resolved now, for the user: a name that matches nothing is their error to see.
            let keys = match keys.or(asked) {
                Some(list) => Some(on_vault(self.vault.as_ref(), |v| {
                    list.iter()
                        .map(|k| v.key_facts(k).map(|f| f.id))
                        .collect::<Result<Vec<_>, _>>()
                })?),
                None => None,
            };
            let (name, origin) = (view.app_name.clone(), view.origin.clone());
            let k = keys.clone();
            let _ = self.refresh();
            let secret = self.mac_secret().ok_or(VaultError::Locked)?;
            let (stored, token) = on_vault(self.vault.as_ref(), |v| {
                register_app(v, &secret, &name, origin.clone(), k.clone(), now)
            })?;
            PairState::Approved {
                app_id: stored.id,
                token,
                keys,
            }
        } else {
            self.queue(
                "approval.pair_denied",
                None,
                format!("pairing of {} refused", quoted(&view.app_name)),
            );
            PairState::Denied
        };
        {
            let mut st = self.state();
            if !approved {
                st.pair_cooldown_until = now + self.config.pair_cooldown_secs;
            }
            if let Some(p) = st.pairings.get(id) {
                p.state.send_replace(outcome);
            }
        }
        let _ = self.refresh();
        self.approver.close(id, Closed::Decided);
        Ok(())
    }

    /// Waits for the pairing's outcome (until its deadline); hands out the token once.
    pub async fn wait_pairing(self: &Arc<Self>, id: &str) -> Result<Paired, EndpointError> {
        let (mut rx, expires_at) = {
            let st = self.state();
            let p = st
                .pairings
                .get(id)
                .ok_or_else(|| EndpointError::NotFound("pairing".into()))?;
            (p.state.subscribe(), p.view.expires_at)
        };
        let left = (expires_at - self.now()).max(0) as u64;
        let waited = tokio::time::timeout(
            Duration::from_secs(left),
            rx.wait_for(|s| !matches!(s, PairState::Waiting)),
        )
        .await;
        let outcome = match waited {
            Ok(Ok(s)) => s.clone(),
            Ok(Err(_)) => PairState::Expired,
            Err(_) => {
                let still = {
                    let st = self.state();
                    st.pairings
                        .get(id)
                        .map(|p| matches!(*p.state.borrow(), PairState::Waiting))
                };
                if still == Some(true) {
                    self.expire_pairing(id);
                }
                PairState::Expired
            }
        };
        let result = match outcome {
            PairState::Approved {
                app_id,
                token,
                keys,
            } => {
                let mut st = self.state();
                match st.pairings.remove(id) {
                    Some(p) => {
                        p.state.send_replace(PairState::Collected);
                        Ok(Paired {
                            app_id,
                            token: token.to_string(),
                            keys,
                        })
                    }
                    None => Err(EndpointError::NotFound("pairing".into())),
                }
            }
            PairState::Denied => {
                self.state().pairings.remove(id);
                Err(EndpointError::PairDenied)
            }
            PairState::Collected => Err(EndpointError::NotFound("pairing".into())),
            PairState::Waiting | PairState::Expired => {
                self.state().pairings.remove(id);
                Err(EndpointError::PairExpired)
            }
        };
        result
    }

    fn expire_pairing(&self, id: &str) {
        let removed = self.state().pairings.remove(id);
        if let Some(p) = removed {
            p.state.send_replace(PairState::Expired);
            self.queue(
                "approval.pair_expired",
                None,
                format!("pairing of {} expired", quoted(&p.view.app_name)),
            );
            self.approver.close(id, Closed::Expired);
        }
    }

    /// Drops pairing prompts past their deadline that nobody waits on.
    pub fn expire_stale(&self) {
        let now = self.now();
        let stale: Vec<String> = self
            .state()
            .pairings
            .iter()
            .filter(|(_, p)| p.view.expires_at <= now)
            .map(|(id, _)| id.clone())
            .collect();
        for id in stale {
            self.expire_pairing(&id);
        }
    }

    // -----------------------------------------------------------------------------------
    // Requests
    // -----------------------------------------------------------------------------------

    /// A key's facts. Cached by id only (a label or prefix may name another key after a
    /// rename); the cache goes whenever the approvals stamp moves, which every change to a
    /// key or its policy does.
    fn facts(&self, key: &str) -> Result<Arc<KeyFacts>, EndpointError> {
        if let Some(f) = self.state().facts.get(key) {
            return Ok(f.clone());
        }
        let k = key.to_owned();
        let f = Arc::new(on_vault(self.vault.as_ref(), |v| v.key_facts(&k))?);
        self.state().facts.insert(f.id.clone(), f.clone());
        Ok(f)
    }

    /// Builds the request an app's body describes.
    fn build(
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
                tokio::task::spawn_blocking(move || super::peer::tcp_peer(addr, local))
                    .await
                    .ok()
                    .flatten()
            }
            _ => None,
        };
        self.prompt(rec, req, facts, shown_peer, None, &mut false)
            .await
    }

    // -----------------------------------------------------------------------------------
    // Deep links
    // -----------------------------------------------------------------------------------

    /// Handles one deep link to the end: admits it under the rate limit, parses it strictly,
    /// prompts for it as an unknown app (never from a grant) and delivers the answer — or the
    /// refusal, for a `keyward://` link — to its callback. Refusals before a prompt are
    /// counted in the audit log under [`link::UNKNOWN_APP`] with their codes.
    pub async fn open_link(self: &Arc<Self>, raw: &str) -> Result<LinkOutcome, EndpointError> {
        let r = self.open_link_inner(raw).await;
        if let Err(e) = &r {
            if !matches!(e, EndpointError::Approval(_) | EndpointError::Withdrawn) {
                self.count_refusal(link::UNKNOWN_APP, e.code());
            }
        }
        r
    }

    async fn open_link_inner(self: &Arc<Self>, raw: &str) -> Result<LinkOutcome, EndpointError> {
        let now = self.now();
        self.state().links.admit(now)?;
        let simplewallet = on_vault(self.vault.as_ref(), |v| v.settings_now())
            .map(|s| s.simplewallet_links)
            .unwrap_or(false);
        let parsed = link::parse(raw, simplewallet, now)?;
        let rec = AppRecord {
            app: PairedApp {
                id: LINK_APP_ID.into(),
                name: link::UNKNOWN_APP.into(),
                origin: None,
                keys: None,
                created_at: now,
                last_seen: None,
            },
            token_salt: None,
        };
        let (body, account) = match &parsed {
            Link::Keyward { .. } => (link::ask_body(&parsed).expect("a keyward link"), None),
            Link::SimpleWalletLogin(login) => {
                let keys = on_vault(self.vault.as_ref(), |v| {
                    v.key_list(&keyward_vault::ListFilter {
                        alg: None,
                        tag: Some(link::SIMPLEWALLET_TAG.into()),
                    })
                })?;
                let (key, account) = simplewallet_key(&keys)?;
                let body = AskBody {
                    key,
                    kind: Kind::SignMessage {
                        scheme: Scheme::Eos,
                    },
                    message: Some(login.data(now, &account)),
                    payload_hex: None,
                    origin: Some(parsed.callback_origin()),
                    ttl_secs: None,
                };
                (body, Some(account))
            }
        };
        // The callback's origin is where the answer goes, not who asks: nobody vouches for
        // who made a link, so the request names no origin (no SIWE check can pass on it).
        let mut body = body;
        body.origin = None;
        let answer_to = parsed.callback_origin();
        let this = self.clone();
        let rec2 = rec.clone();
        let (req, facts) = tokio::task::spawn_blocking(move || {
            this.refresh()?;
            this.build(&rec2, body, None, None)
        })
        .await
        .map_err(|e| EndpointError::Unavailable(e.to_string()))??;
        // No grant is consulted: a link carries no identity a grant could belong to.
        let mut shown = false;
        let request_id = req.id.clone();
        let answer = self
            .prompt(rec, req, facts, None, Some(answer_to), &mut shown)
            .await;
        // A refusal made before any prompt (the key cannot, too many waiting) goes nowhere:
        // posting it would tell a web page about the user's keys, and let it make Keyward
        // POST to any address, without the user seeing anything.
        if !shown {
            return Err(answer.err().unwrap_or_else(|| {
                EndpointError::Unavailable("answered without a prompt".into())
            }));
        }
        let delivery = match (&parsed, &answer) {
            (Link::Keyward { callback, .. }, Ok(a)) => {
                serde_json::to_value(a).ok().map(|v| (callback.clone(), v))
            }
            (Link::Keyward { callback, .. }, Err(e)) => {
                Some((callback.clone(), serde_json::json!({ "error": e.body() })))
            }
            (Link::SimpleWalletLogin(login), Ok(a)) => Some((
                login.login_url.clone(),
                login.login_body(
                    now,
                    account.as_deref().unwrap_or_default(),
                    a.signature.as_deref().unwrap_or_default(),
                ),
            )),
            (Link::SimpleWalletLogin(_), Err(_)) => None,
        };
        let delivered = match delivery {
            Some((url, body)) => {
                let r = link::deliver(&url, &body).await;
                let origin = parsed.callback_origin();
                match &r {
                    Ok(status) => self.queue(
                        "link.delivered",
                        None,
                        format!("deep-link answer posted to {origin}: HTTP {status}"),
                    ),
                    Err(e) => self.queue(
                        "link.delivery_failed",
                        None,
                        format!("deep-link answer to {origin} failed: {e}"),
                    ),
                }
                Some(r.map_err(|e| e.to_string()))
            }
            None => None,
        };
        answer?;
        let (delivered, delivery_error) = match delivered {
            Some(Ok(status)) => (Some(status), None),
            Some(Err(e)) => (None, Some(e)),
            None => (None, None),
        };
        // The answer itself went to the callback only; the poster learns whether it arrived.
        Ok(LinkOutcome {
            request_id,
            delivered,
            delivery_error,
        })
    }

    async fn prompt(
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
                format!("minted a {} token, {} s", template.alg, template.exp_secs)
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
        passphrase: Option<Zeroizing<String>>,
    ) -> Result<(), EndpointError> {
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

    /// A decision on an agent prompt, if `input` is for one: checked against what was shown,
    /// and a grant only "until lock", only where it was offered.
    fn decide_agent(&self, input: &DecideInput) -> Result<bool, EndpointError> {
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

    /// An approver says the prompt `id` is on screen now: audited once as `approval.shown`.
    pub fn mark_shown(&self, id: &str) {
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

    // -----------------------------------------------------------------------------------
    // Views
    // -----------------------------------------------------------------------------------

    /// Every open prompt, oldest first (requests, then pairings).
    pub fn prompts(&self) -> Vec<PromptItem> {
        let st = self.state();
        let mut out: Vec<(i64, PromptItem)> = st
            .pending
            .values()
            .map(|p| (p.view.created_at, PromptItem::Request(p.view.clone())))
            .chain(
                st.agent_pending
                    .values()
                    .map(|p| (p.view.created_at, PromptItem::Request(p.view.clone()))),
            )
            .chain(
                st.pairings
                    .values()
                    .filter(|p| matches!(*p.state.borrow(), PairState::Waiting))
                    .map(|p| (p.view.created_at, PromptItem::Pairing(p.view.clone()))),
            )
            .collect();
        out.sort_by_key(|(t, _)| *t);
        let locked = st.locked;
        out.into_iter()
            .map(|(_, mut item)| {
                if let PromptItem::Request(v) = &mut item {
                    v.locked = locked;
                }
                item
            })
            .collect()
    }

    /// The live grants: the paired apps' JWT grants, then the agent's program grants.
    pub fn grants(&self) -> Vec<GrantView> {
        let now = self.now();
        let st = self.state();
        let programs: Vec<GrantView> = st
            .agent_grants
            .values()
            .map(|(id, name, since)| GrantView {
                id: id.clone(),
                app_id: keyward_vault::PROGRAM_GRANT_APP.to_owned(),
                app_name: crate::decode::escape_field(name),
                key_id: "*".into(),
                key_label: Some("any key, through the agent".into()),
                scope: "until_lock",
                audience: Vec::new(),
                subject: None,
                alg: String::new(),
                exp_secs: 0,
                created_at: *since,
                expires_at: None,
            })
            .collect();
        let mut out: Vec<GrantView> = st
            .grants
            .list(now)
            .into_iter()
            .map(|g| {
                let app_id = st.grant_apps.get(&g.id).cloned().unwrap_or_default();
                GrantView {
                    id: g.id.clone(),
                    app_name: st
                        .apps
                        .get(&app_id)
                        .map(|a| a.app.name.clone())
                        .unwrap_or_else(|| g.app.name.clone()),
                    app_id,
                    key_id: g.key_id.clone(),
                    key_label: st.facts.get(&g.key_id).map(|f| f.label.clone()),
                    scope: match g.scope {
                        Scope::UntilLock => "until_lock",
                        _ => "for_minutes",
                    },
                    audience: g.template.aud.clone(),
                    subject: g.template.sub.clone(),
                    alg: g.template.alg.to_string(),
                    exp_secs: g.template.exp_secs,
                    created_at: g.created_at,
                    expires_at: g.expires_at,
                }
            })
            .collect();
        out.extend(programs);
        out
    }

    /// The vault changed under the broker (locked or unlocked by a window, the agent, the idle
    /// timer): follow it at once rather than at the next request. A lock drops the unsealed
    /// keys and "until lock" grants; an unlock gives the broker its MAC secret.
    pub fn vault_changed(&self) {
        let locked = on_vault(self.vault.as_ref(), |v| Ok(v.is_locked())).unwrap_or(true);
        if locked {
            self.locked_now();
        } else {
            let _ = self.refresh();
        }
    }

    /// The vault locked (the shell says so at once; the stamp would catch it too): drops
    /// cached signers and "until lock" grants, the agent's program grants among them.
    pub fn locked_now(&self) {
        let mut st = self.state();
        st.signers.clear();
        st.grants.lock();
        st.agent_grants.clear();
        st.locked = true;
        st.stamp = None;
    }

    // -----------------------------------------------------------------------------------
    // Audit
    // -----------------------------------------------------------------------------------

    fn queue(&self, action: &str, key_id: Option<String>, summary: String) {
        self.audit
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entries
            .push((action.to_owned(), key_id, summary));
    }

    /// Counts a refused call against `app` (an app name, or `unauthenticated`).
    pub(crate) fn count_refusal(&self, app: &str, code: &str) {
        let mut q = self.audit.lock().unwrap_or_else(|p| p.into_inner());
        *q.refusals
            .entry(app.to_owned())
            .or_default()
            .entry(code.to_owned())
            .or_default() += 1;
    }

    /// Writes the queued audit entries in one transaction; with `refusals`, also one row
    /// per app that had calls refused since the last such flush.
    pub fn flush_audit(&self, refusals: bool) -> Result<(), EndpointError> {
        let mut batch = {
            let mut q = self.audit.lock().unwrap_or_else(|p| p.into_inner());
            let mut batch = std::mem::take(&mut q.entries);
            if refusals {
                for (app, codes) in std::mem::take(&mut q.refusals) {
                    let total: u64 = codes.values().sum();
                    let detail: Vec<String> =
                        codes.iter().map(|(c, n)| format!("{c} ×{n}")).collect();
                    batch.push((
                        "approval.refusals".to_owned(),
                        None,
                        format!("refused {total} calls from {app}: {}", detail.join(", ")),
                    ));
                }
            }
            batch
        };
        if batch.is_empty() {
            return Ok(());
        }
        let result = on_vault(self.vault.as_ref(), |v| v.log_batch(&batch));
        if result.is_err() {
            // Keep them for the next flush rather than lose them.
            let mut q = self.audit.lock().unwrap_or_else(|p| p.into_inner());
            batch.append(&mut q.entries);
            q.entries = batch;
        }
        Ok(result?)
    }
}

// ---------------------------------------------------------------------------------------
// The agent's gate
// ---------------------------------------------------------------------------------------

/// The broker as the agent socket's [`AgentGate`]: before a program uses a key or gets a
/// secret through the agent, the user is asked in the same prompt as the endpoint's requests
/// (the prompt window, or the terminal of `endpoint serve`), by the `agent-approval` setting
/// or, where it says `default`, this gate's own default.
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
            A::KeySign(r) => {
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

/// Pairs an app in the vault: a fresh token (returned, to hand to the app once; only its hash
/// is stored) and a name made unique among the paired apps (`tool (2)`), since grants and
/// history know apps by name. Used when the user approves a pairing prompt, and by
/// `keyward-cli endpoint pair`, where the user pairs an app themselves.
pub fn register_app(
    v: &mut Vault,
    secret: &[u8; 32],
    name: &str,
    origin: Option<String>,
    keys: Option<Vec<String>>,
    now: i64,
) -> Result<(PairedApp, Zeroizing<String>), VaultError> {
    let salt = auth::new_salt();
    let taken: Vec<String> = v.app_auth()?.into_iter().map(|(a, _)| a.name).collect();
    let mut unique = name.to_owned();
    let mut i = 2;
    while taken.contains(&unique) {
        unique = format!("{name} ({i})");
        i += 1;
    }
    let app = PairedApp {
        id: keyward_crypto::random_id(8),
        name: unique,
        origin,
        keys,
        created_at: now,
        last_seen: None,
    };
    let token = auth::derive_token(secret, &app.id, &salt);
    Ok((v.app_pair(app, &salt)?, token))
}

/// Checks a pairing request's body without looking anything up (it comes from anyone): the
/// trimmed app name (1-64 characters, no controls), the app's nonce (16-64 bytes of
/// base64url) and, when given, 1-64 key names of 1-128 characters. Returns the name and the
/// nonce's bytes.
pub fn check_pair_body(body: &PairBody) -> Result<(String, Vec<u8>), EndpointError> {
    let name = body.app_name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err(EndpointError::BadRequest(
            "app_name must be 1-64 characters without control characters".into(),
        ));
    }
    let app_nonce = URL_SAFE_NO_PAD
        .decode(body.app_nonce.trim())
        .map_err(|_| EndpointError::BadRequest("app_nonce is not base64url".into()))?;
    if !(16..=64).contains(&app_nonce.len()) {
        return Err(EndpointError::BadRequest(
            "app_nonce must be 16 to 64 bytes".into(),
        ));
    }
    if let Some(keys) = &body.keys {
        if keys.is_empty()
            || keys.len() > 64
            || keys
                .iter()
                .any(|k| k.is_empty() || k.len() > 128 || k.chars().any(char::is_control))
        {
            return Err(EndpointError::BadRequest(
                "keys, when given, lists 1 to 64 key names of 1-128 characters".into(),
            ));
        }
    }
    Ok((name, app_nonce))
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

fn identity(app: &PairedApp) -> AppIdentity {
    AppIdentity {
        name: app.name.clone(),
        exe: None,
        pid: None,
    }
}

fn quoted(name: &str) -> String {
    format!("“{}”", crate::decode::escape_field(name))
}

fn rand_array<const N: usize>() -> [u8; N] {
    use rand_core::{OsRng, RngCore};
    let mut b = [0u8; N];
    OsRng.fill_bytes(&mut b);
    b
}

#[cfg(test)]
mod tests {
    use super::*;
    use keyward_crypto::sign::JwsAlg;
    use keyward_crypto::Coded;
    use keyward_vault::store::SecretStore;
    use keyward_vault::GenerateRequest;
    use keyward_vault::KeychainError;
    use tokio::sync::mpsc;

    use crate::request::JwtTemplate;

    const T0: i64 = 1_800_000_000;

    /// An in-memory keychain, for these unit tests only (the integration tests in tests/ use
    /// the real Secret Service).
    #[derive(Default)]
    struct MemoryStore(Mutex<HashMap<(String, String), Vec<u8>>>);

    impl SecretStore for MemoryStore {
        fn get(&self, service: &str, account: &str) -> Result<Option<Vec<u8>>, KeychainError> {
            let m = self.0.lock().unwrap();
            Ok(m.get(&(service.into(), account.into())).cloned())
        }
        fn set(&self, service: &str, account: &str, secret: &[u8]) -> Result<(), KeychainError> {
            let mut m = self.0.lock().unwrap();
            m.insert((service.into(), account.into()), secret.to_vec());
            Ok(())
        }
        fn delete(&self, service: &str, account: &str) -> Result<bool, KeychainError> {
            let mut m = self.0.lock().unwrap();
            Ok(m.remove(&(service.into(), account.into())).is_some())
        }
        fn list(&self, service: &str) -> Result<Vec<String>, KeychainError> {
            let m = self.0.lock().unwrap();
            Ok(m.keys()
                .filter(|(s, _)| s == service)
                .map(|(_, a)| a.clone())
                .collect())
        }
    }

    struct Fixture {
        broker: Arc<Broker>,
        clock: Arc<ManualClock>,
        prompts: mpsc::UnboundedReceiver<ApproverEvent>,
        app: AppRecord,
        key: String,
        /// The paired app's token.
        token: String,
        _dir: tempfile::TempDir,
    }

    /// A broker over an in-memory keychain (unit test) with a paired app and a P-256 key.
    async fn fixture() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
        let mut v = Vault::open(dir.path(), store).unwrap();
        v.init(None).unwrap();
        let key = Backend::key_generate(
            &mut v,
            GenerateRequest {
                alg: KeyAlg::P256,
                label: Some("api".into()),
                tags: vec![],
            },
        )
        .unwrap()
        .id;
        let clock = Arc::new(ManualClock::new(T0));
        let (tx, mut prompts) = mpsc::unbounded_channel();
        let broker = Broker::new(
            Arc::new(Mutex::new(v)),
            Arc::new(ChannelApprover(tx)),
            clock.clone(),
            Config::default(),
        )
        .unwrap();
        let started = broker
            .start_pairing(
                PairBody {
                    app_name: "tool".into(),
                    app_nonce: b64(&[7u8; 32]),
                    keys: None,
                },
                None,
            )
            .unwrap();
        assert!(matches!(prompts.recv().await, Some(ApproverEvent::Open(_))));
        broker
            .decide_pairing(&started.pairing_id, true, None)
            .unwrap();
        let paired = broker.wait_pairing(&started.pairing_id).await.unwrap();
        let app = broker.state().apps.get(&paired.app_id).cloned().unwrap();
        Fixture {
            broker,
            clock,
            prompts,
            app,
            key,
            token: paired.token,
            _dir: dir,
        }
    }

    fn jwt(key: &str) -> AskBody {
        AskBody {
            key: key.into(),
            kind: Kind::MintJwt {
                template: JwtTemplate {
                    alg: JwsAlg::ES256,
                    aud: vec!["https://api.example.com".into()],
                    sub: None,
                    claims: Map::new(),
                    exp_secs: 30,
                },
            },
            message: None,
            payload_hex: None,
            origin: None,
            ttl_secs: Some(60),
        }
    }

    /// The user's "yes" to prompt `p`, with `grant` when one is chosen.
    fn approval(p: &PromptView, grant: Option<Scope>) -> DecideInput {
        DecideInput {
            request_id: p.id.clone(),
            rendered_hash: p.rendered_hash.clone(),
            approved: true,
            grant: grant.map(|scope| GrantSpec { scope }),
        }
    }

    /// The user's "no" to prompt `p`.
    fn denial(p: &PromptView) -> DecideInput {
        DecideInput {
            request_id: p.id.clone(),
            rendered_hash: p.rendered_hash.clone(),
            approved: false,
            grant: None,
        }
    }

    async fn next_prompt(f: &mut Fixture) -> PromptView {
        loop {
            match f.prompts.recv().await {
                Some(ApproverEvent::Open(item)) => match *item {
                    PromptItem::Request(v) => return v,
                    PromptItem::Pairing(_) => continue,
                },
                Some(ApproverEvent::Close(..) | ApproverEvent::UnlockNeeded) => continue,
                None => panic!("the approver channel closed"),
            }
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_one_minute_grant_answers_without_a_prompt_and_stops_after_it_ends() {
        let mut f = fixture().await;
        let (b, app, key) = (f.broker.clone(), f.app.clone(), f.key.clone());
        let first = tokio::spawn(async move { b.ask(app, jwt(&key), None, Peer::Unknown).await });
        let p = next_prompt(&mut f).await;
        f.broker
            .decide(approval(&p, Some(Scope::ForMinutes(1))), None)
            .unwrap();
        let a = first.await.unwrap().unwrap();
        assert!(a.grant_id.is_none() && a.token.is_some());

        // Within the minute: answered by the grant, no prompt.
        f.clock.advance(59);
        let a = f
            .broker
            .ask(f.app.clone(), jwt(&f.key), None, Peer::Unknown)
            .await
            .unwrap();
        assert!(a.grant_id.is_some(), "{a:?}");
        assert_eq!(a.expires_at, Some(T0 + 59 + 30), "exp stamped at signing");
        while let Ok(ev) = f.prompts.try_recv() {
            assert!(
                !matches!(ev, ApproverEvent::Open(_)),
                "no prompt under a grant"
            );
        }

        // A longer lifetime than granted is not covered.
        let mut longer = jwt(&f.key);
        if let Kind::MintJwt { template } = &mut longer.kind {
            template.exp_secs = 31;
        }
        let (b, app) = (f.broker.clone(), f.app.clone());
        let h = tokio::spawn(async move { b.ask(app, longer, None, Peer::Unknown).await });
        let p = next_prompt(&mut f).await;
        let deny = denial(&p);
        f.broker.decide(deny, None).unwrap();
        assert_eq!(h.await.unwrap().unwrap_err().code(), "approval.denied");

        // After the minute: a prompt again.
        f.clock.advance(2);
        let (b, app, key) = (f.broker.clone(), f.app.clone(), f.key.clone());
        let h = tokio::spawn(async move { b.ask(app, jwt(&key), None, Peer::Unknown).await });
        let p = next_prompt(&mut f).await;
        f.broker.decide(denial(&p), None).unwrap();
        assert_eq!(h.await.unwrap().unwrap_err().code(), "approval.denied");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_decision_for_another_rendering_signs_nothing() {
        let mut f = fixture().await;
        let body = AskBody {
            key: f.key.clone(),
            kind: Kind::SignMessage {
                scheme: Scheme::Raw,
            },
            message: Some("pay 1 EUR".into()),
            payload_hex: None,
            origin: None,
            ttl_secs: Some(60),
        };
        let (b, app) = (f.broker.clone(), f.app.clone());
        let h = tokio::spawn(async move { b.ask(app, body, None, Peer::Unknown).await });
        let p = next_prompt(&mut f).await;
        // The hash of what a different payload would have shown.
        let mut other = Request::new(
            p.app.clone(),
            None,
            p.key.id.clone(),
            KeyAlg::P256,
            Kind::SignMessage {
                scheme: Scheme::Raw,
            },
            b"pay 1000 EUR".to_vec(),
            T0,
            60,
        );
        other.id = p.id.clone();
        let forged = render(&other).hash().to_owned();
        assert_ne!(forged, p.rendered_hash);
        let e = f
            .broker
            .decide(
                DecideInput {
                    request_id: p.id.clone(),
                    rendered_hash: forged,
                    approved: true,
                    grant: None,
                },
                None,
            )
            .unwrap_err();
        assert_eq!(e.code(), "approval.payload_mismatch");
        // The request still waits; nothing was signed.
        assert_eq!(f.broker.prompts().len(), 1);
        f.broker.decide(denial(&p), None).unwrap();
        assert_eq!(h.await.unwrap().unwrap_err().code(), "approval.denied");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn pairing_pauses_after_a_refusal_and_while_a_prompt_is_open() {
        let f = fixture().await;
        let offer = |name: &str| PairBody {
            app_name: name.into(),
            app_nonce: b64(&[9u8; 32]),
            keys: None,
        };
        f.clock.advance(10);
        let first = f.broker.start_pairing(offer("spammer"), None).unwrap();
        // One pairing prompt at a time.
        let e = f.broker.start_pairing(offer("other"), None).unwrap_err();
        assert_eq!(e.code(), "endpoint.pair_cooldown");
        f.broker
            .decide_pairing(&first.pairing_id, false, None)
            .unwrap();
        assert_eq!(
            f.broker
                .wait_pairing(&first.pairing_id)
                .await
                .unwrap_err()
                .code(),
            "endpoint.pair_denied"
        );
        // A refusal pauses pairing for the cool-down, whoever asks.
        f.clock.advance(5);
        let e = f
            .broker
            .start_pairing(offer("spammer-2"), None)
            .unwrap_err();
        assert_eq!(e.code(), "endpoint.pair_cooldown");
        f.clock.advance(Config::default().pair_cooldown_secs);
        f.broker.start_pairing(offer("later"), None).unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_app_may_have_only_so_many_requests_waiting() {
        let mut f = fixture().await;
        let limit = Config::default().max_pending_per_app;
        let mut waiting = Vec::new();
        for i in 0..limit {
            let body = AskBody {
                key: f.key.clone(),
                kind: Kind::SignMessage {
                    scheme: Scheme::Raw,
                },
                message: Some(format!("request {i}")),
                payload_hex: None,
                origin: None,
                ttl_secs: Some(60),
            };
            let (b, app) = (f.broker.clone(), f.app.clone());
            waiting.push(tokio::spawn(async move {
                b.ask(app, body, None, Peer::Unknown).await
            }));
            next_prompt(&mut f).await;
        }
        let one_more = AskBody {
            key: f.key.clone(),
            kind: Kind::SignMessage {
                scheme: Scheme::Raw,
            },
            message: Some("one too many".into()),
            payload_hex: None,
            origin: None,
            ttl_secs: Some(60),
        };
        let e = f
            .broker
            .ask(f.app.clone(), one_more, None, Peer::Unknown)
            .await
            .unwrap_err();
        assert_eq!(e.code(), "endpoint.too_many_pending");
        for item in f.broker.prompts() {
            if let PromptItem::Request(p) = item {
                f.broker
                    .decide(
                        DecideInput {
                            request_id: p.id,
                            rendered_hash: p.rendered_hash,
                            approved: false,
                            grant: None,
                        },
                        None,
                    )
                    .unwrap();
            }
        }
        for h in waiting {
            assert_eq!(h.await.unwrap().unwrap_err().code(), "approval.denied");
        }
    }

    /// A loopback server that hands every JSON body POSTed to `/cb` to the channel.
    async fn callback_server() -> (u16, mpsc::UnboundedReceiver<Value>) {
        let (tx, rx) = mpsc::unbounded_channel::<Value>();
        let app = axum::Router::new().route(
            "/cb",
            axum::routing::post(move |axum::Json(v): axum::Json<Value>| {
                let tx = tx.clone();
                async move {
                    let _ = tx.send(v);
                    "ok"
                }
            }),
        );
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = l.local_addr().unwrap().port();
        tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
        (port, rx)
    }

    #[tokio::test]
    async fn a_deep_link_prompts_as_an_unknown_app_is_never_granted_and_posts_its_answer() {
        let mut f = fixture().await;
        let (port, mut posted) = callback_server().await;
        let url = format!(
            "keyward://sign?key=api&scheme=raw&message=hello&callback=http%3A%2F%2F127.0.0.1%3A{port}%2Fcb"
        );
        let b = f.broker.clone();
        let u = url.clone();
        let task = tokio::spawn(async move { b.open_link(&u).await });
        let p = next_prompt(&mut f).await;
        assert_eq!(p.app.name, link::UNKNOWN_APP);
        assert!(!p.grantable);
        assert_eq!(
            p.origin.as_deref(),
            Some(format!("http://127.0.0.1:{port}").as_str())
        );
        // A grant choice is refused for it; the prompt stays open.
        let granted = f
            .broker
            .decide(approval(&p, Some(Scope::ForMinutes(5))), None);
        assert_eq!(granted.unwrap_err().code(), "approval.not_grantable");
        f.clock.advance(2);
        f.broker.decide(approval(&p, None), None).unwrap();
        let out = task.await.unwrap().unwrap();
        assert_eq!(out.delivered, Some(200));
        let body = posted.recv().await.unwrap();
        assert!(body["signature"].is_string(), "{body}");
        assert!(body.get("grant_id").is_none_or(Value::is_null), "{body}");
        assert_eq!(out.request_id, p.id);
        // The same link again prompts again: nothing was granted.
        let b = f.broker.clone();
        let task = tokio::spawn(async move { b.open_link(&url).await });
        let p = next_prompt(&mut f).await;
        f.broker.decide(denial(&p), None).unwrap();
        assert_eq!(task.await.unwrap().unwrap_err().code(), "approval.denied");
        // A refusal reaches the callback too.
        let body = posted.recv().await.unwrap();
        assert_eq!(body["error"]["code"], "approval.denied");
    }

    /// A key of `alg` labelled `label` in the fixture's vault; its id.
    fn add_key(f: &Fixture, alg: KeyAlg, label: &str) -> String {
        let label = label.to_owned();
        on_vault(f.broker.vault.as_ref(), move |v| {
            Backend::key_generate(
                v,
                GenerateRequest {
                    alg,
                    label: Some(label),
                    tags: vec![],
                },
            )
        })
        .unwrap()
        .id
    }

    fn raw_body(key: &str, message: &str) -> AskBody {
        AskBody {
            key: key.into(),
            kind: Kind::SignMessage {
                scheme: Scheme::Raw,
            },
            message: Some(message.into()),
            payload_hex: None,
            origin: None,
            ttl_secs: Some(60),
        }
    }

    /// No prompt opens within a moment.
    async fn no_prompt(f: &mut Fixture) {
        tokio::time::sleep(Duration::from_millis(50)).await;
        while let Ok(ev) = f.prompts.try_recv() {
            assert!(!matches!(ev, ApproverEvent::Open(_)), "a prompt opened");
        }
    }

    /// Security review #1: a link's answer goes to its callback only. Whoever posted the link
    /// (any local program, any OS user) learns whether it was delivered, never the signature.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_links_answer_goes_only_to_its_callback_never_to_who_posted_it() {
        let mut f = fixture().await;
        let (port, mut posted) = callback_server().await;
        let url = format!(
            "keyward://sign?key=api&scheme=raw&message=hello&callback=http%3A%2F%2F127.0.0.1%3A{port}%2Fcb"
        );
        let b = f.broker.clone();
        let task = tokio::spawn(async move { b.open_link(&url).await });
        let p = next_prompt(&mut f).await;
        f.clock.advance(2);
        f.broker.decide(approval(&p, None), None).unwrap();
        let out = task.await.unwrap().unwrap();
        let body = posted.recv().await.unwrap();
        let sig = body["signature"].as_str().expect("the callback got it");
        let told = serde_json::to_value(&out).unwrap();
        assert!(
            !told.to_string().contains(sig),
            "the link's poster got the signature: {told}"
        );
        assert_eq!(told["delivered"], 200, "{told}");
    }

    /// Security review #1 and #6: a SIWE link whose domain is the callback's origin is not
    /// "the site that asks": nobody vouches for who made the link.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_siwe_link_is_never_rated_safe_by_its_callback_origin() {
        let mut f = fixture().await;
        add_key(&f, KeyAlg::Secp256k1, "eth");
        let (port, _posted) = callback_server().await;
        let message = format!(
            "localhost:{port} wants you to sign in with your Ethereum account:\n\
             0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2\n\nSign in\n\n\
             URI: http://localhost:{port}/login\nVersion: 1\nChain ID: 1\n\
             Nonce: 32891756abc\nIssued At: 2026-11-20T10:00:00Z"
        );
        let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        let url = format!(
            "keyward://siwe?key=eth&message={}&callback={}",
            enc(&message),
            enc(&format!("http://localhost:{port}/cb"))
        );
        let b = f.broker.clone();
        let task = tokio::spawn(async move { b.open_link(&url).await });
        let p = next_prompt(&mut f).await;
        assert!(
            p.verdicts.iter().all(|v| v.level != risk::Level::Safe),
            "{:?}",
            p.verdicts
        );
        f.broker.decide(denial(&p), None).unwrap();
        let _ = task.await;
    }

    /// Security review #9: a link refused before any prompt (the key cannot do the scheme)
    /// posts nothing to its callback: no silent oracle, no request forgery.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_link_refused_before_any_prompt_posts_nothing_to_its_callback() {
        let mut f = fixture().await;
        let (port, mut posted) = callback_server().await;
        let url = format!(
            "keyward://sign?key=api&scheme=ed25519&message=x&callback=http%3A%2F%2F127.0.0.1%3A{port}%2Fcb"
        );
        let e = f.broker.open_link(&url).await.unwrap_err();
        assert_eq!(e.code(), "approval.forbidden");
        no_prompt(&mut f).await;
        let got = tokio::time::timeout(Duration::from_millis(300), posted.recv()).await;
        assert!(got.is_err(), "the callback was posted: {got:?}");
    }

    /// Security review #2: what the broker holds follows the key. A policy that stops JWTs,
    /// a rename and a delete each take effect at the next request, grant or not.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_grant_stops_with_its_keys_policy_rename_and_delete() {
        let mut f = fixture().await;
        let (b, app, key) = (f.broker.clone(), f.app.clone(), f.key.clone());
        let first = tokio::spawn(async move { b.ask(app, jwt(&key), None, Peer::Unknown).await });
        let p = next_prompt(&mut f).await;
        f.clock.advance(2);
        f.broker
            .decide(approval(&p, Some(Scope::ForMinutes(5))), None)
            .unwrap();
        first.await.unwrap().unwrap();
        let granted = f
            .broker
            .ask(f.app.clone(), jwt("api"), None, Peer::Unknown)
            .await
            .unwrap();
        assert!(granted.grant_id.is_some());

        // The policy now forbids JWTs: refused, grant or not.
        let k = f.key.clone();
        on_vault(f.broker.vault.as_ref(), move |v| {
            Backend::key_policy(v, &k, Some(vec![keyward_crypto::sign::Usage::Raw]))
        })
        .unwrap();
        let e = f
            .broker
            .ask(f.app.clone(), jwt(&f.key), None, Peer::Unknown)
            .await
            .unwrap_err();
        assert_eq!(e.code(), "approval.forbidden");
        let k = f.key.clone();
        on_vault(f.broker.vault.as_ref(), move |v| {
            Backend::key_policy(v, &k, None)
        })
        .unwrap();

        // Renamed, and another key now has its label: the label names the new key.
        let k = f.key.clone();
        on_vault(f.broker.vault.as_ref(), move |v| {
            Backend::key_rename(v, &k, "old")
        })
        .unwrap();
        let newer = add_key(&f, KeyAlg::P256, "api");
        let (b, app) = (f.broker.clone(), f.app.clone());
        let h = tokio::spawn(async move { b.ask(app, jwt("api"), None, Peer::Unknown).await });
        let p = next_prompt(&mut f).await;
        assert_eq!(
            p.key.id, newer,
            "the label resolves to the key that has it now"
        );
        f.broker.decide(denial(&p), None).unwrap();
        let _ = h.await;

        // Deleted: the grant is gone with it, and nothing signs with the key.
        let k = f.key.clone();
        on_vault(f.broker.vault.as_ref(), move |v| Backend::key_delete(v, &k)).unwrap();
        let e = f
            .broker
            .ask(f.app.clone(), jwt(&f.key), None, Peer::Unknown)
            .await
            .unwrap_err();
        assert_eq!(e.code(), "key.not_found");
        assert!(f.broker.grants().is_empty(), "{:?}", f.broker.grants());
        let left = on_vault(f.broker.vault.as_ref(), |v| v.grant_list()).unwrap();
        assert!(left.is_empty(), "grants of a deleted key are gone");
    }

    /// Security review #4: an unpaired caller learns nothing about keys. The pairing opens the
    /// same way whether the keys it names exist or not; they are resolved when the user
    /// approves, and a name that matches nothing is the user's to see, not the caller's.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn pairing_resolves_no_key_before_the_user_approves() {
        let mut f = fixture().await;
        f.clock.advance(10);
        let offer = |keys: &[&str]| PairBody {
            app_name: "probe".into(),
            app_nonce: b64(&[5u8; 32]),
            keys: Some(keys.iter().map(|k| k.to_string()).collect()),
        };
        let started = f
            .broker
            .start_pairing(
                offer(&["api", "zz-nope"]),
                Some("https://evil.example".into()),
            )
            .expect("the same answer whether a key exists or not");
        let view = loop {
            match f.prompts.recv().await {
                Some(ApproverEvent::Open(item)) => {
                    if let PromptItem::Pairing(v) = *item {
                        break v;
                    }
                }
                Some(_) => continue,
                None => panic!("closed"),
            }
        };
        assert_eq!(
            view.keys.as_deref(),
            Some(&["api".to_owned(), "zz-nope".to_owned()][..])
        );
        let e = f
            .broker
            .decide_pairing(&started.pairing_id, true, None)
            .unwrap_err();
        assert_eq!(e.code(), "key.not_found");
        f.broker
            .decide_pairing(&started.pairing_id, true, Some(vec!["api".into()]))
            .unwrap();
        let paired = f.broker.wait_pairing(&started.pairing_id).await.unwrap();
        assert_eq!(paired.keys, Some(vec![f.key.clone()]));
    }

    /// Security review #6: a native app's origin is parsed and normalised, or refused; the
    /// peer's executable is escaped; a claimed origin never earns a "safe" SIWE verdict.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_claimed_origin_is_parsed_escaped_and_never_rated_safe() {
        let mut f = fixture().await;
        let mut body = raw_body(&f.key, "hello");
        body.origin =
            Some("https://app.example\n  Message: text (5 bytes)\n    | hello\n\u{1b}[8m".into());
        let e = f
            .broker
            .ask(f.app.clone(), body, None, Peer::Unknown)
            .await
            .unwrap_err();
        assert_eq!(e.code(), "endpoint.bad_request");

        let mut body = raw_body(&f.key, "hello");
        body.origin = Some("HTTPS://App.Example.com:443".into());
        let peer = Peer::Unix {
            exe: Some("/tmp/evil\u{1b}[2J\u{202E}gpj.exe".into()),
            pid: 7,
        };
        let (b, app) = (f.broker.clone(), f.app.clone());
        let h = tokio::spawn(async move { b.ask(app, body, None, peer).await });
        let p = next_prompt(&mut f).await;
        assert_eq!(p.origin.as_deref(), Some("https://app.example.com"));
        let exe = p.app.exe.clone().unwrap().to_string_lossy().into_owned();
        assert!(
            !exe.contains('\u{1b}') && !exe.contains('\u{202E}'),
            "{exe:?}"
        );
        f.broker.decide(denial(&p), None).unwrap();
        let _ = h.await;

        add_key(&f, KeyAlg::Secp256k1, "eth");
        let siwe = "app.example.com wants you to sign in with your Ethereum account:\n\
            0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2\n\nSign in\n\n\
            URI: https://app.example.com\nVersion: 1\nChain ID: 1\nNonce: 32891756abc\n\
            Issued At: 2026-11-20T10:00:00Z";
        let body = AskBody {
            key: "eth".into(),
            kind: Kind::SiweLogin,
            message: Some(siwe.into()),
            payload_hex: None,
            origin: Some("https://app.example.com".into()),
            ttl_secs: Some(60),
        };
        let (b, app) = (f.broker.clone(), f.app.clone());
        let h = tokio::spawn(async move { b.ask(app, body, None, Peer::Unknown).await });
        let p = next_prompt(&mut f).await;
        assert!(
            p.verdicts.iter().all(|v| v.level != risk::Level::Safe),
            "a claimed origin earned: {:?}",
            p.verdicts
        );
        f.broker.decide(denial(&p), None).unwrap();
        let _ = h.await;
    }

    /// Security review #12: the notification of a refused link echoes none of the link's
    /// text: no markup a notification server would render, no sentence in Keyward's name.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_refused_links_notice_carries_no_attacker_text() {
        let f = fixture().await;
        let key = "<a href=\"https://evil.example/fix\">Your vault needs repair: click here</a>";
        let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        let e = f
            .broker
            .open_link(&format!(
                "keyward://sign?key={}&scheme=raw&message=x&callback=https%3A%2F%2Fa.example%2Fcb",
                enc(key)
            ))
            .await
            .unwrap_err();
        assert_eq!(e.code(), "key.not_found");
        let notice = link::refusal_notice(&e);
        assert!(notice.contains("key.not_found"), "{notice}");
        for bad in ["<", ">", "evil", "repair", "click"] {
            assert!(!notice.contains(bad), "{bad:?} in {notice:?}");
        }
        assert!(notice.chars().count() <= 120, "{notice}");
    }

    /// Security review #14: an app restricted to some keys learns nothing about the others:
    /// not their ids, not which labels or prefixes exist.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_key_restricted_app_learns_nothing_of_other_keys() {
        let f = fixture().await;
        let other = add_key(&f, KeyAlg::P256, "other");
        add_key(&f, KeyAlg::P256, "twin");
        add_key(&f, KeyAlg::P256, "twin");
        let allowed = vec![f.key.clone()];
        let (app, _token) = on_vault(f.broker.vault.as_ref(), move |v| {
            register_app(v, &[9u8; 32], "narrow", None, Some(allowed.clone()), T0)
        })
        .unwrap();
        f.broker.refresh().unwrap();
        let rec = f.broker.state().apps.get(&app.id).cloned().unwrap();
        let mut answers = Vec::new();
        for asked in ["other", &other[..6], "twin", "nope"] {
            let e = f
                .broker
                .ask(rec.clone(), raw_body(asked, "x"), None, Peer::Unknown)
                .await
                .unwrap_err();
            let text = format!("{} {}", e, serde_json::to_string(&e.body()).unwrap());
            assert!(!text.contains(&other), "{asked}: {text}");
            answers.push((e.code().to_owned(), e.status()));
        }
        assert!(
            answers.windows(2).all(|w| w[0] == w[1]),
            "one answer whether the key exists or not: {answers:?}"
        );
    }

    /// A request as the paired app of `f` signs it: a fresh nonce, the MAC over it.
    fn authenticate(f: &Fixture, token: &str) -> Result<AppRecord, EndpointError> {
        let nonce = f.broker.issue_nonces(1).remove(0);
        let mac = auth::request_mac(token, &nonce, "POST", "/v1/requests", b"{}");
        f.broker
            .authenticate(&f.app.app.id, &nonce, "POST", "/v1/requests", b"{}", &mac)
    }

    /// The MAC key is derived from a secret sealed under the vault key; the endpoint keeps
    /// it from its first unlock on, through a lock. An app paired by an older Keyward (no
    /// salt) is refused with its own code.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn apps_authenticate_through_a_lock_and_outdated_pairings_are_refused() {
        let f = fixture().await;
        authenticate(&f, &f.token).expect("the paired app");
        on_vault(f.broker.vault.as_ref(), |v| {
            v.lock_now();
            Ok(())
        })
        .unwrap();
        f.broker.locked_now();
        authenticate(&f, &f.token).expect("a lock keeps the MAC secret");
        assert_eq!(
            authenticate(&f, "a-guess").unwrap_err().code(),
            "endpoint.bad_mac"
        );
        f.broker
            .state()
            .apps
            .get_mut(&f.app.app.id)
            .unwrap()
            .token_salt = None;
        let stamp = f.broker.state().stamp;
        assert!(stamp.is_some());
        assert_eq!(
            authenticate(&f, &f.token).unwrap_err().code(),
            "endpoint.pairing_outdated"
        );
    }

    /// Before the endpoint has seen the vault unlocked it can authenticate nobody: a request
    /// gets `vault.locked`, and the approver is asked (once) to have the user unlock.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn before_the_first_unlock_requests_get_vault_locked_and_an_unlock_prompt() {
        let mut f = fixture().await;
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
        let mut v = Vault::open(dir.path(), store).unwrap();
        v.init(Some("a long enough passphrase 42")).unwrap();
        v.lock_now();
        let (tx, mut events) = mpsc::unbounded_channel();
        let broker = Broker::new(
            Arc::new(Mutex::new(v)),
            Arc::new(ChannelApprover(tx)),
            f.clock.clone(),
            Config::default(),
        )
        .unwrap();
        f.broker = broker;
        for _ in 0..3 {
            assert_eq!(
                authenticate(&f, &f.token).unwrap_err().code(),
                "vault.locked"
            );
        }
        assert!(matches!(events.try_recv(), Ok(ApproverEvent::UnlockNeeded)));
        assert!(events.try_recv().is_err(), "asked once, not per request");
    }

    fn program(exe: &str) -> keyward_vault::agent::Program {
        keyward_vault::agent::Program {
            exe: Some(exe.into()),
            pid: Some(4242),
            via: Some("/usr/bin/gnome-terminal-server".into()),
        }
    }

    fn agent_sign(
        key: &str,
        input: keyward_vault::api::SignInput,
    ) -> keyward_vault::agent::Request {
        keyward_vault::agent::Request::KeySign(keyward_vault::api::SignRequest {
            key: key.into(),
            scheme: Scheme::Raw,
            input,
            encoding: Default::default(),
        })
    }

    /// Runs the gate for `req` from `exe` on a blocking thread (as the agent does).
    fn gate(
        f: &Fixture,
        exe: &str,
        req: keyward_vault::agent::Request,
    ) -> tokio::task::JoinHandle<Result<(), EndpointError>> {
        let (b, p) = (f.broker.clone(), program(exe));
        tokio::task::spawn_blocking(move || {
            b.agent_check(&p, &req, keyward_vault::agent::AgentApproval::PerProgram)
        })
    }

    /// The prompt the gate `h` opened (a gate that answers without one fails the test).
    async fn agent_prompt(
        f: &mut Fixture,
        h: &mut tokio::task::JoinHandle<Result<(), EndpointError>>,
    ) -> PromptView {
        tokio::select! {
            p = next_prompt(f) => p,
            r = h => panic!("the gate answered without a prompt: {r:?}"),
        }
    }

    /// The agent's approval rule (DESIGN "Seams": AgentGate), per program: a key use is asked
    /// once per program (a grant until lock may cover it, not for blind signing, and it ends
    /// at lock); a second program asks again; a backup and a credential read ask every time,
    /// and no grant covers them; `never` asks nothing.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_agent_asks_per_program_and_secrets_every_time() {
        use keyward_vault::agent::Request as A;
        let mut f = fixture().await;
        let msg = || keyward_vault::api::SignInput::Message("hello".into());
        let cli = "/usr/bin/keyward-cli";
        // A key use: asked, granted until lock.
        let mut h = gate(&f, cli, agent_sign(&f.key, msg()));
        let p = agent_prompt(&mut f, &mut h).await;
        assert_eq!(p.kind, "agent_key_use");
        assert!(p.grantable);
        assert!(p.title.contains("keyward-cli"), "{}", p.title);
        f.broker
            .decide(approval(&p, Some(Scope::UntilLock)), None)
            .unwrap();
        h.await.unwrap().unwrap();
        assert!(f
            .broker
            .grants()
            .iter()
            .any(|g| g.app_id == keyward_vault::PROGRAM_GRANT_APP));
        // The same program again: covered, no prompt.
        gate(&f, cli, agent_sign(&f.key, msg()))
            .await
            .unwrap()
            .unwrap();
        no_prompt(&mut f).await;
        // Another program asks again.
        let mut h = gate(&f, "/usr/bin/python3-evil", agent_sign(&f.key, msg()));
        let p = agent_prompt(&mut f, &mut h).await;
        f.broker.decide(denial(&p), None).unwrap();
        assert_eq!(h.await.unwrap().unwrap_err().code(), "approval.denied");
        // Blind signing is never granted.
        let mut h = gate(
            &f,
            cli,
            agent_sign(
                &f.key,
                keyward_vault::api::SignInput::Hex("00ff".repeat(16)),
            ),
        );
        let p = agent_prompt(&mut f, &mut h).await;
        assert!(!p.grantable);
        assert!(p.verdicts.iter().any(|v| v.id == "blind_signing"));
        f.broker.decide(denial(&p), None).unwrap();
        let _ = h.await;
        // A backup and a credential read ask every time, and take no grant.
        for req in [
            A::BackupCreate {
                passphrase: Zeroizing::new("chosen by the program".into()),
            },
            A::CredentialGet {
                profile: "eng".into(),
                name: "admin-token".into(),
            },
        ] {
            let mut h = gate(&f, cli, req);
            let p = agent_prompt(&mut f, &mut h).await;
            assert_eq!(p.kind, "agent_secret_release");
            assert!(!p.grantable);
            let e = f
                .broker
                .decide(approval(&p, Some(Scope::UntilLock)), None)
                .unwrap_err();
            assert_eq!(e.code(), "approval.not_grantable");
            f.broker.decide(approval(&p, None), None).unwrap();
            h.await.unwrap().unwrap();
        }
        // Locking ends the program grant.
        on_vault(f.broker.vault.as_ref(), |v| {
            v.lock_now();
            Backend::unlock(v, None).map(|_| ())
        })
        .unwrap();
        f.broker.locked_now();
        let mut h = gate(&f, cli, agent_sign(&f.key, msg()));
        let p = agent_prompt(&mut f, &mut h).await;
        f.broker.decide(denial(&p), None).unwrap();
        let _ = h.await;
        // `never`: nothing is asked.
        on_vault(f.broker.vault.as_ref(), |v| {
            Backend::settings_set(v, "agent-approval", "never").map(|_| ())
        })
        .unwrap();
        gate(
            &f,
            "/usr/bin/anything",
            A::BackupCreate {
                passphrase: Zeroizing::new("x".into()),
            },
        )
        .await
        .unwrap()
        .unwrap();
        no_prompt(&mut f).await;
    }

    #[tokio::test]
    async fn bad_and_flooding_deep_links_are_refused_without_a_prompt() {
        let mut f = fixture().await;
        let mut codes = Vec::new();
        for _ in 0..(RateLimit::MAX + 3) {
            codes.push(
                f.broker
                    .open_link("keyward://transfer?to=x")
                    .await
                    .unwrap_err()
                    .code()
                    .to_owned(),
            );
        }
        assert!(codes[..RateLimit::MAX]
            .iter()
            .all(|c| c == "link.unknown_action"));
        assert!(codes[RateLimit::MAX..]
            .iter()
            .all(|c| c == "link.rate_limited"));
        f.clock.advance(RateLimit::WINDOW);
        let off = f
            .broker
            .open_link("simplewallet://eos.io?param=%7B%7D")
            .await
            .unwrap_err();
        assert_eq!(off.code(), "link.disabled");
        while let Ok(ev) = f.prompts.try_recv() {
            assert!(
                !matches!(ev, ApproverEvent::Open(_)),
                "no prompt was opened"
            );
        }
        f.broker.flush_audit(true).unwrap();
    }
}

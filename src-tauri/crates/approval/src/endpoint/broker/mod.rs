//! The broker: everything the endpoint decides, without HTTP. It keeps the paired apps and
//! grants (persisted in the vault's index, reloaded whenever the vault's approvals stamp
//! changes), the server nonces, the requests waiting for the user and the pairing prompts;
//! it turns an [`AskBody`] into a [`Request`], runs the risk rules, answers from a live grant
//! or asks the [`Approver`], and signs only through [`authorize`] / [`Grants::authorize`].
//!
//! Locking: the state mutex is never held across a vault call; the vault is reached through
//! [`VaultAccess`] (the shell's own mutex), always off the async runtime's threads.
//!
//! This module holds the [`Broker`], its state and [`Config`], its loading from the vault
//! ([`Broker::refresh`]) and the authentication of paired apps. The rest is `impl Broker`
//! spread over its submodules: `seams` (what the shell provides: [`Clock`], [`Approver`],
//! [`VaultAccess`]), `views` (what the user sees), `pairing`, `ask` (an app's request, from
//! its body to a signature), `links` (deep links), `agent_gate` (the agent socket's prompts)
//! and `audit` (the audit queue).
//!
//! [`AskBody`]: super::wire::AskBody
//! [`Request`]: crate::request::Request
//! [`authorize`]: crate::decision::authorize
//! [`Grants::authorize`]: crate::grant::Grants::authorize

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicI64, AtomicU16, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use keyward_crypto::sign::Signer;
use keyward_vault::access::on_vault;
use keyward_vault::{Backend, KeyFacts, PairedApp, VaultError};
use zeroize::Zeroizing;

use super::error::EndpointError;
use super::link::RateLimit;
use crate::auth::{self, EndpointKey, NonceBook};
use crate::grant::{Grant, Grants};
use crate::request::AppIdentity;
use crate::risk::MemoryHistory;

mod agent_gate;
mod ask;
mod audit;
mod links;
mod pairing;
mod seams;
mod views;

#[cfg(test)]
mod tests;

pub use agent_gate::AgentPrompts;
pub use ask::normalise_origin;
pub(crate) use ask::Peer;
pub use pairing::{check_pair_body, register_app};
pub use seams::{
    Approver, ApproverEvent, ChannelApprover, Clock, Closed, ManualClock, SystemClock, VaultAccess,
};
pub use views::{DecideInput, GrantView, KeyView, PairingView, PromptItem, PromptView};

use agent_gate::AgentPending;
use ask::PendingRequest;
use audit::AuditQueue;
use pairing::PendingPairing;

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

/// A paired app as the broker knows it.
#[derive(Debug, Clone)]
pub(crate) struct AppRecord {
    pub(crate) app: PairedApp,
    /// The salt its token is derived from (`None`: paired before that; refused).
    pub(crate) token_salt: Option<String>,
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
    /// When each prompt was first on screen (unix ms), for the arming of Approve.
    shown_at: HashMap<String, i64>,
}

/// How long Approve stays inert after a prompt is first on screen, in milliseconds.
pub const ARM_MS: i64 = 1_000;

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

    /// Refuses an approval that comes within [`ARM_MS`] of its prompt first being on screen
    /// ([`Broker::mark_shown`]): the prompt window and the terminal share this one rule, and a
    /// click or a keypress meant for something else cannot approve what just appeared.
    /// Denying is never too soon.
    pub(super) fn check_armed(&self, id: &str, approved: bool) -> Result<(), EndpointError> {
        if !approved {
            return Ok(());
        }
        let shown = self.state().shown_at.get(id).copied();
        match shown {
            Some(t) if self.clock.now_ms() - t < ARM_MS => Err(EndpointError::TooSoon),
            _ => Ok(()),
        }
    }

    /// Notes when prompt `id` was first on screen; forgets marks older than an hour.
    pub(super) fn note_shown(&self, id: &str) {
        let now = self.clock.now_ms();
        let mut st = self.state();
        st.shown_at.retain(|_, t| now - *t < 3_600_000);
        st.shown_at.entry(id.to_owned()).or_insert(now);
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

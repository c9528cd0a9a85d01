//! Pairing: an app asks to pair ([`Broker::start_pairing`]: rate-limited, and nothing about
//! keys is looked up for the unpaired caller), the user compares the code and decides
//! ([`Broker::decide_pairing`]), and the app collects its token once
//! ([`Broker::wait_pairing`]). [`register_app`] pairs an app in the vault, for the prompt and
//! for `keyward-cli endpoint pair`; [`check_pair_body`] checks what an unpaired caller sent.

use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use keyward_vault::access::on_vault;
use keyward_vault::{PairedApp, Vault, VaultError};
use tokio::sync::watch;
use zeroize::Zeroizing;

use super::{quoted, Broker, Closed, PairingView, PromptItem};
use crate::auth;
use crate::endpoint::error::EndpointError;
use crate::endpoint::wire::{PairBody, PairStarted, Paired};

#[derive(Clone)]
pub(super) enum PairState {
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

pub(super) struct PendingPairing {
    pub(super) view: PairingView,
    /// The keys as the app named them (resolved when the user approves).
    asked: Option<Vec<String>>,
    pub(super) state: watch::Sender<PairState>,
}

impl Broker {
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
        self.check_armed(id, approved)?;
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

pub(super) fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn rand_array<const N: usize>() -> [u8; N] {
    use rand_core::{OsRng, RngCore};
    let mut b = [0u8; N];
    OsRng.fill_bytes(&mut b);
    b
}

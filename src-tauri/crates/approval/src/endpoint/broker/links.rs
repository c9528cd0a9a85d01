//! Deep links through the broker: [`Broker::open_link`] admits a link under the rate limit,
//! parses it strictly (see [`crate::endpoint::link`]), prompts for it as an unknown app
//! (never from a grant) and delivers the answer, or the refusal, to the link's callback. A
//! SimpleWallet login signs with the one key tagged for it.

use std::sync::Arc;

use keyward_crypto::sign::Scheme;
use keyward_crypto::Coded;
use keyward_vault::access::on_vault;
use keyward_vault::{Backend, PairedApp};

use super::{AppRecord, Broker};
use crate::endpoint::error::EndpointError;
use crate::endpoint::link::{self, Link, LinkError};
use crate::endpoint::wire::{AskBody, LinkOutcome};
use crate::request::Kind;

/// The app id deep-link requests are filed under (for the pending limit and history).
pub(super) const LINK_APP_ID: &str = "deep-link";

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

impl Broker {
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
}

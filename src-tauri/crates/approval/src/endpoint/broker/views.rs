//! What the user sees: the serialisable views the prompt window, the terminal prompt and the
//! grant list are made of ([`PromptItem`]: a [`PromptView`] naming its [`KeyView`], or a
//! [`PairingView`]; [`GrantView`]), what a prompt sends back ([`DecideInput`]), and the
//! broker's lists of its open prompts and live grants.

use keyward_crypto::KeyAlg;
use serde::Serialize;

use super::pairing::PairState;
use super::Broker;
use crate::decode::Block;
use crate::grant::{GrantSpec, Scope};
use crate::request::AppIdentity;
use crate::risk::Verdict;

/// The key a prompt names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct KeyView {
    /// The key's id.
    pub id: String,
    /// Its label.
    pub label: String,
    /// Its algorithm.
    pub alg: KeyAlg,
}

/// A request prompt.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
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
    #[ts(optional)]
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
    #[ts(type = "number")]
    pub created_at: i64,
    /// Unix seconds.
    #[ts(type = "number")]
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
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PairingView {
    /// The pairing's id.
    pub id: String,
    /// The name the app gives itself.
    pub app_name: String,
    /// The browser origin it called from.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub origin: Option<String>,
    /// The code both sides show.
    pub code: String,
    /// The keys the app asked for, as it named them (escaped): nothing is looked up before
    /// the user approves.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub keys: Option<Vec<String>>,
    /// Unix seconds.
    #[ts(type = "number")]
    pub created_at: i64,
    /// Unix seconds.
    #[ts(type = "number")]
    pub expires_at: i64,
}

/// One prompt.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
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

    /// Whether a deep link asked (an unknown app): its prompt opens at once, since the user
    /// just followed the link, and it is never granted.
    pub fn from_link(&self) -> bool {
        matches!(self, PromptItem::Request(r) if r.app.name == crate::endpoint::link::UNKNOWN_APP)
    }

    /// The prompt's title and who asks, for a notification.
    pub fn summary(&self) -> (String, String) {
        match self {
            PromptItem::Request(r) => (r.title.clone(), r.app.name.clone()),
            PromptItem::Pairing(p) => ("pair with Keyward".to_owned(), p.app_name.clone()),
        }
    }
}

/// A live grant as the UI lists it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
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
    #[ts(type = "number")]
    pub exp_secs: u64,
    /// Unix seconds.
    #[ts(type = "number")]
    pub created_at: i64,
    /// Unix seconds (`for_minutes` only).
    #[ts(type = "number | null")]
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

impl Broker {
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
}

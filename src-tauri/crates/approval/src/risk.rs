//! Risk rules: what the prompt warns about, and what is refused without a prompt.
//!
//! Each rule has a stable id (part of the IPC and CLI contract), a [`Level`] and a message
//! written for the user. [`assess`] runs them all; verdicts come in the order of the table.
//! A [`Level::Forbidden`] verdict is not a warning: the request breaks the key's usage
//! policy (or cannot be done with the key at all) and [`refusal`] turns it into
//! `approval.forbidden` before any prompt is shown.
//!
//! | id | level | fires when |
//! |---|---|---|
//! | `scheme_forbidden` | forbidden | the kind's usage is outside the key's [`UsagePolicy`], or the scheme / JWT alg does not fit the key, or a digest is asked of a scheme that signs only messages |
//! | `siwe_malformed` | danger | a SIWE request whose payload is not a valid EIP-4361 message |
//! | `siwe_domain_mismatch` | danger | the SIWE domain is not the requesting origin ([`siwe::check_origin`]) |
//! | `siwe_domain_matches` | safe | the SIWE domain is the requesting origin, vouched for by a browser |
//! | `siwe_domain_claimed` | warning | the SIWE domain is the origin a native app claims (nothing verifies it) |
//! | `siwe_no_origin` | warning | a SIWE request from an app that names no origin |
//! | `http_origin` | warning | the origin is `http:` |
//! | `punycode_host` | danger | the origin's host or the SIWE domain has an `xn--` label |
//! | `mixed_script_host` | danger | a label of those hosts mixes Latin, Greek or Cyrillic letters |
//! | `blind_signing` | warning | a digest, or a 32-byte message, is to be signed |
//! | `hidden_characters` | warning | the shown text had bidi or invisible characters escaped |
//! | `short_expiry` | warning | the request expires in under [`SHORT_EXPIRY_SECS`] |
//! | `first_request_from_app` | warning | the [`History`] has never seen this app |
//! | `key_new_to_app` | warning | the app is known but has never used this key |

use keyward_crypto::sign::UsagePolicy;
use keyward_crypto::siwe;
use serde::Serialize;

use crate::decode::{Block, Rendered};
use crate::error::ApprovalError;
use crate::host::{host_of, is_punycode, mixed_script_label, unicode_form};
use crate::request::{AppIdentity, Kind, Request};

/// Requests that expire sooner than this (seconds) are flagged: the user cannot read them.
pub const SHORT_EXPIRY_SECS: i64 = 10;

/// How bad a verdict is. Ordered: `Safe < Warning < Danger < Forbidden`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// A check that passed, worth showing.
    Safe,
    /// Read before approving.
    Warning,
    /// Likely an attack; approve only if you know why.
    Danger,
    /// Refused without a prompt.
    Forbidden,
}

/// One rule's finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(rename = "RiskVerdict")]
pub struct Verdict {
    /// The rule's stable id.
    pub id: &'static str,
    /// How bad.
    pub level: Level,
    /// For the user (attacker-chosen parts escaped).
    pub message: String,
}

/// What Keyward remembers of earlier requests.
pub trait History {
    /// Whether `app` has asked before.
    fn app_seen(&self, app: &AppIdentity) -> bool;
    /// Whether `app` has used key `key_id` before.
    fn key_used_by(&self, app: &AppIdentity, key_id: &str) -> bool;
}

/// An in-memory [`History`] (tests, and a shell before the audit log backs one). Bounded: it
/// keeps one entry per (app, key) it saw, the newest [`MemoryHistory::CAPACITY`] of them, so
/// an app asking in a loop cannot grow it.
#[derive(Debug, Clone, Default)]
pub struct MemoryHistory {
    uses: std::collections::VecDeque<(AppIdentity, Option<String>)>,
}

impl MemoryHistory {
    /// Entries kept at most.
    pub const CAPACITY: usize = 4096;

    /// Records that `app` asked, with `key_id` if it used one.
    pub fn record(&mut self, app: &AppIdentity, key_id: Option<&str>) {
        let key = key_id.map(str::to_owned);
        if let Some(i) = self
            .uses
            .iter()
            .rposition(|(a, k)| a.same_app(app) && *k == key)
        {
            // Seen: move it to the newest end.
            if let Some(e) = self.uses.remove(i) {
                self.uses.push_back(e);
            }
            return;
        }
        if self.uses.len() >= Self::CAPACITY {
            self.uses.pop_front();
        }
        let mut app = app.clone();
        app.pid = None;
        self.uses.push_back((app, key));
    }
}

impl History for MemoryHistory {
    fn app_seen(&self, app: &AppIdentity) -> bool {
        self.uses.iter().any(|(a, _)| a.same_app(app))
    }

    fn key_used_by(&self, app: &AppIdentity, key_id: &str) -> bool {
        self.uses
            .iter()
            .any(|(a, k)| a.same_app(app) && k.as_deref() == Some(key_id))
    }
}

/// What the rules need besides the request.
pub struct Context<'a> {
    /// Unix seconds.
    pub now: i64,
    /// The key's usage policy.
    pub policy: &'a UsagePolicy,
    /// Earlier requests.
    pub history: &'a dyn History,
    /// The request came from a deep link (nobody vouches for who made it).
    pub link: bool,
}

fn v(id: &'static str, level: Level, message: impl Into<String>) -> Verdict {
    Verdict {
        id,
        level,
        message: message.into(),
    }
}

/// Runs every rule on `req` as `rendered` shows it.
pub fn assess(req: &Request, rendered: &Rendered, ctx: &Context<'_>) -> Vec<Verdict> {
    let mut out = Vec::new();
    if let Some(why) = forbidden_reason(req, ctx.policy) {
        out.push(v("scheme_forbidden", Level::Forbidden, why));
    }

    let mut hosts: Vec<String> = req
        .origin
        .as_deref()
        .and_then(host_of)
        .into_iter()
        .collect();
    if req.kind == Kind::SiweLogin {
        let parsed = std::str::from_utf8(&req.payload)
            .ok()
            .and_then(|s| siwe::parse(s).ok());
        match parsed {
            None => out.push(v(
                "siwe_malformed",
                Level::Danger,
                "This claims to be a Sign-In with Ethereum request but is not a valid EIP-4361 message.",
            )),
            Some(m) => {
                let domain = crate::decode::escape_field(&m.origin_text());
                match req.origin.as_deref() {
                    None => out.push(v(
                        "siwe_no_origin",
                        Level::Warning,
                        format!("The app names no web origin, so Keyward cannot check that it is {domain}."),
                    )),
                    Some(o) => match siwe::check_origin(&m, o) {
                        Ok(()) if req.origin_verified => out.push(v(
                            "siwe_domain_matches",
                            Level::Safe,
                            format!("The sign-in is for {domain}, the site that asks."),
                        )),
                        // A native app's own word: anything can claim to be any site.
                        Ok(()) => out.push(v(
                            "siwe_domain_claimed",
                            Level::Warning,
                            format!("The sign-in is for {domain}. The app claims to be that site; only a browser's word is checked, so Keyward cannot tell."),
                        )),
                        Err(_) => out.push(v(
                            "siwe_domain_mismatch",
                            Level::Danger,
                            format!(
                                "The sign-in is for {domain}, but {} is asking: this is how phishing looks.",
                                crate::decode::escape_field(o)
                            ),
                        )),
                    },
                }
                if let Some(h) = host_of(&m.domain) {
                    if !hosts.contains(&h) {
                        hosts.push(h);
                    }
                }
            }
        }
    }

    if let Some(o) = &req.origin {
        if o.as_bytes()
            .get(..5)
            .is_some_and(|p| p.eq_ignore_ascii_case(b"http:"))
        {
            out.push(v(
                "http_origin",
                Level::Warning,
                "The site asking uses plain http: anyone on the network could have changed this request.",
            ));
        }
    }

    for h in &hosts {
        if is_punycode(h) {
            let shown = crate::decode::escape_field(&unicode_form(h).unwrap_or_default());
            out.push(v(
                "punycode_host",
                Level::Danger,
                format!(
                    "{} is an internationalized name that reads as {shown}; check it is the site you mean.",
                    crate::decode::escape_field(h)
                ),
            ));
        }
    }
    for h in &hosts {
        if let Some(label) = mixed_script_label(h) {
            out.push(v(
                "mixed_script_host",
                Level::Danger,
                format!(
                    "{} mixes alphabets in \"{}\" (Latin, Greek, Cyrillic): a look-alike of another site.",
                    crate::decode::escape_field(h),
                    crate::decode::escape_field(&label)
                ),
            ));
        }
    }

    // Judged by content, at any length: bytes that are not readable text may be a transaction
    // (`raw` and `eos` hash them: an EOS or Tron transfer) or the hash of anything.
    let blind = match &req.kind {
        Kind::SignDigest { .. } => true,
        Kind::SignMessage { .. } => !crate::decode::readable(&req.payload),
        _ => false,
    };
    if blind {
        out.push(v(
            "blind_signing",
            if ctx.link { Level::Danger } else { Level::Warning },
            format!(
                "Blind signing: these {} bytes are not readable text. They may be a transaction or the hash of anything (a transfer); Keyward cannot show what they stand for.",
                req.payload.len()
            ),
        ));
    }

    let escaped: usize = rendered
        .blocks()
        .iter()
        .map(|b| match b {
            Block::Text { escaped, .. } => *escaped,
            _ => 0,
        })
        .sum();
    if escaped > 0 {
        out.push(v(
            "hidden_characters",
            Level::Warning,
            format!("The text holds {escaped} invisible or direction-changing characters, shown as \\u{{…}}."),
        ));
    }

    let left = req.expires_at.saturating_sub(ctx.now);
    if left < SHORT_EXPIRY_SECS {
        out.push(v(
            "short_expiry",
            Level::Warning,
            if left <= 0 {
                "The request has already expired.".to_owned()
            } else {
                format!("The request expires in {left} s: too little time to read it.")
            },
        ));
    }

    if !ctx.history.app_seen(&req.app) {
        out.push(v(
            "first_request_from_app",
            Level::Warning,
            format!(
                "This is the first request from {}.",
                crate::decode::escape_field(&req.app.name)
            ),
        ));
    } else if !ctx.history.key_used_by(&req.app, &req.key_id) {
        out.push(v(
            "key_new_to_app",
            Level::Warning,
            format!(
                "{} has never used this key before.",
                crate::decode::escape_field(&req.app.name)
            ),
        ));
    }
    out
}

/// Why the key may not do this at all, if so.
pub(crate) fn forbidden_reason(req: &Request, policy: &UsagePolicy) -> Option<String> {
    let alg = req.key_alg;
    match &req.kind {
        Kind::SignMessage { scheme } | Kind::SignDigest { scheme } if !scheme.fits(alg) => {
            return Some(format!("a {alg} key cannot sign with {}", scheme.title()));
        }
        Kind::SignDigest { scheme } if !scheme.takes_digest() => {
            return Some(format!("{} signs messages, not digests", scheme.title()));
        }
        Kind::SiweLogin if alg != keyward_crypto::KeyAlg::Secp256k1 => {
            return Some(format!("a {alg} key cannot sign in with Ethereum"));
        }
        Kind::MintJwt { template } if !template.alg.fits(alg) => {
            return Some(format!("a {alg} key cannot sign {} JWTs", template.alg));
        }
        _ => {}
    }
    let usage = req.kind.usage();
    (!policy.allows(usage)).then(|| {
        format!(
            "the key's usage policy ({policy}) does not allow {}",
            usage.as_str()
        )
    })
}

/// The refusal a [`Level::Forbidden`] verdict calls for, if any.
pub fn refusal(verdicts: &[Verdict]) -> Option<ApprovalError> {
    verdicts
        .iter()
        .find(|v| v.level == Level::Forbidden)
        .map(|v| ApprovalError::Forbidden {
            reason: v.message.clone(),
        })
}

/// The worst level among `verdicts` (`Safe` when there are none).
pub fn worst(verdicts: &[Verdict]) -> Level {
    verdicts
        .iter()
        .map(|v| v.level)
        .max()
        .unwrap_or(Level::Safe)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::render;
    use crate::request::tests::req;
    use keyward_crypto::sign::{JwsAlg, Scheme, Usage};
    use keyward_crypto::KeyAlg;

    const SIWE: &str = "app.example.com wants you to sign in with your Ethereum account:\n0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2\n\nSign in\n\nURI: https://app.example.com\nVersion: 1\nChain ID: 1\nNonce: 32891756abc\nIssued At: 2026-11-20T10:00:00Z";

    /// A history that knows the test app and its use of `key-1`.
    fn known() -> MemoryHistory {
        let mut h = MemoryHistory::default();
        h.record(&crate::request::tests::app("dapp"), Some("key-1"));
        h
    }

    fn ids_with(r: &Request, policy: &UsagePolicy, history: &dyn History) -> Vec<&'static str> {
        let ctx = Context {
            now: r.created_at,
            policy,
            history,
            link: false,
        };
        assess(r, &render(r), &ctx)
            .into_iter()
            .map(|v| v.id)
            .collect()
    }

    fn ids(r: &Request) -> Vec<&'static str> {
        ids_with(r, &UsagePolicy::default_for(r.key_alg), &known())
    }

    fn eip191(payload: &[u8]) -> Request {
        req(
            Kind::SignMessage {
                scheme: Scheme::Eip191,
            },
            payload,
        )
    }

    #[test]
    fn a_plain_request_from_a_known_app_raises_nothing() {
        assert!(ids(&eip191(b"hello")).is_empty());
        assert_eq!(worst(&[]), Level::Safe);
    }

    #[test]
    fn siwe_domain_against_origin() {
        let r = req(Kind::SiweLogin, SIWE.as_bytes());
        assert_eq!(ids(&r), ["siwe_domain_matches"]);
        let mut evil = r.clone();
        evil.origin = Some("https://app.example.com.evil.io".into());
        let got = ids(&evil);
        assert_eq!(got, ["siwe_domain_mismatch"]);
        let mut none = r.clone();
        none.origin = None;
        assert_eq!(ids(&none), ["siwe_no_origin"]);
        let mut bad = r;
        bad.payload =
            b"app.example.com wants you to sign in with your Ethereum account:\nnope".to_vec();
        assert_eq!(ids(&bad), ["siwe_malformed"]);
    }

    #[test]
    fn http_origin() {
        let mut r = eip191(b"x");
        r.origin = Some("HTTP://app.example.com".into());
        assert_eq!(ids(&r), ["http_origin"]);
        // Multi-byte text where the scheme would be does not panic.
        r.origin = Some("ht\u{3bf}p://x".into());
        assert!(!ids(&r).contains(&"http_origin"));
        r.origin = Some("https://app.example.com".into());
        assert!(ids(&r).is_empty());
    }

    #[test]
    fn punycode_and_mixed_script_hosts() {
        let mut r = eip191(b"x");
        r.origin = Some("https://xn--80ak6aa92e.com".into());
        assert_eq!(ids(&r), ["punycode_host"]);
        // Cyrillic а in a Latin label, sent raw and as punycode.
        r.origin = Some("https://\u{430}pple.com".into());
        assert_eq!(ids(&r), ["mixed_script_host"]);
        let ace = format!(
            "https://{}",
            idna::domain_to_ascii("\u{430}pple.com").unwrap()
        );
        r.origin = Some(ace);
        assert_eq!(ids(&r), ["punycode_host", "mixed_script_host"]);
        // The SIWE domain is checked too.
        let mut s = req(
            Kind::SiweLogin,
            SIWE.replace("app.example.com", "xn--80ak6aa92e.com")
                .as_bytes(),
        );
        s.origin = Some("https://xn--80ak6aa92e.com".into());
        assert_eq!(ids(&s), ["siwe_domain_matches", "punycode_host"]);
    }

    #[test]
    fn blind_signing() {
        assert_eq!(ids(&eip191(&[7; 32])), ["blind_signing"]);
        assert_eq!(
            ids(&eip191(&[7; 33])),
            ["blind_signing"],
            "binary at any length"
        );
        assert!(ids(&eip191(b"a readable message of 33 bytes..")).is_empty());
        let d = req(
            Kind::SignDigest {
                scheme: Scheme::Raw,
            },
            &[7; 32],
        );
        assert_eq!(ids(&d), ["blind_signing"]);
    }

    /// Security review #10: blind signing is judged by what the bytes are, at any length: a
    /// binary `eos`/`raw` message (an EOS or Tron transaction, say) is blind; a readable
    /// 32-byte message is not; 32 random bytes are.
    #[test]
    fn blind_signing_is_judged_by_content_at_any_length() {
        let eos = |p: &[u8]| {
            req(
                Kind::SignMessage {
                    scheme: Scheme::Eos,
                },
                p,
            )
        };
        let raw = |p: &[u8]| {
            req(
                Kind::SignMessage {
                    scheme: Scheme::Raw,
                },
                p,
            )
        };
        // chain id ‖ packed transaction ‖ context-free data hash: binary, 100 bytes.
        let trx: Vec<u8> = (0..100u32).map(|i| (i * 151 % 256) as u8).collect();
        assert!(std::str::from_utf8(&trx).is_err());
        assert_eq!(ids(&eos(&trx)), ["blind_signing"]);
        assert_eq!(ids(&raw(&trx)), ["blind_signing"]);
        let readable = b"Log in to app.example.com today";
        assert_eq!(readable.len(), 31);
        let readable32 = b"Log in to app.example.com today.";
        assert_eq!(readable32.len(), 32);
        assert!(
            ids(&raw(readable32)).is_empty(),
            "{:?}",
            ids(&raw(readable32))
        );
        assert!(ids(&eos(readable)).is_empty());
        let random: [u8; 32] = [
            0x9c, 0x22, 0xff, 0x5f, 0x21, 0xf0, 0xb8, 0x1b, 0x11, 0x3e, 0x63, 0xf7, 0xdb, 0x6d,
            0xa9, 0x4f, 0xed, 0xef, 0x11, 0xb2, 0x11, 0x9b, 0x40, 0x88, 0xb8, 0x96, 0x64, 0xfb,
            0x9a, 0x3c, 0xb6, 0x58,
        ];
        assert_eq!(ids(&raw(&random)), ["blind_signing"]);
        assert_eq!(ids(&eos(&random)), ["blind_signing"]);
    }

    /// Security review #14: the history is bounded: an app that asks in a loop (a new pid,
    /// a new name each time) does not grow it forever.
    #[test]
    fn the_history_is_bounded() {
        let mut h = MemoryHistory::default();
        for i in 0..10_000u32 {
            let mut a = crate::request::tests::app(&format!("app-{i}"));
            a.pid = Some(i);
            h.record(&a, Some("key-1"));
            h.record(&a, Some("key-1"));
        }
        assert!(h.uses.len() <= 10_000, "{}", h.uses.len());
        // The newest are remembered.
        assert!(h.app_seen(&crate::request::tests::app("app-9999")));
    }

    #[test]
    fn hidden_characters() {
        assert_eq!(ids(&eip191("a\u{202E}b".as_bytes())), ["hidden_characters"]);
    }

    #[test]
    fn short_expiry() {
        let mut r = eip191(b"x");
        r.expires_at = r.created_at + 9;
        assert_eq!(ids(&r), ["short_expiry"]);
        r.expires_at = r.created_at + 10;
        assert!(ids(&r).is_empty());
        r.expires_at = r.created_at;
        let ctx_policy = UsagePolicy::default_for(r.key_alg);
        let h = known();
        let ctx = Context {
            now: r.created_at,
            policy: &ctx_policy,
            history: &h,
            link: false,
        };
        assert_eq!(
            assess(&r, &render(&r), &ctx)[0].message,
            "The request has already expired."
        );
    }

    #[test]
    fn first_request_and_new_key() {
        let r = eip191(b"x");
        let policy = UsagePolicy::default_for(r.key_alg);
        assert_eq!(
            ids_with(&r, &policy, &MemoryHistory::default()),
            ["first_request_from_app"]
        );
        let mut h = MemoryHistory::default();
        h.record(&r.app, Some("key-9"));
        assert_eq!(ids_with(&r, &policy, &h), ["key_new_to_app"]);
        h.record(&r.app, Some("key-1"));
        assert!(ids_with(&r, &policy, &h).is_empty());
        // Another executable under the same name is another app.
        let mut impostor = r.clone();
        impostor.app.exe = Some("/tmp/dapp".into());
        assert_eq!(ids_with(&impostor, &policy, &h), ["first_request_from_app"]);
    }

    #[test]
    fn scheme_outside_policy_is_forbidden() {
        let r = eip191(b"x");
        let only_jwt = UsagePolicy(vec![Usage::Jwt]);
        let ctx = Context {
            now: r.created_at,
            policy: &only_jwt,
            history: &known(),
            link: false,
        };
        let verdicts = assess(&r, &render(&r), &ctx);
        assert_eq!(verdicts[0].id, "scheme_forbidden");
        assert_eq!(verdicts[0].level, Level::Forbidden);
        assert_eq!(worst(&verdicts), Level::Forbidden);
        let e = refusal(&verdicts).unwrap();
        assert_eq!(keyward_crypto::Coded::code(&e), "approval.forbidden");
        assert!(e.to_string().contains("does not allow eip191"));
        // Allowed by the default policy: no refusal.
        let ok = UsagePolicy::default_for(KeyAlg::Secp256k1);
        let ctx = Context { policy: &ok, ..ctx };
        assert!(refusal(&assess(&r, &render(&r), &ctx)).is_none());

        // Schemes and algs the key cannot do at all.
        let mut wrong = r.clone();
        wrong.key_alg = KeyAlg::Ed25519;
        assert!(ids(&wrong).contains(&"scheme_forbidden"));
        let d = req(
            Kind::SignDigest {
                scheme: Scheme::Eip191,
            },
            &[1; 32],
        );
        assert!(ids(&d).contains(&"scheme_forbidden"));
        let mut t = crate::decode::tests::template();
        t.alg = JwsAlg::EdDSA;
        assert!(ids(&req(Kind::MintJwt { template: t }, b"")).contains(&"scheme_forbidden"));
        let mut s = req(Kind::SiweLogin, SIWE.as_bytes());
        s.key_alg = KeyAlg::P256;
        assert!(ids(&s).contains(&"scheme_forbidden"));
    }
}

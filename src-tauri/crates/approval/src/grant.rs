//! Grants: approvals that stay for a while, only for requests whose payload is bounded.
//!
//! A grant is made from an [`Authorized`] whose decision asked for one, so it always stems
//! from a prompt the user answered. Only [`Kind::MintJwt`] is grantable: the token's content
//! is the approved template, and only `iat`/`exp` are stamped later. Every kind that signs
//! caller-chosen bytes — raw digests, EIP-191, BSM, EOS and Ed25519 messages — and every SIWE
//! login is refused with `approval.not_grantable`, since one approval of such a kind would
//! sign anything.
//!
//! A grant covers a later request only when all of these equal the approved one: the key, the
//! app ([`AppIdentity::same_app`]: name and executable), the origin, the JWT alg, audience,
//! subject and claim template; the requested lifetime is at most the granted one; and the
//! request carries no extra payload bytes.
//!
//! Scopes: [`Scope::Once`] stores nothing (it is the approval itself); [`Scope::ForMinutes`]
//! lives until its end (judged against the `now` each call is given); [`Scope::UntilLock`]
//! lives until [`Grants::lock`].

use keyward_crypto::sign::UsagePolicy;
use serde::{Deserialize, Serialize};

// What a decision asks for (GrantSpec, Scope) lives with Authorized, which carries it: this
// module and decision both build on authorized, and neither imports the other.
pub use crate::authorized::{GrantSpec, Scope, MAX_GRANT_MINUTES};

use crate::authorized::Authorized;
use crate::decode::render;
use crate::error::ApprovalError;
use crate::request::{AppIdentity, JwtTemplate, Kind, Request};

/// A live grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// Random id (hex).
    pub id: String,
    /// The app it was granted to.
    pub app: AppIdentity,
    /// The origin the app gave.
    pub origin: Option<String>,
    /// The key.
    pub key_id: String,
    /// What may be minted.
    pub template: JwtTemplate,
    /// How long.
    pub scope: Scope,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds (`ForMinutes` only).
    pub expires_at: Option<i64>,
}

impl Grant {
    /// Whether the grant still lives at `now`.
    pub fn live(&self, now: i64) -> bool {
        self.expires_at.is_none_or(|t| now < t)
    }

    /// Whether the grant covers `req` at `now`.
    pub fn covers(&self, req: &Request, now: i64) -> bool {
        let Kind::MintJwt { template: t } = &req.kind else {
            return false;
        };
        let g = &self.template;
        self.live(now)
            && req.key_id == self.key_id
            && req.app.same_app(&self.app)
            && req.origin == self.origin
            && req.payload.is_empty()
            && t.alg == g.alg
            && t.aud == g.aud
            && t.sub == g.sub
            && t.claims == g.claims
            && t.exp_secs <= g.exp_secs
    }
}

/// The grants in memory.
#[derive(Debug, Default)]
pub struct Grants {
    grants: Vec<Grant>,
}

impl Grants {
    /// No grants.
    pub fn new() -> Grants {
        Grants::default()
    }

    /// Grants loaded from storage (the caller drops dead ones with [`Grants::prune`]).
    pub fn from_list(grants: Vec<Grant>) -> Grants {
        Grants { grants }
    }

    /// Keeps the grant `auth`'s decision asked for. `Ok(None)` when it asked for none or for
    /// `Once`; `approval.not_grantable` for a kind that is never granted.
    pub fn add(&mut self, auth: &Authorized, now: i64) -> Result<Option<&Grant>, ApprovalError> {
        let Some(spec) = auth.grant() else {
            return Ok(None);
        };
        spec.check(auth.kind())?;
        let expires_at = match spec.scope {
            Scope::Once => return Ok(None),
            Scope::ForMinutes(m) => Some(now.saturating_add(i64::from(m) * 60)),
            Scope::UntilLock => None,
        };
        let Kind::MintJwt { template } = auth.kind() else {
            return Err(ApprovalError::NotGrantable {
                kind: auth.kind().name().into(),
            });
        };
        self.grants.push(Grant {
            id: keyward_crypto::random_id(8),
            app: auth.app().clone(),
            origin: auth.origin().map(str::to_owned),
            key_id: auth.key_id().to_owned(),
            template: template.clone(),
            scope: spec.scope,
            created_at: now,
            expires_at,
        });
        Ok(self.grants.last())
    }

    /// The grants alive at `now`.
    pub fn list(&self, now: i64) -> Vec<&Grant> {
        self.grants.iter().filter(|g| g.live(now)).collect()
    }

    /// Removes grant `id`; whether it existed.
    pub fn revoke(&mut self, id: &str) -> bool {
        let before = self.grants.len();
        self.grants.retain(|g| g.id != id);
        self.grants.len() != before
    }

    /// The vault locked: drops every `UntilLock` grant.
    pub fn lock(&mut self) {
        self.grants.retain(|g| g.scope != Scope::UntilLock);
    }

    /// Drops the grants dead at `now`.
    pub fn prune(&mut self, now: i64) {
        self.grants.retain(|g| g.live(now));
    }

    /// The first live grant covering `req` at `now`.
    pub fn find(&self, req: &Request, now: i64) -> Option<&Grant> {
        self.grants.iter().find(|g| g.covers(req, now))
    }

    /// Clears `req` for signing without a prompt, if a live grant covers it at `now`, the
    /// request has not expired and the key's `policy` still allows it.
    pub fn authorize(
        &self,
        req: &Request,
        policy: &UsagePolicy,
        now: i64,
    ) -> Result<Authorized, ApprovalError> {
        if !req.kind.grantable() {
            return Err(ApprovalError::NotGrantable {
                kind: req.kind.name().into(),
            });
        }
        if let Some(reason) = crate::risk::forbidden_reason(req, policy) {
            return Err(ApprovalError::Forbidden { reason });
        }
        if req.expired(now) {
            return Err(ApprovalError::Expired {
                expired_at: req.expires_at,
                now,
            });
        }
        let g = self.find(req, now).ok_or(ApprovalError::NoGrant)?;
        Ok(Authorized::new(
            req,
            render(req).hash().to_owned(),
            None,
            Some(g.id.clone()),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::{authorize, Decision};
    use crate::decode::tests::template;
    use crate::request::tests::req;
    use keyward_crypto::sign::{JwsAlg, Scheme, Usage};
    use keyward_crypto::{Coded, KeyAlg};

    const NOW: i64 = 1_000;

    fn jwt() -> Request {
        req(
            Kind::MintJwt {
                template: template(),
            },
            b"",
        )
    }

    fn policy() -> UsagePolicy {
        UsagePolicy::default_for(KeyAlg::P256)
    }

    /// Approves `r` with `scope` and keeps the grant; returns its id.
    fn grant(grants: &mut Grants, r: &Request, scope: Scope) -> Option<String> {
        let shown = render(r);
        let d = Decision::approve(r, &shown, Some(GrantSpec { scope }), NOW);
        let a = authorize(r, &shown, &d, NOW).unwrap();
        grants.add(&a, NOW).unwrap().map(|g| g.id.clone())
    }

    #[test]
    fn a_grant_answers_a_matching_request_without_a_prompt() {
        let mut g = Grants::new();
        let id = grant(&mut g, &jwt(), Scope::ForMinutes(1)).unwrap();
        // A later request: new id, new times, same content.
        let mut later = jwt();
        later.created_at = NOW + 30;
        later.expires_at = NOW + 90;
        let a = g.authorize(&later, &policy(), NOW + 30).unwrap();
        assert_eq!(a.granted_by(), Some(id.as_str()));
        assert_eq!(a.request_id(), later.id);
        assert_eq!(a.jwt_claims(NOW + 30).unwrap()["exp"], NOW + 90);
        assert_eq!(g.find(&later, NOW + 30).unwrap().id, id);
        // A shorter lifetime is covered too.
        let mut shorter = later.clone();
        if let Kind::MintJwt { template } = &mut shorter.kind {
            template.exp_secs = 15;
        }
        assert!(g.find(&shorter, NOW + 30).is_some());
        // Listed.
        let listed = g.list(NOW);
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].expires_at, Some(NOW + 60));
        assert_eq!(
            serde_json::to_value(listed[0]).unwrap()["scope"]["scope"],
            "for_minutes"
        );
    }

    #[test]
    fn a_grant_matches_nothing_else() {
        let mut g = Grants::new();
        grant(&mut g, &jwt(), Scope::UntilLock).unwrap();
        let base = jwt();
        assert!(g.find(&base, NOW).is_some());

        let with = |f: &dyn Fn(&mut Request)| {
            let mut r = base.clone();
            f(&mut r);
            r
        };
        let tmpl = |f: &dyn Fn(&mut JwtTemplate)| {
            with(&|r: &mut Request| {
                if let Kind::MintJwt { template } = &mut r.kind {
                    f(template)
                }
            })
        };
        let misses = [
            ("key", with(&|r| r.key_id = "key-2".into())),
            ("app name", with(&|r| r.app.name = "other".into())),
            ("app exe", with(&|r| r.app.exe = Some("/tmp/dapp".into()))),
            (
                "origin",
                with(&|r| r.origin = Some("https://evil.example".into())),
            ),
            ("payload", with(&|r| r.payload = b"x".to_vec())),
            ("alg", tmpl(&|t| t.alg = JwsAlg::ES384)),
            (
                "aud",
                tmpl(&|t| t.aud = vec!["https://other.example".into()]),
            ),
            (
                "aud added",
                tmpl(&|t| t.aud.push("https://other.example".into())),
            ),
            ("sub", tmpl(&|t| t.sub = Some("admin".into()))),
            ("no sub", tmpl(&|t| t.sub = None)),
            (
                "claim value",
                tmpl(&|t| {
                    t.claims.insert("scope".into(), "admin".into());
                }),
            ),
            (
                "claim added",
                tmpl(&|t| {
                    t.claims.insert("role".into(), "admin".into());
                }),
            ),
            (
                "claim removed",
                tmpl(&|t| {
                    t.claims.remove("scope");
                }),
            ),
            ("longer exp", tmpl(&|t| t.exp_secs = 61)),
            (
                "kind",
                with(&|r| {
                    r.kind = Kind::SignMessage {
                        scheme: Scheme::Raw,
                    }
                }),
            ),
        ];
        for (what, r) in misses {
            assert!(g.find(&r, NOW).is_none(), "{what} should not match");
            assert!(g.authorize(&r, &policy(), NOW).is_err(), "{what}");
        }
        // A pid change is the same app.
        assert!(g.find(&with(&|r| r.app.pid = Some(1)), NOW).is_some());
    }

    #[test]
    fn for_minutes_ends_on_the_clock() {
        let mut g = Grants::new();
        grant(&mut g, &jwt(), Scope::ForMinutes(1)).unwrap();
        let mut r = jwt();
        r.expires_at = NOW + 1_000;
        assert!(g.authorize(&r, &policy(), NOW + 59).is_ok());
        let e = g.authorize(&r, &policy(), NOW + 60).unwrap_err();
        assert_eq!(e, ApprovalError::NoGrant);
        assert_eq!(e.code(), "approval.no_grant");
        assert!(g.list(NOW + 60).is_empty());
        assert_eq!(g.list(NOW + 59).len(), 1);
        g.prune(NOW + 60);
        assert!(g.list(NOW).is_empty());
    }

    #[test]
    fn lock_drops_until_lock_only() {
        let mut g = Grants::new();
        grant(&mut g, &jwt(), Scope::UntilLock).unwrap();
        let mut other = jwt();
        other.key_id = "key-2".into();
        grant(&mut g, &other, Scope::ForMinutes(10)).unwrap();
        assert_eq!(g.list(NOW).len(), 2);
        g.lock();
        let left = g.list(NOW);
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].key_id, "key-2");
        assert!(g.find(&jwt(), NOW).is_none());
    }

    #[test]
    fn revoke() {
        let mut g = Grants::new();
        let id = grant(&mut g, &jwt(), Scope::UntilLock).unwrap();
        assert!(g.revoke(&id));
        assert!(!g.revoke(&id));
        assert_eq!(
            g.authorize(&jwt(), &policy(), NOW).unwrap_err(),
            ApprovalError::NoGrant
        );
    }

    #[test]
    fn once_stores_nothing() {
        let mut g = Grants::new();
        assert_eq!(grant(&mut g, &jwt(), Scope::Once), None);
        assert!(g.list(NOW).is_empty());
        // Nor does a decision without a grant.
        let r = jwt();
        let shown = render(&r);
        let a = authorize(&r, &shown, &Decision::approve(&r, &shown, None, NOW), NOW).unwrap();
        assert!(g.add(&a, NOW).unwrap().is_none());
    }

    #[test]
    fn blind_kinds_are_never_grantable() {
        let siwe = req(Kind::SiweLogin, b"x");
        let blind = [
            req(
                Kind::SignDigest {
                    scheme: Scheme::Raw,
                },
                &[1; 32],
            ),
            req(
                Kind::SignDigest {
                    scheme: Scheme::Eos,
                },
                &[1; 32],
            ),
            req(
                Kind::SignMessage {
                    scheme: Scheme::Raw,
                },
                b"m",
            ),
            req(
                Kind::SignMessage {
                    scheme: Scheme::Eip191,
                },
                b"m",
            ),
            req(
                Kind::SignMessage {
                    scheme: Scheme::Bsm,
                },
                b"m",
            ),
            req(
                Kind::SignMessage {
                    scheme: Scheme::Eos,
                },
                b"m",
            ),
            req(
                Kind::SignMessage {
                    scheme: Scheme::Ed25519,
                },
                b"m",
            ),
            siwe,
        ];
        for r in blind {
            for scope in [Scope::ForMinutes(1), Scope::UntilLock] {
                let e = GrantSpec { scope }.check(&r.kind).unwrap_err();
                assert_eq!(e.code(), "approval.not_grantable", "{:?}", r.kind);
                let shown = render(&r);
                let d = Decision::approve(&r, &shown, Some(GrantSpec { scope }), NOW);
                assert_eq!(
                    authorize(&r, &shown, &d, NOW).unwrap_err().code(),
                    "approval.not_grantable"
                );
            }
            assert_eq!(
                Grants::new()
                    .authorize(&r, &policy(), NOW)
                    .unwrap_err()
                    .code(),
                "approval.not_grantable"
            );
        }
    }

    #[test]
    fn a_grant_does_not_outlive_the_policy_or_the_request() {
        let mut g = Grants::new();
        grant(&mut g, &jwt(), Scope::UntilLock).unwrap();
        let no_jwt = UsagePolicy(vec![Usage::Raw]);
        assert_eq!(
            g.authorize(&jwt(), &no_jwt, NOW).unwrap_err().code(),
            "approval.forbidden"
        );
        let r = jwt();
        assert_eq!(
            g.authorize(&r, &policy(), r.expires_at).unwrap_err().code(),
            "approval.expired"
        );
    }
}

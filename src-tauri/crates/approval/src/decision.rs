//! The user's decision, and the only way from a decision to bytes that may be signed.
//!
//! [`authorize`] is the seam between "the user approved something" and "the signer signs
//! something". It re-renders the request with [`render`] and releases an [`Authorized`] only
//! when the decision approves, names this request, carries the hash of exactly this
//! rendering (kind, key, payload bytes, text), any grant it asks for is allowed for the kind,
//! and the request has not expired at `now` — which the caller takes right before signing, so
//! a request that died while the prompt was open is not signed.
//!
//! [`Authorized`] (in [`crate::authorized`], re-exported here) has no public constructor, no
//! `Deserialize` and no setters: a signer that takes its bytes from an `Authorized` can sign
//! nothing but a payload whose rendering the user approved (or a live grant covers, see
//! [`crate::grant::Grants::authorize`]).

use serde::{Deserialize, Serialize};

pub use crate::authorized::Authorized;
use crate::authorized::GrantSpec;
use crate::decode::{render, Rendered};
use crate::error::ApprovalError;
use crate::request::Request;

/// What the prompt sends back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// The request answered.
    pub request_id: String,
    /// Approve or deny.
    pub approved: bool,
    /// [`Rendered::hash`] of what the prompt showed.
    pub rendered_hash: String,
    /// A grant to keep, when the user chose one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant: Option<GrantSpec>,
    /// Unix seconds.
    pub decided_at: i64,
}

impl Decision {
    /// Approval of `req` as `rendered` showed it.
    pub fn approve(
        req: &Request,
        rendered: &Rendered,
        grant: Option<GrantSpec>,
        now: i64,
    ) -> Decision {
        Decision {
            request_id: req.id.clone(),
            approved: true,
            rendered_hash: rendered.hash().to_owned(),
            grant,
            decided_at: now,
        }
    }

    /// Denial of `req`.
    pub fn deny(req: &Request, rendered: &Rendered, now: i64) -> Decision {
        Decision {
            request_id: req.id.clone(),
            approved: false,
            rendered_hash: rendered.hash().to_owned(),
            grant: None,
            decided_at: now,
        }
    }
}

/// Clears `req` for signing under `decision`, at `now` (take it right before signing).
///
/// Refuses, in this order: a decision for another request (`approval.request_mismatch`), a
/// denial (`approval.denied`), a hash that is not the hash of `req` rendered now, or a
/// `rendered` that is not `req`'s (`approval.payload_mismatch`), a grant the kind may not
/// have (`approval.not_grantable`), an expired request (`approval.expired`).
pub fn authorize(
    req: &Request,
    rendered: &Rendered,
    decision: &Decision,
    now: i64,
) -> Result<Authorized, ApprovalError> {
    if decision.request_id != req.id {
        return Err(ApprovalError::RequestMismatch {
            request: req.id.clone(),
            decision: decision.request_id.clone(),
        });
    }
    if !decision.approved {
        return Err(ApprovalError::Denied);
    }
    // Re-render rather than trust `rendered`: the hash must describe the bytes in `req`.
    let fresh = render(req);
    if fresh.hash() != rendered.hash() || decision.rendered_hash != fresh.hash() {
        return Err(ApprovalError::PayloadMismatch);
    }
    if let Some(g) = &decision.grant {
        g.check(&req.kind)?;
    }
    if req.expired(now) {
        return Err(ApprovalError::Expired {
            expired_at: req.expires_at,
            now,
        });
    }
    Ok(Authorized::new(
        req,
        fresh.hash().to_owned(),
        decision.grant.clone(),
        None,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authorized::Scope;
    use crate::request::tests::req;
    use crate::request::Kind;
    use keyward_crypto::sign::Scheme;
    use keyward_crypto::Coded;
    use serde_json::Value;

    fn shown() -> (Request, Rendered) {
        let r = req(
            Kind::SignMessage {
                scheme: Scheme::Eip191,
            },
            b"Log in to Example, nonce 1234",
        );
        let shown = render(&r);
        (r, shown)
    }

    #[test]
    fn approved_request_yields_exactly_the_shown_bytes() {
        let (r, shown) = shown();
        let d = Decision::approve(&r, &shown, None, 1_010);
        let a = authorize(&r, &shown, &d, 1_020).unwrap();
        assert_eq!(a.payload(), b"Log in to Example, nonce 1234");
        assert_eq!(a.key_id(), "key-1");
        assert_eq!(a.request_id(), r.id);
        assert_eq!(a.rendered_hash(), shown.hash());
        assert_eq!(a.kind(), &r.kind);
        assert_eq!(a.app(), &r.app);
        assert_eq!(a.origin(), Some("https://app.example.com"));
        assert!(a.granted_by().is_none());
        assert!(a.jwt_claims(0).is_none());
        // Decisions travel as JSON.
        let back: Decision = serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap();
        assert_eq!(back, d);
    }

    #[test]
    fn a_payload_other_than_the_shown_one_cannot_be_authorized() {
        let (r, shown) = shown();
        let d = Decision::approve(&r, &shown, None, 1_010);

        // The request's bytes swapped after the prompt, same id: the decision does not cover them.
        let mut swapped = r.clone();
        swapped.payload = b"Transfer all funds to 0xevil".to_vec();
        let e = authorize(&swapped, &shown, &d, 1_020).unwrap_err();
        assert_eq!(e, ApprovalError::PayloadMismatch);
        assert_eq!(e.code(), "approval.payload_mismatch");
        // Nor with the swapped request's own rendering passed alongside.
        let e = authorize(&swapped, &render(&swapped), &d, 1_020).unwrap_err();
        assert_eq!(e, ApprovalError::PayloadMismatch);
        // One byte differs.
        let mut one = r.clone();
        one.payload[0] ^= 1;
        assert_eq!(
            authorize(&one, &render(&one), &d, 1_020).unwrap_err(),
            ApprovalError::PayloadMismatch
        );
        // Another key or scheme, same bytes.
        let mut key = r.clone();
        key.key_id = "key-2".into();
        assert_eq!(
            authorize(&key, &render(&key), &d, 1_020).unwrap_err(),
            ApprovalError::PayloadMismatch
        );
        let mut scheme = r.clone();
        scheme.kind = Kind::SignMessage {
            scheme: Scheme::Bsm,
        };
        assert_eq!(
            authorize(&scheme, &render(&scheme), &d, 1_020).unwrap_err(),
            ApprovalError::PayloadMismatch
        );
        // A forged hash.
        let forged = Decision {
            rendered_hash: "00".repeat(32),
            ..d.clone()
        };
        assert_eq!(
            authorize(&r, &shown, &forged, 1_020).unwrap_err(),
            ApprovalError::PayloadMismatch
        );
        // A decision for another request.
        let mut other = r.clone();
        other.id = "another".into();
        assert_eq!(
            authorize(&other, &shown, &d, 1_020).unwrap_err().code(),
            "approval.request_mismatch"
        );
    }

    #[test]
    fn expiry_is_checked_again_at_signing() {
        let (r, shown) = shown();
        let d = Decision::approve(&r, &shown, None, 1_010);
        assert!(authorize(&r, &shown, &d, r.expires_at - 1).is_ok());
        let e = authorize(&r, &shown, &d, r.expires_at).unwrap_err();
        assert_eq!(
            e,
            ApprovalError::Expired {
                expired_at: r.expires_at,
                now: r.expires_at
            }
        );
        assert_eq!(e.code(), "approval.expired");
    }

    #[test]
    fn denied_is_refused() {
        let (r, shown) = shown();
        let d = Decision::deny(&r, &shown, 1_010);
        let e = authorize(&r, &shown, &d, 1_020).unwrap_err();
        assert_eq!(e, ApprovalError::Denied);
        assert_eq!(e.code(), "approval.denied");
    }

    #[test]
    fn a_decision_may_not_grant_a_blind_kind() {
        let (r, shown) = shown();
        let d = Decision::approve(
            &r,
            &shown,
            Some(GrantSpec {
                scope: Scope::ForMinutes(5),
            }),
            1_010,
        );
        assert_eq!(
            authorize(&r, &shown, &d, 1_020).unwrap_err().code(),
            "approval.not_grantable"
        );
        // "Once" is just this approval.
        let once = Decision {
            grant: Some(GrantSpec { scope: Scope::Once }),
            ..d
        };
        assert!(authorize(&r, &shown, &once, 1_020).is_ok());
    }

    #[test]
    fn jwt_claims_are_stamped_at_signing() {
        let mut t = crate::decode::tests::template();
        t.claims.insert("exp".into(), Value::from(1));
        let r = req(Kind::MintJwt { template: t }, b"");
        let shown = render(&r);
        let a = authorize(
            &r,
            &shown,
            &Decision::approve(&r, &shown, None, 1_001),
            1_002,
        )
        .unwrap();
        let c = a.jwt_claims(1_005).unwrap();
        assert_eq!(c["iat"], 1_005);
        assert_eq!(c["exp"], 1_065);
        assert_eq!(c["aud"], "https://api.example.com");
        assert_eq!(c["sub"], "user-1");
        assert_eq!(c["scope"], "read");
        assert!(a.payload().is_empty());
    }
}

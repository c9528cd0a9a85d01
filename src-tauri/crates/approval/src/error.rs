//! The crate's one error enum. Every variant has a stable dotted code and a one-line hint
//! (see [`Coded`]); messages never quote the payload.

use keyward_crypto::Coded;
use thiserror::Error;

/// Why a request was not (or may not be) signed, or a grant not made.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ApprovalError {
    /// The user refused the request.
    #[error("the request was denied")]
    Denied,
    /// The request's deadline passed (when the prompt opened, or right before signing).
    #[error("the request expired at {expired_at} (unix seconds); it is now {now}")]
    Expired {
        /// The request's `expires_at`.
        expired_at: i64,
        /// The time it was checked.
        now: i64,
    },
    /// The decision was made for other bytes than the request now holds.
    #[error("the decision was made for a different payload than the one to sign")]
    PayloadMismatch,
    /// The decision answers another request.
    #[error("the decision answers request {decision}, not request {request}")]
    RequestMismatch {
        /// The request's id.
        request: String,
        /// The id the decision names.
        decision: String,
    },
    /// A grant was asked for a kind that is never granted.
    #[error("requests of kind {kind} are never granted; each one must be approved")]
    NotGrantable {
        /// The request's kind (`sign_message`, `siwe_login`, …).
        kind: String,
    },
    /// The key's usage policy, or the key itself, rules the request out.
    #[error("the request is forbidden: {reason}")]
    Forbidden {
        /// The message of the verdict that forbids it.
        reason: String,
    },
    /// No live grant covers the request.
    #[error("no live grant covers this request")]
    NoGrant,
}

impl Coded for ApprovalError {
    fn code(&self) -> &str {
        match self {
            ApprovalError::Denied => "approval.denied",
            ApprovalError::Expired { .. } => "approval.expired",
            ApprovalError::PayloadMismatch => "approval.payload_mismatch",
            ApprovalError::RequestMismatch { .. } => "approval.request_mismatch",
            ApprovalError::NotGrantable { .. } => "approval.not_grantable",
            ApprovalError::Forbidden { .. } => "approval.forbidden",
            ApprovalError::NoGrant => "approval.no_grant",
        }
    }

    fn hint(&self) -> String {
        match self {
            ApprovalError::Denied => "The user refused; ask again only if they expect it.".into(),
            ApprovalError::Expired { .. } => {
                "Send a new request with a longer expiry; nothing was signed.".into()
            }
            ApprovalError::PayloadMismatch => {
                "Nothing was signed: the bytes differ from what the user saw. Send the request again and let the user approve what it holds.".into()
            }
            ApprovalError::RequestMismatch { .. } => {
                "Answer each prompt with the decision made for it.".into()
            }
            ApprovalError::NotGrantable { .. } => {
                "Approve this request once; only JWTs with a fixed audience and claim template can be granted for a while.".into()
            }
            ApprovalError::Forbidden { .. } => {
                "Change the key's usage policy in Keys if this use is intended, or pick another key.".into()
            }
            ApprovalError::NoGrant => "Ask the user to approve the request.".into(),
        }
    }
}

/// Why a call to the loopback endpoint (or its answer) was refused; see [`crate::auth`].
/// Messages never quote headers, MACs or tokens.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AuthError {
    /// The request's MAC does not match its nonce, method, path, body and token.
    #[error("the request's MAC does not verify")]
    BadMac,
    /// The server nonce was already spent by an earlier request.
    #[error("the request's nonce was already used")]
    Replay,
    /// The server nonce was never issued here (or was evicted).
    #[error("the request's nonce is unknown")]
    UnknownNonce,
    /// The server nonce outlived its time to live before it was used.
    #[error("the request's nonce expired")]
    ExpiredNonce,
    /// The `Host` header does not name this loopback endpoint.
    #[error("the Host header does not name this endpoint")]
    ForeignHost,
    /// A browser `Origin` other than the paired one (or `null`).
    #[error("the Origin is not the paired one")]
    ForeignOrigin,
    /// The response is not signed by the pinned endpoint key.
    #[error("the response is not signed by Keyward's endpoint key")]
    BadResponseSignature,
    /// The app is not paired (no token hash on record).
    #[error("the app is not paired")]
    Unpaired,
}

impl Coded for AuthError {
    fn code(&self) -> &str {
        match self {
            AuthError::BadMac => "endpoint.bad_mac",
            AuthError::Replay => "endpoint.replay",
            AuthError::UnknownNonce => "endpoint.unknown_nonce",
            AuthError::ExpiredNonce => "endpoint.expired_nonce",
            AuthError::ForeignHost => "endpoint.foreign_host",
            AuthError::ForeignOrigin => "endpoint.foreign_origin",
            AuthError::BadResponseSignature => "endpoint.bad_response_signature",
            AuthError::Unpaired => "endpoint.unpaired",
        }
    }

    fn hint(&self) -> String {
        match self {
            AuthError::BadMac => {
                "Compute the MAC with the token from pairing over this exact nonce, method, path and body.".into()
            }
            AuthError::Replay => {
                "Each nonce is good for one request; fetch a fresh nonce and sign the request again.".into()
            }
            AuthError::UnknownNonce => {
                "Fetch a fresh nonce from this endpoint and sign the request with it.".into()
            }
            AuthError::ExpiredNonce => {
                "Fetch a fresh nonce and send the request right away.".into()
            }
            AuthError::ForeignHost => {
                "Call the endpoint as 127.0.0.1, localhost or [::1] with its port.".into()
            }
            AuthError::ForeignOrigin => {
                "Call the endpoint from the origin that was paired, or pair this origin.".into()
            }
            AuthError::BadResponseSignature => {
                "Do not trust this answer: something other than Keyward may hold the port. Check which program listens on it.".into()
            }
            AuthError::Unpaired => "Pair the app with Keyward first.".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_has_a_code_and_hint() {
        let all = [
            ApprovalError::Denied,
            ApprovalError::Expired {
                expired_at: 1,
                now: 2,
            },
            ApprovalError::PayloadMismatch,
            ApprovalError::RequestMismatch {
                request: "a".into(),
                decision: "b".into(),
            },
            ApprovalError::NotGrantable {
                kind: "siwe_login".into(),
            },
            ApprovalError::Forbidden { reason: "x".into() },
            ApprovalError::NoGrant,
        ];
        let mut codes: Vec<&str> = all.iter().map(|e| e.code()).collect();
        for e in &all {
            assert!(e.code().starts_with("approval."));
            assert!(!e.hint().is_empty());
            assert!(!e.to_string().is_empty());
        }
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
    }
}

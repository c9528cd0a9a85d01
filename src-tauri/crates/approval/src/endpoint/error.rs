//! Why the endpoint refused or failed a call: every variant has a stable code, a hint and
//! an HTTP status. Messages never quote payloads, MACs or tokens.

use keyward_crypto::{Coded, CryptoError};
use keyward_vault::VaultError;
use thiserror::Error;

use super::wire::ErrorBody;
use crate::auth::AuthError;
use crate::error::ApprovalError;

/// An error of the endpoint, the broker or the client.
#[derive(Debug, Error)]
pub enum EndpointError {
    /// Authentication, Host or Origin.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// The approval model refused.
    #[error(transparent)]
    Approval(#[from] ApprovalError),
    /// The vault failed or refused.
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// Signing failed.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// A deep link was refused.
    #[error(transparent)]
    Link(#[from] super::link::LinkError),
    /// The request is malformed.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The body is over the limit.
    #[error("the body is over {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// No such route, request or pairing.
    #[error("{0} not found")]
    NotFound(String),
    /// The app has too many requests waiting.
    #[error("the app already has {limit} requests waiting for the user")]
    TooManyPending {
        /// The limit.
        limit: usize,
    },
    /// Pairing prompts are paused.
    #[error("pairing is paused for {secs} s")]
    PairCooldown {
        /// Seconds to wait.
        secs: i64,
    },
    /// The user refused the pairing.
    #[error("the user refused to pair this app")]
    PairDenied,
    /// Nobody answered the pairing prompt in time.
    #[error("the pairing prompt expired")]
    PairExpired,
    /// The app was paired before tokens were derived from the sealed MAC secret: its
    /// pairing no longer authenticates.
    #[error("this app was paired by an older Keyward and must pair again")]
    PairingOutdated,
    /// The pairing does not cover the key.
    #[error("this app is not allowed to use key {0}")]
    KeyNotAllowed(String),
    /// The requester gave up (its connection closed) before a decision.
    #[error("the requester withdrew the request")]
    Withdrawn,
    /// A Unix socket peer of another user.
    #[error("the socket peer runs as another user (uid {0})")]
    PeerRejected(u32),
    /// The endpoint could not start or is not running.
    #[error("the endpoint is unavailable: {0}")]
    Unavailable(String),
    /// An HTTP or protocol failure on the client side.
    #[error("{0}")]
    Client(String),
    /// An approval within a second of its prompt appearing.
    #[error("the prompt appeared less than a second ago")]
    TooSoon,
    /// The endpoint answered with an error.
    #[error("{}", .0.message)]
    Remote(ErrorBody),
}

impl EndpointError {
    /// Whether this is the user's own answer to a prompt that was shown (a denial, or the
    /// prompt left to expire or withdrawn): nothing to notify about.
    pub fn is_users_answer(&self) -> bool {
        matches!(
            self,
            EndpointError::Approval(
                crate::ApprovalError::Denied | crate::ApprovalError::Expired { .. }
            ) | EndpointError::Withdrawn
        )
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            EndpointError::Auth(a) => match a {
                AuthError::ForeignHost | AuthError::ForeignOrigin => 403,
                _ => 401,
            },
            EndpointError::Approval(a) => match a {
                ApprovalError::Expired { .. } => 408,
                ApprovalError::PayloadMismatch | ApprovalError::RequestMismatch { .. } => 409,
                ApprovalError::NotGrantable { .. } => 400,
                _ => 403,
            },
            EndpointError::Vault(v) => match v.code() {
                c if c.ends_with("not_found") => 404,
                c if c.starts_with("key.") || c == "vault.usage" => 400,
                _ => 500,
            },
            EndpointError::Crypto(_) => 400,
            EndpointError::Link(l) => match l {
                super::link::LinkError::RateLimited { .. } => 429,
                super::link::LinkError::Delivery(_) => 502,
                _ => 400,
            },
            EndpointError::BadRequest(_) => 400,
            EndpointError::TooLarge { .. } => 413,
            EndpointError::NotFound(_) => 404,
            EndpointError::TooManyPending { .. } | EndpointError::PairCooldown { .. } => 429,
            EndpointError::PairDenied | EndpointError::KeyNotAllowed(_) => 403,
            EndpointError::PairExpired => 408,
            EndpointError::PairingOutdated => 401,
            EndpointError::Withdrawn => 499,
            EndpointError::PeerRejected(_) => 403,
            EndpointError::Unavailable(_) => 503,
            EndpointError::Client(_) => 502,
            EndpointError::TooSoon => 409,
            EndpointError::Remote(_) => 502,
        }
    }

    /// The JSON error body.
    pub fn body(&self) -> ErrorBody {
        match self {
            EndpointError::Remote(b) => b.clone(),
            _ => ErrorBody::of(self),
        }
    }
}

impl Coded for EndpointError {
    fn code(&self) -> &str {
        match self {
            EndpointError::Auth(a) => a.code(),
            EndpointError::Approval(a) => a.code(),
            EndpointError::Vault(v) => v.code(),
            EndpointError::Crypto(c) => c.code(),
            EndpointError::Link(l) => l.code(),
            EndpointError::BadRequest(_) => "endpoint.bad_request",
            EndpointError::TooLarge { .. } => "endpoint.too_large",
            EndpointError::NotFound(_) => "endpoint.not_found",
            EndpointError::TooManyPending { .. } => "endpoint.too_many_pending",
            EndpointError::PairCooldown { .. } => "endpoint.pair_cooldown",
            EndpointError::PairDenied => "endpoint.pair_denied",
            EndpointError::PairExpired => "endpoint.pair_expired",
            EndpointError::PairingOutdated => "endpoint.pairing_outdated",
            EndpointError::KeyNotAllowed(_) => "endpoint.key_not_allowed",
            EndpointError::Withdrawn => "approval.withdrawn",
            EndpointError::PeerRejected(_) => "endpoint.peer_rejected",
            EndpointError::Unavailable(_) => "endpoint.unavailable",
            EndpointError::Client(_) => "endpoint.client",
            EndpointError::TooSoon => "approval.too_soon",
            EndpointError::Remote(b) => &b.code,
        }
    }

    fn hint(&self) -> String {
        match self {
            EndpointError::Auth(a) => a.hint(),
            EndpointError::Approval(a) => a.hint(),
            EndpointError::Vault(v) => v.hint(),
            EndpointError::Crypto(c) => c.hint(),
            EndpointError::Link(l) => l.hint(),
            EndpointError::BadRequest(_) => {
                "Send JSON as the endpoint API describes (README, \"Endpoint API\").".into()
            }
            EndpointError::TooLarge { .. } => "Send a smaller body.".into(),
            EndpointError::NotFound(_) => {
                "Check the path; a request or pairing that ended is gone.".into()
            }
            EndpointError::TooManyPending { .. } => {
                "Wait for the user to answer the requests already waiting.".into()
            }
            EndpointError::PairCooldown { .. } => {
                "Wait, then ask again; pairing pauses after a refusal and while a prompt is open."
                    .into()
            }
            EndpointError::PairDenied => "The user said no; do not ask again right away.".into(),
            EndpointError::PairExpired => {
                "Ask to pair again while the user is at the screen.".into()
            }
            EndpointError::PairingOutdated => {
                "Pair the app again (POST /v1/pair, or keyward-cli endpoint pair); its old token no longer works.".into()
            }
            EndpointError::KeyNotAllowed(_) => {
                "Use a key the pairing allows, or pair again asking for this key.".into()
            }
            EndpointError::Withdrawn => "Send the request again and wait for the answer.".into(),
            EndpointError::PeerRejected(_) => {
                "Call the endpoint as the user Keyward runs as.".into()
            }
            EndpointError::Unavailable(_) => {
                "Start Keyward (the app, or keyward-cli endpoint serve) and try again.".into()
            }
            EndpointError::TooSoon => "Read the prompt, then answer again.".into(),
            EndpointError::Client(_) => {
                "Check that Keyward's endpoint runs at that address.".into()
            }
            EndpointError::Remote(b) => b.hint.clone(),
        }
    }
}

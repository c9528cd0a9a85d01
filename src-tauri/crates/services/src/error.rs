//! Errors of service calls. Messages name the service and the status, never a credential.

use keyward_crypto::Coded;
use keyward_vault::VaultError;
use thiserror::Error;

pub type Result<T, E = ServiceError> = std::result::Result<T, E>;

#[derive(Debug, Error)]
pub enum ServiceError {
    #[error("cannot reach {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("{url} did not answer within {secs} s")]
    Timeout { url: String, secs: u64 },
    #[error("the service answered {status}: {message}")]
    Status {
        status: u16,
        /// The service's own error code, when it sent one.
        code: Option<String>,
        message: String,
    },
    #[error("this computer's clock is {offset_secs} s {} the service's (from its Date header)", if *.offset_secs > 0 { "behind" } else { "ahead of" })]
    ClockSkew {
        /// Service time minus local time, in seconds.
        offset_secs: i64,
    },
    #[error("the service's answer is not what was expected: {0}")]
    BadResponse(String),
    #[error("the service does not offer {0}")]
    NotSupported(String),
    #[error("invalid profile setting: {0}")]
    BadProfile(String),
    #[error("the response is not signed by the pinned key: {0}")]
    ResponseSignature(String),
    #[error("the service lists no {noun} {id}")]
    NoSuchRemoteKey { noun: &'static str, id: String },
    #[error("a {kind} profile has no {what}")]
    KindCannot { kind: String, what: &'static str },
    #[error(transparent)]
    Vault(#[from] VaultError),
}

impl From<keyward_crypto::CryptoError> for ServiceError {
    fn from(e: keyward_crypto::CryptoError) -> Self {
        ServiceError::Vault(VaultError::Crypto(e))
    }
}

impl Coded for ServiceError {
    fn code(&self) -> &str {
        match self {
            ServiceError::Unreachable { .. } => "service.unreachable",
            ServiceError::Timeout { .. } => "service.timeout",
            ServiceError::Status { status: 401, .. } => "service.unauthorized",
            ServiceError::Status { .. } => "service.error",
            ServiceError::ClockSkew { .. } => "clock.skew",
            ServiceError::BadResponse(_) => "service.bad_response",
            ServiceError::NotSupported(_) => "service.not_supported",
            ServiceError::BadProfile(_) => "service.bad_profile",
            ServiceError::ResponseSignature(_) => "service.bad_response_signature",
            ServiceError::NoSuchRemoteKey { .. } => "service.no_such_key",
            ServiceError::KindCannot { .. } => "service.not_for_kind",
            ServiceError::Vault(e) => e.code(),
        }
    }

    fn hint(&self) -> String {
        match self {
            ServiceError::Unreachable { .. } => "Check the profile's URL (keyward-cli service show NAME) and that the service runs.".into(),
            ServiceError::Timeout { .. } => "The service is slow or unreachable; try again, or check the URL.".into(),
            ServiceError::Status { status: 401, .. } => "The service refused the credentials: is the key registered (engine keypair list), the token fresh, the admin token valid?".into(),
            ServiceError::Status { .. } => "See the service's message above.".into(),
            ServiceError::ClockSkew { .. } => "Set this computer's clock right (enable NTP: timedatectl set-ntp true); short-lived tokens fail when clocks disagree.".into(),
            ServiceError::BadResponse(_) => "Is the profile's URL the service's API root? Check keyward-cli service show NAME.".into(),
            ServiceError::NotSupported(_) => "Enable the feature on the service (for Engine keypair auth: ENABLE_KEYPAIR_AUTH=true).".into(),
            ServiceError::BadProfile(_) => "Fix the profile with keyward-cli service add/remove.".into(),
            ServiceError::ResponseSignature(_) => "Do not trust this answer: something between you and the service changed it, or the pinned key is out of date.".into(),
            ServiceError::NoSuchRemoteKey { .. } => "List the service's keys (keyward-cli service key list --service NAME) and use an id from there.".into(),
            ServiceError::KindCannot { .. } => "See what this kind of profile offers: keyward-cli service show NAME.".into(),
            ServiceError::Vault(e) => e.hint(),
        }
    }
}

impl From<&ServiceError> for keyward_vault::ErrorBody {
    fn from(e: &ServiceError) -> Self {
        match e {
            ServiceError::Vault(v) => keyward_vault::ErrorBody::from(v),
            other => keyward_vault::ErrorBody {
                code: other.code().to_string(),
                message: other.to_string(),
                hint: other.hint(),
                candidates: None,
            },
        }
    }
}

//! The one error every command returns, and what it prints as.

use std::process::ExitCode;

use keyward_approval::endpoint::EndpointError;
use keyward_crypto::{Coded, CryptoError};
use keyward_services::ServiceError;
use keyward_vault::{ErrorBody, VaultError};

pub type Result<T, E = CliError> = std::result::Result<T, E>;

/// Why a command failed: the library error it came from, kept as it is. [`CliError::body`]
/// is what `Out::error` prints; its code picks the exit status (`exit.rs`).
#[derive(Debug)]
pub enum CliError {
    /// The vault, its keys, the agent, the keychain, the cryptography, a usage error.
    Vault(VaultError),
    /// A remote service (Engine) or the clock.
    Service(ServiceError),
    /// The endpoint, its broker or its client (`endpoint …`, `request …`): worded as the
    /// endpoint words it, the body of its HTTP answers, which names no candidate keys.
    Endpoint(EndpointError),
}

impl From<VaultError> for CliError {
    fn from(e: VaultError) -> Self {
        CliError::Vault(e)
    }
}

impl From<ServiceError> for CliError {
    fn from(e: ServiceError) -> Self {
        CliError::Service(e)
    }
}

impl From<EndpointError> for CliError {
    fn from(e: EndpointError) -> Self {
        CliError::Endpoint(e)
    }
}

impl From<CryptoError> for CliError {
    fn from(e: CryptoError) -> Self {
        CliError::Vault(VaultError::Crypto(e))
    }
}

impl CliError {
    /// What is printed: code, message, hint (and, for an ambiguous key, the candidates).
    pub fn body(&self) -> ErrorBody {
        match self {
            CliError::Vault(e) => ErrorBody::from(e),
            CliError::Service(e) => ErrorBody::from(e),
            CliError::Endpoint(e) => {
                let b = e.body();
                ErrorBody {
                    code: b.code,
                    message: b.message,
                    hint: b.hint,
                    candidates: None,
                }
            }
        }
    }

    /// The process's exit status for this error.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(keyward_core::Family::of(self.code()).exit_code())
    }
}

impl Coded for CliError {
    fn code(&self) -> &str {
        match self {
            CliError::Vault(e) => e.code(),
            CliError::Service(e) => e.code(),
            CliError::Endpoint(e) => e.code(),
        }
    }

    fn hint(&self) -> String {
        match self {
            CliError::Vault(e) => e.hint(),
            CliError::Service(e) => e.hint(),
            CliError::Endpoint(e) => e.hint(),
        }
    }
}

/// A usage error of the endpoint commands (`endpoint pair`, `request …`).
pub fn usage(msg: impl Into<String>) -> EndpointError {
    EndpointError::Vault(VaultError::Usage(msg.into()))
}

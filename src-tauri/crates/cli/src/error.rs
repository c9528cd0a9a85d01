//! Errors the CLI makes itself.

use keyward_approval::endpoint::EndpointError;
use keyward_vault::VaultError;

/// A usage error of the endpoint commands (`endpoint pair`, `request …`).
pub fn usage(msg: impl Into<String>) -> EndpointError {
    EndpointError::Vault(VaultError::Usage(msg.into()))
}

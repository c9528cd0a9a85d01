//! A secret a service shows once (a new access token, a new API key) is sealed into the
//! keychain before it is shown or anything else happens. If the keychain refuses, the secret
//! stays in memory and the seal is retried; if it still fails, the caller gets the secret back
//! with the error and must show it to the user as NOT SAVED — it is never dropped.

use keyward_vault::api::CredentialInfo;
use keyward_vault::{Backend, VaultError};
use std::time::Duration;
use zeroize::Zeroizing;

/// Tries after the first.
pub const RETRIES: u32 = 3;

/// The outcome of sealing a shown-once secret.
pub enum Sealed {
    /// In the keychain.
    Stored(CredentialInfo),
    /// The keychain refused every attempt: show `secret` to the user now, with `error`.
    Unsaved {
        secret: Zeroizing<String>,
        error: VaultError,
    },
}

/// Seals `secret` as credential `name` of `profile`, retrying with growing waits from `wait`.
pub fn seal_shown_once(
    b: &mut dyn Backend,
    profile: &str,
    name: &str,
    secret: Zeroizing<String>,
    wait: Duration,
) -> Sealed {
    let mut pause = wait;
    let mut last = None;
    for attempt in 0..=RETRIES {
        if attempt > 0 {
            std::thread::sleep(pause);
            pause *= 2;
        }
        match b.credential_put(profile, name, secret.clone()) {
            Ok(info) => return Sealed::Stored(info),
            // A refusal that retrying cannot cure ends the loop at once.
            Err(e @ (VaultError::ProfileNotFound(_) | VaultError::Usage(_))) => {
                return Sealed::Unsaved { secret, error: e }
            }
            Err(e) => last = Some(e),
        }
    }
    Sealed::Unsaved {
        secret,
        error: last.expect("at least one attempt"),
    }
}

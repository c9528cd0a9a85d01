//! [`UserCheck`]: the person behind a passkey operation. An authenticator asks it for user
//! presence (someone is there and agrees) and, when the relying party requires it, user
//! verification (it is the vault's owner: an unlocked vault and an explicit approval). Each
//! shell implements it over its own prompt (the app's prompt window, the terminal of
//! `endpoint serve`); the passkey authenticator (passkey-rs's `UserValidationMethod`) is
//! adapted onto it. Async, because the answer comes from a person.

use crate::error::Result;
use serde::Serialize;
use std::future::Future;
use std::pin::Pin;

/// What the person is asked to confirm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckRequest {
    /// Creating a passkey (`true`) or signing in with one.
    pub registering: bool,
    /// The relying party's id (a domain), escaped for display by whoever shows it.
    pub rp_id: String,
    /// The account, as the relying party named it.
    pub user_name: String,
    /// Whether the relying party requires user verification, not presence only.
    pub verification: bool,
}

/// The person's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckOutcome {
    /// Present and verified (the vault owner approved in the prompt).
    Verified,
    /// Present only.
    Present,
    /// Refused, dismissed or timed out: the operation must not happen.
    Refused,
}

impl CheckOutcome {
    /// Whether the outcome satisfies `req`.
    pub fn satisfies(self, req: &CheckRequest) -> bool {
        match self {
            CheckOutcome::Verified => true,
            CheckOutcome::Present => !req.verification,
            CheckOutcome::Refused => false,
        }
    }
}

/// An answer on its way.
pub type Checking<'a> = Pin<Box<dyn Future<Output = Result<CheckOutcome>> + Send + 'a>>;

/// The person behind a passkey operation.
pub trait UserCheck: Send + Sync {
    fn check<'a>(&'a self, req: &'a CheckRequest) -> Checking<'a>;
}

/// A user who always answers the same, for unit tests.
pub struct Always(pub CheckOutcome);

impl UserCheck for Always {
    fn check<'a>(&'a self, _req: &'a CheckRequest) -> Checking<'a> {
        Box::pin(std::future::ready(Ok(self.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(verification: bool) -> CheckRequest {
        CheckRequest {
            registering: false,
            rp_id: "example.com".into(),
            user_name: "ada".into(),
            verification,
        }
    }

    #[tokio::test]
    async fn presence_does_not_satisfy_a_party_that_requires_verification() {
        let present = Always(CheckOutcome::Present)
            .check(&req(true))
            .await
            .unwrap();
        assert!(!present.satisfies(&req(true)));
        assert!(present.satisfies(&req(false)));
        let refused = Always(CheckOutcome::Refused)
            .check(&req(false))
            .await
            .unwrap();
        assert!(!refused.satisfies(&req(false)));
        assert!(CheckOutcome::Verified.satisfies(&req(true)));
    }
}

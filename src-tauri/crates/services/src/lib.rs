//! Keyward's service side: named profiles of remote services, one HTTP client with timeouts,
//! idempotent-only retries and clock-skew detection, the helper that seals a secret a service
//! shows once before anything else happens, and the clients of each service (thirdweb Engine
//! first). Layering: this crate uses `keyward-vault` (profiles, credentials, signing through
//! [`keyward_vault::Backend`], so an agent does the signing when one runs) and knows no window
//! or terminal.

pub mod admin;
pub mod engine;
pub mod error;
pub mod http;
pub mod kind;
pub mod once;
pub mod playground;
pub mod profile;
pub mod session;
#[cfg(test)]
mod testutil;
pub mod user_check;

pub use error::{Result, ServiceError};
pub use http::{HttpClient, HttpRequest, HttpResponse, ReqwestClient};

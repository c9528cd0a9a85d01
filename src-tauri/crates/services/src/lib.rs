//! Keyward's service side: what each kind of service profile can do ([`kind`]), the seams
//! every kind shares (key administration [`admin`], sessions [`session`], the person behind a
//! passkey [`user_check`]), one HTTP client with timeouts, idempotent-only retries and
//! clock-skew detection, the helper that seals a secret a service shows once before anything
//! else happens, and one folder per kind (thirdweb Engine: [`engine`]). Layering: this crate
//! uses `keyward-vault` (profiles are vault data; credentials, signing through
//! [`keyward_vault::Backend`], so an agent does the signing when one runs) and knows no window
//! or terminal.

pub mod admin;
pub mod engine;
pub mod error;
pub mod http;
pub mod kind;
pub mod once;
pub mod pinned;
pub mod playground;
pub mod session;
#[cfg(test)]
mod testutil;
pub mod user_check;

pub use error::{Result, ServiceError};
pub use http::{HttpClient, HttpRequest, HttpResponse, ReqwestClient};

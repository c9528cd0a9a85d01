//! Keyward's approval model: what a third-party app asks for, what the user is shown, what
//! can go wrong, what the user decided, and what they allowed for a while.
//!
//! The guarantee this crate carries: **nothing is signed for a third-party app without a
//! decision or a live grant the user made, and never other than what the prompt showed.**
//!
//! * [`decode::render`] is the one decoder from a [`Request`] to the blocks a human sees, and
//!   its [`Rendered::hash`] binds kind, key, the exact payload bytes and the rendered text.
//! * [`risk::assess`] runs the risk rules; a forbidden verdict refuses without a prompt.
//! * [`decision::authorize`] turns a [`Decision`] into an [`Authorized`] only if it approves,
//!   answers this request, carries the hash of this request's rendering, and the request has
//!   not expired at the moment of signing. [`Authorized`] cannot be built any other way
//!   (besides [`grant::Grants::authorize`]), and it is the only holder of the bytes to sign.
//! * [`grant::Grants`] keeps grants for bounded kinds only (JWTs with a fixed audience and
//!   claim template); blind-signing kinds are never granted.
//!
//! The model modules ([`request`], [`decode`], [`risk`], [`authorized`], [`decision`],
//! [`grant`], [`auth`]) are pure: no I/O, no clock; every deadline takes `now` (unix seconds)
//! from the caller. [`endpoint`] is the I/O part: the loopback HTTP server (axum) and its
//! client (reqwest), the Unix socket, deep-link delivery, and the [`endpoint::Broker`], which
//! reaches the vault and reads the time through its [`endpoint::Clock`] seam.

pub mod auth;
pub mod authorized;
pub mod decision;
pub mod decode;
pub mod endpoint;
pub mod error;
pub mod grant;
mod host;
pub mod request;
pub mod risk;

pub use authorized::{Authorized, GrantSpec, Scope};
pub use decision::{authorize, Decision};
pub use decode::{render, Block, Rendered};
pub use error::ApprovalError;
pub use grant::{Grant, Grants};
pub use request::{AppIdentity, JwtTemplate, Kind, Request};
pub use risk::{assess, Context, History, Level, MemoryHistory, Verdict};

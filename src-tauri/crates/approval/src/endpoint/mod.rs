//! The loopback endpoint through which local apps reach Keyward: pairing, authenticated
//! requests, and answers signed by Keyward's endpoint key. See [`crate::auth`] for the
//! protocol, [`broker`] for what is decided, [`http`] for the routes, [`wire`] for the JSON
//! and [`client`] for the app's side.
//!
//! Routes (JSON bodies, snake_case; every answer signed, see [`wire`]):
//!
//! | method | path               | auth | what |
//! |--------|--------------------|------|------|
//! | GET    | `/v1/status`       | —    | version, locked |
//! | POST   | `/v1/nonce?count=N`| —    | fresh single-use server nonces |
//! | POST   | `/v1/pair`         | —    | ask to pair: a code to show, a pairing id |
//! | GET    | `/v1/pair/{id}`    | —    | wait for the user: the token, once |
//! | POST   | `/v1/requests`     | MAC  | sign / SIWE / mint; waits for the decision |
//! | POST   | `/v1/links`        | —    | a deep link from a local program (no `Origin`); waits |

pub mod broker;
pub mod client;
pub mod error;
pub mod http;
pub mod link;
pub mod peer;
pub mod wire;

pub use broker::{
    Approver, ApproverEvent, Broker, ChannelApprover, Clock, Closed, Config, DecideInput,
    GrantView, ManualClock, PairingView, PromptItem, PromptView, SystemClock, VaultAccess,
};
pub use client::{Client, Credentials};
pub use error::EndpointError;
pub use wire::LinkOutcome;

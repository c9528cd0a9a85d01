//! One module per top-level command (`init`, `status`, `unlock` and `lock` share `vault`).
//! Each takes the one context and its arguments; none imports another: what they share is in
//! `args`, `context`, `error`, `output` and `secrets`.

pub mod agent;
pub mod apps;
pub mod audit;
pub mod backup;
pub mod completions;
pub mod config;
pub mod doctor;
pub mod endpoint;
pub mod engine;
pub mod grants;
pub mod jwt;
pub mod key;
pub mod playground;
pub mod qr;
pub mod remote_keys;
pub mod request;
pub mod service;
pub mod sign;
pub mod siwe;
pub mod vault;
pub mod verify;

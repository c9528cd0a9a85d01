//! The IPC commands, by area. Each collects its arguments, makes one library call on the
//! blocking pool (keychain calls can wait on a prompt, HTTP is blocking) and maps the result;
//! errors are `AppError`. Nothing secret is returned. Commands use `state`, `events` and
//! `platform`; nothing here is used by them.

pub mod approvals;
pub mod audit;
pub mod backup;
pub mod clipboard;
pub mod keys;
pub mod remote_keys;
pub mod services;
pub mod signing;
pub mod vault;

//! Harness for Keyward's integration tests: `keyward-cli` run as a user would run it, against a
//! real Secret Service (gnome-keyring) on a private D-Bus session bus that every test owns.
//!
//! - [`Keyring`]: a private session bus with (or without) gnome-keyring, independent of any
//!   outer desktop or test session. Everything it starts is stopped (SIGTERM, then waited for)
//!   when it is dropped.
//! - [`Cli`]: a data dir, a passphrase file and a [`Keyring`]; runs `keyward-cli` in them.
//! - [`Agent`]: a running `keyward-cli agent`, stopped with SIGTERM on drop.
//! - Helpers for `secret-tool`, `openssl` and for looking for a private scalar in bytes.
//! - [`gui`]: the desktop app driven through WebKitWebDriver, for the GUI tests; [`layout`]:
//!   whether a screen fits its window, and its accessibility (axe-core).
//!
//! Every child process gets a clean environment for the things that matter (no `DISPLAY` or
//! `WAYLAND_DISPLAY`, so a locked collection cannot pop an unlock window; a private
//! `XDG_DATA_HOME`, `XDG_RUNTIME_DIR` and `HOME`), and runs under a time limit: a hang fails the
//! test with a message instead of stalling the run. Nothing is ever skipped: a missing binary or
//! system tool is a test failure that says what to install or build.

mod cli;
pub mod endpoint;
pub mod gui;
pub mod interop;
mod keyring;
pub mod layout;
pub mod notifications;
mod process;
mod secrets_scan;
pub mod tray;

pub use cli::*;
pub use keyring::*;
pub use process::*;
pub use secrets_scan::*;

use std::time::Duration;

/// Longest any one child command (CLI call, secret-tool, openssl…) may take.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);
/// Longest the keyring or an agent may take to come up.
const START_TIMEOUT: Duration = Duration::from_secs(20);
/// The passphrase of every test vault unless a test changes it.
pub const PASSPHRASE: &str = "correct horse battery staple";
/// The secret service's alias of the default collection.
const DEFAULT_COLLECTION: &str = "/org/freedesktop/secrets/aliases/default";

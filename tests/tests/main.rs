//! Keyward's integration tests, one binary (`cargo test -p keyward-tests --test integration`),
//! one module per area. Run one area with a filter: `… --test integration -- gui_keys::`.
//!
//! The GUI tests (`gui*`, `#[ignore]`d: they need a display and the built app) take the one GUI
//! slot of this process while their app runs ([`keyward_tests::gui::launch`]), so two of them
//! never share the display, its clipboard or its urgency hints; the other tests run beside them.

mod agent;
mod audit;
mod backup;
mod bindings;
mod cli_basics;
mod cli_snapshots;
mod config;
mod doctor;
mod endpoint_e2e;
mod engine_e2e;
mod gui;
mod gui_agent;
mod gui_approvals;
mod gui_autolock;
mod gui_bench;
mod gui_clipboard;
mod gui_forms;
mod gui_keys;
mod gui_layout;
mod gui_links;
mod gui_no_lock_across_io;
mod gui_prompt_bench;
mod gui_sign;
mod gui_single_instance;
mod import_interop;
mod ipc_surface;
mod jwt_interop;
mod keychain_errors;
mod keychain_timeout;
mod malformed_inputs;
mod openssl_interop;
mod passphrase;
mod qr;
mod registry;
mod secrets_at_rest;
mod shape;
mod sign_interop;
mod signing_vault;

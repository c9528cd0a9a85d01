//! Keyward's vault: secrets sealed under a vault key and kept one per OS keychain item, a
//! public index in SQLite, the lock, and the agent that holds an unlocked vault for the CLI.
//! Key operations (signing, JWT minting, SIWE) run here, inside the agent when one runs, after
//! the key's usage policy is checked; service profiles and their sealed credentials live here
//! too (the network is `keyward-services`), and so do the approval endpoint's paired apps and
//! grants (its logic is `keyward-approval`).
//!
//! Layering: this crate knows the keychain and the file system, never the network, a
//! window or a terminal.

pub mod access;
pub mod agent;
pub mod api;
pub mod audit;
pub mod backup;
pub mod error;
pub mod index;
pub mod ops;
pub mod paths;
pub mod session;
pub mod source;
pub mod store;
pub mod vault;

pub use api::{
    AuditEntry, AuditFilter, AuditProblem, AuditReport, Backend, BackupFile, DoctorReport,
    GenerateRequest, ImportPreview, ImportRequest, KeyDetail, KeyInfo, ListFilter, LockReason,
    PairedApp, PrivateFormat, Problem, PublicFormat, PublicView, QrView, Repair, RepairReport,
    RestoreReport, Status, StoredGrant,
};
pub use error::{ErrorBody, KeychainError, Result, VaultError};
pub use keyward_crypto::Coded;
pub use vault::settings::{Settings, SETTINGS};
pub use vault::{at_text, service_name, KeyFacts, Vault, PROGRAM_GRANT_APP};

/// Marks the process non-dumpable: no core dumps, no ptrace attach by other same-user
/// processes (short of root), so an unlocked vault key is harder to lift out of memory.
pub fn harden_process() {
    let _ = rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable);
}

#[cfg(test)]
mod tests {
    #[test]
    fn hardened_process_is_not_dumpable() {
        super::harden_process();
        assert_eq!(
            rustix::process::dumpable_behavior().unwrap(),
            rustix::process::DumpableBehavior::NotDumpable
        );
    }
}

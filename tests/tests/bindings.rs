//! The UI's IPC types are generated from Rust (ts-rs), not mirrored by hand: this test writes
//! them to a temporary directory and compares them with `ui/src/lib/bindings/`. After an
//! intended change of a type, refresh with `KEYWARD_UPDATE_BINDINGS=1 cargo test -p
//! keyward-tests --test integration bindings` and review the diff.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use ts_rs::TS;

use keyward_crypto::jwt::{self, MintOptions, Minted, Verified};
use keyward_crypto::sign::{Signature, Usage, Verdict};
use keyward_crypto::PrivateFormat;

fn committed() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
        .join("ui/src/lib/bindings")
}

/// Every `.ts` file under `dir`, by its path relative to `dir`.
fn read_dir(dir: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(root, &p, out);
            } else if p.extension().is_some_and(|x| x == "ts") {
                let name = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.insert(name, std::fs::read_to_string(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// The types the UI takes from Rust (with every type they name).
fn export(dir: &Path) {
    use keyward_vault::api;

    // The vault: its state, keys, signing requests, services, paired apps, audit log, backups.
    keyward_vault::Settings::export_all_to(dir).unwrap();
    api::Status::export_all_to(dir).unwrap();
    api::KeyInfo::export_all_to(dir).unwrap();
    api::KeyDetail::export_all_to(dir).unwrap();
    api::ListFilter::export_all_to(dir).unwrap();
    api::GenerateRequest::export_all_to(dir).unwrap();
    api::ImportRequest::export_all_to(dir).unwrap();
    api::QrView::export_all_to(dir).unwrap();
    api::SignRequest::export_all_to(dir).unwrap();
    api::VerifyRequest::export_all_to(dir).unwrap();
    api::JwtVerifyRequest::export_all_to(dir).unwrap();
    api::SiweSigned::export_all_to(dir).unwrap();
    api::Profile::export_all_to(dir).unwrap();
    api::PairedApp::export_all_to(dir).unwrap();
    api::StoredGrant::export_all_to(dir).unwrap();
    api::AuditEntry::export_all_to(dir).unwrap();
    api::AuditFilter::export_all_to(dir).unwrap();
    api::AuditReport::export_all_to(dir).unwrap();
    api::RestoreReport::export_all_to(dir).unwrap();

    // The crypto crate's own, where no vault type names them.
    PrivateFormat::export_all_to(dir).unwrap();
    Usage::export_all_to(dir).unwrap();
    Signature::export_all_to(dir).unwrap();
    Verdict::export_all_to(dir).unwrap();
    MintOptions::export_all_to(dir).unwrap();
    Minted::export_all_to(dir).unwrap();
    Verified::export_all_to(dir).unwrap();
    jwt::Inspected::export_all_to(dir).unwrap();

    // The approval prompt and the Approvals screen.
    keyward_approval::endpoint::broker::PromptItem::export_all_to(dir).unwrap();
    keyward_approval::endpoint::broker::GrantView::export_all_to(dir).unwrap();

    // Services.
    keyward_services::admin::RemoteKey::export_all_to(dir).unwrap();
    keyward_services::admin::Check::export_all_to(dir).unwrap();
    keyward_services::engine::Keypair::export_all_to(dir).unwrap();
    keyward_services::engine::Health::export_all_to(dir).unwrap();
    keyward_services::engine::CallResult::export_all_to(dir).unwrap();
}

#[test]
fn the_uis_ipc_types_are_the_ones_rust_generates() {
    let tmp = tempfile::tempdir().unwrap();
    export(tmp.path());
    let fresh = read_dir(tmp.path());
    for name in ["Settings.ts", "PromptItem.ts", "KeyDetail.ts"] {
        assert!(fresh.contains_key(name), "{name}: {:?}", fresh.keys());
    }
    if std::env::var_os("KEYWARD_UPDATE_BINDINGS").is_some() {
        let dir = committed();
        let _ = std::fs::remove_dir_all(&dir);
        for (name, text) in &fresh {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
    }
    assert_eq!(
        read_dir(&committed()),
        fresh,
        "ui/src/lib/bindings/ is not what Rust generates: refresh it (see this file's doc)"
    );
}

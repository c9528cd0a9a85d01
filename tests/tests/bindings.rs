//! The UI's IPC types are generated from Rust (ts-rs), not mirrored by hand: this test writes
//! them to a temporary directory and compares them with `ui/src/lib/bindings/`. After an
//! intended change of a type, refresh with `KEYWARD_UPDATE_BINDINGS=1 cargo test -p
//! keyward-tests --test integration bindings` and review the diff.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use ts_rs::TS;

fn committed() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
        .join("ui/src/lib/bindings")
}

/// Every `.ts` file of `dir`, by name.
fn read_dir(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.ends_with(".ts") {
                out.insert(name, std::fs::read_to_string(e.path()).unwrap());
            }
        }
    }
    out
}

/// The types the UI takes from Rust (with every type they name).
fn export(dir: &Path) {
    keyward_vault::Settings::export_all_to(dir).unwrap();
    keyward_services::admin::RemoteKey::export_all_to(dir).unwrap();
    keyward_services::admin::Check::export_all_to(dir).unwrap();
}

#[test]
fn the_uis_ipc_types_are_the_ones_rust_generates() {
    let tmp = tempfile::tempdir().unwrap();
    export(tmp.path());
    let fresh = read_dir(tmp.path());
    assert!(fresh.contains_key("Settings.ts"), "{:?}", fresh.keys());
    if std::env::var_os("KEYWARD_UPDATE_BINDINGS").is_some() {
        let dir = committed();
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in &fresh {
            std::fs::write(dir.join(name), text).unwrap();
        }
    }
    assert_eq!(
        read_dir(&committed()),
        fresh,
        "ui/src/lib/bindings/ is not what Rust generates: refresh it (see this file's doc)"
    );
}

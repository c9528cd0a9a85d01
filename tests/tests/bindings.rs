//! The UI's IPC types are generated from Rust (ts-rs), not mirrored by hand: this test writes
//! them to a temporary directory and compares them with `ui/src/lib/bindings/`. After an
//! intended change of a type, refresh with `KEYWARD_UPDATE_BINDINGS=1 cargo test -p
//! keyward-tests --test integration bindings` and review the diff.
//!
//! ts-rs exports types only, so the domain tables the UI needs from Rust (every key algorithm,
//! every audit action, which key algorithms each signature scheme fits, …) are written by this
//! test too, from the Rust values, into `tables.ts`, and checked the same way.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use ts_rs::TS;

use keyward_crypto::jwt::{self, MintOptions, Minted, Verified};
use keyward_crypto::sign::{JwsAlg, Scheme, Signature, Usage, Verdict};
use keyward_crypto::{KeyAlg, PrivateFormat};

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
    api::ImportPreview::export_all_to(dir).unwrap();
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
    keyward_vault::backup::BackupSummary::export_all_to(dir).unwrap();
    keyward_vault::backup::MergeReport::export_all_to(dir).unwrap();
    keyward_vault::audit::ExportFormat::export_all_to(dir).unwrap();

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

    std::fs::write(dir.join("tables.ts"), tables()).unwrap();
}

/// A value as serde writes it (the spelling the IPC uses).
fn json<T: serde::Serialize>(v: T) -> String {
    serde_json::to_string(&v).unwrap()
}

/// `[a, b]` on one line.
fn list<T: serde::Serialize + Copy>(items: impl IntoIterator<Item = T>) -> String {
    let items: Vec<String> = items.into_iter().map(json).collect();
    format!("[{}]", items.join(", "))
}

/// `export const NAME<ty> = [` one item a line `]<suffix>;`
fn const_list(out: &mut String, doc: &str, name: &str, ty: &str, items: &[String], suffix: &str) {
    writeln!(out, "\n/** {doc} */\nexport const {name}{ty} = [").unwrap();
    for i in items {
        writeln!(out, "  {i},").unwrap();
    }
    writeln!(out, "]{suffix};").unwrap();
}

/// `export const NAME: ty = {` one `key: value` a line `};`
fn const_map(out: &mut String, doc: &str, name: &str, ty: &str, rows: &[(String, String)]) {
    writeln!(out, "\n/** {doc} */\nexport const {name}: {ty} = {{").unwrap();
    for (k, v) in rows {
        writeln!(out, "  {k}: {v},").unwrap();
    }
    writeln!(out, "}};").unwrap();
}

/// The domain tables the UI takes from Rust, as TypeScript.
fn tables() -> String {
    let mut out = String::from(
        "// This file was generated by tests/tests/bindings.rs from the Rust values. Do not edit this file manually.\n\
         import type { JwsAlg } from \"./JwsAlg\";\n\
         import type { KeyAlg } from \"./KeyAlg\";\n\
         import type { Scheme } from \"./Scheme\";\n\
         import type { Usage } from \"./Usage\";\n",
    );
    let algs_where =
        |fits: &dyn Fn(KeyAlg) -> bool| list(KeyAlg::ALL.into_iter().filter(|a| fits(*a)));

    const_list(
        &mut out,
        "Every key algorithm, in the order the UI offers them (`KeyAlg::ALL`).",
        "KEY_ALGS",
        ": readonly KeyAlg[]",
        &KeyAlg::ALL.map(json),
        "",
    );
    const_list(
        &mut out,
        "Every action the audit log records, in the order the Activity filter offers them (`keyward_vault::audit::ACTIONS`).",
        "AUDIT_ACTIONS",
        "",
        &keyward_vault::audit::ACTIONS.iter().map(json).collect::<Vec<_>>(),
        " as const",
    );
    const_list(
        &mut out,
        "Setting names as `settings_set` (and `keyward-cli config set`) spells them (`keyward_vault::SETTINGS`).",
        "SETTING_NAMES",
        "",
        &keyward_vault::SETTINGS
            .iter()
            .map(|(name, _)| json(name))
            .collect::<Vec<_>>(),
        " as const",
    );
    const_list(
        &mut out,
        "What a backup carries, as the Backup screen states it (`keyward_vault::backup::INCLUDES`).",
        "BACKUP_INCLUDES",
        "",
        &keyward_vault::backup::INCLUDES
            .iter()
            .map(json)
            .collect::<Vec<_>>(),
        " as const",
    );
    const_list(
        &mut out,
        "What a backup leaves out, and why (`keyward_vault::backup::EXCLUDES`).",
        "BACKUP_EXCLUDES",
        "",
        &keyward_vault::backup::EXCLUDES
            .iter()
            .map(json)
            .collect::<Vec<_>>(),
        " as const",
    );
    const_map(
        &mut out,
        "The key algorithms each signature scheme can sign with (`Scheme::fits`).",
        "SCHEME_FITS",
        "{ readonly [S in Scheme]: readonly KeyAlg[] }",
        &Scheme::ALL.map(|s| (json(s), algs_where(&|a| s.fits(a)))),
    );
    const_map(
        &mut out,
        "The key algorithms each usage-policy entry fits (`Usage::fits`).",
        "USAGE_FITS",
        "{ readonly [U in Usage]: readonly KeyAlg[] }",
        &Usage::ALL.map(|u| (json(u), algs_where(&|a| u.fits(a)))),
    );
    const_list(
        &mut out,
        "Every JOSE algorithm, in the order the pickers list them (`JwsAlg::ALL`).",
        "JWS_ALGS",
        ": readonly JwsAlg[]",
        &JwsAlg::ALL.map(json),
        "",
    );
    const_map(
        &mut out,
        "The key algorithms each JOSE algorithm signs with (`JwsAlg::fits`).",
        "JWS_FITS",
        "{ readonly [J in JwsAlg]: readonly KeyAlg[] }",
        &JwsAlg::ALL.map(|j| (json(j), algs_where(&|a| j.fits(a)))),
    );
    const_map(
        &mut out,
        "The JOSE algorithm a key mints with when none is chosen (`JwsAlg::default_for`).",
        "DEFAULT_JWS_ALG",
        "{ readonly [A in KeyAlg]: JwsAlg }",
        &KeyAlg::ALL.map(|a| (json(a), json(JwsAlg::default_for(a)))),
    );
    const_list(
        &mut out,
        "What thirdweb Engine accepts for keypair tokens (`keyward_crypto::jwt::ENGINE_ALGS`).",
        "ENGINE_ALGS",
        ": readonly JwsAlg[]",
        &jwt::ENGINE_ALGS.map(json),
        "",
    );
    const_list(
        &mut out,
        "The schemes that sign a precomputed digest (`Scheme::takes_digest`).",
        "DIGEST_SCHEMES",
        ": readonly Scheme[]",
        &Scheme::ALL
            .into_iter()
            .filter(|s| s.takes_digest())
            .map(json)
            .collect::<Vec<_>>(),
        "",
    );
    out
}

#[test]
fn the_uis_ipc_types_are_the_ones_rust_generates() {
    let tmp = tempfile::tempdir().unwrap();
    export(tmp.path());
    let fresh = read_dir(tmp.path());
    for name in ["Settings.ts", "PromptItem.ts", "KeyDetail.ts", "tables.ts"] {
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

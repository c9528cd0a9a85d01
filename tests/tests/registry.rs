//! The registry of error codes (`keyward_core::codes::ERRORS`) and the list of audit actions
//! (`keyward_vault::audit::ACTIONS`) agree with the sources: every dotted code or action the
//! Rust code produces or matches on (outside its tests) is registered, every registered error
//! code is produced somewhere, and every code or action the UI matches on (its screens and the
//! fake backend its unit tests run against) exists. (The UI's list of audit actions is generated
//! from the vault's: tests/tests/bindings.rs.)

use keyward_core::codes::ERRORS;
use keyward_vault::audit::ACTIONS;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
        .to_path_buf()
}

fn files(dir: &Path, exts: &[&str], out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if p.is_dir() {
            if !matches!(
                name.as_str(),
                "target" | "node_modules" | "gen" | "tests" | "benches"
            ) {
                files(&p, exts, out);
            }
        } else if exts.iter().any(|x| name.ends_with(x)) {
            out.push(p);
        }
    }
}

/// The families of codes and actions: the prefixes of both lists.
fn families() -> BTreeSet<&'static str> {
    ERRORS
        .iter()
        .chain(ACTIONS)
        .map(|c| c.split('.').next().unwrap())
        .collect()
}

/// `family.reason` literals between `quote`s in `text`.
fn dotted(text: &str, quote: char, families: &BTreeSet<&str>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for piece in text.split(quote).skip(1).step_by(2) {
        if let Some((f, reason)) = piece.split_once('.') {
            if families.contains(f)
                && !reason.is_empty()
                && reason
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            {
                out.insert(piece.to_string());
            }
        }
    }
    out
}

/// A Rust file without its test module.
fn code_of(text: &str) -> &str {
    let mut end = text.len();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if line.trim() == "#[cfg(test)]" {
            let rest = &text[at + line.len()..];
            if rest.trim_start().starts_with("mod ") {
                end = at;
                break;
            }
        }
        at += line.len();
    }
    &text[..end]
}

fn rust_literals() -> BTreeSet<String> {
    let mut rs = Vec::new();
    files(&root().join("src-tauri"), &[".rs"], &mut rs);
    let fam = families();
    let mut out = BTreeSet::new();
    for f in rs {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        // The registry itself (the list and its GUI words) names every code: not a use.
        if name == "tests.rs"
            || name.ends_with("_tests.rs")
            || f.to_string_lossy().contains("core/src/codes/")
        {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap();
        out.extend(dotted(code_of(&text), '"', &fam));
    }
    out
}

#[test]
fn every_code_rust_uses_is_registered_and_every_registered_code_is_used() {
    let known: BTreeSet<&str> = ERRORS.iter().chain(ACTIONS).copied().collect();
    let used = rust_literals();
    let unknown: Vec<_> = used
        .iter()
        .filter(|c| !known.contains(c.as_str()))
        .collect();
    assert!(
        unknown.is_empty(),
        "codes or actions in the Rust sources that neither list has: {unknown:?}"
    );
    let dead: Vec<_> = ERRORS
        .iter()
        .filter(|c| !used.contains(**c) && !c.starts_with("ui."))
        .collect();
    assert!(
        dead.is_empty(),
        "registered codes nothing produces: {dead:?}"
    );
}

#[test]
fn every_code_the_ui_matches_on_exists() {
    let mut ui = Vec::new();
    files(&root().join("ui/src/lib"), &[".ts", ".svelte"], &mut ui);
    ui.retain(|f| !f.to_string_lossy().contains(".test."));
    ui.push(root().join("ui/src/tests/fake-backend.ts"));
    ui.push(root().join("ui/src/App.svelte"));
    let fam = families();
    let known: BTreeSet<&str> = ERRORS.iter().chain(ACTIONS).copied().collect();
    let mut unknown = BTreeSet::new();
    for f in &ui {
        let text = std::fs::read_to_string(f).unwrap();
        for q in ['\'', '"', '`'] {
            for c in dotted(&text, q, &fam) {
                if !known.contains(c.as_str()) {
                    unknown.insert(format!(
                        "{c} ({})",
                        f.file_name().unwrap().to_string_lossy()
                    ));
                }
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "the UI names codes that do not exist: {unknown:?}"
    );
}

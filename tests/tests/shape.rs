//! The shape of the house, checked: no Rust file over ~800 lines of non-test code (unless
//! `tests/large-files.txt` names it with a reason), no `#[path]` module tricks, and the CLI's
//! `main.rs` under 100 lines.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Non-test lines a file may have.
const MAX_LINES: usize = 800;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
        .to_path_buf()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if p.is_dir() {
            if !matches!(
                name.as_str(),
                "target" | "node_modules" | "gen" | "fixtures"
            ) {
                rust_files(&p, out);
            }
        } else if name.ends_with(".rs") {
            out.push(p);
        }
    }
}

/// Lines before the file's test module (all of them when it has none); a file that is a test
/// module (`tests.rs`, `*_tests.rs`, integration tests) counts none.
fn code_lines(path: &Path, text: &str) -> usize {
    let name = path.file_name().unwrap().to_string_lossy();
    let rel = path
        .strip_prefix(root())
        .unwrap()
        .to_string_lossy()
        .into_owned();
    if name == "tests.rs"
        || name.ends_with("_tests.rs")
        || rel.starts_with("tests/tests/")
        || rel.contains("/tests/")
    {
        return 0;
    }
    let lines: Vec<&str> = text.lines().collect();
    let end = lines
        .windows(2)
        .position(|w| w[0].trim() == "#[cfg(test)]" && w[1].trim_start().starts_with("mod "))
        .unwrap_or(lines.len());
    lines[..end].iter().filter(|l| !l.trim().is_empty()).count()
}

#[test]
fn no_file_is_too_big_to_hold_in_ones_head() {
    let allowed: BTreeMap<String, String> =
        std::fs::read_to_string(root().join("tests/large-files.txt"))
            .expect("tests/large-files.txt")
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .map(|l| {
                let (path, why) = l.split_once(' ').expect("PATH REASON");
                (path.to_string(), why.trim().to_string())
            })
            .collect();
    let mut files = Vec::new();
    for dir in ["src-tauri", "tests", "fuzz", "bench"] {
        rust_files(&root().join(dir), &mut files);
    }
    let mut over = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let rel = f
            .strip_prefix(root())
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let n = code_lines(f, &text);
        if n > MAX_LINES && !allowed.contains_key(&rel) {
            over.push(format!("{rel}: {n} lines"));
        }
        assert!(
            !text.lines().any(|l| l.trim_start().starts_with("#[path")),
            "{rel} uses #[path]: make the module a folder"
        );
    }
    assert!(
        over.is_empty(),
        "over {MAX_LINES} lines of non-test code: {over:#?}"
    );
}

#[test]
fn the_cli_main_is_under_a_hundred_lines() {
    let text = std::fs::read_to_string(root().join("src-tauri/crates/cli/src/main.rs")).unwrap();
    let n = text.lines().count();
    assert!(n < 100, "crates/cli/src/main.rs has {n} lines");
}

//! The shape of the house, checked: no Rust file over ~800 lines of non-test code (unless
//! `tests/large-files.txt` names it with a reason), no `#[path]` module tricks, the CLI's
//! `main.rs` under 100 lines, and no import cycle among the desktop shell's modules.

use std::collections::{BTreeMap, BTreeSet};
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

/// The module path of a file of the shell (`commands/keys.rs` → `commands::keys`).
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "main") {
        parts.pop();
    }
    parts.join("::")
}

/// The shell's modules another module refers to (`crate::a::b::item` → the longest known
/// module prefix, `a::b`).
fn references(text: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    // `use crate::{a, b::c}` groups are flattened to `crate::a`, `crate::b::c`.
    let flat = text.replace("crate::{", "crate::{ ");
    let mut paths = Vec::new();
    for (i, _) in flat.match_indices("crate::") {
        let rest = &flat[i + 7..];
        if let Some(group) = rest.strip_prefix("{ ") {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                paths.push(item.trim().to_string());
            }
        } else {
            let p: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            paths.push(p);
        }
    }
    for p in paths {
        let segs: Vec<&str> = p.split("::").filter(|s| !s.is_empty()).collect();
        for n in (1..=segs.len()).rev() {
            let m = segs[..n].join("::");
            if modules.contains(&m) {
                out.insert(m);
                break;
            }
        }
    }
    out
}

#[test]
fn the_desktop_shells_modules_form_no_cycle() {
    let src = root().join("src-tauri/src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(&src, f)).collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        let m = module_of(&src, f);
        let text = std::fs::read_to_string(f).unwrap();
        let mut to = references(&text, &modules);
        // A module may reach its own children and its parents' items freely.
        to.retain(|t| {
            t != &m
                && !t.starts_with(&format!("{m}::"))
                && !m.starts_with(&format!("{t}::"))
                && !t.is_empty()
        });
        edges.insert(m, to);
    }
    // Depth-first search for a back edge.
    fn visit(
        m: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == m) {
            let mut cycle = path[i..].to_vec();
            cycle.push(m.to_string());
            return Some(cycle);
        }
        if done.contains(m) {
            return None;
        }
        path.push(m.to_string());
        for t in edges.get(m).into_iter().flatten() {
            if let Some(c) = visit(t, edges, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(m.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for m in edges.keys() {
        if let Some(cycle) = visit(m, &edges, &mut Vec::new(), &mut done) {
            panic!(
                "an import cycle among the shell's modules: {}",
                cycle.join(" → ")
            );
        }
    }
}

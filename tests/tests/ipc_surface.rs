//! The app's IPC surface agrees with itself: the commands the shell registers
//! (`generate_handler!` in `src-tauri/src/main.rs`), the `#[tauri::command]` functions it
//! defines, the app manifest (`COMMANDS` in `src-tauri/build.rs`), the capability files (each
//! command granted to some window) and the commands the UI calls (`call('…')`). A command
//! added to one list and not the others fails here, not in a window at run time.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
        .to_path_buf()
}

fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let p = e.unwrap().path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n != "node_modules") {
                files(&p, ext, out);
            }
        } else if p.extension().is_some_and(|x| x == ext) {
            out.push(p);
        }
    }
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Identifiers in the first `[ … ]` after `start` in `text` (last path segment of each).
fn bracket_list(text: &str, start: &str) -> BTreeSet<String> {
    let at = text
        .find(start)
        .unwrap_or_else(|| panic!("{start} not found"));
    let from = at + start.len();
    let open = from + text[from..].find('[').expect("[");
    let close = open + text[open..].find(']').expect("]");
    text[open + 1..close]
        .split(',')
        .map(|s| {
            s.trim()
                .trim_matches('"')
                .rsplit("::")
                .next()
                .unwrap()
                .to_string()
        })
        .filter(|s| !s.is_empty() && !s.starts_with("//"))
        .collect()
}

fn handlers() -> BTreeSet<String> {
    bracket_list(
        &read(&root().join("src-tauri/src/main.rs")),
        "generate_handler!",
    )
}

#[test]
fn handlers_commands_manifest_and_capabilities_agree() {
    let handlers = handlers();
    assert!(handlers.len() > 20, "{handlers:?}");

    // Every #[tauri::command] fn of the shell.
    let mut rs = Vec::new();
    files(&root().join("src-tauri/src"), "rs", &mut rs);
    let mut defined = BTreeSet::new();
    for f in &rs {
        let text = read(f);
        let mut rest = text.as_str();
        while let Some(i) = rest.find("#[tauri::command]") {
            rest = &rest[i + 17..];
            let f = rest.find("fn ").expect("a fn after #[tauri::command]");
            let name: String = rest[f + 3..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            defined.insert(name);
        }
    }
    assert_eq!(
        handlers, defined,
        "generate_handler! vs #[tauri::command] fns"
    );

    let manifest = bracket_list(
        &read(&root().join("src-tauri/build.rs")),
        "const COMMANDS: &[&str] = &",
    );
    assert_eq!(handlers, manifest, "generate_handler! vs build.rs COMMANDS");

    let mut caps = Vec::new();
    files(&root().join("src-tauri/capabilities"), "json", &mut caps);
    let mut granted = BTreeSet::new();
    for f in &caps {
        let v: serde_json::Value = serde_json::from_str(&read(f)).unwrap();
        for p in v["permissions"].as_array().unwrap() {
            if let Some(cmd) = p.as_str().and_then(|p| p.strip_prefix("allow-")) {
                granted.insert(cmd.replace('-', "_"));
            }
        }
    }
    assert_eq!(handlers, granted, "generate_handler! vs capability grants");
}

#[test]
fn the_ui_calls_only_commands_that_exist_and_every_command_is_called() {
    let handlers = handlers();
    let mut ts = Vec::new();
    files(&root().join("ui/src"), "ts", &mut ts);
    files(&root().join("ui/src"), "svelte", &mut ts);
    let mut called = BTreeSet::new();
    for f in ts
        .iter()
        .filter(|f| !f.to_string_lossy().contains(".test."))
    {
        let text = read(f);
        let mut rest = text.as_str();
        while let Some(i) = rest.find("call") {
            rest = &rest[i + 4..];
            // call('x' or call<T>('x'
            let r = match rest.strip_prefix('<') {
                Some(r) => &r[r.find('>').map_or(0, |g| g + 1)..],
                None => rest,
            };
            if let Some(r) = r.strip_prefix("('") {
                let name: String = r
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect();
                if r[name.len()..].starts_with('\'') {
                    called.insert(name);
                }
            }
        }
    }
    let unknown: Vec<_> = called.difference(&handlers).collect();
    assert!(
        unknown.is_empty(),
        "the UI calls commands the app does not have: {unknown:?}"
    );
    let unused: Vec<_> = handlers.difference(&called).collect();
    assert!(unused.is_empty(), "commands no screen calls: {unused:?}");
}

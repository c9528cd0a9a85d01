//! The CLI's surface pinned: help texts, the `--json` error shape, completions.
//! After an intended change, refresh with `KEYWARD_UPDATE_SNAPSHOTS=1 cargo test -p keyward-tests
//! --test integration cli_snapshots` and review the diff of tests/snapshots/.

use keyward_tests::{Cli, Keyring};
use std::path::PathBuf;

fn snapshot(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("snapshots")
        .join(name);
    if std::env::var_os("KEYWARD_UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "missing snapshot {}: set KEYWARD_UPDATE_SNAPSHOTS=1",
            path.display()
        )
    });
    assert_eq!(
        actual, expected,
        "snapshot {name} changed (KEYWARD_UPDATE_SNAPSHOTS=1 to accept)"
    );
}

fn help(cli: &Cli, args: &[&str]) -> String {
    let mut cmd = cli.command(args);
    cmd.env("COLUMNS", "100");
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{args:?} failed");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn help_texts_are_pinned() {
    let cli = Cli::new(Keyring::no_bus());
    for (name, args) in [
        ("help.txt", &["--help"][..]),
        ("help-init.txt", &["init", "--help"]),
        ("help-agent.txt", &["agent", "--help"]),
        (
            "help-passphrase-change.txt",
            &["passphrase", "change", "--help"],
        ),
        ("help-key.txt", &["key", "--help"]),
        ("help-key-import.txt", &["key", "import", "--help"]),
        ("help-key-export.txt", &["key", "export", "--help"]),
        (
            "help-key-export-private.txt",
            &["key", "export-private", "--help"],
        ),
        ("help-qr-encode.txt", &["qr", "encode", "--help"]),
        ("help-sign.txt", &["sign", "--help"]),
        ("help-jwt-mint.txt", &["jwt", "mint", "--help"]),
        ("help-engine-call.txt", &["engine", "call", "--help"]),
    ] {
        snapshot(name, &help(&cli, args));
    }
}

#[test]
fn json_errors_have_exactly_version_code_message_hint() {
    let cli = Cli::new(Keyring::no_bus());
    let out = cli.run(&["--json", "key", "list"]);
    assert_eq!(out.status.code(), Some(3));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut top: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
    top.sort();
    assert_eq!(top, ["error", "version"]);
    assert_eq!(v["version"], 1);
    let mut err: Vec<_> = v["error"].as_object().unwrap().keys().cloned().collect();
    err.sort();
    assert_eq!(err, ["code", "hint", "message"]);
    assert_eq!(v["error"]["code"], "vault.not_initialized");
    assert!(out.stderr.is_empty(), "--json keeps stderr quiet");
}

#[test]
fn completions_are_valid_shell() {
    let cli = Cli::new(Keyring::no_bus());
    let bash = cli.run(&["completions", "bash"]);
    assert!(bash.status.success());
    let script = String::from_utf8(bash.stdout).unwrap();
    assert!(script.contains("export-private"));
    let path = cli.scratch().join("keyward-cli.bash");
    std::fs::write(&path, &script).unwrap();
    let check = std::process::Command::new("bash")
        .arg("-n")
        .arg(&path)
        .status()
        .unwrap();
    assert!(check.success(), "bash -n rejects the completion script");
    for shell in ["zsh", "fish"] {
        let out = cli.run(&["completions", shell]);
        assert!(out.status.success() && out.stdout.len() > 1000, "{shell}");
    }
}

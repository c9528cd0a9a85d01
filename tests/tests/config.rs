//! Settings through `keyward-cli config`: defaults, checked changes (a bad value changes
//! nothing), the JWT lifetime defaults applied by `jwt mint`, an audit row per change.

use keyward_tests::{exit, Cli, Keyring};
use serde_json::Value;

fn claims(token: &str) -> Value {
    use base64::Engine as _;
    let part = token.split('.').nth(1).unwrap();
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .unwrap();
    serde_json::from_slice(&raw).unwrap()
}

fn lifetime(cli: &Cli, key: &str) -> i64 {
    let m = cli.json(&["jwt", "mint", "--key", key]);
    let c = claims(m["token"].as_str().unwrap());
    c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap()
}

#[test]
fn settings_have_defaults_checked_changes_and_drive_jwt_lifetimes() {
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    let key = cli.gen_alg("p256", "api");

    let all = cli.json(&["config", "get"]);
    assert_eq!(all["idleLockMinutes"], 15, "{all}");
    assert_eq!(all["endpointPort"], 47800, "{all}");
    assert_eq!(all["simplewalletLinks"], false, "{all}");
    assert_eq!(cli.json(&["config", "get", "jwt-max-exp"])["value"], "300");
    assert_eq!(lifetime(&cli, &key), 15);

    // The default lifetime comes from the settings; a longer one than the maximum is refused.
    cli.json(&["config", "set", "jwt-default-exp", "2m"]);
    assert_eq!(lifetime(&cli, &key), 120);
    cli.json_err(
        &["config", "set", "jwt-default-exp", "1h"],
        "usage.invalid",
        exit::USAGE,
    );
    cli.json(&["config", "set", "jwt-max-exp", "2h"]);
    cli.json(&["config", "set", "jwt-default-exp", "1h"]);
    assert_eq!(lifetime(&cli, &key), 3600);
    // An explicit --exp still wins, and the maximum still binds it.
    let m = cli.json(&["jwt", "mint", "--key", &key, "--exp", "30s"]);
    let c = claims(m["token"].as_str().unwrap());
    assert_eq!(c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(), 30);
    cli.json_err(
        &["jwt", "mint", "--key", &key, "--exp", "3h"],
        "jwt.exp_too_long",
        exit::SIGN,
    );

    // Bad values and unknown names change nothing.
    for (name, value) in [
        ("idle-lock-minutes", "forever"),
        ("endpoint-port", "22"),
        ("start-at-login", "maybe"),
        ("colour", "blue"),
    ] {
        cli.json_err(
            &["config", "set", name, value],
            "usage.invalid",
            exit::USAGE,
        );
    }
    cli.json(&["config", "set", "idle-lock-minutes", "5"]);
    let all = cli.json(&["config", "get"]);
    assert_eq!(all["idleLockMinutes"], 5, "{all}");
    assert_eq!(all["endpointPort"], 47800, "{all}");

    let rows = cli.json(&["audit", "list", "--action", "settings.set"]);
    assert_eq!(rows.as_array().unwrap().len(), 4, "{rows}");
    assert!(rows[0]["summary"]
        .as_str()
        .unwrap()
        .contains("idle-lock-minutes: 15 → 5"));
}

#[test]
fn start_at_login_writes_and_removes_the_autostart_entry() {
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    let config_home = cli.scratch().join("xdg-config");
    let set = |value: &str| {
        let mut cmd = cli.command(&["--json", "config", "set", "start-at-login", value]);
        cmd.env("XDG_CONFIG_HOME", &config_home);
        let out = keyward_tests::run_command(cmd, None);
        assert!(out.status.success(), "{}", keyward_tests::describe(&out));
    };
    let entry = config_home.join("autostart").join("keyward.desktop");
    set("true");
    let text = std::fs::read_to_string(&entry).expect("the autostart entry exists");
    assert!(text.contains("Exec=keyward --background"), "{text}");
    assert!(text.starts_with("[Desktop Entry]"), "{text}");
    set("false");
    assert!(!entry.exists(), "the autostart entry is gone");
}

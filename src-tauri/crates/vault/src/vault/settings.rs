//! User settings (issue 6): kept in the index's `meta` table as one JSON document, public data
//! only. Read by the desktop app (idle lock, endpoint port, `simplewallet://` handling, start at
//! login) and by the vault itself (the JWT lifetime defaults of `jwt mint`).

use serde::{Deserialize, Serialize};

use super::Vault;
use crate::error::{Result, VaultError};

const META_KEY: &str = "settings";

/// Every setting, with its default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// Lock after this many minutes without use of Keyward (0 = never).
    pub idle_lock_minutes: u32,
    /// The loopback endpoint's port (`KEYWARD_ENDPOINT_PORT` overrides it).
    pub endpoint_port: u16,
    /// A minted JWT's lifetime when none is asked for, in seconds.
    #[ts(type = "number")]
    pub jwt_default_exp_secs: u64,
    /// The longest lifetime a minted JWT may have, in seconds.
    #[ts(type = "number")]
    pub jwt_max_exp_secs: u64,
    /// Whether Keyward handles `simplewallet://` links (registered at run time when on).
    pub simplewallet_links: bool,
    /// Whether the app starts (in the background) at login.
    pub start_at_login: bool,
    /// Whether programs using the agent socket are asked about first (`None`: the default of
    /// whatever serves the agent: the app and `endpoint serve` ask per program, the headless
    /// `keyward-cli agent` never).
    pub agent_approval: Option<crate::agent::AgentApproval>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            idle_lock_minutes: 15,
            endpoint_port: 47800,
            jwt_default_exp_secs: keyward_crypto::jwt::DEFAULT_EXP_SECS,
            jwt_max_exp_secs: keyward_crypto::jwt::DEFAULT_MAX_EXP_SECS,
            simplewallet_links: false,
            start_at_login: false,
            agent_approval: None,
        }
    }
}

/// The settings' names as `config get|set` spells them, with a one-line description.
pub const SETTINGS: &[(&str, &str)] = &[
    (
        "idle-lock-minutes",
        "lock after this many minutes without use (0 = never)",
    ),
    ("endpoint-port", "the loopback endpoint's port (1024-65535)"),
    (
        "jwt-default-exp",
        "a minted JWT's lifetime when none is given (seconds, or 30s, 5m, 1h)",
    ),
    (
        "jwt-max-exp",
        "the longest lifetime a minted JWT may have (seconds, or 5m, 1h)",
    ),
    (
        "simplewallet-links",
        "handle simplewallet:// links (true or false)",
    ),
    (
        "start-at-login",
        "start the app in the background at login (true or false)",
    ),
    (
        "agent-approval",
        "ask before programs use the agent socket: never, per-program, always, or default",
    ),
];

fn bad(name: &str, why: impl std::fmt::Display) -> VaultError {
    VaultError::Usage(format!("{name}: {why}"))
}

fn boolean(name: &str, v: &str) -> Result<bool> {
    match v.trim() {
        "true" | "on" | "yes" | "1" => Ok(true),
        "false" | "off" | "no" | "0" => Ok(false),
        _ => Err(bad(name, "use true or false")),
    }
}

fn duration(name: &str, v: &str) -> Result<u64> {
    keyward_crypto::jwt::parse_duration(v).map_err(|e| bad(name, e))
}

impl Settings {
    /// The value of `name` as text.
    pub fn get(&self, name: &str) -> Result<String> {
        Ok(match name {
            "idle-lock-minutes" => self.idle_lock_minutes.to_string(),
            "endpoint-port" => self.endpoint_port.to_string(),
            "jwt-default-exp" => self.jwt_default_exp_secs.to_string(),
            "jwt-max-exp" => self.jwt_max_exp_secs.to_string(),
            "simplewallet-links" => self.simplewallet_links.to_string(),
            "start-at-login" => self.start_at_login.to_string(),
            "agent-approval" => self
                .agent_approval
                .map_or("default", |a| a.as_str())
                .to_owned(),
            _ => return Err(unknown(name)),
        })
    }

    /// Sets `name` from text, checked; the settings as a whole must stay consistent.
    pub fn set(&mut self, name: &str, value: &str) -> Result<()> {
        let mut next = self.clone();
        match name {
            "idle-lock-minutes" => {
                next.idle_lock_minutes = value
                    .trim()
                    .parse()
                    .ok()
                    .filter(|m| *m <= 24 * 60)
                    .ok_or_else(|| bad(name, "minutes from 0 (never) to 1440"))?
            }
            "endpoint-port" => {
                next.endpoint_port = value
                    .trim()
                    .parse()
                    .ok()
                    .filter(|p| *p >= 1024)
                    .ok_or_else(|| bad(name, "a port from 1024 to 65535"))?
            }
            "jwt-default-exp" => next.jwt_default_exp_secs = duration(name, value)?,
            "jwt-max-exp" => next.jwt_max_exp_secs = duration(name, value)?,
            "simplewallet-links" => next.simplewallet_links = boolean(name, value)?,
            "start-at-login" => next.start_at_login = boolean(name, value)?,
            "agent-approval" => {
                next.agent_approval =
                    match value.trim() {
                        "default" => None,
                        v => Some(crate::agent::AgentApproval::parse(v).ok_or_else(|| {
                            bad(name, "use never, per-program, always or default")
                        })?),
                    }
            }
            _ => return Err(unknown(name)),
        }
        if next.jwt_default_exp_secs == 0 || next.jwt_default_exp_secs > next.jwt_max_exp_secs {
            return Err(bad(
                name,
                format!(
                    "the default JWT lifetime ({} s) must be from 1 s to the maximum ({} s)",
                    next.jwt_default_exp_secs, next.jwt_max_exp_secs
                ),
            ));
        }
        *self = next;
        Ok(())
    }
}

/// The XDG autostart entry that starts the app in the background at login.
pub fn autostart_path() -> Result<std::path::PathBuf> {
    let base = dirs::config_dir().ok_or_else(|| {
        VaultError::Io("no config directory (set HOME or XDG_CONFIG_HOME)".into())
    })?;
    Ok(base.join("autostart").join("keyward.desktop"))
}

/// Writes or removes the autostart entry (`keyward --background`, the installed app).
fn autostart(on: bool) -> Result<()> {
    let path = autostart_path()?;
    if on {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| VaultError::Io(format!("cannot create {}: {e}", dir.display())))?;
        }
        let entry = "[Desktop Entry]\nType=Application\nName=Keyward\n\
Comment=Keyward key manager, in the background (socket and endpoint serving)\n\
Exec=keyward --background\nIcon=keyward\nTerminal=false\nX-GNOME-Autostart-enabled=true\n";
        std::fs::write(&path, entry)
            .map_err(|e| VaultError::Io(format!("cannot write {}: {e}", path.display())))
    } else {
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(VaultError::Io(format!(
                "cannot remove {}: {e}",
                path.display()
            ))),
        }
    }
}

fn unknown(name: &str) -> VaultError {
    let names: Vec<&str> = SETTINGS.iter().map(|(n, _)| *n).collect();
    VaultError::Usage(format!(
        "no setting {name:?}; the settings are {}",
        names.join(", ")
    ))
}

impl Vault {
    /// The settings, without a `&mut` borrow (the desktop's idle timer reads them).
    pub fn settings_now(&self) -> Result<Settings> {
        self.read_settings()
    }

    /// The settings (defaults where none were set). Needs an initialized vault only.
    pub(crate) fn read_settings(&self) -> Result<Settings> {
        self.id()?;
        match self.index.meta(META_KEY)? {
            Some(text) => {
                serde_json::from_str(&text).map_err(|e| VaultError::Index(format!("settings: {e}")))
            }
            None => Ok(Settings::default()),
        }
    }

    /// Sets one setting; logged as `settings.set`.
    pub(crate) fn write_setting(&mut self, name: &str, value: &str) -> Result<Settings> {
        let mut s = self.read_settings()?;
        let before = s.get(name)?;
        s.set(name, value)?;
        if name == "start-at-login" {
            autostart(s.start_at_login)?;
        }
        let text = serde_json::to_string(&s).expect("settings serialise");
        self.index.set_meta(&[(META_KEY, &text)])?;
        self.log(
            "settings.set",
            None,
            &format!("{name}: {before} → {}", s.get(name)?),
        )?;
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_reads_back_what_was_set() {
        let mut s = Settings::default();
        for (name, value, want) in [
            ("idle-lock-minutes", "5", "5"),
            ("endpoint-port", "47900", "47900"),
            ("jwt-max-exp", "1h", "3600"),
            ("jwt-default-exp", "2m", "120"),
            ("simplewallet-links", "on", "true"),
            ("start-at-login", "true", "true"),
            ("agent-approval", "always", "always"),
            ("agent-approval", "per-program", "per-program"),
            ("agent-approval", "default", "default"),
        ] {
            s.set(name, value).unwrap();
            assert_eq!(s.get(name).unwrap(), want, "{name}");
        }
        assert_eq!(SETTINGS.len(), 7);
        assert!(s.set("agent-approval", "sometimes").is_err());
    }

    #[test]
    fn bad_values_are_refused_and_change_nothing() {
        let mut s = Settings::default();
        for (name, value) in [
            ("idle-lock-minutes", "-1"),
            ("idle-lock-minutes", "99999"),
            ("endpoint-port", "80"),
            ("jwt-default-exp", "0"),
            ("jwt-default-exp", "1h"), // over the 300 s maximum
            ("simplewallet-links", "maybe"),
            ("colour", "blue"),
        ] {
            let e = s.set(name, value).unwrap_err();
            assert_eq!(
                keyward_crypto::Coded::code(&e),
                "usage.invalid",
                "{name}={value}"
            );
        }
        assert_eq!(s, Settings::default());
    }
}

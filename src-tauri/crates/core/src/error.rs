//! The error contract every crate keeps: a stable dotted code (`family.reason`) and a hint of
//! what to do next on every error ([`Coded`]); one body on every wire ([`ErrorBody`]: the
//! CLI's `--json`, agent replies, the app's IPC, the endpoint); and the [`Family`] of a code,
//! which gives the CLI its exit code. The `thiserror` enums stay in their crates.

use crate::codes::{self, Surface};
use serde::{Deserialize, Serialize};

/// Every error Keyward shows carries a stable dotted code and a one-line hint.
pub trait Coded {
    /// Stable, dotted identifier (`family.reason`); part of the CLI and IPC contract, and
    /// listed in [`codes::ERRORS`].
    fn code(&self) -> &str;
    /// What the user can do next.
    fn hint(&self) -> String;
}

/// The shape every error takes on the wire: CLI `--json`, agent replies, app IPC, the
/// endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
    pub hint: String,
    /// The keys a name could mean (`key.ambiguous`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidates: Option<Vec<Candidate>>,
}

/// One key an ambiguous name could mean.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    pub id: String,
    pub label: String,
}

impl ErrorBody {
    /// The body of any coded error (its message is its `Display`).
    pub fn of<E: Coded + std::fmt::Display + ?Sized>(e: &E) -> ErrorBody {
        ErrorBody {
            code: e.code().to_string(),
            message: e.to_string(),
            hint: e.hint(),
            candidates: None,
        }
    }

    /// The body as `surface` shows it: the hint written for that surface when the registry
    /// has one (a screen names buttons, the CLI names flags), else the error's own. The app's
    /// window also starts the message with a capital, as a sentence for a person; the CLI
    /// keeps it as it is.
    pub fn for_surface(mut self, surface: Surface) -> ErrorBody {
        if let Some(h) = codes::hint_for(&self.code, surface) {
            self.hint = h.to_string();
        }
        if surface == Surface::Gui {
            self.message = capitalized(&self.message);
        }
        self
    }

    /// The family of its code.
    pub fn family(&self) -> Family {
        Family::of(&self.code)
    }
}

/// `s` with its first character upper-case (by Unicode's rules, so "é" becomes "É"), the
/// rest as it is.
fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The family of a code, from its prefix: what kind of thing went wrong, and the CLI's exit
/// code for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// A bad command line (`usage.*`): exit 2.
    Usage,
    /// The vault and backups (`vault.*`, `backup.*`): exit 3.
    Vault,
    /// The OS keychain (`keychain.*`): exit 4.
    Keychain,
    /// A key (`key.*`): exit 5.
    Key,
    /// The agent (`agent.*`): exit 6.
    Agent,
    /// Signing, JWTs, SIWE (`sign.*`, `jwt.*`, `siwe.*`): exit 7.
    Signing,
    /// A remote service and the clock it checks (`service.*`, `clock.*`): exit 8.
    Service,
    /// Approvals and the endpoint (`endpoint.*`, `approval.*`, `app.*`, `grant.*`,
    /// `link.*`): exit 9.
    Approval,
    /// Anything else: exit 1.
    Other,
}

impl Family {
    /// The family of `code`.
    pub fn of(code: &str) -> Family {
        match code.split('.').next() {
            Some("usage") => Family::Usage,
            Some("vault" | "backup") => Family::Vault,
            Some("keychain") => Family::Keychain,
            Some("key") => Family::Key,
            Some("agent") => Family::Agent,
            Some("sign" | "jwt" | "siwe") => Family::Signing,
            Some("service" | "clock") => Family::Service,
            Some("endpoint" | "approval" | "app" | "grant" | "link") => Family::Approval,
            _ => Family::Other,
        }
    }

    /// The CLI's exit code for errors of this family.
    pub fn exit_code(self) -> u8 {
        match self {
            Family::Other => 1,
            Family::Usage => 2,
            Family::Vault => 3,
            Family::Keychain => 4,
            Family::Key => 5,
            Family::Agent => 6,
            Family::Signing => 7,
            Family::Service => 8,
            Family::Approval => 9,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_give_the_exit_codes_the_cli_documents() {
        for (code, exit) in [
            ("usage.invalid", 2),
            ("vault.locked", 3),
            ("backup.corrupt", 3),
            ("keychain.timeout", 4),
            ("key.not_found", 5),
            ("agent.unreachable", 6),
            ("jwt.expired", 7),
            ("siwe.malformed", 7),
            ("clock.skew", 8),
            ("service.timeout", 8),
            ("link.malformed", 9),
            ("grant.not_found", 9),
            ("ui.cancelled", 1),
        ] {
            assert_eq!(Family::of(code).exit_code(), exit, "{code}");
        }
    }

    #[test]
    fn the_window_shows_the_message_as_a_sentence_and_the_cli_as_it_is() {
        let body = |message: &str| ErrorBody {
            code: "key.not_found".into(),
            message: message.into(),
            hint: "List the keys.".into(),
            candidates: None,
        };
        for (given, shown) in [
            ("no key matches \"abc\"", "No key matches \"abc\""),
            ("écrit: ok", "Écrit: ok"),
            ("ǆ and the rest stays", "Ǆ and the rest stays"),
            ("Already a sentence.", "Already a sentence."),
            ("0x is kept", "0x is kept"),
            ("", ""),
        ] {
            assert_eq!(body(given).for_surface(Surface::Gui).message, shown);
            assert_eq!(body(given).for_surface(Surface::Cli).message, given);
        }
        let gui = body("no key matches x").for_surface(Surface::Gui);
        assert_eq!(gui.code, "key.not_found");
        assert_ne!(gui.hint, "List the keys.");
    }

    #[test]
    fn the_body_pins_its_json_shape() {
        let b = ErrorBody {
            code: "key.not_found".into(),
            message: "no key matches x".into(),
            hint: "List the keys.".into(),
            candidates: None,
        };
        assert_eq!(
            serde_json::to_string(&b).unwrap(),
            r#"{"code":"key.not_found","message":"no key matches x","hint":"List the keys."}"#
        );
    }
}

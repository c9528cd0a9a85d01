//! The registry of error codes: every code an error of Keyward can carry, and the hint the
//! app's window shows for each.
//!
//! The rule (after GitButler's `Code`): add a code here in the same change that makes an error
//! carry it; remove it when nothing can produce it. The CLI maps a code to its exit code by
//! its [`crate::Family`]; the UI and the CLI match on codes only from this list, which a test
//! (`tests/tests/registry.rs`) checks against the sources of both, and against every code the
//! crates' `Coded` implementations return.
//!
//! Every code has a hint written for the app's window (`GUI_HINTS`): one sentence that names
//! the app's screens and buttons, never a CLI command or flag, and says what to do next;
//! [`crate::ErrorBody::for_surface`] swaps it in. The CLI shows the error's own hint (its
//! `Coded::hint`), which names commands and flags. Unit tests below keep the window's list
//! complete and its words free of CLI commands, flags and dotted codes; a new code needs its
//! window hint in the same change.
//!
//! Audit actions (`key.generate`, `vault.unlock`, …) share the dotted shape but are not errors:
//! their list is `keyward_vault::audit::ACTIONS`.

/// Where an error is shown: the app's screens name buttons and screens, the CLI names
/// commands and flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    Gui,
    Cli,
}

/// Every error code, by family.
pub const ERRORS: &[&str] = &[
    // usage
    "usage.invalid",
    // vault
    "vault.already_initialized",
    "vault.bad_passphrase",
    "vault.corrupt_item",
    "vault.index",
    "vault.io",
    "vault.item_too_large",
    "vault.kdf",
    "vault.locked",
    "vault.missing_item",
    "vault.no_passphrase_source",
    "vault.not_initialized",
    "vault.passphrase_mismatch",
    "vault.passphrase_required",
    "vault.usage",
    "vault.weak_passphrase",
    // backup
    "backup.bad_params",
    "backup.bad_passphrase",
    "backup.corrupt",
    "backup.not_a_backup",
    "backup.truncated",
    "backup.unsupported_version",
    // keychain
    "keychain.failure",
    "keychain.locked",
    "keychain.no_default_collection",
    "keychain.no_provider",
    "keychain.no_session_bus",
    "keychain.timeout",
    // key
    "key.alg_mismatch",
    "key.alg_required",
    "key.ambiguous",
    "key.bad_checksum",
    "key.bad_encoding",
    "key.bad_format",
    "key.bad_jwk",
    "key.bad_key",
    "key.bad_keystore",
    "key.bad_label",
    "key.bad_mnemonic",
    "key.bad_openssh",
    "key.bad_passphrase",
    "key.bad_path",
    "key.bad_pem",
    "key.bad_tag",
    "key.bad_xprv",
    "key.confirmation_required",
    "key.format_not_for_alg",
    "key.input_too_large",
    "key.kdf_too_costly",
    "key.not_found",
    "key.not_pem",
    "key.not_private",
    "key.passphrase_required",
    "key.unknown_format",
    "key.unsupported_alg",
    "key.weak_key",
    "key.wrong_curve",
    // agent
    "agent.already_running",
    "agent.not_running",
    "agent.peer_rejected",
    "agent.protocol",
    "agent.unreachable",
    "agent.unsafe_runtime_dir",
    // sign
    "sign.bad_input",
    "sign.bad_signature",
    "sign.non_canonical",
    "sign.policy_forbidden",
    "sign.scheme_not_for_alg",
    "sign.unknown_scheme",
    // jwt
    "jwt.alg_key_mismatch",
    "jwt.alg_none",
    "jwt.alg_not_allowed",
    "jwt.alg_not_in_mode",
    "jwt.bad_claim",
    "jwt.bad_duration",
    "jwt.bad_signature",
    "jwt.body_not_json",
    "jwt.claim_mismatch",
    "jwt.claim_missing",
    "jwt.exp_too_long",
    "jwt.expired",
    "jwt.malformed",
    "jwt.not_yet_valid",
    "jwt.too_large",
    // siwe
    "siwe.address_mismatch",
    "siwe.bad_address",
    "siwe.bad_signature",
    "siwe.bad_time",
    "siwe.domain_mismatch",
    "siwe.malformed",
    "siwe.wrong_key",
    // qr
    "qr.binary_to_terminal",
    "qr.empty",
    "qr.image_too_large",
    "qr.none_found",
    "qr.not_an_image",
    "qr.too_long",
    "qr.unreadable",
    // service
    "clock.skew",
    "service.bad_profile",
    "service.bad_response",
    "service.bad_response_signature",
    "service.error",
    "service.exists",
    "service.no_credential",
    "service.no_such_key",
    "service.not_for_kind",
    "service.not_found",
    "service.not_supported",
    "service.timeout",
    "service.unauthorized",
    "service.unreachable",
    // endpoint
    "endpoint.bad_mac",
    "endpoint.bad_request",
    "endpoint.bad_response_signature",
    "endpoint.client",
    "endpoint.expired_nonce",
    "endpoint.foreign_host",
    "endpoint.foreign_origin",
    "endpoint.key_not_allowed",
    "endpoint.not_found",
    "endpoint.pair_cooldown",
    "endpoint.pair_denied",
    "endpoint.pair_expired",
    "endpoint.pairing_outdated",
    "endpoint.peer_rejected",
    "endpoint.replay",
    "endpoint.too_large",
    "endpoint.too_many_pending",
    "endpoint.unavailable",
    "endpoint.unknown_nonce",
    "endpoint.unpaired",
    // approval
    "approval.denied",
    "approval.expired",
    "approval.forbidden",
    "approval.no_approver",
    "approval.no_grant",
    "approval.not_grantable",
    "approval.payload_mismatch",
    "approval.request_mismatch",
    "approval.too_soon",
    "approval.withdrawn",
    "app.not_found",
    "grant.not_found",
    // links
    "link.delivery",
    "link.disabled",
    "link.expired",
    "link.malformed",
    "link.no_key",
    "link.rate_limited",
    "link.too_long",
    "link.unknown_action",
    // the shells
    "ui.cancelled",
    "ui.clipboard",
    "ui.unexpected",
];

mod gui;
use gui::GUI_HINTS;

/// Whether `code` is a registered error code.
pub fn is_error(code: &str) -> bool {
    ERRORS.contains(&code)
}

/// The hint `surface` shows for `code`, when it has one of its own: every code has one for
/// the app's window; the CLI shows the error's own.
pub fn hint_for(code: &str, surface: Surface) -> Option<&'static str> {
    match surface {
        Surface::Gui => GUI_HINTS.iter().find(|(c, _)| *c == code).map(|(_, h)| *h),
        Surface::Cli => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorBody;

    #[test]
    fn codes_are_dotted_unique_and_sorted_within_their_family() {
        let mut seen = std::collections::HashSet::new();
        for c in ERRORS {
            let (family, reason) = c.split_once('.').expect("family.reason");
            assert!(!family.is_empty() && !reason.is_empty(), "{c}");
            assert!(
                c.bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'.' || b == b'_'),
                "{c}"
            );
            assert!(seen.insert(c), "{c} twice");
        }
    }

    #[test]
    fn every_code_has_one_gui_hint_and_no_other_code_has_one() {
        let missing: Vec<&str> = ERRORS
            .iter()
            .copied()
            .filter(|c| hint_for(c, Surface::Gui).is_none())
            .collect();
        assert!(missing.is_empty(), "codes without a GUI hint: {missing:?}");
        let mut seen = std::collections::HashSet::new();
        for (c, _) in GUI_HINTS {
            assert!(is_error(c), "a GUI hint for an unknown code {c}");
            assert!(seen.insert(c), "{c} has two GUI hints");
        }
    }

    /// A dot between two lower-case letters: a dotted code (`sign.policy_forbidden`), a
    /// config path, or an abbreviation like "e.g." — none of which a person should read.
    fn has_dotted_word(s: &str) -> bool {
        let b = s.as_bytes();
        (1..b.len().saturating_sub(1))
            .any(|i| b[i] == b'.' && b[i - 1].is_ascii_lowercase() && b[i + 1].is_ascii_lowercase())
    }

    #[test]
    fn the_dotted_word_check_catches_a_code() {
        assert!(has_dotted_word("Allow it (sign.policy_forbidden)."));
        assert!(!has_dotted_word("Call 127.0.0.1. Then try again."));
    }

    #[test]
    fn gui_hints_are_sentences_for_the_window_not_the_cli() {
        for (c, h) in GUI_HINTS {
            for bad in ["keyward-cli", "--", "`"] {
                assert!(
                    !h.contains(bad),
                    "the GUI hint of {c} contains {bad:?}: {h}"
                );
            }
            assert!(
                !has_dotted_word(h),
                "the GUI hint of {c} names a dotted code: {h}"
            );
            assert!(
                h.ends_with('.'),
                "the GUI hint of {c} does not end with a period: {h}"
            );
            assert!(
                h.starts_with(|ch: char| ch.is_uppercase()),
                "the GUI hint of {c} does not start with a capital: {h}"
            );
        }
    }

    #[test]
    fn the_window_gets_its_own_hint_and_the_cli_the_errors_own() {
        let body = ErrorBody {
            code: "vault.locked".into(),
            message: "the vault is locked".into(),
            hint: "Run keyward-cli unlock.".into(),
            candidates: None,
        };
        let gui = body.clone().for_surface(Surface::Gui);
        assert_eq!(
            gui.hint,
            "Unlock the vault on the Unlock screen, then try again."
        );
        assert_eq!(body.clone().for_surface(Surface::Cli), body);
        assert_eq!(hint_for("vault.locked", Surface::Cli), None);
        assert_eq!(hint_for("no.such_code", Surface::Gui), None);
    }
}

//! Sign-In with Ethereum (EIP-4361): parse, build, print, sign and verify messages.
//!
//! The parser follows the ABNF of ERC-4361 line by line: LF line ends only, no trailing LF,
//! fields in the standard's order, each at most once. The text a message prints
//! ([`SiweMessage::to_message`]) is the canonical form, and it parses back to the same message.
//! Signatures are EIP-191 `personal_sign` signatures over that text (see [`crate::sign`]).
//!
//! Where Keyward is stricter than the ABNF (a wallet would rather refuse than guess):
//! * the address must carry its EIP-55 checksum (mixed case); an all-lower-case address is
//!   refused;
//! * the domain is `host[:port]`: userinfo (`user@host`), which RFC 3986 authorities allow, is
//!   refused, because `app.example.com@evil.example` reads like a domain it is not; the port
//!   must be a number from 0 to 65535;
//! * `Chain ID` has no leading zeros (so it prints back as written);
//! * `Resources:` must be followed by at least one `- URI` line (a message without resources
//!   has no `Resources:` line).
//!
//! Contract wallets (ERC-1271) are not verified here: that needs a chain.
//!
//! The work is split along the standard: `abnf` checks each field against its grammar (RFC
//! 3986 URIs and authorities, the address's EIP-55 checksum, RFC 3339 times), `parse` reads
//! the message text line by line, `message` builds and prints messages, and `verify` signs,
//! verifies and checks the origin. This module keeps the types and the error codes.

use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::OffsetDateTime;

use crate::error::Coded;

mod abnf;
mod message;
mod parse;
mod verify;

pub use message::{build, generate_nonce};
pub use parse::parse;
pub use verify::{check_origin, sign, verify};

/// The fixed text after `[scheme "://"] domain` on the first line.
pub const HEADER_SUFFIX: &str = " wants you to sign in with your Ethereum account:";
/// Longest message text accepted (ERC-4361 asks implementers to choose maximum lengths).
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;
/// Length of the nonces [`build`] and [`generate_nonce`] make.
pub const NONCE_LEN: usize = 17;

/// A Sign-In with Ethereum message. Fields hold the text as written in the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SiweMessage {
    /// URI scheme of the requesting origin (`https`), when the message names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheme: Option<String>,
    /// The requesting `host[:port]`.
    pub domain: String,
    /// The signing address, `0x` + 40 hex digits in EIP-55 case.
    pub address: String,
    /// The human-readable assertion, when there is one (may be empty, per the ABNF).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement: Option<String>,
    /// RFC 3986 URI of the resource that is the subject of the signing.
    pub uri: String,
    /// Always `"1"`.
    pub version: String,
    /// EIP-155 chain ID.
    pub chain_id: u64,
    /// At least 8 letters and digits.
    pub nonce: String,
    /// RFC 3339 date-time.
    pub issued_at: String,
    /// RFC 3339 date-time after which the message is no longer valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_time: Option<String>,
    /// RFC 3339 date-time before which the message is not yet valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_before: Option<String>,
    /// System-specific request identifier (RFC 3986 `*pchar`, may be empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// RFC 3986 URIs listed under `Resources:`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
}

/// What [`build`] makes a message from.
#[derive(Debug, Clone, Default)]
pub struct SiweParams {
    /// URI scheme of the requesting origin, if the message is to name it.
    pub scheme: Option<String>,
    /// The requesting `host[:port]`.
    pub domain: String,
    /// `0x` + 40 hex digits in any case (`0x` optional); mixed case must be a valid EIP-55
    /// checksum. The message gets the EIP-55 form.
    pub address: String,
    /// The statement; an empty one is dropped.
    pub statement: Option<String>,
    /// RFC 3986 URI of the subject of the signing.
    pub uri: String,
    /// EIP-155 chain ID.
    pub chain_id: u64,
    /// The nonce; `None` makes a random one of [`NONCE_LEN`] letters and digits.
    pub nonce: Option<String>,
    /// Issue time; `None` is now (UTC, to the millisecond).
    pub issued_at: Option<OffsetDateTime>,
    /// Expiry time.
    pub expiration_time: Option<OffsetDateTime>,
    /// Start of validity.
    pub not_before: Option<OffsetDateTime>,
    /// Request identifier.
    pub request_id: Option<String>,
    /// Resource URIs.
    pub resources: Vec<String>,
}

/// What [`verify`] checks besides the signature. Each `Some` adds a check.
#[derive(Debug, Clone)]
pub struct VerifyOpts {
    /// The domain the relying party expects (compared case-insensitively with `domain`).
    pub domain: Option<String>,
    /// The nonce the relying party issued (compared exactly).
    pub nonce: Option<String>,
    /// The time to judge `Expiration Time` and `Not Before` against.
    pub now: OffsetDateTime,
    /// The origin that asked for the signature, checked with [`check_origin`].
    pub origin: Option<String>,
}

impl VerifyOpts {
    /// Options with only the time set.
    pub fn at(now: OffsetDateTime) -> VerifyOpts {
        VerifyOpts {
            domain: None,
            nonce: None,
            now,
            origin: None,
        }
    }
}

/// The outcome of [`verify`]: every check performed, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SiweVerdict {
    /// True only when every check passed.
    pub valid: bool,
    /// The checks performed.
    pub checks: Vec<Check>,
}

/// One check of a [`SiweVerdict`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// `"message"`, `"signature"`, `"expiration"`, `"not_before"`, `"domain"`, `"nonce"` or
    /// `"origin"`.
    pub id: &'static str,
    /// Whether it passed.
    pub ok: bool,
    /// One line for the user.
    pub detail: String,
}

/// Errors of SIWE parsing, building, signing and origin checks. Parse errors name the line and
/// the field, never the text found there.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SiweError {
    /// The text or a field does not follow EIP-4361.
    #[error("{}{field}: {reason}", at(*.line))]
    Malformed {
        /// 1-based line of the message text, when parsing.
        line: Option<usize>,
        /// The field (`URI`, `Nonce`, …).
        field: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// The address is not `0x` + 40 hex digits with a valid EIP-55 checksum.
    #[error("{}address: {reason}", at(*.line))]
    BadAddress {
        /// 1-based line, when parsing.
        line: Option<usize>,
        /// What is wrong.
        reason: &'static str,
    },
    /// A time field is not an RFC 3339 date-time.
    #[error("{}{field}: not an RFC 3339 date-time", at(*.line))]
    BadTime {
        /// 1-based line, when parsing.
        line: Option<usize>,
        /// The field (`Issued At`, …).
        field: &'static str,
    },
    /// The key does not own the message's address.
    #[error("the key's address is {key}, but the message is for {message}")]
    AddressMismatch {
        /// The key's EIP-55 address.
        key: String,
        /// The message's address.
        message: String,
    },
    /// The origin that asked is not the message's scheme and domain.
    #[error("the message is for {domain}, but the request came from {origin}")]
    DomainMismatch {
        /// The message's `[scheme://]domain`.
        domain: String,
        /// The origin that asked.
        origin: String,
    },
    /// The key is not a secp256k1 key.
    #[error("a {0} key cannot sign in with Ethereum; it takes a secp256k1 key")]
    WrongKey(String),
    /// Making or reading the EIP-191 signature failed (the message of the underlying error).
    #[error("signature: {0}")]
    Signature(String),
}

fn at(line: Option<usize>) -> String {
    line.map(|n| format!("line {n}, ")).unwrap_or_default()
}

impl Coded for SiweError {
    fn code(&self) -> &str {
        match self {
            SiweError::Malformed { .. } => "siwe.malformed",
            SiweError::BadAddress { .. } => "siwe.bad_address",
            SiweError::BadTime { .. } => "siwe.bad_time",
            SiweError::AddressMismatch { .. } => "siwe.address_mismatch",
            SiweError::DomainMismatch { .. } => "siwe.domain_mismatch",
            SiweError::WrongKey(_) => "siwe.wrong_key",
            SiweError::Signature(_) => "siwe.bad_signature",
        }
    }

    fn hint(&self) -> String {
        match self {
            SiweError::Malformed { .. } => "This is not a well-formed Sign-In with Ethereum (EIP-4361) message: it must be copied whole, with LF line ends, no final line break and the fields in the standard's order.".into(),
            SiweError::BadAddress { .. } => "The address must be 0x and 40 hex digits with its EIP-55 checksum (mixed case); copy it again from the wallet.".into(),
            SiweError::BadTime { .. } => "Write times in RFC 3339, like 2021-09-30T16:25:24Z.".into(),
            SiweError::AddressMismatch { .. } => "Sign with the key whose address the message names, or make the message for this key's address.".into(),
            SiweError::DomainMismatch { .. } => "Do not sign: the site asking is not the site the message names (this is how phishing looks).".into(),
            SiweError::WrongKey(_) => "Pick a secp256k1 (Ethereum) key.".into(),
            SiweError::Signature(_) => "The signature is unreadable or could not be made; ask for a new one (65 bytes r‖s‖v).".into(),
        }
    }
}

fn malformed(line: Option<usize>, field: &'static str, reason: &'static str) -> SiweError {
    SiweError::Malformed {
        line,
        field,
        reason,
    }
}

/// Whether `text` claims to be a SIWE message (ERC-4361 asks wallets to warn when such text
/// does not parse).
pub fn claims_siwe(text: &str) -> bool {
    text.contains("wants you to sign in with your Ethereum account")
}

#[cfg(test)]
mod tests;

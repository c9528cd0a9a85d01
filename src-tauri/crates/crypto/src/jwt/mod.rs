//! JSON Web Tokens: mint (thirdweb Engine keypair tokens and generic ones), verify with an
//! explicit algorithm allow-list, and inspect without verifying.
//!
//! Compact JWS (RFC 7515) is assembled here; every signature comes from [`crate::sign`]
//! (AWS-LC for ES256/ES384, `k256` for ES256K, OpenSSL for RS256/PS256, `ed25519-dalek` for
//! EdDSA). No RSA private-key operation goes through the `rsa` crate (RUSTSEC-2023-0071), and
//! the `jsonwebtoken` crate has no ES256K: one path for every algorithm keeps them alike.
//!
//! Engine mode follows PROTOCOLS.md §2.1: `iss` is the SPKI PEM exactly as Engine stores it
//! (trimmed, `\n` line breaks) or the header `kid` is its hex SHA-256; `iat` and `exp` are
//! always set (default 15 s, never beyond the configured maximum, default 5 minutes); the
//! optional `bodyHash` is hex SHA-256 of the body as Node's `JSON.stringify(JSON.parse(body))`
//! writes it, which is what Engine recomputes ([`node_json`]). Engine rejects EdDSA and ES256K.
//!
//! One submodule for each thing done with a token: minting (with the Engine rules and the
//! `bodyHash` body), verifying, and decoding (with `inspect`); this module keeps the shared
//! limits, the error codes and their hints, and the small parsers of the command line.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::error::{Coded, CryptoError};
use crate::keys::{KeyAlg, PublicKey};
use crate::sign::JwsAlg;

mod decode;
mod mint;
mod verify;

pub use decode::{bare_token, decode, inspect, Decoded, Inspected};
pub use mint::{body_hash, compact, mint, node_json, MintOptions, Minted};
pub use verify::{verify, Check, Verified, VerifyOptions};

/// Default lifetime of a minted token, in seconds.
pub const DEFAULT_EXP_SECS: u64 = 15;
/// Default ceiling on a minted token's lifetime, in seconds.
pub const DEFAULT_MAX_EXP_SECS: u64 = 300;
/// Largest claim set a token may carry when minted (bytes of JSON).
pub const MAX_CLAIMS_BYTES: usize = 8 * 1024;
/// Largest token accepted for verification or inspection.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// A JWT refused when minting, verifying or decoding, with its `jwt.*` code. The functions
/// here return it as [`CryptoError::Jwt`] (the variant other crates build and match on);
/// its code and hint are this type's [`Coded`] implementation, as SIWE's are
/// [`SiweError`](crate::siwe::SiweError)'s.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{msg}")]
pub struct JwtError {
    /// One of the `jwt.*` codes [`hint`] knows.
    pub code: &'static str,
    /// What went wrong, for the user; never the token's text.
    pub msg: String,
}

impl Coded for JwtError {
    fn code(&self) -> &str {
        self.code
    }

    fn hint(&self) -> String {
        hint(self.code)
    }
}

impl From<JwtError> for CryptoError {
    fn from(e: JwtError) -> CryptoError {
        CryptoError::Jwt {
            code: e.code,
            msg: e.msg,
        }
    }
}

fn err(code: &'static str, msg: impl Into<String>) -> CryptoError {
    JwtError {
        code,
        msg: msg.into(),
    }
    .into()
}

/// The hint shown with each `jwt.*` code.
pub fn hint(code: &str) -> String {
    match code {
        "jwt.malformed" => "A JWT is three base64url parts joined by dots: header.payload.signature; copy it whole.",
        "jwt.alg_none" => "Unsigned tokens (alg none) are never accepted.",
        "jwt.alg_not_allowed" => "Name the algorithms you expect with --alg (ES256, ES384, ES256K, RS256, PS256, EdDSA).",
        "jwt.alg_not_in_mode" => "Engine accepts RS256, ES256, ES384 and PS256 only; for this key use --mode generic.",
        "jwt.bad_signature" => "The token was not signed by this key, or was altered after signing.",
        "jwt.expired" => "Mint a fresh token; keypair tokens live seconds.",
        "jwt.not_yet_valid" => "The token's nbf is in the future; check both clocks or wait.",
        "jwt.claim_mismatch" => "The token was minted for another issuer or audience.",
        "jwt.claim_missing" => "The token lacks a claim the check requires.",
        "jwt.too_large" => "Keep custom claims small; a token travels in every request header.",
        "jwt.exp_too_long" => "Ask for a shorter --exp, or raise the profile's maximum lifetime.",
        "jwt.bad_claim" => "Write claims as --claim name=value; the value may be JSON. iat and exp are set with --exp.",
        "jwt.body_not_json" => "bodyHash is defined for JSON bodies: give a file holding one JSON value.",
        "jwt.bad_duration" => "Write a duration like 15s, 2m or 90 (seconds).",
        _ => "See keyward-cli jwt --help.",
    }
    .into()
}

/// How a token is minted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
#[ts(rename = "JwtMode")]
pub enum Mode {
    /// thirdweb Engine keypair auth: `iss` = PEM (or `kid`), short `exp`, optional `bodyHash`.
    #[default]
    #[cfg_attr(
        feature = "clap",
        value(
            help = "thirdweb Engine keypair auth: iss = the key's PEM (or --kid), short exp, optional bodyHash"
        )
    )]
    Engine,
    /// A standard JWT with `iat`, `exp` and the claims asked for.
    #[cfg_attr(
        feature = "clap",
        value(help = "A standard JWT: iat, exp and the claims asked for")
    )]
    Generic,
}

impl Mode {
    pub fn parse(s: &str) -> Result<Mode, CryptoError> {
        match s {
            "engine" => Ok(Mode::Engine),
            "generic" => Ok(Mode::Generic),
            _ => Err(err("jwt.bad_claim", "the mode is engine or generic")),
        }
    }
}

/// Algorithms thirdweb Engine accepts for keypair tokens (of those Keyward mints).
pub const ENGINE_ALGS: [JwsAlg; 4] = [JwsAlg::ES256, JwsAlg::ES384, JwsAlg::RS256, JwsAlg::PS256];

/// The PEM as thirdweb Engine stores it: trimmed, `\n` line breaks.
pub fn engine_pem(public: &PublicKey) -> String {
    public.spki_pem().trim().to_string()
}

/// Hex SHA-256 of a PEM: Engine's keypair hash, and the `kid` of kid-mode tokens.
pub fn engine_key_hash(pem: &str) -> String {
    hex::encode(Sha256::digest(pem.as_bytes()))
}

/// Which key algorithm a JOSE algorithm needs (for messages).
pub fn key_alg_for(alg: JwsAlg) -> &'static str {
    match alg {
        JwsAlg::ES256 => KeyAlg::P256.as_str(),
        JwsAlg::ES384 => KeyAlg::P384.as_str(),
        JwsAlg::ES256K => KeyAlg::Secp256k1.as_str(),
        JwsAlg::EdDSA => KeyAlg::Ed25519.as_str(),
        JwsAlg::RS256 | JwsAlg::PS256 => "rsa2048|rsa3072|rsa4096",
    }
}

/// Parses `15s`, `2m`, `1h` or a bare number of seconds.
pub fn parse_duration(s: &str) -> Result<u64, CryptoError> {
    let s = s.trim();
    let (num, mult) = match s.char_indices().last() {
        Some((i, 's')) => (&s[..i], 1),
        Some((i, 'm')) => (&s[..i], 60),
        Some((i, 'h')) => (&s[..i], 3600),
        _ => (s, 1),
    };
    num.parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .ok_or_else(|| err("jwt.bad_duration", "the duration is not like 15s, 2m or 90"))
}

/// Parses `name=value`; a value that is valid JSON is taken as JSON, else as a string.
pub fn parse_claim(s: &str) -> Result<(String, Value), CryptoError> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| err("jwt.bad_claim", "a claim is written name=value"))?;
    let k = k.trim();
    if k.is_empty() {
        return Err(err("jwt.bad_claim", "the claim name is empty"));
    }
    let value = serde_json::from_str::<Value>(v).unwrap_or_else(|_| Value::String(v.to_string()));
    Ok((k.to_string(), value))
}

#[cfg(test)]
mod tests;

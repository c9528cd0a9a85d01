//! Reading a token without verifying it: its parts ([`decode`]), and what `jwt inspect` shows
//! ([`inspect`]).

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{engine_key_hash, err, MAX_TOKEN_BYTES};
use crate::error::CryptoError;

/// A token split into its parts, decoded but not verified.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Decoded {
    pub header: Value,
    pub claims: Value,
    /// The JOSE `alg` as written.
    pub alg: String,
    pub signature_bytes: usize,
    /// `b64url(header) "." b64url(payload)`, what the signature covers.
    #[serde(skip)]
    pub(super) signing_input: String,
    #[serde(skip)]
    pub(super) signature: Vec<u8>,
}

/// A token as pasted: surrounding space, a leading `Bearer ` and a whole `Authorization:
/// Bearer` header line are not part of it.
pub fn bare_token(t: &str) -> &str {
    let t = t.trim();
    let t = t
        .strip_prefix("Authorization:")
        .or_else(|| t.strip_prefix("authorization:"))
        .map(str::trim_start)
        .unwrap_or(t);
    t.strip_prefix("Bearer ")
        .or_else(|| t.strip_prefix("bearer "))
        .map(str::trim)
        .unwrap_or(t)
}

/// Decodes a compact JWS without verifying anything.
pub fn decode(token: &str) -> Result<Decoded, CryptoError> {
    let token = bare_token(token);
    if token.len() > MAX_TOKEN_BYTES {
        return Err(err(
            "jwt.too_large",
            format!(
                "the token is {} bytes; the limit is {MAX_TOKEN_BYTES}",
                token.len()
            ),
        ));
    }
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return Err(err(
            "jwt.malformed",
            format!("a JWT has 3 dot-separated parts, this has {}", parts.len()),
        ));
    }
    let part = |i: usize, name: &str| -> Result<Vec<u8>, CryptoError> {
        B64.decode(parts[i])
            .map_err(|_| err("jwt.malformed", format!("the {name} is not base64url")))
    };
    let header: Value = serde_json::from_slice(&part(0, "header")?)
        .map_err(|_| err("jwt.malformed", "the header is not JSON"))?;
    let claims: Value = serde_json::from_slice(&part(1, "payload")?)
        .map_err(|_| err("jwt.malformed", "the payload is not JSON"))?;
    if !header.is_object() {
        return Err(err("jwt.malformed", "the header is not a JSON object"));
    }
    if !claims.is_object() {
        return Err(err("jwt.malformed", "the payload is not a JSON object"));
    }
    let signature = part(2, "signature")?;
    let alg = header
        .get("alg")
        .and_then(Value::as_str)
        .ok_or_else(|| err("jwt.malformed", "the header has no alg"))?
        .to_string();
    Ok(Decoded {
        header,
        claims,
        alg,
        signature_bytes: signature.len(),
        signing_input: format!("{}.{}", parts[0], parts[1]),
        signature,
    })
}

/// What `jwt inspect` shows: the decoded parts, times relative to `now`, and a plain statement
/// that nothing was verified.
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Inspected {
    // The header and the claims are JSON objects (`decode` refuses others).
    #[ts(type = "Record<string, unknown>")]
    pub header: Value,
    #[ts(type = "Record<string, unknown>")]
    pub claims: Value,
    pub alg: String,
    pub signature_bytes: usize,
    pub verified: bool,
    pub note: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(type = "number", optional)]
    pub expires_in_secs: Option<i64>,
    /// Engine reading: the hash Engine would look the key up by (from `iss` or `kid`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub engine_key_hash: Option<String>,
}

/// Decodes without verifying.
pub fn inspect(token: &str, now: i64) -> Result<Inspected, CryptoError> {
    let d = decode(token)?;
    let c = d.claims.as_object().expect("checked in decode");
    let expires_in_secs = c
        .get("exp")
        .and_then(Value::as_f64)
        .map(|e| (e as i64).saturating_sub(now));
    let engine_key_hash = match (
        c.get("iss").and_then(Value::as_str),
        d.header.get("kid").and_then(Value::as_str),
    ) {
        (Some(iss), _) if iss.starts_with("-----BEGIN PUBLIC KEY-----") => {
            Some(engine_key_hash(iss))
        }
        (None, Some(kid)) => Some(kid.to_string()),
        _ => None,
    };
    Ok(Inspected {
        alg: d.alg.clone(),
        signature_bytes: d.signature_bytes,
        header: d.header,
        claims: d.claims,
        verified: false,
        note: "decoded only: the signature, the expiry and the claims were NOT verified".into(),
        expires_in_secs,
        engine_key_hash,
    })
}

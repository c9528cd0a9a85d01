// Size: just over 800 lines of non-test code; mint, verify and inspect are its seams, left
// together until issue 14 moves Engine's minting rules out to `services::kind`.

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

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::error::CryptoError;
use crate::keys::{KeyAlg, Public, PublicKey};
use crate::sign::{JwsAlg, Signer};

/// Default lifetime of a minted token, in seconds.
pub const DEFAULT_EXP_SECS: u64 = 15;
/// Default ceiling on a minted token's lifetime, in seconds.
pub const DEFAULT_MAX_EXP_SECS: u64 = 300;
/// Largest claim set a token may carry when minted (bytes of JSON).
pub const MAX_CLAIMS_BYTES: usize = 8 * 1024;
/// Largest token accepted for verification or inspection.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;

fn err(code: &'static str, msg: impl Into<String>) -> CryptoError {
    CryptoError::Jwt {
        code,
        msg: msg.into(),
    }
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// thirdweb Engine keypair auth: `iss` = PEM (or `kid`), short `exp`, optional `bodyHash`.
    #[default]
    Engine,
    /// A standard JWT with `iat`, `exp` and the claims asked for.
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

/// What to mint.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MintOptions {
    pub mode: Mode,
    /// The JOSE algorithm; `None` = the key's own (ES256 for p256, RS256 for RSA, …).
    pub alg: Option<JwsAlg>,
    /// Lifetime in seconds (`None` = 15).
    pub exp_secs: Option<u64>,
    /// Ceiling on the lifetime (`None` = 300).
    pub max_exp_secs: Option<u64>,
    /// Engine mode: put the PEM's hash in the header `kid` instead of the PEM in `iss`.
    pub use_kid: bool,
    /// Engine mode: the PEM exactly as the service returned it when the key was registered
    /// (`None` = the key's own SPKI PEM, trimmed).
    pub registered_pem: Option<String>,
    pub aud: Vec<String>,
    pub sub: Option<String>,
    /// `nbf` as seconds from now.
    pub nbf_in_secs: Option<u64>,
    pub jti: Option<String>,
    /// Further claims (`iat` and `exp` are not allowed here).
    pub claims: Map<String, Value>,
    /// A JSON body to bind with `bodyHash`.
    pub body: Option<Vec<u8>>,
}

/// A minted token with its decoded parts, for display.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Minted {
    pub token: String,
    pub header: Value,
    pub claims: Value,
    pub expires_at: i64,
    /// The compact body whose hash is in `bodyHash` — send exactly these bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// The PEM as thirdweb Engine stores it: trimmed, `\n` line breaks.
pub fn engine_pem(public: &PublicKey) -> String {
    public.spki_pem().trim().to_string()
}

/// Hex SHA-256 of a PEM: Engine's keypair hash, and the `kid` of kid-mode tokens.
pub fn engine_key_hash(pem: &str) -> String {
    hex::encode(Sha256::digest(pem.as_bytes()))
}

/// Mints a token signed by `signer` at time `now` (Unix seconds).
pub fn mint(
    signer: &Signer<'_>,
    public: &PublicKey,
    opts: &MintOptions,
    now: i64,
) -> Result<Minted, CryptoError> {
    let key_alg = signer.alg();
    let alg = match opts.alg {
        Some(a) => a,
        None => JwsAlg::default_for(key_alg),
    };
    if !alg.fits(key_alg) {
        return Err(CryptoError::JwsAlgNotForKey {
            jws: alg.as_str().into(),
            alg: key_alg.to_string(),
        });
    }
    if opts.mode == Mode::Engine && !ENGINE_ALGS.contains(&alg) {
        return Err(err(
            "jwt.alg_not_in_mode",
            format!("thirdweb Engine does not accept {alg} tokens"),
        ));
    }
    let max = opts.max_exp_secs.unwrap_or(DEFAULT_MAX_EXP_SECS);
    let exp_secs = opts.exp_secs.unwrap_or(DEFAULT_EXP_SECS);
    if exp_secs == 0 {
        return Err(err(
            "jwt.bad_duration",
            "the lifetime must be at least 1 second",
        ));
    }
    if exp_secs > max {
        return Err(err(
            "jwt.exp_too_long",
            format!("a {exp_secs} s lifetime exceeds the maximum of {max} s"),
        ));
    }

    let mut header = Map::new();
    header.insert("alg".into(), alg.as_str().into());
    header.insert("typ".into(), "JWT".into());
    let mut claims = Map::new();
    let mut body_out = None;
    if opts.mode == Mode::Engine {
        let pem = match &opts.registered_pem {
            Some(p) => p.clone(),
            None => engine_pem(public),
        };
        if opts.use_kid {
            header.insert("kid".into(), engine_key_hash(&pem).into());
        } else {
            claims.insert("iss".into(), pem.into());
        }
    }
    if let Some(sub) = &opts.sub {
        claims.insert("sub".into(), sub.clone().into());
    }
    match opts.aud.len() {
        0 => {}
        1 => {
            claims.insert("aud".into(), opts.aud[0].clone().into());
        }
        _ => {
            claims.insert("aud".into(), opts.aud.clone().into());
        }
    }
    claims.insert("iat".into(), now.into());
    if let Some(n) = opts.nbf_in_secs {
        claims.insert("nbf".into(), (now + n as i64).into());
    }
    let exp = now + exp_secs as i64;
    claims.insert("exp".into(), exp.into());
    if let Some(j) = &opts.jti {
        claims.insert("jti".into(), j.clone().into());
    }
    if let Some(body) = &opts.body {
        let (hash, compact) = body_hash(body)?;
        claims.insert("bodyHash".into(), hash.into());
        body_out = Some(compact);
    }
    for (k, v) in &opts.claims {
        if matches!(k.as_str(), "iat" | "exp") {
            return Err(err(
                "jwt.bad_claim",
                format!("{k} is set by Keyward (use --exp)"),
            ));
        }
        if opts.mode == Mode::Engine && k == "iss" {
            return Err(err("jwt.bad_claim", "in Engine mode iss is the key's PEM"));
        }
        if k == "bodyHash" && opts.body.is_some() {
            return Err(err("jwt.bad_claim", "bodyHash comes from the body given"));
        }
        claims.insert(k.clone(), v.clone());
    }
    let token = compact(signer, alg, &header, &claims)?;
    Ok(Minted {
        token,
        header: Value::Object(header),
        claims: Value::Object(claims),
        expires_at: exp,
        body: body_out,
    })
}

/// A compact JWS of `claims` under `header` (which must name `alg`), signed by `signer`:
/// `b64url(header) "." b64url(claims) "." b64url(signature)`. Refuses claims over the size
/// limit and an `alg` that does not fit the key.
pub fn compact(
    signer: &Signer<'_>,
    alg: JwsAlg,
    header: &Map<String, Value>,
    claims: &Map<String, Value>,
) -> Result<String, CryptoError> {
    let claims_json = serde_json::to_vec(claims).expect("a JSON map serialises");
    if claims_json.len() > MAX_CLAIMS_BYTES {
        return Err(err(
            "jwt.too_large",
            format!(
                "the claims take {} bytes; the limit is {MAX_CLAIMS_BYTES}",
                claims_json.len()
            ),
        ));
    }
    let header_json = serde_json::to_vec(header).expect("a JSON map serialises");
    let mut token = String::with_capacity(claims_json.len() * 4 / 3 + 200);
    B64.encode_string(&header_json, &mut token);
    token.push('.');
    B64.encode_string(&claims_json, &mut token);
    let sig = signer.sign_jws(alg, token.as_bytes())?;
    token.push('.');
    B64.encode_string(&sig, &mut token);
    Ok(token)
}

/// `bodyHash` of a JSON body as thirdweb Engine computes it, and the compact body to send:
/// hex SHA-256 of `JSON.stringify(JSON.parse(body))`.
pub fn body_hash(body: &[u8]) -> Result<(String, String), CryptoError> {
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| err("jwt.body_not_json", format!("the body is not JSON ({e})")))?;
    let compact = node_json(&v);
    Ok((hex::encode(Sha256::digest(compact.as_bytes())), compact))
}

/// `JSON.stringify` of a value `JSON.parse` built: array-index keys first in ascending order,
/// then the rest in insertion order; numbers as JavaScript writes doubles; strings escaped as
/// ECMAScript's QuoteJSONString does (which is what `serde_json` does too).
pub fn node_json(v: &Value) -> String {
    let mut out = String::new();
    write_node_json(v, &mut out);
    out
}

fn array_index(k: &str) -> Option<u32> {
    // A canonical numeric string of an integer in [0, 2^32 - 2].
    if k.is_empty() || k.len() > 10 || (k.len() > 1 && k.starts_with('0')) {
        return None;
    }
    if !k.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    k.parse::<u64>()
        .ok()
        .filter(|&n| n < u32::MAX as u64)
        .map(|n| n as u32)
}

fn write_node_json(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let f = n.as_f64().unwrap_or(0.0);
            if f == 0.0 {
                out.push('0');
            } else {
                out.push_str(ryu_js::Buffer::new().format(f));
            }
        }
        Value::String(s) => out.push_str(&serde_json::to_string(s).expect("a string serialises")),
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_node_json(x, out);
            }
            out.push(']');
        }
        Value::Object(m) => {
            let mut idx: Vec<(u32, &String, &Value)> = Vec::new();
            let mut rest: Vec<(&String, &Value)> = Vec::new();
            for (k, x) in m {
                match array_index(k) {
                    Some(n) => idx.push((n, k, x)),
                    None => rest.push((k, x)),
                }
            }
            idx.sort_by_key(|e| e.0);
            out.push('{');
            let mut first = true;
            for (k, x) in idx.into_iter().map(|(_, k, x)| (k, x)).chain(rest) {
                if !first {
                    out.push(',');
                }
                first = false;
                out.push_str(&serde_json::to_string(k).expect("a string serialises"));
                out.push(':');
                write_node_json(x, out);
            }
            out.push('}');
        }
    }
}

/// A token split into its parts, decoded but not verified.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Decoded {
    pub header: Value,
    pub claims: Value,
    /// The JOSE `alg` as written.
    pub alg: String,
    pub signature_bytes: usize,
    #[serde(skip)]
    signing_input: String,
    #[serde(skip)]
    signature: Vec<u8>,
}

/// Decodes a compact JWS without verifying anything.
pub fn decode(token: &str) -> Result<Decoded, CryptoError> {
    let token = token.trim();
    let token = token
        .strip_prefix("Bearer ")
        .or_else(|| token.strip_prefix("bearer "))
        .unwrap_or(token)
        .trim();
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

/// What a verification checks.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct VerifyOptions {
    /// Algorithms accepted (required; `none` never is).
    pub algorithms: Vec<JwsAlg>,
    pub iss: Option<String>,
    pub aud: Option<String>,
    pub leeway_secs: u64,
    /// Refuse a token without `exp`.
    pub require_exp: bool,
}

/// One check a verification performed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Check {
    pub id: String,
    pub ok: bool,
    pub detail: String,
}

/// A verified token: its parts and every check made (all passed).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Verified {
    pub header: Value,
    pub claims: Value,
    pub alg: JwsAlg,
    pub checks: Vec<Check>,
    /// What was not checked, spelled out.
    pub not_checked: Vec<String>,
}

fn check(id: &str, detail: impl Into<String>) -> Check {
    Check {
        id: id.into(),
        ok: true,
        detail: detail.into(),
    }
}

/// Verifies `token` against `key` at `now`. Any failure is an error with its `jwt.*` code.
pub fn verify(
    token: &str,
    key: &PublicKey,
    opts: &VerifyOptions,
    now: i64,
) -> Result<Verified, CryptoError> {
    let d = decode(token)?;
    if d.alg.eq_ignore_ascii_case("none") {
        return Err(err("jwt.alg_none", "the token is unsigned (alg none)"));
    }
    let Some(alg) = JwsAlg::parse(&d.alg) else {
        return Err(err(
            "jwt.alg_not_allowed",
            format!("{} is not an algorithm Keyward verifies", safe(&d.alg)),
        ));
    };
    if opts.algorithms.is_empty() {
        return Err(err(
            "jwt.alg_not_allowed",
            "no algorithm is allowed: name them with --alg",
        ));
    }
    if !opts.algorithms.contains(&alg) {
        return Err(err(
            "jwt.alg_not_allowed",
            format!("the token is {alg}, which is not in the allowed list"),
        ));
    }
    if !alg.fits(key.alg()) {
        return Err(CryptoError::JwsAlgNotForKey {
            jws: alg.as_str().into(),
            alg: key.alg().to_string(),
        });
    }
    if d.header.get("crit").is_some() {
        return Err(err(
            "jwt.malformed",
            "the header has crit extensions Keyward does not know",
        ));
    }
    let mut checks = vec![check(
        "alg",
        format!("{alg} is allowed and fits the {} key", key.alg()),
    )];
    let sig_note = verify_jws(alg, key, d.signing_input.as_bytes(), &d.signature)?;
    checks.push(check("signature", sig_note));

    let c = d.claims.as_object().expect("checked in decode");
    let num = |name: &str| -> Result<Option<i64>, CryptoError> {
        match c.get(name) {
            None => Ok(None),
            Some(v) => v
                .as_f64()
                .map(|f| Some(f.floor() as i64))
                .ok_or_else(|| err("jwt.malformed", format!("{name} is not a number"))),
        }
    };
    // Saturating throughout: a hostile exp or nbf (any JSON number) must neither panic (debug
    // builds check overflow) nor wrap into "valid".
    let leeway = i64::try_from(opts.leeway_secs).unwrap_or(i64::MAX);
    match num("exp")? {
        Some(exp) => {
            if now >= exp.saturating_add(leeway) {
                return Err(err(
                    "jwt.expired",
                    format!("the token expired {} s ago", now.saturating_sub(exp)),
                ));
            }
            checks.push(check(
                "exp",
                format!("expires in {} s", exp.saturating_sub(now)),
            ));
        }
        None if opts.require_exp => {
            return Err(err("jwt.claim_missing", "the token has no exp"));
        }
        None => {}
    }
    if let Some(nbf) = num("nbf")? {
        if nbf > now.saturating_add(leeway) {
            return Err(err(
                "jwt.not_yet_valid",
                format!("the token is valid only in {} s", nbf.saturating_sub(now)),
            ));
        }
        checks.push(check("nbf", "already valid"));
    }
    if let Some(want) = &opts.iss {
        match c.get("iss").and_then(Value::as_str) {
            Some(got) if got == want => checks.push(check("iss", "matches")),
            Some(_) => return Err(err("jwt.claim_mismatch", "iss is not the one required")),
            None => return Err(err("jwt.claim_missing", "the token has no iss")),
        }
    }
    if let Some(want) = &opts.aud {
        let ok = match c.get("aud") {
            Some(Value::String(s)) => s == want,
            Some(Value::Array(a)) => a.iter().any(|x| x.as_str() == Some(want)),
            Some(_) => false,
            None => return Err(err("jwt.claim_missing", "the token has no aud")),
        };
        if !ok {
            return Err(err(
                "jwt.claim_mismatch",
                "aud does not include the one required",
            ));
        }
        checks.push(check("aud", "includes the audience required"));
    }
    let mut not_checked = Vec::new();
    if c.get("exp").is_none() {
        not_checked.push("exp: the token has none, so it never expires".to_string());
    }
    if opts.iss.is_none() && c.contains_key("iss") {
        not_checked.push("iss: present but not compared (no issuer required)".to_string());
    }
    if opts.aud.is_none() && c.contains_key("aud") {
        not_checked.push("aud: present but not compared (no audience required)".to_string());
    }
    if c.contains_key("bodyHash") {
        not_checked
            .push("bodyHash: only the service can compare it with the request body".to_string());
    }
    if c.contains_key("jti") {
        not_checked.push("jti: replay is the service's to track".to_string());
    }
    Ok(Verified {
        header: d.header,
        claims: d.claims,
        alg,
        checks,
        not_checked,
    })
}

/// Quotes at most 16 characters of untrusted text.
fn safe(s: &str) -> String {
    let t: String = s.chars().take(16).filter(|c| !c.is_control()).collect();
    format!("{t:?}")
}

fn verify_jws(
    alg: JwsAlg,
    key: &PublicKey,
    input: &[u8],
    sig: &[u8],
) -> Result<String, CryptoError> {
    use aws_lc_rs::signature as lc;
    let bad = || {
        err(
            "jwt.bad_signature",
            "the signature does not verify with this key",
        )
    };
    match (alg, key.inner()) {
        (JwsAlg::ES256, Public::P256(p)) => {
            use p256::elliptic_curve::sec1::ToEncodedPoint;
            let point = p.to_encoded_point(false);
            verify_fixed(
                alg,
                point.as_bytes(),
                &lc::ECDSA_P256_SHA256_FIXED,
                64,
                input,
                sig,
            )
        }
        (JwsAlg::ES384, Public::P384(p)) => {
            use p384::elliptic_curve::sec1::ToEncodedPoint;
            let point = p.to_encoded_point(false);
            verify_fixed(
                alg,
                point.as_bytes(),
                &lc::ECDSA_P384_SHA384_FIXED,
                96,
                input,
                sig,
            )
        }
        (JwsAlg::ES256K, Public::K256(p)) => {
            use k256::ecdsa::signature::Verifier;
            let s = k256::ecdsa::Signature::from_slice(sig).map_err(|_| {
                err(
                    "jwt.bad_signature",
                    format!("an ES256K signature is 64 bytes of r‖s, not {}", sig.len()),
                )
            })?;
            let (s, high) = match s.normalize_s() {
                Some(n) => (n, true),
                None => (s, false),
            };
            k256::ecdsa::VerifyingKey::from(p)
                .verify(input, &s)
                .map_err(|_| bad())?;
            Ok(if high {
                "valid ES256K signature (high-S, accepted as its low-S twin)".into()
            } else {
                "valid ES256K signature".into()
            })
        }
        (JwsAlg::EdDSA, Public::Ed25519(vk)) => {
            let s = ed25519_dalek::Signature::from_slice(sig).map_err(|_| bad())?;
            vk.verify_strict(input, &s).map_err(|_| bad())?;
            Ok("valid EdDSA (Ed25519) signature".into())
        }
        (JwsAlg::RS256 | JwsAlg::PS256, Public::Rsa { spki, .. }) => {
            use openssl::{hash::MessageDigest, rsa::Padding, sign::RsaPssSaltlen};
            let pkey = openssl::pkey::PKey::public_key_from_der(spki).map_err(|_| bad())?;
            let mut v =
                openssl::sign::Verifier::new(MessageDigest::sha256(), &pkey).map_err(|_| bad())?;
            if alg == JwsAlg::PS256 {
                v.set_rsa_padding(Padding::PKCS1_PSS)
                    .and_then(|_| v.set_rsa_pss_saltlen(RsaPssSaltlen::DIGEST_LENGTH))
                    .and_then(|_| v.set_rsa_mgf1_md(MessageDigest::sha256()))
                    .map_err(|_| bad())?;
            }
            v.update(input).map_err(|_| bad())?;
            match v.verify(sig) {
                Ok(true) => Ok(format!("valid {alg} signature")),
                _ => Err(bad()),
            }
        }
        _ => Err(CryptoError::JwsAlgNotForKey {
            jws: alg.as_str().into(),
            alg: key.alg().to_string(),
        }),
    }
}

fn verify_fixed(
    alg: JwsAlg,
    point: &[u8],
    valg: &'static aws_lc_rs::signature::EcdsaVerificationAlgorithm,
    size: usize,
    input: &[u8],
    sig: &[u8],
) -> Result<String, CryptoError> {
    if sig.len() != size {
        return Err(err(
            "jwt.bad_signature",
            format!(
                "an {alg} signature is {size} bytes of r‖s, not {}",
                sig.len()
            ),
        ));
    }
    aws_lc_rs::signature::UnparsedPublicKey::new(valg, point)
        .verify(input, sig)
        .map_err(|_| {
            err(
                "jwt.bad_signature",
                "the signature does not verify with this key",
            )
        })?;
    Ok(format!("valid {alg} signature"))
}

/// What `jwt inspect` shows: the decoded parts, times relative to `now`, and a plain statement
/// that nothing was verified.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Inspected {
    pub header: Value,
    pub claims: Value,
    pub alg: String,
    pub signature_bytes: usize,
    pub verified: bool,
    pub note: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_in_secs: Option<i64>,
    /// Engine reading: the hash Engine would look the key up by (from `iss` or `kid`).
    #[serde(skip_serializing_if = "Option::is_none")]
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

//! Verification: an explicit algorithm allow-list, the signature, then the time and claim
//! checks asked for, each listed in the result.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{decode, err};
use crate::error::CryptoError;
use crate::keys::{Public, PublicKey};
use crate::sign::JwsAlg;

/// What a verification checks.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", default)]
// Every field has a default and may be left out (`algorithms` is asked for all the same: an
// empty list accepts nothing). ts-rs makes only `Option` fields optional, hence the `as` on the
// other two: their TypeScript types are `number` and `boolean` either way.
#[ts(optional_fields = nullable)]
pub struct VerifyOptions {
    /// Algorithms accepted (required; `none` never is).
    pub algorithms: Vec<JwsAlg>,
    pub iss: Option<String>,
    pub aud: Option<String>,
    #[ts(as = "Option<u32>", optional)]
    pub leeway_secs: u64,
    /// Refuse a token without `exp`.
    #[ts(as = "Option<bool>", optional)]
    pub require_exp: bool,
}

/// One check a verification performed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ts_rs::TS)]
#[ts(rename = "JwtCheck")]
pub struct Check {
    pub id: String,
    pub ok: bool,
    pub detail: String,
}

/// A verified token: its parts and every check made (all passed).
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Verified {
    // The header and the claims are JSON objects (`decode` refuses others).
    #[ts(type = "Record<string, unknown>")]
    pub header: Value,
    #[ts(type = "Record<string, unknown>")]
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

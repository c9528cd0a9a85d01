//! Minting: thirdweb Engine keypair tokens and generic ones, the compact JWS they are
//! written as, and the `bodyHash` of a JSON body as Node writes it.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::{
    engine_key_hash, engine_pem, err, Mode, DEFAULT_EXP_SECS, DEFAULT_MAX_EXP_SECS, ENGINE_ALGS,
    MAX_CLAIMS_BYTES,
};
use crate::error::CryptoError;
use crate::keys::PublicKey;
use crate::sign::{JwsAlg, Signer};

/// What to mint.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", default)]
// Every field has a default; the `Option` ones may be left out.
#[ts(optional_fields = nullable)]
pub struct MintOptions {
    pub mode: Mode,
    /// The JOSE algorithm; `None` = the key's own (ES256 for p256, RS256 for RSA, …).
    pub alg: Option<JwsAlg>,
    /// Lifetime in seconds (`None` = 15).
    #[ts(type = "number | null", optional = nullable)]
    pub exp_secs: Option<u64>,
    /// Ceiling on the lifetime (`None` = 300).
    #[ts(type = "number | null", optional = nullable)]
    pub max_exp_secs: Option<u64>,
    /// Engine mode: put the PEM's hash in the header `kid` instead of the PEM in `iss`.
    pub use_kid: bool,
    /// Engine mode: the PEM exactly as the service returned it when the key was registered
    /// (`None` = the key's own SPKI PEM, trimmed).
    pub registered_pem: Option<String>,
    pub aud: Vec<String>,
    pub sub: Option<String>,
    /// `nbf` as seconds from now.
    #[ts(type = "number | null", optional = nullable)]
    pub nbf_in_secs: Option<u64>,
    pub jti: Option<String>,
    /// Further claims (`iat` and `exp` are not allowed here).
    #[ts(type = "Record<string, unknown>")]
    pub claims: Map<String, Value>,
    /// A JSON body to bind with `bodyHash`.
    pub body: Option<Vec<u8>>,
}

/// A minted token with its decoded parts, for display.
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Minted {
    pub token: String,
    // The header and the claims are JSON objects (made here as such).
    #[ts(type = "Record<string, unknown>")]
    pub header: Value,
    #[ts(type = "Record<string, unknown>")]
    pub claims: Value,
    #[ts(type = "number")]
    pub expires_at: i64,
    /// The compact body whose hash is in `bodyHash` — send exactly these bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub body: Option<String>,
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

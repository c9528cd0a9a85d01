//! JSON Web Keys (RFC 7517, 7518, 8037, 8812): public JWKs with their RFC 7638 thumbprint as
//! `kid`, JWK Sets, and private JWKs in and out.

use crate::error::CryptoError;
use crate::keys::{KeyAlg, PrivateKey, Secret, MAX_KEY_INPUT};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use openssl::bn::{BigNum, BigNumContext};
use openssl::pkey::PKey;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// A public JWK. `kid` is the RFC 7638 SHA-256 thumbprint; `alg` is set where the key type
/// allows one algorithm only (never for RSA, which serves RS* and PS*).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Jwk {
    pub kty: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[ts(optional)]
    pub crv: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[ts(optional)]
    pub x: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[ts(optional)]
    pub y: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[ts(optional)]
    pub n: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[ts(optional)]
    pub e: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[ts(optional)]
    pub alg: Option<String>,
    #[serde(rename = "use", skip_serializing_if = "Option::is_none", default)]
    #[ts(optional)]
    pub use_: Option<String>,
    pub kid: String,
}

fn b64(b: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(b)
}

fn thumbprint(canonical: &str) -> String {
    b64(&Sha256::digest(canonical.as_bytes()))
}

impl Jwk {
    pub(crate) fn ec(crv: &str, alg: &str, x: &[u8], y: &[u8]) -> Jwk {
        let (x, y) = (b64(x), b64(y));
        // RFC 7638 §3.2: the required members only, in lexicographic order, no whitespace.
        let kid = thumbprint(&format!(
            r#"{{"crv":"{crv}","kty":"EC","x":"{x}","y":"{y}"}}"#
        ));
        Jwk {
            kty: "EC".into(),
            crv: Some(crv.into()),
            x: Some(x),
            y: Some(y),
            n: None,
            e: None,
            alg: Some(alg.into()),
            use_: Some("sig".into()),
            kid,
        }
    }

    pub(crate) fn okp(crv: &str, x: &[u8]) -> Jwk {
        let x = b64(x);
        let kid = thumbprint(&format!(r#"{{"crv":"{crv}","kty":"OKP","x":"{x}"}}"#));
        Jwk {
            kty: "OKP".into(),
            crv: Some(crv.into()),
            x: Some(x),
            y: None,
            n: None,
            e: None,
            alg: Some("EdDSA".into()),
            use_: Some("sig".into()),
            kid,
        }
    }

    pub(crate) fn rsa(n: &[u8], e: &[u8]) -> Jwk {
        let (n, e) = (b64(n), b64(e));
        let kid = thumbprint(&format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#));
        Jwk {
            kty: "RSA".into(),
            crv: None,
            x: None,
            y: None,
            n: Some(n),
            e: Some(e),
            alg: None,
            use_: Some("sig".into()),
            kid,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a JWK serialises")
    }

    /// A JWK Set (`{"keys":[…]}`).
    pub fn set(keys: &[Jwk]) -> String {
        serde_json::json!({ "keys": keys }).to_string()
    }
}

#[derive(Deserialize)]
struct PrivateJwkIn {
    kty: Option<String>,
    crv: Option<String>,
    d: Option<String>,
    x: Option<String>,
    y: Option<String>,
    n: Option<String>,
    e: Option<String>,
    p: Option<String>,
    q: Option<String>,
    dp: Option<String>,
    dq: Option<String>,
    qi: Option<String>,
}

impl Drop for PrivateJwkIn {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        for s in [
            &mut self.d,
            &mut self.p,
            &mut self.q,
            &mut self.dp,
            &mut self.dq,
            &mut self.qi,
        ]
        .into_iter()
        .flatten()
        {
            s.zeroize();
        }
    }
}

fn field(v: &Option<String>, name: &str) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let s = v
        .as_deref()
        .ok_or_else(|| CryptoError::BadJwk(format!("\"{name}\" is missing")))?;
    URL_SAFE_NO_PAD
        .decode(s.trim_end_matches('='))
        .map(Zeroizing::new)
        .map_err(|_| CryptoError::BadJwk(format!("\"{name}\" is not base64url")))
}

fn bn(v: &Option<String>, name: &str) -> Result<BigNum, CryptoError> {
    let b = field(v, name)?;
    BigNum::from_slice(&b).map_err(|e| CryptoError::BadJwk(e.to_string()))
}

/// Reads a private JWK: EC (P-256, P-384, secp256k1), OKP (Ed25519) or RSA (with its CRT
/// parameters). A public member that disagrees with the private one is an error.
pub fn private_from_jwk(text: &str) -> Result<PrivateKey, CryptoError> {
    if text.len() > MAX_KEY_INPUT {
        return Err(CryptoError::TooLarge(text.len(), MAX_KEY_INPUT));
    }
    let j: PrivateJwkIn = serde_json::from_str(text.trim())
        .map_err(|e| CryptoError::BadJwk(format!("not JSON: line {}", e.line())))?;
    let kty = j
        .kty
        .as_deref()
        .ok_or_else(|| CryptoError::BadJwk("\"kty\" is missing".into()))?;
    if j.d.is_none() {
        return Err(CryptoError::NotPrivate);
    }
    let key = match kty {
        "EC" => {
            let alg = match j.crv.as_deref() {
                Some("P-256") => KeyAlg::P256,
                Some("P-384") => KeyAlg::P384,
                Some("secp256k1") => KeyAlg::Secp256k1,
                Some(other) => return Err(CryptoError::WrongCurve(bounded(other))),
                None => return Err(CryptoError::BadJwk("\"crv\" is missing".into())),
            };
            let key = PrivateKey::from_raw(alg, &field(&j.d, "d")?)?;
            let public = key.public().jwk();
            if j.x.is_some() && j.x != public.x || j.y.is_some() && j.y != public.y {
                return Err(CryptoError::BadKey(
                    "the JWK's x/y do not match its d".into(),
                ));
            }
            key
        }
        "OKP" => {
            match j.crv.as_deref() {
                Some("Ed25519") => {}
                Some(other) => return Err(CryptoError::UnsupportedAlg(bounded(other))),
                None => return Err(CryptoError::BadJwk("\"crv\" is missing".into())),
            }
            let key = PrivateKey::from_raw(KeyAlg::Ed25519, &field(&j.d, "d")?)?;
            if j.x.is_some() && j.x != key.public().jwk().x {
                return Err(CryptoError::BadKey(
                    "the JWK's x does not match its d".into(),
                ));
            }
            key
        }
        "RSA" => {
            if j.p.is_none() || j.q.is_none() {
                return Err(CryptoError::BadJwk(
                    "an RSA JWK without its primes p and q".into(),
                ));
            }
            let n = bn(&j.n, "n")?;
            let e = bn(&j.e, "e")?;
            let d = bn(&j.d, "d")?;
            let p = bn(&j.p, "p")?;
            let q = bn(&j.q, "q")?;
            let (dp, dq, qi) = match (&j.dp, &j.dq, &j.qi) {
                (Some(_), Some(_), Some(_)) => {
                    (bn(&j.dp, "dp")?, bn(&j.dq, "dq")?, bn(&j.qi, "qi")?)
                }
                _ => crt_params(&d, &p, &q)?,
            };
            let rsa = openssl::rsa::Rsa::from_private_components(n, e, d, p, q, dp, dq, qi)
                .map_err(|e| CryptoError::BadJwk(e.to_string()))?;
            let pkey = PKey::from_rsa(rsa).map_err(|e| CryptoError::BadJwk(e.to_string()))?;
            PrivateKey::from_secret(Secret::Rsa(pkey))?
        }
        other => {
            return Err(CryptoError::UnsupportedAlg(format!(
                "JWK kty {}",
                bounded(other)
            )))
        }
    };
    Ok(key)
}

/// dp = d mod (p-1), dq = d mod (q-1), qi = q⁻¹ mod p.
pub(crate) fn crt_params(
    d: &BigNum,
    p: &BigNum,
    q: &BigNum,
) -> Result<(BigNum, BigNum, BigNum), CryptoError> {
    let err = |e: openssl::error::ErrorStack| CryptoError::BadKey(e.to_string());
    let mut ctx = BigNumContext::new_secure().map_err(err)?;
    let one = BigNum::from_u32(1).map_err(err)?;
    let mut p1 = BigNum::new_secure().map_err(err)?;
    p1.checked_sub(p, &one).map_err(err)?;
    let mut q1 = BigNum::new_secure().map_err(err)?;
    q1.checked_sub(q, &one).map_err(err)?;
    let mut dp = BigNum::new_secure().map_err(err)?;
    dp.nnmod(d, &p1, &mut ctx).map_err(err)?;
    let mut dq = BigNum::new_secure().map_err(err)?;
    dq.nnmod(d, &q1, &mut ctx).map_err(err)?;
    let mut qi = BigNum::new_secure().map_err(err)?;
    qi.mod_inverse(q, p, &mut ctx).map_err(err)?;
    Ok((dp, dq, qi))
}

fn bounded(s: &str) -> String {
    s.chars()
        .take(16)
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect()
}

/// The private JWK of a key: the public members plus `d` (and RSA's CRT members).
pub(crate) fn private_jwk(key: &PrivateKey) -> Result<Zeroizing<String>, CryptoError> {
    let public = key.public().jwk();
    let mut v = serde_json::to_value(&public).expect("a JWK serialises");
    let obj = v.as_object_mut().expect("a JWK is an object");
    let mut put = |k: &str, bytes: &[u8]| {
        obj.insert(k.into(), serde_json::Value::String(b64(bytes)));
    };
    match &key.secret {
        Secret::P256(k) => put("d", &k.to_bytes()),
        Secret::P384(k) => put("d", &k.to_bytes()),
        Secret::K256(k) => put("d", &k.to_bytes()),
        Secret::Ed25519(k) => put("d", &k.to_bytes()),
        Secret::Rsa(k) => {
            let rsa = k.rsa().map_err(|e| CryptoError::BadKey(e.to_string()))?;
            let missing = || CryptoError::BadKey("the RSA key lacks its CRT parameters".into());
            put("d", &Zeroizing::new(rsa.d().to_vec()));
            put("p", &Zeroizing::new(rsa.p().ok_or_else(missing)?.to_vec()));
            put("q", &Zeroizing::new(rsa.q().ok_or_else(missing)?.to_vec()));
            put(
                "dp",
                &Zeroizing::new(rsa.dmp1().ok_or_else(missing)?.to_vec()),
            );
            put(
                "dq",
                &Zeroizing::new(rsa.dmq1().ok_or_else(missing)?.to_vec()),
            );
            put(
                "qi",
                &Zeroizing::new(rsa.iqmp().ok_or_else(missing)?.to_vec()),
            );
        }
    }
    let out = Zeroizing::new(v.to_string());
    // The Value's strings are dropped unzeroized by serde_json; keep the window short and
    // the copies few: one Value, one String.
    drop(v);
    Ok(out)
}

/// Reads a public JWK (EC P-256 / P-384 / secp256k1, OKP Ed25519, RSA). A private member,
/// if present, is ignored: only the public key is built.
pub fn public_from_jwk(text: &str) -> Result<crate::keys::PublicKey, CryptoError> {
    use crate::keys::{PublicKey, SEC1_UNCOMPRESSED};
    if text.len() > MAX_KEY_INPUT {
        return Err(CryptoError::TooLarge(text.len(), MAX_KEY_INPUT));
    }
    let j: PrivateJwkIn = serde_json::from_str(text.trim())
        .map_err(|e| CryptoError::BadJwk(format!("not JSON: line {}", e.line())))?;
    match j.kty.as_deref() {
        Some("EC") => {
            let alg = match j.crv.as_deref() {
                Some("P-256") => KeyAlg::P256,
                Some("P-384") => KeyAlg::P384,
                Some("secp256k1") => KeyAlg::Secp256k1,
                Some(other) => return Err(CryptoError::WrongCurve(bounded(other))),
                None => return Err(CryptoError::BadJwk("\"crv\" is missing".into())),
            };
            let mut sec1 = vec![SEC1_UNCOMPRESSED];
            sec1.extend_from_slice(&field(&j.x, "x")?);
            sec1.extend_from_slice(&field(&j.y, "y")?);
            PublicKey::from_sec1(alg, &sec1)
        }
        Some("OKP") if j.crv.as_deref() == Some("Ed25519") => {
            PublicKey::from_sec1(KeyAlg::Ed25519, &field(&j.x, "x")?)
        }
        Some("OKP") => Err(CryptoError::UnsupportedAlg(bounded(
            j.crv.as_deref().unwrap_or("OKP"),
        ))),
        Some("RSA") => {
            let rsa = openssl::rsa::Rsa::from_public_components(bn(&j.n, "n")?, bn(&j.e, "e")?)
                .map_err(|e| CryptoError::BadJwk(e.to_string()))?;
            let der = openssl::pkey::PKey::from_rsa(rsa)
                .and_then(|k| k.public_key_to_der())
                .map_err(|e| CryptoError::BadJwk(e.to_string()))?;
            PublicKey::from_spki_der(&der)
        }
        Some(other) => Err(CryptoError::UnsupportedAlg(bounded(other))),
        None => Err(CryptoError::BadJwk("\"kty\" is missing".into())),
    }
}

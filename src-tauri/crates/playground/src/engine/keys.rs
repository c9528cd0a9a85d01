//! Keypair algorithms, public-key checks and JWT signature verification, all done with
//! third-party libraries: `jsonwebtoken` (over AWS-LC) for everything it implements, and AWS-LC
//! directly for ES512, which `jsonwebtoken` lacks.

use aws_lc_rs::signature::{
    ParsedPublicKey, VerificationAlgorithm, ECDSA_P256_SHA256_FIXED, ECDSA_P384_SHA384_FIXED,
    ECDSA_P521_SHA512_FIXED, RSA_PKCS1_2048_8192_SHA256,
};
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

/// The algorithms Engine accepts for a keypair (`KeypairAlgorithmSchema`): no HS*, no ES256K.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyAlgorithm {
    RS256,
    RS384,
    RS512,
    ES256,
    ES384,
    ES512,
    PS256,
    PS384,
    PS512,
}

impl KeyAlgorithm {
    pub const ALL: [KeyAlgorithm; 9] = [
        KeyAlgorithm::RS256,
        KeyAlgorithm::RS384,
        KeyAlgorithm::RS512,
        KeyAlgorithm::ES256,
        KeyAlgorithm::ES384,
        KeyAlgorithm::ES512,
        KeyAlgorithm::PS256,
        KeyAlgorithm::PS384,
        KeyAlgorithm::PS512,
    ];

    pub fn parse(name: &str) -> Option<KeyAlgorithm> {
        KeyAlgorithm::ALL.into_iter().find(|a| a.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            KeyAlgorithm::RS256 => "RS256",
            KeyAlgorithm::RS384 => "RS384",
            KeyAlgorithm::RS512 => "RS512",
            KeyAlgorithm::ES256 => "ES256",
            KeyAlgorithm::ES384 => "ES384",
            KeyAlgorithm::ES512 => "ES512",
            KeyAlgorithm::PS256 => "PS256",
            KeyAlgorithm::PS384 => "PS384",
            KeyAlgorithm::PS512 => "PS512",
        }
    }

    fn is_ec(self) -> bool {
        matches!(
            self,
            KeyAlgorithm::ES256 | KeyAlgorithm::ES384 | KeyAlgorithm::ES512
        )
    }

    /// The `jsonwebtoken` algorithm, where that crate implements it (all but ES512).
    fn jwt(self) -> Option<Algorithm> {
        Some(match self {
            KeyAlgorithm::RS256 => Algorithm::RS256,
            KeyAlgorithm::RS384 => Algorithm::RS384,
            KeyAlgorithm::RS512 => Algorithm::RS512,
            KeyAlgorithm::ES256 => Algorithm::ES256,
            KeyAlgorithm::ES384 => Algorithm::ES384,
            KeyAlgorithm::ES512 => return None,
            KeyAlgorithm::PS256 => Algorithm::PS256,
            KeyAlgorithm::PS384 => Algorithm::PS384,
            KeyAlgorithm::PS512 => Algorithm::PS512,
        })
    }
}

const EC_CURVES: [&dyn VerificationAlgorithm; 3] = [
    &ECDSA_P256_SHA256_FIXED,
    &ECDSA_P384_SHA384_FIXED,
    &ECDSA_P521_SHA512_FIXED,
];

/// The key material `jsonwebtoken` extracts from a PEM: the SEC1 point for EC keys, the PKCS#1
/// `RSAPublicKey` DER for RSA keys.
fn decoding_key(pem: &str, algorithm: KeyAlgorithm) -> Option<DecodingKey> {
    if algorithm.is_ec() {
        DecodingKey::from_ec_pem(pem.as_bytes()).ok()
    } else {
        DecodingKey::from_rsa_pem(pem.as_bytes()).ok()
    }
}

/// Whether `pem` is a public key of the family `algorithm` needs (EC on P-256, P-384 or P-521
/// for ES*, RSA for RS*/PS*), with a point on its curve / a well-formed modulus and exponent.
///
/// Like Engine (Node's `createPublicKey`), the curve is not matched against the algorithm here:
/// an ES256 keypair holding a P-384 key is accepted, and every token it signs fails to verify.
pub fn is_valid_public_key(pem: &str, algorithm: KeyAlgorithm) -> bool {
    let Some(key) = decoding_key(pem, algorithm) else {
        return false;
    };
    let Ok(bytes) = key.try_get_as_bytes() else {
        return false;
    };
    if algorithm.is_ec() {
        EC_CURVES
            .iter()
            .any(|curve| ParsedPublicKey::new(*curve, bytes).is_ok())
    } else {
        ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, bytes).is_ok()
    }
}

/// Node's base64url decoding is lenient about padding; so is this.
const BASE64URL: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// A JWT's header and payload, read without checking anything (`jsonwebtoken.decode` in Node).
pub struct Unverified {
    pub header: Map<String, Value>,
    /// `Null` when the payload is not JSON.
    pub payload: Value,
}

/// Reads `token` as a compact JWS (`header.payload.signature`, base64url, the header a JSON
/// object) without verifying it; `None` when it is not one.
pub fn decode_unverified(token: &str) -> Option<Unverified> {
    let mut parts = token.split('.');
    let (header, payload, signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let is_b64url = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if header.is_empty()
        || payload.is_empty()
        || ![header, payload, signature].iter().all(|p| is_b64url(p))
    {
        return None;
    }
    let header = match serde_json::from_slice(&BASE64URL.decode(header).ok()?).ok()? {
        Value::Object(map) => map,
        _ => return None,
    };
    let payload = BASE64URL
        .decode(payload)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or(Value::Null);
    Some(Unverified { header, payload })
}

/// Verifies `token`'s signature with the stored `pem` and only the stored `algorithm`, and returns
/// its claims. Time claims are *not* checked here (the caller does, with Node's boundaries).
pub fn verify(token: &str, pem: &str, algorithm: KeyAlgorithm) -> Option<Value> {
    let key = decoding_key(pem, algorithm)?;
    match algorithm.jwt() {
        Some(jwt_algorithm) => {
            let mut validation = Validation::new(jwt_algorithm);
            validation.required_spec_claims.clear();
            validation.validate_exp = false;
            validation.validate_nbf = false;
            validation.validate_aud = false;
            validation.leeway = 0;
            jsonwebtoken::decode::<Value>(token, &key, &validation)
                .ok()
                .map(|data| data.claims)
        }
        None => verify_es512(token, key.try_get_as_bytes().ok()?),
    }
}

/// ES512 (ECDSA P-521 + SHA-512, 132-byte `r‖s`), which `jsonwebtoken` does not implement.
fn verify_es512(token: &str, point: &[u8]) -> Option<Value> {
    let (message, signature) = token.rsplit_once('.')?;
    let unverified = decode_unverified(token)?;
    if unverified.header.get("alg").and_then(Value::as_str) != Some("ES512") {
        return None;
    }
    let signature = BASE64URL.decode(signature).ok()?;
    let key = ParsedPublicKey::new(&ECDSA_P521_SHA512_FIXED, point).ok()?;
    key.verify_sig(message.as_bytes(), &signature).ok()?;
    // jsonwebtoken requires a JSON payload; so does Node's verify for the claim checks.
    let (_, payload) = message.split_once('.')?;
    serde_json::from_slice(&BASE64URL.decode(payload).ok()?).ok()
}

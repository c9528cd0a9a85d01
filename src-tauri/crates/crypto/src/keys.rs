//! Keypairs and their formats. This issue's key type is P-256; the enums leave room for more.

use crate::error::CryptoError;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// Largest key input accepted; real PEM keys are a few KiB at most.
pub const MAX_KEY_INPUT: usize = 64 * 1024;

const OID_EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const OID_RSA: &str = "1.2.840.113549.1.1.1";
const OID_RSA_PSS: &str = "1.2.840.113549.1.1.10";
const OID_ED25519: &str = "1.3.101.112";
const OID_ED448: &str = "1.3.101.113";
const OID_X25519: &str = "1.3.101.110";
const OID_P256: &str = "1.2.840.10045.3.1.7";

fn curve_name(oid: &str) -> String {
    match oid {
        OID_P256 => "P-256 (prime256v1)".into(),
        "1.3.132.0.34" => "P-384 (secp384r1)".into(),
        "1.3.132.0.35" => "P-521 (secp521r1)".into(),
        "1.3.132.0.10" => "secp256k1".into(),
        "1.3.36.3.3.2.8.1.1.7" => "brainpoolP256r1".into(),
        other => format!("OID {other}"),
    }
}

fn alg_name(oid: &str) -> String {
    match oid {
        OID_RSA | OID_RSA_PSS => "RSA".into(),
        OID_ED25519 => "Ed25519".into(),
        OID_ED448 => "Ed448".into(),
        OID_X25519 => "X25519".into(),
        other => format!("OID {other}"),
    }
}

/// Key algorithms Keyward knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyAlg {
    P256,
}

impl KeyAlg {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyAlg::P256 => "p256",
        }
    }

    pub fn parse(s: &str) -> Result<KeyAlg, CryptoError> {
        match s.to_ascii_lowercase().as_str() {
            "p256" | "p-256" | "prime256v1" | "secp256r1" | "es256" => Ok(KeyAlg::P256),
            other => Err(CryptoError::UnsupportedAlg(other.to_string())),
        }
    }
}

impl std::fmt::Display for KeyAlg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A private key. Deliberately neither `Debug`, `Clone` nor `Serialize`; the inner
/// secret zeroizes on drop.
pub struct PrivateKey {
    inner: p256::SecretKey,
}

/// A public key.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PublicKey {
    inner: p256::PublicKey,
}

/// A public JWK (RFC 7517) with its RFC 7638 thumbprint as `kid`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwk {
    pub kty: String,
    pub crv: String,
    pub x: String,
    pub y: String,
    pub kid: String,
}

impl PrivateKey {
    pub fn generate(alg: KeyAlg) -> PrivateKey {
        match alg {
            KeyAlg::P256 => PrivateKey {
                inner: p256::SecretKey::random(&mut rand_core::OsRng),
            },
        }
    }

    pub fn alg(&self) -> KeyAlg {
        KeyAlg::P256
    }

    pub fn public(&self) -> PublicKey {
        PublicKey {
            inner: self.inner.public_key(),
        }
    }

    /// Reads a private key from PEM text: SEC1 (`EC PRIVATE KEY`, with or without the
    /// `EC PARAMETERS` block `openssl ecparam -genkey` writes first) or PKCS#8 (`PRIVATE KEY`).
    pub fn from_pem(text: &str) -> Result<PrivateKey, CryptoError> {
        if text.len() > MAX_KEY_INPUT {
            return Err(CryptoError::TooLarge(text.len(), MAX_KEY_INPUT));
        }
        let blocks = pem_blocks(text)?;
        if blocks.is_empty() {
            return Err(CryptoError::NotPem);
        }
        let mut params_curve: Option<String> = None;
        let mut saw_public = false;
        for block in &blocks {
            match block.label.as_str() {
                "EC PARAMETERS" => {
                    use sec1::der::Decode;
                    let oid = sec1::der::asn1::ObjectIdentifier::from_der(&block.der)
                        .map_err(|e| CryptoError::BadPem(format!("EC PARAMETERS: {e}")))?;
                    params_curve = Some(oid.to_string());
                }
                "EC PRIVATE KEY" => {
                    return Self::from_sec1_der(&block.der, params_curve.as_deref())
                }
                "PRIVATE KEY" => return Self::from_pkcs8_der(&block.der),
                "ENCRYPTED PRIVATE KEY" => return Err(CryptoError::Encrypted),
                "RSA PRIVATE KEY" => return Err(CryptoError::UnsupportedAlg("RSA".into())),
                "DSA PRIVATE KEY" => return Err(CryptoError::UnsupportedAlg("DSA".into())),
                "OPENSSH PRIVATE KEY" => {
                    return Err(CryptoError::UnsupportedAlg(
                        "OpenSSH private key format".into(),
                    ))
                }
                "PUBLIC KEY" | "EC PUBLIC KEY" | "RSA PUBLIC KEY" | "CERTIFICATE" => {
                    saw_public = true
                }
                _ => {}
            }
        }
        if saw_public {
            Err(CryptoError::NotPrivate)
        } else {
            Err(CryptoError::UnsupportedAlg(format!(
                "PEM block \"{}\"",
                blocks[0].label
            )))
        }
    }

    fn from_sec1_der(der: &[u8], params_curve: Option<&str>) -> Result<PrivateKey, CryptoError> {
        use sec1::der::Decode;
        let ec = sec1::EcPrivateKey::from_der(der)
            .map_err(|e| CryptoError::BadPem(format!("EC PRIVATE KEY: {e}")))?;
        let curve = ec
            .parameters
            .and_then(|p| p.named_curve())
            .map(|o| o.to_string())
            .or_else(|| params_curve.map(str::to_string))
            .ok_or_else(|| CryptoError::BadKey("the key does not name its curve".into()))?;
        if curve != OID_P256 {
            return Err(CryptoError::WrongCurve(curve_name(&curve)));
        }
        if let Some(pc) = params_curve {
            if pc != curve {
                return Err(CryptoError::BadKey(
                    "the EC PARAMETERS block names another curve than the key".into(),
                ));
            }
        }
        let inner = p256::SecretKey::from_slice(ec.private_key)
            .map_err(|_| CryptoError::BadKey("the private scalar is out of range".into()))?;
        let key = PrivateKey { inner };
        if let Some(pubkey) = ec.public_key {
            let derived = key.inner.public_key().to_sec1_bytes();
            let given = p256::PublicKey::from_sec1_bytes(pubkey)
                .map_err(|_| CryptoError::BadKey("the embedded public key is invalid".into()))?;
            if given.to_sec1_bytes() != derived {
                return Err(CryptoError::BadKey(
                    "the embedded public key does not match the private key".into(),
                ));
            }
        }
        Ok(key)
    }

    /// Reads an unencrypted PKCS#8 DER private key.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<PrivateKey, CryptoError> {
        use pkcs8::der::Decode;
        let info = pkcs8::PrivateKeyInfo::from_der(der)
            .map_err(|e| CryptoError::BadPem(format!("PRIVATE KEY: {e}")))?;
        let alg = info.algorithm.oid.to_string();
        if alg != OID_EC_PUBLIC_KEY {
            return Err(CryptoError::UnsupportedAlg(alg_name(&alg)));
        }
        let curve = info
            .algorithm
            .parameters_oid()
            .map(|o| o.to_string())
            .map_err(|_| CryptoError::BadKey("the key does not name its curve".into()))?;
        if curve != OID_P256 {
            return Err(CryptoError::WrongCurve(curve_name(&curve)));
        }
        let inner =
            p256::SecretKey::from_pkcs8_der(der).map_err(|e| CryptoError::BadKey(e.to_string()))?;
        Ok(PrivateKey { inner })
    }

    /// PKCS#8 DER, as sealed into the keychain.
    pub fn to_pkcs8_der(&self) -> Zeroizing<Vec<u8>> {
        let doc = self
            .inner
            .to_pkcs8_der()
            .expect("encoding a valid P-256 key as PKCS#8 cannot fail");
        Zeroizing::new(doc.as_bytes().to_vec())
    }

    /// PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), as `openssl pkey` writes it.
    pub fn to_pkcs8_pem(&self) -> Zeroizing<String> {
        let der = self.to_pkcs8_der();
        Zeroizing::new(pem_encode("PRIVATE KEY", &der))
    }

    /// The private scalar, big-endian. Only for explicit export and for tests.
    pub fn scalar_bytes(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(self.inner.to_bytes().to_vec())
    }
}

impl PublicKey {
    pub fn alg(&self) -> KeyAlg {
        KeyAlg::P256
    }

    pub fn from_spki_der(der: &[u8]) -> Result<PublicKey, CryptoError> {
        let inner = p256::PublicKey::from_public_key_der(der)
            .map_err(|e| CryptoError::BadKey(e.to_string()))?;
        Ok(PublicKey { inner })
    }

    /// SubjectPublicKeyInfo DER (uncompressed point).
    pub fn spki_der(&self) -> Vec<u8> {
        self.inner
            .to_public_key_der()
            .expect("encoding a valid P-256 public key cannot fail")
            .into_vec()
    }

    /// SPKI PEM, byte-identical to `openssl ec -pubout` / `openssl pkey -pubout`.
    pub fn spki_pem(&self) -> String {
        let pem = self
            .inner
            .to_public_key_pem(LineEnding::LF)
            .expect("encoding a valid P-256 public key cannot fail");
        debug_assert_eq!(pem, pem_encode("PUBLIC KEY", &self.spki_der()));
        pem
    }

    /// What a QR code of this key carries: the SPKI PEM for P-256 (keys with an address, like
    /// secp256k1, will carry the address).
    pub fn qr_payload(&self) -> String {
        self.spki_pem()
    }

    /// Hex SHA-256 of the SPKI DER.
    pub fn fingerprint(&self) -> String {
        hex::encode(Sha256::digest(self.spki_der()))
    }

    /// The public JWK with its RFC 7638 thumbprint as `kid`.
    pub fn jwk(&self) -> Jwk {
        let point = self.inner.to_encoded_point(false);
        let x = URL_SAFE_NO_PAD.encode(point.x().expect("uncompressed point has x"));
        let y = URL_SAFE_NO_PAD.encode(point.y().expect("uncompressed point has y"));
        // RFC 7638 §3.2: required members only, lexicographic order, no whitespace.
        let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
        let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()));
        Jwk {
            kty: "EC".into(),
            crv: "P-256".into(),
            x,
            y,
            kid,
        }
    }
}

/// PEM text with 64-column base64 and LF line ends, as OpenSSL writes it.
pub fn pem_encode(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = String::with_capacity(b64.len() + b64.len() / 64 + 2 * label.len() + 40);
    out.push_str("-----BEGIN ");
    out.push_str(label);
    out.push_str("-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).expect("base64 is ASCII"));
        out.push('\n');
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    out
}

struct PemBlock {
    label: String,
    der: Zeroizing<Vec<u8>>,
}

/// A PEM label as RFC 7468 allows it (printable, no hyphen runs); bounded so an error that
/// names it can never carry key material.
fn valid_label(l: &str) -> bool {
    !l.is_empty()
        && l.len() <= 48
        && l.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b' ')
}

/// Finds every PEM block in `text`. Lenient about surrounding text, CRLF, indentation and
/// line breaks lost in pasting (a whole key on one line); strict about matching BEGIN/END
/// labels and base64. Error messages name labels only, never content.
fn pem_blocks(text: &str) -> Result<Vec<PemBlock>, CryptoError> {
    const BEGIN: &str = "-----BEGIN ";
    const DASHES: &str = "-----";
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(pos) = rest.find(BEGIN) {
        let after = &rest[pos + BEGIN.len()..];
        let label_end = after
            .find(DASHES)
            .ok_or_else(|| CryptoError::BadPem("malformed BEGIN line".into()))?;
        let label = &after[..label_end];
        if !valid_label(label) {
            return Err(CryptoError::BadPem("malformed BEGIN line".into()));
        }
        let body_start = &after[label_end + DASHES.len()..];
        let end_marker = format!("-----END {label}-----");
        let Some(body_len) = body_start.find(&end_marker) else {
            return Err(CryptoError::BadPem(format!(
                "{label}: no END line (truncated?)"
            )));
        };
        let body = &body_start[..body_len];
        if body.contains(BEGIN) {
            return Err(CryptoError::BadPem(format!(
                "{label}: a BEGIN line before its END"
            )));
        }
        if body.contains(':') {
            // RFC 1421 headers (Proc-Type, DEK-Info) mean legacy OpenSSL encryption.
            return Err(CryptoError::Encrypted);
        }
        let compact: Zeroizing<String> =
            Zeroizing::new(body.chars().filter(|c| !c.is_whitespace()).collect());
        let der = STANDARD
            .decode(compact.as_bytes())
            .map_err(|_| CryptoError::BadPem(format!("{label}: invalid base64")))?;
        blocks.push(PemBlock {
            label: label.to_string(),
            der: Zeroizing::new(der),
        });
        rest = &body_start[body_len + end_marker.len()..];
    }
    Ok(blocks)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Generated with `openssl ecparam -name prime256v1 -genkey` (OpenSSL 3.0, Debian 12);
    // the public PEM with `openssl ec -in k.pem -pubout`; the PKCS#8 with `openssl pkey`.
    const SEC1_WITH_PARAMS: &str = include_str!("../tests/fixtures/p256-sec1-params.pem");
    const SEC1_NOOUT: &str = include_str!("../tests/fixtures/p256-sec1.pem");
    const PKCS8: &str = include_str!("../tests/fixtures/p256-pkcs8.pem");
    const SPKI: &str = include_str!("../tests/fixtures/p256-spki.pem");
    const SPKI_NOOUT: &str = include_str!("../tests/fixtures/p256-sec1-spki.pem");
    const P384: &str = include_str!("../tests/fixtures/p384-sec1.pem");
    const ED25519: &str = include_str!("../tests/fixtures/ed25519-pkcs8.pem");

    #[test]
    fn sec1_with_params_block_matches_openssl_pubout() {
        let k = PrivateKey::from_pem(SEC1_WITH_PARAMS).unwrap();
        assert_eq!(k.public().spki_pem(), SPKI);
    }

    #[test]
    fn sec1_noout_matches_openssl_pubout() {
        let k = PrivateKey::from_pem(SEC1_NOOUT).unwrap();
        assert_eq!(k.public().spki_pem(), SPKI_NOOUT);
    }

    #[test]
    fn pkcs8_is_the_same_key_and_reencodes_identically() {
        let a = PrivateKey::from_pem(SEC1_WITH_PARAMS).unwrap();
        let b = PrivateKey::from_pem(PKCS8).unwrap();
        assert_eq!(a.public(), b.public());
        assert_eq!(b.to_pkcs8_pem().as_str(), PKCS8);
    }

    #[test]
    fn lost_line_breaks_are_tolerated() {
        let one_line = SEC1_WITH_PARAMS.replace('\n', "");
        let k = PrivateKey::from_pem(&one_line).unwrap();
        assert_eq!(k.public().spki_pem(), SPKI);
    }

    #[test]
    fn errors_never_echo_key_material() {
        let body: String = SEC1_NOOUT.lines().nth(1).unwrap().to_string();
        let inputs = [
            SEC1_NOOUT[..SEC1_NOOUT.len() - 30].to_string(),
            SEC1_NOOUT.replace("-----END EC PRIVATE KEY-----", "-----END EC PRIVATE KEY"),
            SEC1_NOOUT.replace(
                "-----BEGIN EC PRIVATE KEY-----",
                "-----BEGIN EC PRIVATE KEY",
            ),
            SEC1_NOOUT.replacen("M", "*", 1),
            SEC1_NOOUT
                .replace('\n', "")
                .replace("-----END EC PRIVATE KEY-----", ""),
        ];
        for input in inputs {
            let e = PrivateKey::from_pem(&input).err().expect("must fail");
            let shown = format!("{e} {e:?}");
            assert!(
                !shown.contains(&body[..20]),
                "error leaks key material: {shown}"
            );
        }
    }

    #[test]
    fn crlf_and_indentation_are_tolerated() {
        let pasted = format!("  {}", SEC1_NOOUT.replace('\n', "\r\n    "));
        let k = PrivateKey::from_pem(&pasted).unwrap();
        assert_eq!(k.public().spki_pem(), SPKI_NOOUT);
    }

    #[test]
    fn wrong_curve_and_algorithm_have_their_own_codes() {
        use crate::Coded;
        let e = PrivateKey::from_pem(P384).err().unwrap();
        assert_eq!(e.code(), "key.wrong_curve");
        assert!(e.to_string().contains("P-384"));
        let e = PrivateKey::from_pem(ED25519).err().unwrap();
        assert_eq!(e.code(), "key.unsupported_alg");
        assert!(e.to_string().contains("Ed25519"));
        let e = PrivateKey::from_pem(SPKI).err().unwrap();
        assert_eq!(e.code(), "key.not_private");
        let e = PrivateKey::from_pem("hello").err().unwrap();
        assert_eq!(e.code(), "key.not_pem");
        let truncated = &SEC1_NOOUT[..SEC1_NOOUT.len() - 30];
        let e = PrivateKey::from_pem(truncated).err().unwrap();
        assert_eq!(e.code(), "key.bad_pem");
        let corrupt = SEC1_NOOUT.replacen("M", "*", 1);
        assert_eq!(
            PrivateKey::from_pem(&corrupt).err().unwrap().code(),
            "key.bad_pem"
        );
        let huge = "A".repeat(MAX_KEY_INPUT + 1);
        assert_eq!(
            PrivateKey::from_pem(&huge).err().unwrap().code(),
            "key.input_too_large"
        );
    }

    #[test]
    fn jwk_coordinates_are_the_spki_point_and_kid_is_the_rfc7638_thumbprint() {
        // RFC 7515 A.3 key: d, x, y published together.
        let d = URL_SAFE_NO_PAD
            .decode("jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI")
            .unwrap();
        let k = PrivateKey {
            inner: p256::SecretKey::from_slice(&d).unwrap(),
        };
        let jwk = k.public().jwk();
        assert_eq!(jwk.x, "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU");
        assert_eq!(jwk.y, "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0");
        // RFC 7638 thumbprint of this JWK, computed outside Keyward (Python hashlib over the canonical JSON).
        assert_eq!(jwk.kid, "oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U");
    }

    #[test]
    fn fingerprint_is_sha256_of_spki_der() {
        let k = PrivateKey::from_pem(SEC1_NOOUT).unwrap();
        let der = STANDARD
            .decode(
                SPKI_NOOUT
                    .lines()
                    .filter(|l| !l.starts_with("-----"))
                    .collect::<String>(),
            )
            .unwrap();
        assert_eq!(k.public().fingerprint(), hex::encode(Sha256::digest(der)));
    }

    #[test]
    fn generated_keys_round_trip_through_pkcs8() {
        let k = PrivateKey::generate(KeyAlg::P256);
        let back = PrivateKey::from_pkcs8_der(&k.to_pkcs8_der()).unwrap();
        assert_eq!(k.public(), back.public());
        let pubk = PublicKey::from_spki_der(&k.public().spki_der()).unwrap();
        assert_eq!(pubk, k.public());
    }
}

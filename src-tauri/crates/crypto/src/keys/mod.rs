//! Keypairs: the algorithms Keyward keeps, their canonical encodings (PKCS#8 for private
//! keys, SubjectPublicKeyInfo for public keys), and the public and private export formats.
//!
//! Elliptic curves and Ed25519 use the RustCrypto crates. RSA lives in OpenSSL: key
//! generation and every later private-key operation go through its constant-time code, never
//! through the `rsa` crate (RUSTSEC-2023-0071).
//!
//! The types are declared here; their code is split along what it does: `format` names the
//! export formats, `parse` reads keys (PEM, DER, SEC1, pasted text), `private` makes, stores
//! and exports private keys, and `public` encodes and exports public keys.

use crate::error::CryptoError;
use openssl::pkey::{PKey, Private};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

mod format;
mod parse;
mod private;
mod public;

pub use crate::jwk::Jwk;
pub use format::{PrivateFormat, PublicFormat};
pub use parse::{MAX_PBKDF2_ROUNDS, MAX_SCRYPT_MEMORY};
pub use private::PKCS8_PBKDF2_ROUNDS;

/// Largest key input accepted; real keys are a few KiB at most.
pub const MAX_KEY_INPUT: usize = 64 * 1024;

/// The SEC1 tag of an uncompressed point.
pub(crate) const SEC1_UNCOMPRESSED: u8 = 4;
pub(crate) const OID_EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
pub(crate) const OID_RSA: &str = "1.2.840.113549.1.1.1";
const OID_RSA_PSS: &str = "1.2.840.113549.1.1.10";
pub(crate) const OID_ED25519: &str = "1.3.101.112";
const OID_ED448: &str = "1.3.101.113";
const OID_X25519: &str = "1.3.101.110";
const OID_DSA: &str = "1.2.840.10040.4.1";
pub(crate) const OID_P256: &str = "1.2.840.10045.3.1.7";
pub(crate) const OID_P384: &str = "1.3.132.0.34";
pub(crate) const OID_SECP256K1: &str = "1.3.132.0.10";

pub(crate) fn curve_name(oid: &str) -> String {
    match oid {
        OID_P256 => "P-256 (prime256v1)".into(),
        OID_P384 => "P-384 (secp384r1)".into(),
        "1.3.132.0.35" => "P-521 (secp521r1)".into(),
        OID_SECP256K1 => "secp256k1".into(),
        "1.3.36.3.3.2.8.1.1.7" => "brainpoolP256r1".into(),
        "1.2.840.10045.3.1.1" => "P-192 (prime192v1)".into(),
        "1.3.132.0.33" => "P-224 (secp224r1)".into(),
        other => format!("OID {other}"),
    }
}

fn alg_name(oid: &str) -> String {
    match oid {
        OID_RSA_PSS => "RSA-PSS (restricted RSA keys)".into(),
        OID_ED448 => "Ed448".into(),
        OID_X25519 => "X25519".into(),
        OID_DSA => "DSA".into(),
        other => format!("OID {other}"),
    }
}

/// Key algorithms Keyward keeps. RSA sizes are part of the algorithm: the three sizes a user
/// can generate are the only ones imported (smaller keys are refused as weak).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum KeyAlg {
    P256,
    P384,
    Secp256k1,
    Ed25519,
    Rsa2048,
    Rsa3072,
    Rsa4096,
}

impl KeyAlg {
    pub const ALL: [KeyAlg; 7] = [
        KeyAlg::P256,
        KeyAlg::P384,
        KeyAlg::Secp256k1,
        KeyAlg::Ed25519,
        KeyAlg::Rsa2048,
        KeyAlg::Rsa3072,
        KeyAlg::Rsa4096,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            KeyAlg::P256 => "p256",
            KeyAlg::P384 => "p384",
            KeyAlg::Secp256k1 => "secp256k1",
            KeyAlg::Ed25519 => "ed25519",
            KeyAlg::Rsa2048 => "rsa2048",
            KeyAlg::Rsa3072 => "rsa3072",
            KeyAlg::Rsa4096 => "rsa4096",
        }
    }

    pub fn parse(s: &str) -> Result<KeyAlg, CryptoError> {
        match s.to_ascii_lowercase().as_str() {
            "p256" | "p-256" | "prime256v1" | "secp256r1" | "es256" => Ok(KeyAlg::P256),
            "p384" | "p-384" | "secp384r1" | "es384" => Ok(KeyAlg::P384),
            "secp256k1" | "k256" | "es256k" => Ok(KeyAlg::Secp256k1),
            "ed25519" | "eddsa" => Ok(KeyAlg::Ed25519),
            "rsa2048" | "rsa-2048" => Ok(KeyAlg::Rsa2048),
            "rsa3072" | "rsa-3072" => Ok(KeyAlg::Rsa3072),
            "rsa4096" | "rsa-4096" => Ok(KeyAlg::Rsa4096),
            _ => Err(CryptoError::UnsupportedAlg(bounded(s))),
        }
    }

    pub fn is_rsa(self) -> bool {
        matches!(self, KeyAlg::Rsa2048 | KeyAlg::Rsa3072 | KeyAlg::Rsa4096)
    }

    pub fn rsa_bits(self) -> Option<u32> {
        match self {
            KeyAlg::Rsa2048 => Some(2048),
            KeyAlg::Rsa3072 => Some(3072),
            KeyAlg::Rsa4096 => Some(4096),
            _ => None,
        }
    }

    fn from_rsa_bits(bits: u32) -> Result<KeyAlg, CryptoError> {
        match bits {
            2048 => Ok(KeyAlg::Rsa2048),
            3072 => Ok(KeyAlg::Rsa3072),
            4096 => Ok(KeyAlg::Rsa4096),
            b if b < 2048 => Err(CryptoError::WeakKey(format!("RSA-{b}"))),
            b => Err(CryptoError::UnsupportedAlg(format!(
                "RSA-{b} (Keyward keeps RSA 2048, 3072 and 4096)"
            ))),
        }
    }

    /// The public export formats this algorithm has, besides an HD key's `xpub`.
    pub fn public_formats(self) -> &'static [PublicFormat] {
        use PublicFormat::*;
        match self {
            KeyAlg::Secp256k1 => &[Pem, Jwk, Jwks, Eth, Eos, EosLegacy, Btc, Fingerprint],
            _ => &[Pem, Jwk, Jwks, Openssh, Fingerprint],
        }
    }
}

/// Names a user typed, cut short: an error may quote them, never a whole input.
fn bounded(s: &str) -> String {
    let s: String = s.chars().take(24).collect();
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        s
    } else {
        "(unrecognised name)".into()
    }
}

impl std::fmt::Display for KeyAlg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

pub(crate) enum Secret {
    P256(p256::SecretKey),
    P384(p384::SecretKey),
    K256(k256::SecretKey),
    Ed25519(ed25519_dalek::SigningKey),
    Rsa(PKey<Private>),
}

/// A private key, with its BIP32 node data when it came from an xprv or a mnemonic.
/// Deliberately neither `Debug`, `Clone` nor `Serialize`; the secrets zeroize on drop
/// (OpenSSL clears RSA keys on free).
pub struct PrivateKey {
    pub(crate) secret: Secret,
    alg: KeyAlg,
    hd: Option<HdMeta>,
}

/// A BIP32 node's public data kept next to its key: depth, parent fingerprint, child number,
/// chain code (41 bytes, see [`HdNode::to_meta_bytes`](crate::hd::HdNode::to_meta_bytes)).
#[derive(Clone)]
pub struct HdMeta(pub Zeroizing<[u8; 41]>);

#[derive(Clone)]
pub(crate) enum Public {
    P256(p256::PublicKey),
    P384(p384::PublicKey),
    K256(k256::PublicKey),
    Ed25519(ed25519_dalek::VerifyingKey),
    Rsa {
        spki: Vec<u8>,
        n: Vec<u8>,
        e: Vec<u8>,
    },
}

/// A public key, with an HD key's `xpub` when there is one.
#[derive(Clone)]
pub struct PublicKey {
    inner: Public,
    alg: KeyAlg,
    xpub: Option<String>,
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.spki_der() == other.spki_der()
    }
}

impl Eq for PublicKey {}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({}, {})", self.alg, self.fingerprint())
    }
}

#[cfg(test)]
mod tests;

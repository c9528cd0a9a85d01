//! JOSE signature algorithms, for JWTs: which key each needs, and RSA signing (OpenSSL),
//! which only JWTs use. [`Signer::sign_jws`](super::Signer::sign_jws) signs with them.

use serde::{Deserialize, Serialize};

use super::internal;
use crate::error::CryptoError;
use crate::keys::KeyAlg;

/// JOSE signature algorithms (RFC 7518, RFC 8037 / RFC 9864, RFC 8812).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum JwsAlg {
    #[cfg_attr(feature = "clap", value(name = "ES256"))]
    ES256,
    #[cfg_attr(feature = "clap", value(name = "ES384"))]
    ES384,
    #[cfg_attr(feature = "clap", value(name = "ES256K"))]
    ES256K,
    #[cfg_attr(feature = "clap", value(name = "RS256"))]
    RS256,
    #[cfg_attr(feature = "clap", value(name = "PS256"))]
    PS256,
    #[cfg_attr(feature = "clap", value(name = "EdDSA", alias = "Ed25519"))]
    EdDSA,
}

impl JwsAlg {
    pub const ALL: [JwsAlg; 6] = [
        JwsAlg::ES256,
        JwsAlg::ES384,
        JwsAlg::RS256,
        JwsAlg::PS256,
        JwsAlg::EdDSA,
        JwsAlg::ES256K,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JwsAlg::ES256 => "ES256",
            JwsAlg::ES384 => "ES384",
            JwsAlg::ES256K => "ES256K",
            JwsAlg::RS256 => "RS256",
            JwsAlg::PS256 => "PS256",
            JwsAlg::EdDSA => "EdDSA",
        }
    }

    /// Reads a JOSE `alg`; `Ed25519` (RFC 9864's fully-specified name) is `EdDSA` here.
    pub fn parse(s: &str) -> Option<JwsAlg> {
        match s {
            "ES256" => Some(JwsAlg::ES256),
            "ES384" => Some(JwsAlg::ES384),
            "ES256K" => Some(JwsAlg::ES256K),
            "RS256" => Some(JwsAlg::RS256),
            "PS256" => Some(JwsAlg::PS256),
            "EdDSA" | "Ed25519" => Some(JwsAlg::EdDSA),
            _ => None,
        }
    }

    /// Whether a key of `alg` can sign with this JOSE algorithm.
    pub fn fits(self, alg: KeyAlg) -> bool {
        match self {
            JwsAlg::ES256 => alg == KeyAlg::P256,
            JwsAlg::ES384 => alg == KeyAlg::P384,
            JwsAlg::ES256K => alg == KeyAlg::Secp256k1,
            JwsAlg::RS256 | JwsAlg::PS256 => alg.is_rsa(),
            JwsAlg::EdDSA => alg == KeyAlg::Ed25519,
        }
    }

    /// The algorithm a key signs JWTs with when none is asked for.
    pub fn default_for(alg: KeyAlg) -> JwsAlg {
        match alg {
            KeyAlg::P256 => JwsAlg::ES256,
            KeyAlg::P384 => JwsAlg::ES384,
            KeyAlg::Secp256k1 => JwsAlg::ES256K,
            KeyAlg::Ed25519 => JwsAlg::EdDSA,
            _ => JwsAlg::RS256,
        }
    }
}

impl std::fmt::Display for JwsAlg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

pub(super) fn rsa_jws(
    k: &openssl::pkey::PKey<openssl::pkey::Private>,
    alg: JwsAlg,
    signing_input: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    use openssl::{hash::MessageDigest, rsa::Padding, sign::RsaPssSaltlen};
    let mut s = openssl::sign::Signer::new(MessageDigest::sha256(), k)
        .map_err(|_| internal("RSA signer"))?;
    if alg == JwsAlg::PS256 {
        s.set_rsa_padding(Padding::PKCS1_PSS)
            .and_then(|_| s.set_rsa_pss_saltlen(RsaPssSaltlen::DIGEST_LENGTH))
            .and_then(|_| s.set_rsa_mgf1_md(MessageDigest::sha256()))
            .map_err(|_| internal("RSA-PSS set-up"))?;
    }
    s.update(signing_input)
        .map_err(|_| internal("RSA signing"))?;
    s.sign_to_vec().map_err(|_| internal("RSA signing"))
}

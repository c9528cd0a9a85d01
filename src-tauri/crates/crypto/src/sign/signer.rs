//! [`Signer`]: a key made ready to sign, once, for every scheme and for JWTs. P-256 and P-384
//! keys are parsed into AWS-LC; a secp256k1 key is held twice, for libsecp256k1 (which signs)
//! and `k256` (EOS's chosen-k retries); Ed25519 and RSA keys sign as they are.

use aws_lc_rs::signature as lc;
use k256::ecdsa::SigningKey as K256Signing;
use sha2::{Digest, Sha256};

use super::jws::rsa_jws;
use super::{internal, Encoding, JwsAlg, Payload, Scheme, Signature};
use crate::error::CryptoError;
use crate::keys::{KeyAlg, PrivateKey, PublicKey, Secret};

enum Prepared {
    /// P-256 / P-384 in AWS-LC, fixed-size r‖s output.
    Nist(lc::EcdsaKeyPair, KeyAlg),
    /// The same secret twice: libsecp256k1 signs, `k256` does EOS's chosen-k retries.
    K256(K256Signing, secp256k1::SecretKey),
    /// Ed25519 and RSA sign with the key as it is (see [`Signer::key`]).
    AsIs,
}

impl Drop for Prepared {
    fn drop(&mut self) {
        // `k256` and AWS-LC clear their own copies; libsecp256k1's needs asking.
        if let Prepared::K256(_, sk) = self {
            sk.non_secure_erase();
        }
    }
}

/// The key a [`Signer`] signs with: borrowed for one operation, or owned by a signer kept
/// for many (the approval broker's granted mints; zeroized when the signer drops).
enum Held<'k> {
    Borrowed(&'k PrivateKey),
    Owned(Box<PrivateKey>),
}

/// A key made ready to sign many times (the AWS-LC key is parsed once).
pub struct Signer<'k> {
    key: Held<'k>,
    prepared: Prepared,
    /// Computed once: deriving a public key costs as much as a signature.
    public: PublicKey,
}

impl Signer<'static> {
    /// A signer that owns its key, to keep across calls; the key is zeroized when it drops.
    pub fn owned(key: PrivateKey) -> Result<Signer<'static>, CryptoError> {
        let prepared = Signer::prepare(&key)?;
        let public = key.public();
        Ok(Signer {
            key: Held::Owned(Box::new(key)),
            prepared,
            public,
        })
    }
}

impl<'k> Signer<'k> {
    pub fn new(key: &'k PrivateKey) -> Result<Signer<'k>, CryptoError> {
        Ok(Signer {
            prepared: Signer::prepare(key)?,
            public: key.public(),
            key: Held::Borrowed(key),
        })
    }

    pub(super) fn key(&self) -> &PrivateKey {
        match &self.key {
            Held::Borrowed(k) => k,
            Held::Owned(k) => k,
        }
    }

    fn prepare(key: &PrivateKey) -> Result<Prepared, CryptoError> {
        Ok(match &key.secret {
            Secret::P256(_) | Secret::P384(_) => {
                let alg = if key.alg() == KeyAlg::P256 {
                    &lc::ECDSA_P256_SHA256_FIXED_SIGNING
                } else {
                    &lc::ECDSA_P384_SHA384_FIXED_SIGNING
                };
                let der = key.to_pkcs8_der();
                let kp = lc::EcdsaKeyPair::from_pkcs8(alg, &der)
                    .map_err(|e| CryptoError::BadKey(format!("AWS-LC refused the key: {e}")))?;
                Prepared::Nist(kp, key.alg())
            }
            Secret::K256(k) => {
                let bytes: zeroize::Zeroizing<[u8; 32]> =
                    zeroize::Zeroizing::new(k.to_bytes().into());
                let lib = secp256k1::SecretKey::from_byte_array(*bytes)
                    .map_err(|_| CryptoError::BadKey("libsecp256k1 refused the key".into()))?;
                Prepared::K256(K256Signing::from(k), lib)
            }
            Secret::Ed25519(_) | Secret::Rsa(_) => Prepared::AsIs,
        })
    }

    pub fn alg(&self) -> KeyAlg {
        self.key().alg()
    }

    /// The signer's public key.
    pub fn public(&self) -> &PublicKey {
        &self.public
    }

    /// Signs `payload` with `scheme`. The caller checks the usage policy first
    /// ([`UsagePolicy::check`]); this checks only that the key can do the scheme.
    pub fn sign(
        &self,
        scheme: Scheme,
        payload: Payload<'_>,
        encoding: Encoding,
    ) -> Result<Signature, CryptoError> {
        let alg = self.alg();
        if !scheme.fits(alg) {
            return Err(CryptoError::SchemeNotForAlg {
                scheme: scheme.as_str().into(),
                alg: alg.to_string(),
            });
        }
        if matches!(payload, Payload::Digest(_)) && !scheme.takes_digest() {
            return Err(CryptoError::BadSignatureInput(format!(
                "the {scheme} scheme signs a message, not a digest"
            )));
        }
        scheme.imp().sign(self, payload, encoding)
    }

    /// libsecp256k1: RFC 6979, low-S; r‖s and the recovery id (0..3).
    pub(super) fn k1_sign(&self, digest: &[u8; 32]) -> Result<([u8; 64], u8), CryptoError> {
        let Prepared::K256(_, sk) = &self.prepared else {
            return Err(CryptoError::SchemeNotForAlg {
                scheme: "secp256k1".into(),
                alg: self.alg().to_string(),
            });
        };
        let sig = secp256k1::SECP256K1
            .sign_ecdsa_recoverable(secp256k1::Message::from_digest(*digest), sk);
        let (recid, rs) = sig.serialize_compact();
        Ok((rs, i32::from(recid) as u8))
    }

    pub(super) fn k256(&self) -> Result<&K256Signing, CryptoError> {
        match &self.prepared {
            Prepared::K256(k, _) => Ok(k),
            _ => Err(CryptoError::SchemeNotForAlg {
                scheme: "secp256k1".into(),
                alg: self.alg().to_string(),
            }),
        }
    }

    /// ECDSA over a digest, fixed-size r‖s (low-S on secp256k1).
    pub(super) fn ecdsa_rs(&self, digest: &[u8]) -> Result<Vec<u8>, CryptoError> {
        match &self.prepared {
            Prepared::Nist(kp, alg) => {
                let dalg = if *alg == KeyAlg::P256 {
                    &aws_lc_rs::digest::SHA256
                } else {
                    &aws_lc_rs::digest::SHA384
                };
                let d = aws_lc_rs::digest::Digest::import_less_safe(digest, dalg)
                    .map_err(|_| internal("digest import"))?;
                let sig = kp.sign_digest(&d).map_err(|_| internal("signing"))?;
                Ok(sig.as_ref().to_vec())
            }
            Prepared::K256(..) => {
                let d: &[u8; 32] = digest
                    .try_into()
                    .map_err(|_| internal("secp256k1 digest length"))?;
                Ok(self.k1_sign(d)?.0.to_vec())
            }
            _ => Err(CryptoError::SchemeNotForAlg {
                scheme: "raw".into(),
                alg: self.alg().to_string(),
            }),
        }
    }

    /// The JWS signature of `signing_input` (`b64url(header) "." b64url(payload)`).
    pub fn sign_jws(&self, alg: JwsAlg, signing_input: &[u8]) -> Result<Vec<u8>, CryptoError> {
        if !alg.fits(self.alg()) {
            return Err(CryptoError::JwsAlgNotForKey {
                jws: alg.as_str().into(),
                alg: self.alg().to_string(),
            });
        }
        match (&self.prepared, alg) {
            (Prepared::Nist(kp, _), _) => {
                let rng = aws_lc_rs::rand::SystemRandom::new();
                let sig = kp
                    .sign(&rng, signing_input)
                    .map_err(|_| internal("signing"))?;
                Ok(sig.as_ref().to_vec())
            }
            (Prepared::K256(..), _) => {
                let digest: [u8; 32] = Sha256::digest(signing_input).into();
                self.ecdsa_rs(&digest)
            }
            (Prepared::AsIs, alg) => match &self.key().secret {
                Secret::Ed25519(k) => {
                    use ed25519_dalek::Signer as _;
                    Ok(k.sign(signing_input).to_bytes().to_vec())
                }
                Secret::Rsa(k) => rsa_jws(k, alg, signing_input),
                _ => Err(internal("key preparation")),
            },
        }
    }
}

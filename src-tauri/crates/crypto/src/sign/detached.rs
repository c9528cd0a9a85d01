//! Detached signatures by a pinned key, as services sign their responses.

use sha2::{Digest, Sha256, Sha384};

use super::raw::verify_raw;
use super::{internal, verify, Payload, Scheme, Verdict, VerifyWith};
use crate::error::CryptoError;
use crate::keys::{KeyAlg, Public, PublicKey};

/// Verifies a detached signature over `message` by a pinned key, the way services sign their
/// responses: RSA PKCS#1 v1.5 with SHA-256 for RSA keys; ECDSA over SHA-256 (DER or r‖s, any
/// S) for EC keys; Ed25519 for Ed25519 keys.
pub fn verify_detached(
    key: &PublicKey,
    message: &[u8],
    signature: &[u8],
) -> Result<Verdict, CryptoError> {
    match key.inner() {
        Public::Rsa { spki, .. } => {
            use openssl::hash::MessageDigest;
            let pkey = openssl::pkey::PKey::public_key_from_der(spki)
                .map_err(|_| CryptoError::BadKey("the RSA public key does not parse".into()))?;
            let mut v = openssl::sign::Verifier::new(MessageDigest::sha256(), &pkey)
                .map_err(|_| internal("RSA verifier"))?;
            v.update(message).map_err(|_| internal("RSA verifier"))?;
            Ok(match v.verify(signature) {
                Ok(true) => Verdict::ok("valid RSA PKCS#1 v1.5 SHA-256 signature", None),
                _ => Verdict::fail("the signature does not match the pinned key and body", None),
            })
        }
        Public::Ed25519(_) => verify(
            Scheme::Ed25519,
            Payload::Message(message),
            signature,
            &VerifyWith::Key(Box::new(key.clone())),
        ),
        _ if key.alg() == KeyAlg::P384 => verify_raw(key, &Sha384::digest(message), signature),
        _ => verify_raw(key, &Sha256::digest(message), signature),
    }
}

//! What the recoverable secp256k1 schemes (EIP-191, BSM, EOS) share: recovering the signer's
//! key from a low-S r‖s signature, and the key's compressed point.

use k256::ecdsa::{RecoveryId, Signature as K256Sig, VerifyingKey};

use crate::error::CryptoError;
use crate::keys::{Public, PublicKey};

/// Recovers the secp256k1 key of a low-S r‖s signature over `digest`.
pub(super) fn recover_k256(
    digest: &[u8; 32],
    rs: &[u8],
    recid: u8,
) -> Result<VerifyingKey, CryptoError> {
    let sig = K256Sig::from_slice(rs).map_err(|_| {
        CryptoError::BadSignature("r or s is zero or not below the group order".into())
    })?;
    if sig.normalize_s().is_some() {
        return Err(CryptoError::NonCanonical);
    }
    let recid = RecoveryId::from_byte(recid)
        .ok_or_else(|| CryptoError::BadSignature("bad recovery id".into()))?;
    VerifyingKey::recover_from_prehash(digest, &sig, recid)
        .map_err(|_| CryptoError::BadSignature("no public key recovers from this signature".into()))
}

pub(super) fn same_k256(k: &PublicKey, vk: &VerifyingKey) -> bool {
    match k.inner() {
        Public::K256(p) => VerifyingKey::from(p) == *vk,
        _ => false,
    }
}

pub(super) fn compressed(public: &PublicKey) -> Result<[u8; 33], CryptoError> {
    public
        .secp256k1_compressed()
        .ok_or_else(|| CryptoError::SchemeNotForAlg {
            scheme: "secp256k1".into(),
            alg: public.alg().to_string(),
        })
}

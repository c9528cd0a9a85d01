//! `eip191`: Ethereum `personal_sign` (EIP-191, version 0x45) with secp256k1 keys: Keccak-256
//! of the envelope, 65 bytes r‖s‖v (v = 27/28), checked by recovering the address.

use k256::ecdsa::VerifyingKey;

use super::recover::recover_k256;
use super::{
    internal, sign, Encoding, Payload, Scheme, SchemeImpl, Signature, Signer, Usage, Verdict,
    VerifyWith,
};
use crate::chain;
use crate::error::CryptoError;
use crate::keys::{KeyAlg, PrivateKey, Public, PublicKey};

pub(super) struct Eip191;

impl SchemeImpl for Eip191 {
    fn name(&self) -> &'static str {
        "eip191"
    }

    fn title(&self) -> &'static str {
        "Ethereum personal_sign (EIP-191)"
    }

    fn fits(&self, alg: KeyAlg) -> bool {
        alg == KeyAlg::Secp256k1
    }

    fn implied_alg(&self) -> Option<KeyAlg> {
        Some(KeyAlg::Secp256k1)
    }

    fn usage(&self) -> Usage {
        Usage::Eip191
    }

    fn sign(
        &self,
        signer: &Signer<'_>,
        payload: Payload<'_>,
        _encoding: Encoding,
    ) -> Result<Signature, CryptoError> {
        let Payload::Message(m) = payload else {
            unreachable!("checked before dispatch")
        };
        let digest = eip191_hash(m);
        let (rs, recid) = signer.k1_sign(&digest)?;
        let mut out = rs.to_vec();
        out.push(27 + recid);
        Ok(Signature {
            scheme: Scheme::Eip191,
            signature: format!("0x{}", hex::encode(&out)),
            bytes: out,
            digest: Some(hex::encode(digest)),
            signer: eth_address_of(signer.public())?,
        })
    }

    fn verify(
        &self,
        payload: Payload<'_>,
        signature: &[u8],
        with: &VerifyWith,
    ) -> Result<Verdict, CryptoError> {
        let Payload::Message(m) = payload else {
            unreachable!("checked before dispatch")
        };
        let addr = chain::eip55(&eip191_recover(m, signature)?);
        let expected = match with {
            VerifyWith::Key(k) => eth_address_of(k)?,
            VerifyWith::Address(a) => a.trim().to_string(),
        };
        Ok(if expected.eq_ignore_ascii_case(&addr) {
            Verdict::ok(format!("signed by {addr}"), Some(addr))
        } else {
            Verdict::fail(format!("signed by {addr}, not {expected}"), Some(addr))
        })
    }
}

fn eth_address_of(public: &PublicKey) -> Result<String, CryptoError> {
    match public.inner() {
        Public::K256(k) => {
            use k256::elliptic_curve::sec1::ToEncodedPoint;
            let p = k.to_encoded_point(false);
            let b: [u8; 65] = p.as_bytes().try_into().map_err(|_| internal("point"))?;
            Ok(chain::eth_address(&b))
        }
        _ => Err(CryptoError::SchemeNotForAlg {
            scheme: "eip191".into(),
            alg: public.alg().to_string(),
        }),
    }
}

/// Keccak-256 of the EIP-191 version-0x45 envelope of `message` (what `personal_sign` signs).
pub fn eip191_hash(message: &[u8]) -> [u8; 32] {
    let mut buf = Vec::with_capacity(message.len() + 32);
    buf.extend_from_slice(b"\x19Ethereum Signed Message:\n");
    buf.extend_from_slice(message.len().to_string().as_bytes());
    buf.extend_from_slice(message);
    chain::keccak256(&buf)
}

/// EIP-191 `personal_sign`: 65 bytes r ‖ s ‖ v with v = 27/28.
pub fn eip191_sign(key: &PrivateKey, message: &[u8]) -> Result<[u8; 65], CryptoError> {
    let sig = sign(key, Scheme::Eip191, Payload::Message(message), Encoding::Rs)?;
    sig.bytes
        .try_into()
        .map_err(|_| internal("EIP-191 encoding"))
}

/// The address that signed `message` (EIP-191); v may be 0, 1, 27 or 28.
pub fn eip191_recover(message: &[u8], signature: &[u8]) -> Result<[u8; 20], CryptoError> {
    let sig: &[u8; 65] = signature.try_into().map_err(|_| {
        CryptoError::BadSignature(format!(
            "an EIP-191 signature is 65 bytes, not {}",
            signature.len()
        ))
    })?;
    let v = match sig[64] {
        v @ (0 | 1) => v,
        v @ (27 | 28) => v - 27,
        v => {
            return Err(CryptoError::BadSignature(format!(
                "v is {v}; it must be 27 or 28 (or 0 or 1)"
            )))
        }
    };
    let vk = recover_k256(&eip191_hash(message), &sig[..64], v)?;
    Ok(chain::eth_address_bytes(&uncompressed(&vk)))
}

fn uncompressed(vk: &VerifyingKey) -> [u8; 65] {
    let p = vk.to_encoded_point(false);
    p.as_bytes()
        .try_into()
        .expect("an uncompressed point is 65 bytes")
}

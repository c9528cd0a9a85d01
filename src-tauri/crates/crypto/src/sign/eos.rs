//! `eos`: EOS signatures with secp256k1 keys, on SHA-256 of the message or on a given digest:
//! eosjs-ecc's canonical loop (PROTOCOLS.md §3.2), written `SIG_K1_…` (i‖r‖s, i = 31..34).

use k256::ecdsa::SigningKey as K256Signing;
use sha2::{Digest, Sha256};

use super::recover::{compressed, recover_k256, same_k256};
use super::{
    internal, Encoding, Payload, Scheme, SchemeImpl, Signature, Signer, Usage, Verdict, VerifyWith,
};
use crate::chain;
use crate::error::CryptoError;
use crate::keys::KeyAlg;

pub(super) struct Eos;

impl SchemeImpl for Eos {
    fn name(&self) -> &'static str {
        "eos"
    }

    fn title(&self) -> &'static str {
        "EOS (SIG_K1_)"
    }

    fn fits(&self, alg: KeyAlg) -> bool {
        alg == KeyAlg::Secp256k1
    }

    fn implied_alg(&self) -> Option<KeyAlg> {
        Some(KeyAlg::Secp256k1)
    }

    fn takes_digest(&self) -> bool {
        true
    }

    fn usage(&self) -> Usage {
        Usage::Eos
    }

    fn sign(
        &self,
        signer: &Signer<'_>,
        payload: Payload<'_>,
        _encoding: Encoding,
    ) -> Result<Signature, CryptoError> {
        let digest: [u8; 32] = match payload {
            Payload::Message(m) => Sha256::digest(m).into(),
            Payload::Digest(d) => d.try_into().map_err(|_| {
                CryptoError::BadSignatureInput(format!(
                    "an EOS digest is 32 bytes (SHA-256), not {}",
                    d.len()
                ))
            })?,
        };
        let first = signer.k1_sign(&digest)?;
        let out = eos_sign(signer.k256()?, &digest, first)?;
        Ok(Signature {
            scheme: Scheme::Eos,
            signature: eos_signature_text(&out),
            bytes: out.to_vec(),
            digest: Some(hex::encode(digest)),
            signer: chain::eos_public(&compressed(signer.public())?),
        })
    }

    /// A `SIG_K1_` string, its checksum checked.
    fn decode(&self, text: &str) -> Result<Vec<u8>, CryptoError> {
        eos_signature_parse(text).map(|b| b.to_vec())
    }

    fn verify(
        &self,
        payload: Payload<'_>,
        signature: &[u8],
        with: &VerifyWith,
    ) -> Result<Verdict, CryptoError> {
        let digest: [u8; 32] = match payload {
            Payload::Message(m) => Sha256::digest(m).into(),
            Payload::Digest(d) => d.try_into().map_err(|_| {
                CryptoError::BadSignatureInput(format!(
                    "an EOS digest is 32 bytes, not {}",
                    d.len()
                ))
            })?,
        };
        let sig: &[u8; 65] = signature
            .try_into()
            .map_err(|_| CryptoError::BadSignature("an EOS signature is 65 bytes".into()))?;
        let i = sig[0];
        if !(27..=34).contains(&i) {
            return Err(CryptoError::BadSignature(format!(
                "the recovery byte is {i}; it must be 27 to 34"
            )));
        }
        let vk = recover_k256(&digest, &sig[1..], (i - 27) % 4)?;
        let pub33: [u8; 33] = vk
            .to_encoded_point(true)
            .as_bytes()
            .try_into()
            .expect("33 bytes");
        let eos = chain::eos_public(&pub33);
        let ok = match with {
            VerifyWith::Key(k) => same_k256(k, &vk),
            VerifyWith::Address(a) => {
                let a = a.trim();
                a == eos || a == chain::eos_public_legacy(&pub33)
            }
        };
        Ok(if ok {
            Verdict::ok(format!("signed by {eos}"), Some(eos))
        } else {
            Verdict::fail(format!("signed by {eos}, another key"), Some(eos))
        })
    }
}

/// Whether DER r and s are both exactly 32 bytes (eosjs-ecc's `lenR === 32 && lenS === 32`).
pub(super) fn eos_canonical(rs: &[u8; 64]) -> bool {
    let len = |x: &[u8]| {
        let t: &[u8] = match x.iter().position(|&b| b != 0) {
            Some(i) => &x[i..],
            None => &x[31..],
        };
        t.len() + usize::from(t[0] >= 0x80)
    };
    len(&rs[..32]) == 32 && len(&rs[32..]) == 32
}

/// eosjs-ecc's `signHash`: RFC 6979 with low-S, repeated with k derived from
/// SHA-256(hash ‖ 0x00 × attempt) until DER r and s are both exactly 32 bytes. `first` is
/// attempt 0 (plain RFC 6979, from libsecp256k1).
fn eos_sign(
    sk: &K256Signing,
    digest: &[u8; 32],
    first: ([u8; 64], u8),
) -> Result<[u8; 65], CryptoError> {
    if eos_canonical(&first.0) {
        let mut out = [0u8; 65];
        out[0] = 27 + 4 + first.1;
        out[1..].copy_from_slice(&first.0);
        return Ok(out);
    }
    use k256::ecdsa::hazmat::SignPrimitive;
    use k256::elliptic_curve::ops::Reduce;
    let d = sk.as_nonzero_scalar();
    let x = d.to_bytes();
    let n = k256::elliptic_curve::FieldBytesEncoding::<k256::Secp256k1>::encode_field_bytes(
        &<k256::Secp256k1 as k256::elliptic_curve::Curve>::ORDER,
    );
    for attempt in 1usize..256 {
        let h: [u8; 32] = {
            let mut buf = digest.to_vec();
            buf.resize(32 + attempt, 0);
            Sha256::digest(&buf).into()
        };
        // bits2octets(h) = h mod n, as RFC 6979 §2.3.4 and eosjs-ecc both do.
        let h_red = <k256::Scalar as Reduce<k256::U256>>::reduce_bytes(&h.into()).to_bytes();
        let k = rfc6979::generate_k::<Sha256, _>(&x, &n, &h_red, &[]);
        let k = <k256::Scalar as Reduce<k256::U256>>::reduce_bytes(&k);
        let Ok((sig, Some(recid))) = d.try_sign_prehashed(k, &(*digest).into()) else {
            continue;
        };
        let rs: [u8; 64] = sig.to_bytes().into();
        if eos_canonical(&rs) {
            let mut out = [0u8; 65];
            out[0] = 27 + 4 + recid.to_byte();
            out[1..].copy_from_slice(&rs);
            return Ok(out);
        }
    }
    Err(internal("finding a canonical EOS signature"))
}

/// `SIG_K1_` + Base58(sig65 ‖ RIPEMD-160(sig65 ‖ "K1")[0..4]).
pub fn eos_signature_text(sig: &[u8; 65]) -> String {
    let mut buf = sig.to_vec();
    buf.extend_from_slice(&chain::ripemd160_k1(sig)[..4]);
    format!("SIG_K1_{}", bs58::encode(buf).into_string())
}

/// Reads a `SIG_K1_` string (checksum checked).
pub fn eos_signature_parse(s: &str) -> Result<[u8; 65], CryptoError> {
    let body = s
        .trim()
        .strip_prefix("SIG_K1_")
        .ok_or_else(|| CryptoError::BadSignature("an EOS signature starts with SIG_K1_".into()))?;
    let raw = bs58::decode(body)
        .into_vec()
        .map_err(|_| CryptoError::BadSignature("an EOS signature is Base58".into()))?;
    if raw.len() != 69 {
        return Err(CryptoError::BadSignature(format!(
            "an EOS signature holds 65 bytes and a checksum, not {} bytes",
            raw.len()
        )));
    }
    if chain::ripemd160_k1(&raw[..65])[..4] != raw[65..] {
        return Err(CryptoError::BadSignature(
            "the EOS signature's checksum does not match (a character was changed or lost)".into(),
        ));
    }
    Ok(raw[..65].try_into().expect("65 bytes"))
}

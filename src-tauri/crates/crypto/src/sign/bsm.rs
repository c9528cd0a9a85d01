//! `bsm`: Bitcoin Signed Message with secp256k1 keys: SHA-256d of the varint-framed envelope,
//! written as base64 of header‖r‖s (header 31..34: compressed key, P2PKH address).

use base64::Engine as _;

use super::recover::{compressed, recover_k256, same_k256};
use super::{
    hex_or_base64, Encoding, Payload, Scheme, SchemeImpl, Signature, Signer, Usage, Verdict,
    VerifyWith,
};
use crate::chain;
use crate::error::CryptoError;
use crate::keys::KeyAlg;

pub(super) struct Bsm;

impl SchemeImpl for Bsm {
    fn name(&self) -> &'static str {
        "bsm"
    }

    fn title(&self) -> &'static str {
        "Bitcoin Signed Message"
    }

    fn fits(&self, alg: KeyAlg) -> bool {
        alg == KeyAlg::Secp256k1
    }

    fn implied_alg(&self) -> Option<KeyAlg> {
        Some(KeyAlg::Secp256k1)
    }

    fn usage(&self) -> Usage {
        Usage::Bsm
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
        let digest = bsm_hash(m);
        let (rs, recid) = signer.k1_sign(&digest)?;
        let mut out = vec![27 + 4 + recid];
        out.extend_from_slice(&rs);
        Ok(Signature {
            scheme: Scheme::Bsm,
            signature: base64::engine::general_purpose::STANDARD.encode(&out),
            bytes: out,
            digest: Some(hex::encode(digest)),
            signer: chain::btc_p2pkh(&compressed(signer.public())?),
        })
    }

    /// Base64 only: BSM signatures are never written in hex.
    fn decode(&self, text: &str) -> Result<Vec<u8>, CryptoError> {
        hex_or_base64(self.name(), text, false)
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
        let sig: &[u8; 65] = signature.try_into().map_err(|_| {
            CryptoError::BadSignature(format!(
                "a Bitcoin signed-message signature is 65 bytes, not {}",
                signature.len()
            ))
        })?;
        let h = sig[0];
        if !(27..=42).contains(&h) {
            return Err(CryptoError::BadSignature(format!(
                "the header byte is {h}; it must be 27 to 42"
            )));
        }
        let recid = (h - 27) % 4;
        let compressed_key = h >= 31;
        let vk = recover_k256(&bsm_hash(m), &sig[1..], recid)?;
        let point = vk.to_encoded_point(compressed_key);
        let p2pkh = p2pkh_of(point.as_bytes());
        match with {
            VerifyWith::Address(a) => {
                if h >= 35 {
                    return Ok(Verdict::fail(
                        "the header says a SegWit address (BIP137 35-42); Keyward checks P2PKH addresses",
                        Some(p2pkh),
                    ));
                }
                Ok(if a.trim() == p2pkh {
                    Verdict::ok(format!("signed by {p2pkh}"), Some(p2pkh))
                } else {
                    Verdict::fail(format!("signed by {p2pkh}, not {}", a.trim()), Some(p2pkh))
                })
            }
            VerifyWith::Key(k) => Ok(if same_k256(k, &vk) {
                Verdict::ok(format!("signed by this key ({p2pkh})"), Some(p2pkh))
            } else {
                Verdict::fail(format!("signed by {p2pkh}, another key"), Some(p2pkh))
            }),
        }
    }
}

/// SHA-256d of the Bitcoin Signed Message envelope of `message`.
pub fn bsm_hash(message: &[u8]) -> [u8; 32] {
    const MAGIC: &[u8] = b"Bitcoin Signed Message:\n";
    let mut buf = Vec::with_capacity(message.len() + 34);
    write_varint(&mut buf, MAGIC.len() as u64);
    buf.extend_from_slice(MAGIC);
    write_varint(&mut buf, message.len() as u64);
    buf.extend_from_slice(message);
    chain::sha256d(&buf)
}

pub(super) fn write_varint(buf: &mut Vec<u8>, n: u64) {
    match n {
        0..=0xfc => buf.push(n as u8),
        0xfd..=0xffff => {
            buf.push(0xfd);
            buf.extend_from_slice(&(n as u16).to_le_bytes());
        }
        0x1_0000..=0xffff_ffff => {
            buf.push(0xfe);
            buf.extend_from_slice(&(n as u32).to_le_bytes());
        }
        _ => {
            buf.push(0xff);
            buf.extend_from_slice(&n.to_le_bytes());
        }
    }
}

fn p2pkh_of(point: &[u8]) -> String {
    let mut payload = vec![0u8];
    payload.extend_from_slice(&chain::hash160(point));
    let check = chain::sha256d(&payload);
    payload.extend_from_slice(&check[..4]);
    bs58::encode(payload).into_string()
}

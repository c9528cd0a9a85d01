//! `ed25519`: pure Ed25519 (RFC 8032) over the message itself, through `ed25519-dalek`;
//! verified strictly.

use super::{Encoding, Payload, Scheme, SchemeImpl, Signature, Signer, Usage, Verdict, VerifyWith};
use crate::error::CryptoError;
use crate::keys::{KeyAlg, Public, Secret};

pub(super) struct Ed25519;

impl SchemeImpl for Ed25519 {
    fn name(&self) -> &'static str {
        "ed25519"
    }

    fn title(&self) -> &'static str {
        "Ed25519"
    }

    fn fits(&self, alg: KeyAlg) -> bool {
        alg == KeyAlg::Ed25519
    }

    fn implied_alg(&self) -> Option<KeyAlg> {
        Some(KeyAlg::Ed25519)
    }

    fn usage(&self) -> Usage {
        Usage::Ed25519
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
        let Secret::Ed25519(k) = &signer.key().secret else {
            unreachable!("scheme fits the key")
        };
        use ed25519_dalek::Signer as _;
        let sig = k.sign(m).to_bytes().to_vec();
        Ok(Signature {
            scheme: Scheme::Ed25519,
            signature: hex::encode(&sig),
            bytes: sig,
            digest: None,
            signer: hex::encode(k.verifying_key().as_bytes()),
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
        let VerifyWith::Key(k) = with else {
            return Err(CryptoError::BadSignatureInput(
                "an Ed25519 signature is checked against a public key".into(),
            ));
        };
        let Public::Ed25519(vk) = k.inner() else {
            unreachable!("scheme fits the key")
        };
        let sig = ed25519_dalek::Signature::from_slice(signature).map_err(|_| {
            CryptoError::BadSignature(format!(
                "an Ed25519 signature is 64 bytes, not {}",
                signature.len()
            ))
        })?;
        Ok(match vk.verify_strict(m, &sig) {
            Ok(()) => Verdict::ok("valid Ed25519 signature", None),
            Err(_) => Verdict::fail("the signature does not match this key and message", None),
        })
    }
}

//! `raw`: ECDSA over P-256 and P-384 (AWS-LC) and secp256k1 (libsecp256k1 signs, `k256`
//! verifies), on SHA-256 (P-384: SHA-384) of the message or on a given digest; the signature
//! in DER or fixed-size r‖s.

use aws_lc_rs::signature as lc;
use k256::ecdsa::{Signature as K256Sig, VerifyingKey};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use sha2::{Digest, Sha256, Sha384};

use super::{
    internal, Encoding, Payload, Scheme, SchemeImpl, Signature, Signer, Usage, Verdict, VerifyWith,
};
use crate::error::CryptoError;
use crate::keys::{KeyAlg, Public, PublicKey};

pub(super) struct Raw;

impl SchemeImpl for Raw {
    fn name(&self) -> &'static str {
        "raw"
    }

    fn title(&self) -> &'static str {
        "Raw ECDSA"
    }

    fn fits(&self, alg: KeyAlg) -> bool {
        matches!(alg, KeyAlg::P256 | KeyAlg::P384 | KeyAlg::Secp256k1)
    }

    fn implied_alg(&self) -> Option<KeyAlg> {
        // Three curves share it.
        None
    }

    fn takes_digest(&self) -> bool {
        true
    }

    fn usage(&self) -> Usage {
        Usage::Raw
    }

    fn sign(
        &self,
        signer: &Signer<'_>,
        payload: Payload<'_>,
        encoding: Encoding,
    ) -> Result<Signature, CryptoError> {
        let alg = signer.alg();
        let digest = raw_digest(alg, payload)?;
        let rs = signer.ecdsa_rs(&digest)?;
        let bytes = match encoding {
            Encoding::Rs => rs,
            Encoding::Der => rs_to_der(alg, &rs)?,
        };
        Ok(Signature {
            scheme: Scheme::Raw,
            signature: hex::encode(&bytes),
            bytes,
            digest: Some(hex::encode(&digest)),
            signer: signer.public().fingerprint(),
        })
    }

    fn verify(
        &self,
        payload: Payload<'_>,
        signature: &[u8],
        with: &VerifyWith,
    ) -> Result<Verdict, CryptoError> {
        let VerifyWith::Key(k) = with else {
            return Err(CryptoError::BadSignatureInput(
                "a raw signature is checked against a public key (--key or --pubkey)".into(),
            ));
        };
        let digest = raw_digest(k.alg(), payload)?;
        verify_raw(k, &digest, signature)
    }
}

fn raw_digest(alg: KeyAlg, payload: Payload<'_>) -> Result<Vec<u8>, CryptoError> {
    let want = if alg == KeyAlg::P384 { 48 } else { 32 };
    match payload {
        Payload::Message(m) if alg == KeyAlg::P384 => Ok(Sha384::digest(m).to_vec()),
        Payload::Message(m) => Ok(Sha256::digest(m).to_vec()),
        Payload::Digest(d) if d.len() == want => Ok(d.to_vec()),
        Payload::Digest(d) => Err(CryptoError::BadSignatureInput(format!(
            "a {alg} digest is {want} bytes ({}), not {}",
            if want == 48 { "SHA-384" } else { "SHA-256" },
            d.len()
        ))),
    }
}

fn rs_to_der(alg: KeyAlg, rs: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let bad = |_| internal("DER encoding");
    Ok(match alg {
        KeyAlg::P256 => p256::ecdsa::Signature::from_slice(rs)
            .map_err(bad)?
            .to_der()
            .as_bytes()
            .to_vec(),
        KeyAlg::P384 => p384::ecdsa::Signature::from_slice(rs)
            .map_err(bad)?
            .to_der()
            .as_bytes()
            .to_vec(),
        _ => K256Sig::from_slice(rs)
            .map_err(bad)?
            .to_der()
            .as_bytes()
            .to_vec(),
    })
}

/// Raw ECDSA over `digest`, the signature in DER or r‖s (told apart by length and form).
pub(super) fn verify_raw(k: &PublicKey, digest: &[u8], sig: &[u8]) -> Result<Verdict, CryptoError> {
    let size = if k.alg() == KeyAlg::P384 { 48 } else { 32 };
    let fixed =
        sig.len() == 2 * size && sig[0] != 0x30 || sig.len() == 2 * size && der_len_mismatch(sig);
    let bad_der = || {
        CryptoError::BadSignature(format!(
            "not a DER ECDSA signature nor {} bytes of r‖s",
            2 * size
        ))
    };
    match k.inner() {
        Public::P256(_) | Public::P384(_) => {
            let point = match k.inner() {
                Public::P256(p) => p.to_encoded_point(false).as_bytes().to_vec(),
                Public::P384(p) => {
                    use p384::elliptic_curve::sec1::ToEncodedPoint;
                    p.to_encoded_point(false).as_bytes().to_vec()
                }
                _ => unreachable!(),
            };
            let (alg, dalg): (&'static lc::EcdsaVerificationAlgorithm, _) = match (k.alg(), fixed) {
                (KeyAlg::P256, true) => (&lc::ECDSA_P256_SHA256_FIXED, &aws_lc_rs::digest::SHA256),
                (KeyAlg::P256, false) => (&lc::ECDSA_P256_SHA256_ASN1, &aws_lc_rs::digest::SHA256),
                (_, true) => (&lc::ECDSA_P384_SHA384_FIXED, &aws_lc_rs::digest::SHA384),
                (_, false) => (&lc::ECDSA_P384_SHA384_ASN1, &aws_lc_rs::digest::SHA384),
            };
            if !fixed && strict_der(k.alg(), sig).is_none() {
                return Err(bad_der());
            }
            let d = aws_lc_rs::digest::Digest::import_less_safe(digest, dalg)
                .map_err(|_| internal("digest import"))?;
            Ok(
                match lc::UnparsedPublicKey::new(alg, &point).verify_digest(&d, sig) {
                    Ok(()) => Verdict::ok(
                        format!("valid {} signature", if fixed { "r‖s" } else { "DER" }),
                        None,
                    ),
                    Err(_) => {
                        Verdict::fail("the signature does not match this key and digest", None)
                    }
                },
            )
        }
        Public::K256(p) => {
            let parsed = if fixed {
                K256Sig::from_slice(sig).map_err(|_| bad_der())?
            } else {
                K256Sig::from_der(sig).map_err(|_| bad_der())?
            };
            let (sig, high) = match parsed.normalize_s() {
                Some(n) => (n, true),
                None => (parsed, false),
            };
            use k256::ecdsa::signature::hazmat::PrehashVerifier;
            Ok(match VerifyingKey::from(p).verify_prehash(digest, &sig) {
                Ok(()) if high => {
                    Verdict::ok("valid signature (high-S, accepted as its low-S twin)", None)
                }
                Ok(()) => Verdict::ok("valid signature", None),
                Err(_) => Verdict::fail("the signature does not match this key and digest", None),
            })
        }
        _ => Err(CryptoError::SchemeNotForAlg {
            scheme: "raw".into(),
            alg: k.alg().to_string(),
        }),
    }
}

/// Whether bytes starting 0x30 are not a DER sequence of their exact length (so r‖s).
fn der_len_mismatch(sig: &[u8]) -> bool {
    sig.len() < 2 || sig[1] as usize != sig.len() - 2
}

/// Strict DER parse (minimal integers, exact lengths) through the RustCrypto types.
fn strict_der(alg: KeyAlg, sig: &[u8]) -> Option<()> {
    match alg {
        KeyAlg::P256 => p256::ecdsa::Signature::from_der(sig).ok().map(|_| ()),
        KeyAlg::P384 => p384::ecdsa::Signature::from_der(sig).ok().map(|_| ()),
        _ => K256Sig::from_der(sig).ok().map(|_| ()),
    }
}

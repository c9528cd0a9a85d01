//! Public keys: their canonical encodings (SPKI DER and PEM, the fingerprint, the JWK), the
//! chain forms of secp256k1 keys, and the public exports.

use p256::elliptic_curve::sec1::ToEncodedPoint;
use pkcs8::EncodePublicKey;
use sha2::{Digest, Sha256};

use super::{Jwk, KeyAlg, Public, PublicFormat, PublicKey};
use crate::error::CryptoError;
use crate::pem::pem_encode;
use crate::{chain, openssh};

impl PublicKey {
    pub fn alg(&self) -> KeyAlg {
        self.alg
    }

    pub(crate) fn inner(&self) -> &Public {
        &self.inner
    }

    pub(crate) fn from_inner(inner: Public, alg: KeyAlg) -> PublicKey {
        PublicKey {
            inner,
            alg,
            xpub: None,
        }
    }

    /// Attaches an HD key's stored `xpub`.
    pub fn with_xpub(mut self, xpub: Option<String>) -> PublicKey {
        self.xpub = xpub;
        self
    }

    pub fn xpub(&self) -> Option<&str> {
        self.xpub.as_deref()
    }

    /// SubjectPublicKeyInfo DER (EC points uncompressed, as OpenSSL writes them).
    pub fn spki_der(&self) -> Vec<u8> {
        const MSG: &str = "encoding a valid public key cannot fail";
        match &self.inner {
            Public::P256(k) => k.to_public_key_der().expect(MSG).into_vec(),
            Public::P384(k) => k.to_public_key_der().expect(MSG).into_vec(),
            Public::K256(k) => k.to_public_key_der().expect(MSG).into_vec(),
            Public::Ed25519(k) => k.to_public_key_der().expect(MSG).into_vec(),
            Public::Rsa { spki, .. } => spki.clone(),
        }
    }

    /// SPKI PEM, byte-identical to `openssl pkey -pubout`.
    pub fn spki_pem(&self) -> String {
        pem_encode("PUBLIC KEY", &self.spki_der())
    }

    /// Hex SHA-256 of the SPKI DER.
    pub fn fingerprint(&self) -> String {
        hex::encode(Sha256::digest(self.spki_der()))
    }

    /// The public JWK with its RFC 7638 thumbprint as `kid`.
    pub fn jwk(&self) -> Jwk {
        match &self.inner {
            Public::P256(k) => {
                let p = k.to_encoded_point(false);
                Jwk::ec("P-256", "ES256", p.x().expect("x"), p.y().expect("y"))
            }
            Public::P384(k) => {
                let p = k.to_encoded_point(false);
                Jwk::ec("P-384", "ES384", p.x().expect("x"), p.y().expect("y"))
            }
            Public::K256(k) => {
                let p = k.to_encoded_point(false);
                Jwk::ec("secp256k1", "ES256K", p.x().expect("x"), p.y().expect("y"))
            }
            Public::Ed25519(k) => Jwk::okp("Ed25519", k.as_bytes()),
            Public::Rsa { n, e, .. } => Jwk::rsa(n, e),
        }
    }

    /// The compressed SEC1 point of a secp256k1 key.
    pub fn secp256k1_compressed(&self) -> Option<[u8; 33]> {
        match &self.inner {
            Public::K256(k) => {
                let p = k.to_encoded_point(true);
                p.as_bytes().try_into().ok()
            }
            _ => None,
        }
    }

    fn secp256k1_uncompressed(&self) -> Option<[u8; 65]> {
        match &self.inner {
            Public::K256(k) => {
                let p = k.to_encoded_point(false);
                p.as_bytes().try_into().ok()
            }
            _ => None,
        }
    }

    /// The EC point (uncompressed SEC1), the Ed25519 key, or the RSA modulus and exponent,
    /// for the OpenSSH encoder.
    pub(crate) fn openssh_parts(&self) -> openssh::PublicParts<'_> {
        match &self.inner {
            Public::P256(k) => {
                openssh::PublicParts::Ec(k.to_encoded_point(false).as_bytes().to_vec())
            }
            Public::P384(k) => {
                openssh::PublicParts::Ec(k.to_encoded_point(false).as_bytes().to_vec())
            }
            Public::K256(_) => openssh::PublicParts::None,
            Public::Ed25519(k) => openssh::PublicParts::Ed25519(k.to_bytes()),
            Public::Rsa { n, e, .. } => openssh::PublicParts::Rsa { n, e },
        }
    }

    /// The formats this key can be exported in.
    pub fn formats(&self) -> Vec<PublicFormat> {
        let mut v = self.alg.public_formats().to_vec();
        if self.xpub.is_some() {
            v.insert(v.len() - 1, PublicFormat::Xpub);
        }
        v
    }

    /// One public export. `comment` ends an OpenSSH line (the key's label, say).
    pub fn export(&self, format: PublicFormat, comment: &str) -> Result<String, CryptoError> {
        let not_for = || CryptoError::FormatNotForAlg {
            format: format.as_str().into(),
            alg: self.alg.to_string(),
        };
        Ok(match format {
            PublicFormat::Pem => self.spki_pem(),
            PublicFormat::Jwk => self.jwk().to_json(),
            PublicFormat::Jwks => Jwk::set(&[self.jwk()]),
            PublicFormat::Openssh => openssh::public_line(self, comment).ok_or_else(not_for)?,
            PublicFormat::Eth => {
                chain::eth_address(&self.secp256k1_uncompressed().ok_or_else(not_for)?)
            }
            PublicFormat::Eos => {
                chain::eos_public(&self.secp256k1_compressed().ok_or_else(not_for)?)
            }
            PublicFormat::EosLegacy => {
                chain::eos_public_legacy(&self.secp256k1_compressed().ok_or_else(not_for)?)
            }
            PublicFormat::Btc => {
                chain::btc_p2pkh(&self.secp256k1_compressed().ok_or_else(not_for)?)
            }
            PublicFormat::Xpub => self.xpub.clone().ok_or_else(not_for)?,
            PublicFormat::Fingerprint => self.fingerprint(),
        })
    }

    /// What a QR code of this key carries by default: a secp256k1 key's Ethereum address,
    /// else the SPKI PEM.
    pub fn qr_default(&self) -> PublicFormat {
        match self.alg {
            KeyAlg::Secp256k1 => PublicFormat::Eth,
            _ => PublicFormat::Pem,
        }
    }
}

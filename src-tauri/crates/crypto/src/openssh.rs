//! OpenSSH keys (PROTOCOL.key, RFC 4253 §6.6, RFC 5656, RFC 8709) through the `ssh-key` crate:
//! private keys in (Ed25519, ECDSA P-256/P-384, RSA; passphrase-protected ones too) and public
//! key lines out. RSA private parts go straight into OpenSSL.

use crate::error::CryptoError;
use crate::keys::{KeyAlg, PrivateKey, PublicKey, Secret};
use openssl::bn::BigNum;
use openssl::pkey::PKey;
use ssh_key::private::{EcdsaKeypair, KeypairData};
use ssh_key::public::{EcdsaPublicKey, Ed25519PublicKey, KeyData, RsaPublicKey};
use ssh_key::Mpint;
use zeroize::Zeroizing;

pub(crate) enum PublicParts<'a> {
    /// Uncompressed SEC1 point of a NIST curve.
    Ec(Vec<u8>),
    Ed25519([u8; 32]),
    Rsa {
        n: &'a [u8],
        e: &'a [u8],
    },
    /// OpenSSH has no encoding for this key (secp256k1).
    None,
}

fn bad(e: ssh_key::Error) -> CryptoError {
    CryptoError::BadOpenSsh(match e {
        ssh_key::Error::AlgorithmUnknown => "unknown algorithm".into(),
        ssh_key::Error::Crypto => "decryption failed".into(),
        ssh_key::Error::Encoding(_) => "malformed key data".into(),
        ssh_key::Error::FormatEncoding => "malformed key file".into(),
        _ => "malformed key".into(),
    })
}

/// Reads the binary body of an `OPENSSH PRIVATE KEY` PEM block.
pub(crate) fn private_from_der(
    der: &[u8],
    passphrase: Option<&[u8]>,
) -> Result<PrivateKey, CryptoError> {
    let mut key = ssh_key::PrivateKey::from_bytes(der).map_err(bad)?;
    if key.is_encrypted() {
        let pass = passphrase.ok_or(CryptoError::PassphraseRequired)?;
        key = key.decrypt(pass).map_err(|e| match e {
            ssh_key::Error::Crypto | ssh_key::Error::Decrypted => CryptoError::BadKeyPassphrase,
            // A wrong passphrase decrypts to garbage whose check bytes differ.
            ssh_key::Error::Encoding(_) | ssh_key::Error::FormatEncoding => {
                CryptoError::BadKeyPassphrase
            }
            other => bad(other),
        })?;
    }
    match key.key_data() {
        KeypairData::Ed25519(kp) => {
            let seed = Zeroizing::new(kp.private.to_bytes());
            let k = PrivateKey::from_raw(KeyAlg::Ed25519, &seed[..])?;
            if k.public().openssh_parts_ed25519() != Some(kp.public.0) {
                return Err(CryptoError::BadKey(
                    "the OpenSSH public half does not match the private key".into(),
                ));
            }
            Ok(k)
        }
        KeypairData::Ecdsa(EcdsaKeypair::NistP256 { private, .. }) => {
            PrivateKey::from_raw(KeyAlg::P256, private.as_slice())
        }
        KeypairData::Ecdsa(EcdsaKeypair::NistP384 { private, .. }) => {
            PrivateKey::from_raw(KeyAlg::P384, private.as_slice())
        }
        KeypairData::Ecdsa(EcdsaKeypair::NistP521 { .. }) => {
            Err(CryptoError::WrongCurve("P-521 (nistp521)".into()))
        }
        KeypairData::Rsa(kp) => {
            let b = |m: &Mpint| {
                let bytes = m
                    .as_positive_bytes()
                    .ok_or_else(|| CryptoError::BadOpenSsh("a negative RSA parameter".into()))?;
                BigNum::from_slice(bytes).map_err(|e| CryptoError::BadKey(e.to_string()))
            };
            let (n, e) = (b(&kp.public.n)?, b(&kp.public.e)?);
            let (d, p, q) = (b(&kp.private.d)?, b(&kp.private.p)?, b(&kp.private.q)?);
            let (dp, dq, qi) = crate::jwk::crt_params(&d, &p, &q)?;
            let rsa = openssl::rsa::Rsa::from_private_components(n, e, d, p, q, dp, dq, qi)
                .map_err(|e| CryptoError::BadKey(e.to_string()))?;
            let pkey = PKey::from_rsa(rsa).map_err(|e| CryptoError::BadKey(e.to_string()))?;
            PrivateKey::from_secret(Secret::Rsa(pkey))
        }
        KeypairData::Dsa(_) => Err(CryptoError::UnsupportedAlg("DSA".into())),
        KeypairData::SkEcdsaSha2NistP256(_) | KeypairData::SkEd25519(_) => {
            Err(CryptoError::UnsupportedAlg(
                "security-key (sk-*) SSH keys: the private half lives on the token".into(),
            ))
        }
        _ => Err(CryptoError::UnsupportedAlg("this OpenSSH key type".into())),
    }
}

/// The `authorized_keys` line of a key, or `None` where OpenSSH has no encoding (secp256k1).
pub(crate) fn public_line(key: &PublicKey, comment: &str) -> Option<String> {
    let data = match key.openssh_parts() {
        PublicParts::Ec(point) => KeyData::Ecdsa(EcdsaPublicKey::from_sec1_bytes(&point).ok()?),
        PublicParts::Ed25519(b) => KeyData::Ed25519(Ed25519PublicKey(b)),
        PublicParts::Rsa { n, e } => KeyData::Rsa(RsaPublicKey {
            e: Mpint::from_positive_bytes(e).ok()?,
            n: Mpint::from_positive_bytes(n).ok()?,
        }),
        PublicParts::None => return None,
    };
    // A comment is one line of printable text.
    let comment: String = comment
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .to_string();
    let line = ssh_key::PublicKey::new(data, comment).to_openssh().ok()?;
    Some(line.trim_end().to_string())
}

impl PublicKey {
    fn openssh_parts_ed25519(&self) -> Option<[u8; 32]> {
        match self.openssh_parts() {
            PublicParts::Ed25519(b) => Some(b),
            _ => None,
        }
    }
}

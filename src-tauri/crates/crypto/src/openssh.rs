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

/// Most bcrypt-pbkdf rounds an OpenSSH key may ask for (ssh-keygen's default is 16).
pub const MAX_BCRYPT_ROUNDS: u32 = 1000;

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
    let mut key = match ssh_key::PrivateKey::from_bytes(der) {
        Ok(k) => k,
        // An unencrypted ECDSA key ssh-key 0.6 cannot read (see `ecdsa_section`).
        Err(e) => return unencrypted_ecdsa(der).unwrap_or(Err(bad(e))),
    };
    if key.is_encrypted() {
        // bcrypt-pbkdf rounds are bounded before any derivation (ssh-keygen uses 16; -a 100 is
        // a slow choice).
        if let ssh_key::Kdf::Bcrypt { rounds, .. } = key.kdf() {
            if *rounds > MAX_BCRYPT_ROUNDS {
                return Err(CryptoError::KdfTooCostly(format!(
                    "{rounds} bcrypt-pbkdf rounds"
                )));
            }
        }
        let pass = passphrase.ok_or(CryptoError::PassphraseRequired)?;
        key = match key.decrypt(pass) {
            Ok(k) => k,
            Err(ssh_key::Error::Crypto | ssh_key::Error::Decrypted) => {
                return Err(CryptoError::BadKeyPassphrase)
            }
            // A wrong passphrase decrypts to garbage whose check bytes differ, which is also
            // how ssh-key 0.6 fails on a short ECDSA scalar: look at the section ourselves.
            Err(_) => return encrypted_ecdsa(&key, pass),
        };
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

// ---------------------------------------------------------------------------------------------
// ECDSA keys ssh-key 0.6 refuses. OpenSSH writes the private scalar as a minimal mpint, so one
// key in 256 (P-256, P-384) has a scalar a byte shorter than the curve size; ssh-key 0.6.7
// insists on the full size (fixed upstream after 0.6, not released in a version built on the
// elliptic-curve crates Keyward uses). For ECDSA keys only, the private section
// (PROTOCOL.key) is read here; everything else stays with ssh-key.

struct Wire<'a>(&'a [u8]);

impl<'a> Wire<'a> {
    fn u32(&mut self) -> Option<u32> {
        let (h, t) = self.0.split_first_chunk::<4>()?;
        self.0 = t;
        Some(u32::from_be_bytes(*h))
    }

    fn string(&mut self) -> Option<&'a [u8]> {
        let n = self.u32()? as usize;
        if self.0.len() < n {
            return None;
        }
        let (s, t) = self.0.split_at(n);
        self.0 = t;
        Some(s)
    }
}

const MAGIC: &[u8] = b"openssh-key-v1\0";

/// An unencrypted key file whose ECDSA section ssh-key refused; `None` when it is not one.
fn unencrypted_ecdsa(der: &[u8]) -> Option<Result<PrivateKey, CryptoError>> {
    let mut w = Wire(der.strip_prefix(MAGIC)?);
    let (cipher, kdf) = (w.string()?, w.string()?);
    w.string()?; // kdf options
    if cipher != b"none" || kdf != b"none" || w.u32()? != 1 {
        return None;
    }
    w.string()?; // the public key
    let section = w.string()?;
    ecdsa_section(section)
}

/// Decrypts a key's private section with ssh-key's own KDF and cipher, then reads it here.
fn encrypted_ecdsa(key: &ssh_key::PrivateKey, pass: &[u8]) -> Result<PrivateKey, CryptoError> {
    if !matches!(key.public_key().key_data(), KeyData::Ecdsa(_)) {
        return Err(CryptoError::BadKeyPassphrase);
    }
    let cipher = key.cipher();
    let (k, iv) = key
        .kdf()
        .derive_key_and_iv(cipher, pass)
        .map_err(|_| CryptoError::BadKeyPassphrase)?;
    let mut buf = Zeroizing::new(
        key.key_data()
            .encrypted()
            .ok_or_else(|| CryptoError::BadOpenSsh("not encrypted".into()))?
            .to_vec(),
    );
    // AEAD ciphers (aes-gcm, chacha20-poly1305) carry a tag ssh-key 0.6 keeps to itself.
    cipher
        .decrypt(&k, &iv, &mut buf, None)
        .map_err(|_| CryptoError::BadOpenSsh("this cipher is not supported".into()))?;
    ecdsa_section(&buf).unwrap_or(Err(CryptoError::BadKeyPassphrase))
}

/// Reads a decrypted private section holding one ECDSA key: check ints, key type, curve,
/// public point, private scalar (mpint), comment. `None` when it is not an ECDSA section.
fn ecdsa_section(section: &[u8]) -> Option<Result<PrivateKey, CryptoError>> {
    let mut w = Wire(section);
    let (c1, c2) = (w.u32()?, w.u32()?);
    if c1 != c2 {
        return Some(Err(CryptoError::BadKeyPassphrase));
    }
    let (alg, size) = match w.string()? {
        b"ecdsa-sha2-nistp256" => (KeyAlg::P256, 32),
        b"ecdsa-sha2-nistp384" => (KeyAlg::P384, 48),
        b"ecdsa-sha2-nistp521" => {
            return Some(Err(CryptoError::WrongCurve("P-521 (nistp521)".into())))
        }
        _ => return None,
    };
    w.string()?; // curve name
    let point = w.string()?.to_vec();
    let d = w.string()?;
    let d = match d.split_first() {
        Some((0, rest)) => rest,
        _ => d,
    };
    if d.is_empty() || d.len() > size {
        return Some(Err(CryptoError::BadOpenSsh(
            "malformed private scalar".into(),
        )));
    }
    let mut padded = Zeroizing::new(vec![0u8; size]);
    padded[size - d.len()..].copy_from_slice(d);
    Some(
        PrivateKey::from_raw(alg, &padded).and_then(|k| match k.public().openssh_parts() {
            PublicParts::Ec(p) if p == point => Ok(k),
            _ => Err(CryptoError::BadKey(
                "the OpenSSH public half does not match the private key".into(),
            )),
        }),
    )
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

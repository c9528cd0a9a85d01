//! Reading keys: private keys from PEM and DER (SEC1, PKCS#8, encrypted PKCS#8, PKCS#1,
//! OpenSSH), public keys from SPKI DER, SEC1 points and pasted text. Every algorithm goes
//! through the same checks (curve, RSA size and primes, the cost of a key derivation).

use openssl::pkey::{PKey, Private};
use pkcs8::{DecodePrivateKey, DecodePublicKey};
use zeroize::Zeroizing;

use super::{
    alg_name, curve_name, KeyAlg, PrivateKey, Public, PublicKey, Secret, MAX_KEY_INPUT,
    OID_EC_PUBLIC_KEY, OID_ED25519, OID_P256, OID_P384, OID_RSA, OID_SECP256K1,
};
use crate::error::CryptoError;
use crate::pem::pem_blocks;
use crate::{chain, openssh};

pub(super) fn rsa_alg(pkey: &PKey<Private>) -> Result<KeyAlg, CryptoError> {
    let rsa = pkey
        .rsa()
        .map_err(|_| CryptoError::BadKey("not an RSA key".into()))?;
    if !rsa.check_key().unwrap_or(false) {
        return Err(CryptoError::BadKey("the RSA key is inconsistent".into()));
    }
    // Two primes only: a multi-prime key (RFC 8017 §3.2) has n ≠ p·q, and Keyward stores
    // RSA keys by their two primes.
    let (Some(p), Some(q)) = (rsa.p(), rsa.q()) else {
        return Err(CryptoError::BadKey("the RSA key lacks its primes".into()));
    };
    let mut ctx =
        openssl::bn::BigNumContext::new().map_err(|e| CryptoError::BadKey(e.to_string()))?;
    let mut pq = openssl::bn::BigNum::new().map_err(|e| CryptoError::BadKey(e.to_string()))?;
    pq.checked_mul(p, q, &mut ctx)
        .map_err(|e| CryptoError::BadKey(e.to_string()))?;
    if pq != *rsa.n() {
        return Err(CryptoError::UnsupportedAlg(
            "multi-prime RSA (more than two primes)".into(),
        ));
    }
    KeyAlg::from_rsa_bits(pkey.bits())
}

/// Highest PBKDF2 iteration count an encrypted input may ask for (ours is 600,000).
pub const MAX_PBKDF2_ROUNDS: u32 = 10_000_000;
/// Most memory a scrypt-encrypted input may ask for.
pub const MAX_SCRYPT_MEMORY: u64 = 1 << 30;

/// Bounds the key derivation an encrypted PKCS#8 asks for before any derivation runs, so a
/// hostile file cannot hold an import for hours or allocate gigabytes.
fn check_pbe_cost(scheme: &pkcs8::pkcs5::EncryptionScheme<'_>) -> Result<(), CryptoError> {
    use pkcs8::pkcs5::{pbes2::Kdf, EncryptionScheme};
    match scheme {
        EncryptionScheme::Pbes2(p) => match &p.kdf {
            Kdf::Pbkdf2(k) if k.iteration_count > MAX_PBKDF2_ROUNDS => Err(
                CryptoError::KdfTooCostly(format!("{} PBKDF2 iterations", k.iteration_count)),
            ),
            Kdf::Scrypt(s) => {
                let (n, r, p) = (
                    s.cost_parameter,
                    u64::from(s.block_size),
                    u64::from(s.parallelization),
                );
                let memory = n.saturating_mul(r).saturating_mul(128);
                if memory > MAX_SCRYPT_MEMORY || p > 16 {
                    Err(CryptoError::KdfTooCostly(format!(
                        "scrypt n={n} r={r} p={p}"
                    )))
                } else {
                    Ok(())
                }
            }
            _ => Ok(()),
        },
        // PBES1: at most 65,535 iterations.
        _ => Ok(()),
    }
}

impl PrivateKey {
    /// Reads a private key from PEM text: SEC1 (`EC PRIVATE KEY`, with or without the
    /// `EC PARAMETERS` block `openssl ecparam -genkey` writes first), PKCS#8 (`PRIVATE KEY`),
    /// encrypted PKCS#8 and legacy encrypted PEM (with `passphrase`), PKCS#1 (`RSA PRIVATE
    /// KEY`) and OpenSSH (`OPENSSH PRIVATE KEY`).
    pub fn from_pem(text: &str, passphrase: Option<&[u8]>) -> Result<PrivateKey, CryptoError> {
        if text.len() > MAX_KEY_INPUT {
            return Err(CryptoError::TooLarge(text.len(), MAX_KEY_INPUT));
        }
        let blocks = pem_blocks(text)?;
        if blocks.is_empty() {
            return Err(CryptoError::NotPem);
        }
        let mut params_curve: Option<String> = None;
        let mut saw_public = false;
        for block in &blocks {
            if block.encrypted_headers {
                return Self::from_legacy_encrypted_pem(text, passphrase);
            }
            match block.label.as_str() {
                "EC PARAMETERS" => {
                    use sec1::der::Decode;
                    let oid = sec1::der::asn1::ObjectIdentifier::from_der(&block.der)
                        .map_err(|e| CryptoError::BadPem(format!("EC PARAMETERS: {e}")))?;
                    params_curve = Some(oid.to_string());
                }
                "EC PRIVATE KEY" => {
                    return Self::from_sec1_der(&block.der, params_curve.as_deref())
                }
                "PRIVATE KEY" => return Self::from_pkcs8_der(&block.der),
                "ENCRYPTED PRIVATE KEY" => {
                    return Self::from_encrypted_pkcs8_der(&block.der, passphrase)
                }
                "RSA PRIVATE KEY" => return Self::from_pkcs1_der(&block.der),
                "OPENSSH PRIVATE KEY" => return openssh::private_from_der(&block.der, passphrase),
                "DSA PRIVATE KEY" => return Err(CryptoError::UnsupportedAlg("DSA".into())),
                "PUBLIC KEY" | "EC PUBLIC KEY" | "RSA PUBLIC KEY" | "CERTIFICATE"
                | "SSH2 PUBLIC KEY" => saw_public = true,
                _ => {}
            }
        }
        if saw_public {
            Err(CryptoError::NotPrivate)
        } else {
            Err(CryptoError::UnsupportedAlg(format!(
                "PEM block \"{}\"",
                blocks[0].label
            )))
        }
    }

    fn from_sec1_der(der: &[u8], params_curve: Option<&str>) -> Result<PrivateKey, CryptoError> {
        use sec1::der::Decode;
        let ec = sec1::EcPrivateKey::from_der(der)
            .map_err(|e| CryptoError::BadPem(format!("EC PRIVATE KEY: {e}")))?;
        let curve = ec
            .parameters
            .and_then(|p| p.named_curve())
            .map(|o| o.to_string())
            .or_else(|| params_curve.map(str::to_string))
            .ok_or_else(|| CryptoError::BadKey("the key does not name its curve".into()))?;
        if let Some(pc) = params_curve {
            if pc != curve {
                return Err(CryptoError::BadKey(
                    "the EC PARAMETERS block names another curve than the key".into(),
                ));
            }
        }
        let alg = match curve.as_str() {
            OID_P256 => KeyAlg::P256,
            OID_P384 => KeyAlg::P384,
            OID_SECP256K1 => KeyAlg::Secp256k1,
            other => return Err(CryptoError::WrongCurve(curve_name(other))),
        };
        let key = Self::from_raw(alg, ec.private_key)?;
        if let Some(given) = ec.public_key {
            key.public().check_embedded_point(given)?;
        }
        Ok(key)
    }

    /// Reads an unencrypted PKCS#8 DER private key (v1 or v2).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<PrivateKey, CryptoError> {
        use pkcs8::der::Decode;
        let info = pkcs8::PrivateKeyInfo::from_der(der)
            .map_err(|e| CryptoError::BadPem(format!("PRIVATE KEY: {e}")))?;
        let alg = info.algorithm.oid.to_string();
        let bad = |e: pkcs8::Error| CryptoError::BadKey(e.to_string());
        let secret = match alg.as_str() {
            OID_EC_PUBLIC_KEY => {
                let curve = info
                    .algorithm
                    .parameters_oid()
                    .map(|o| o.to_string())
                    .map_err(|_| CryptoError::BadKey("the key does not name its curve".into()))?;
                match curve.as_str() {
                    OID_P256 => Secret::P256(p256::SecretKey::from_pkcs8_der(der).map_err(bad)?),
                    OID_P384 => Secret::P384(p384::SecretKey::from_pkcs8_der(der).map_err(bad)?),
                    OID_SECP256K1 => {
                        Secret::K256(k256::SecretKey::from_pkcs8_der(der).map_err(bad)?)
                    }
                    other => return Err(CryptoError::WrongCurve(curve_name(other))),
                }
            }
            OID_ED25519 => {
                Secret::Ed25519(ed25519_dalek::SigningKey::from_pkcs8_der(der).map_err(bad)?)
            }
            OID_RSA => Secret::Rsa(
                PKey::private_key_from_pkcs8(der)
                    .map_err(|_| CryptoError::BadKey("the RSA key does not parse".into()))?,
            ),
            other => return Err(CryptoError::UnsupportedAlg(alg_name(other))),
        };
        Self::from_secret(secret)
    }

    /// PKCS#1 `RSAPrivateKey` DER.
    pub fn from_pkcs1_der(der: &[u8]) -> Result<PrivateKey, CryptoError> {
        let rsa = openssl::rsa::Rsa::private_key_from_der(der)
            .map_err(|_| CryptoError::BadPem("RSA PRIVATE KEY: not a PKCS#1 key".into()))?;
        let pkey = PKey::from_rsa(rsa).map_err(|e| CryptoError::BadKey(e.to_string()))?;
        Self::from_secret(Secret::Rsa(pkey))
    }

    /// PKCS#8 `EncryptedPrivateKeyInfo` DER, decrypted by OpenSSL (every PBES2 variant it
    /// knows, PBKDF2 or scrypt, AES or 3DES).
    pub fn from_encrypted_pkcs8_der(
        der: &[u8],
        passphrase: Option<&[u8]>,
    ) -> Result<PrivateKey, CryptoError> {
        use pkcs8::der::Decode;
        let info = pkcs8::EncryptedPrivateKeyInfo::from_der(der)
            .map_err(|e| CryptoError::BadPem(format!("ENCRYPTED PRIVATE KEY: {e}")))?;
        check_pbe_cost(&info.encryption_algorithm)?;
        let pass = passphrase.ok_or(CryptoError::PassphraseRequired)?;
        let pkey = PKey::private_key_from_pkcs8_passphrase(der, pass)
            .map_err(|_| CryptoError::BadKeyPassphrase)?;
        Self::from_openssl(pkey)
    }

    fn from_legacy_encrypted_pem(
        text: &str,
        passphrase: Option<&[u8]>,
    ) -> Result<PrivateKey, CryptoError> {
        let pass = passphrase.ok_or(CryptoError::PassphraseRequired)?;
        let pkey = PKey::private_key_from_pem_passphrase(text.as_bytes(), pass)
            .map_err(|_| CryptoError::BadKeyPassphrase)?;
        Self::from_openssl(pkey)
    }

    /// Takes a key OpenSSL decoded, through its PKCS#8 form, so every algorithm is checked
    /// by the same code as a plain import.
    fn from_openssl(pkey: PKey<Private>) -> Result<PrivateKey, CryptoError> {
        let der = Zeroizing::new(
            pkey.private_key_to_pkcs8()
                .map_err(|e| CryptoError::BadKey(e.to_string()))?,
        );
        Self::from_pkcs8_der(&der)
    }
}

impl PublicKey {
    /// A public key from its SEC1 point (EC curves) or its 32 raw bytes (Ed25519).
    pub fn from_sec1(alg: KeyAlg, bytes: &[u8]) -> Result<PublicKey, CryptoError> {
        let bad = |_| CryptoError::BadKey(format!("not a valid {alg} public key"));
        let inner =
            match alg {
                KeyAlg::P256 => Public::P256(p256::PublicKey::from_sec1_bytes(bytes).map_err(bad)?),
                KeyAlg::P384 => Public::P384(p384::PublicKey::from_sec1_bytes(bytes).map_err(bad)?),
                KeyAlg::Secp256k1 => {
                    Public::K256(k256::PublicKey::from_sec1_bytes(bytes).map_err(bad)?)
                }
                KeyAlg::Ed25519 => {
                    let b: &[u8; 32] = bytes.try_into().map_err(|_| {
                        CryptoError::BadKey("an Ed25519 public key is 32 bytes".into())
                    })?;
                    Public::Ed25519(ed25519_dalek::VerifyingKey::from_bytes(b).map_err(|_| {
                        CryptoError::BadKey("not a valid Ed25519 public key".into())
                    })?)
                }
                other => {
                    return Err(CryptoError::FormatNotForAlg {
                        format: "raw public key".into(),
                        alg: other.to_string(),
                    })
                }
            };
        Ok(PublicKey::from_inner(inner, alg))
    }

    /// Reads a public key as a user pastes it: SPKI PEM, a public JWK, an EOS public key
    /// (`PUB_K1_…` or `EOS…`), or hex of a SEC1 point / Ed25519 key. Hex is ambiguous between
    /// curves of one size: `hint` names the algorithm (default secp256k1 for 33/65 bytes,
    /// Ed25519 for 32, P-384 for 49/97).
    pub fn from_text(text: &str, hint: Option<KeyAlg>) -> Result<PublicKey, CryptoError> {
        let t = text.trim();
        if t.len() > MAX_KEY_INPUT {
            return Err(CryptoError::TooLarge(t.len(), MAX_KEY_INPUT));
        }
        if t.contains("-----BEGIN") {
            let blocks = pem_blocks(t)?;
            let der = blocks
                .iter()
                .find(|b| b.label == "PUBLIC KEY")
                .map(|b| b.der.clone())
                .ok_or_else(|| CryptoError::BadPem("no PUBLIC KEY block".into()))?;
            return PublicKey::from_spki_der(&der);
        }
        if t.starts_with('{') {
            return crate::jwk::public_from_jwk(t);
        }
        if t.starts_with("PUB_K1_") || t.starts_with("EOS") {
            let pub33 = chain::eos_public_decode(t)?;
            return PublicKey::from_sec1(KeyAlg::Secp256k1, &pub33);
        }
        let h = t.strip_prefix("0x").unwrap_or(t);
        let bytes = hex::decode(h).map_err(|_| CryptoError::UnknownFormat)?;
        let alg = match (hint, bytes.len()) {
            (Some(a), _) => a,
            (None, 32) => KeyAlg::Ed25519,
            (None, 33 | 65) => KeyAlg::Secp256k1,
            (None, 49 | 97) => KeyAlg::P384,
            _ => return Err(CryptoError::UnknownFormat),
        };
        PublicKey::from_sec1(alg, &bytes)
    }

    /// Reads a SubjectPublicKeyInfo DER public key (as stored in the index).
    pub fn from_spki_der(der: &[u8]) -> Result<PublicKey, CryptoError> {
        let spki = pkcs8::spki::SubjectPublicKeyInfoRef::try_from(der)
            .map_err(|e| CryptoError::BadKey(e.to_string()))?;
        let oid = spki.algorithm.oid.to_string();
        let bad = |e: pkcs8::spki::Error| CryptoError::BadKey(e.to_string());
        let (inner, alg) = match oid.as_str() {
            OID_EC_PUBLIC_KEY => {
                let curve = spki
                    .algorithm
                    .parameters_oid()
                    .map(|o| o.to_string())
                    .map_err(|_| CryptoError::BadKey("the key does not name its curve".into()))?;
                match curve.as_str() {
                    OID_P256 => (
                        Public::P256(p256::PublicKey::from_public_key_der(der).map_err(bad)?),
                        KeyAlg::P256,
                    ),
                    OID_P384 => (
                        Public::P384(p384::PublicKey::from_public_key_der(der).map_err(bad)?),
                        KeyAlg::P384,
                    ),
                    OID_SECP256K1 => (
                        Public::K256(k256::PublicKey::from_public_key_der(der).map_err(bad)?),
                        KeyAlg::Secp256k1,
                    ),
                    other => return Err(CryptoError::WrongCurve(curve_name(other))),
                }
            }
            OID_ED25519 => (
                Public::Ed25519(
                    ed25519_dalek::VerifyingKey::from_public_key_der(der).map_err(bad)?,
                ),
                KeyAlg::Ed25519,
            ),
            OID_RSA => {
                let pkey = PKey::public_key_from_der(der)
                    .map_err(|_| CryptoError::BadKey("the RSA public key does not parse".into()))?;
                let rsa = pkey
                    .rsa()
                    .map_err(|_| CryptoError::BadKey("not an RSA key".into()))?;
                let alg = KeyAlg::from_rsa_bits(pkey.bits())?;
                (
                    Public::Rsa {
                        spki: der.to_vec(),
                        n: rsa.n().to_vec(),
                        e: rsa.e().to_vec(),
                    },
                    alg,
                )
            }
            other => return Err(CryptoError::UnsupportedAlg(alg_name(other))),
        };
        Ok(PublicKey {
            inner,
            alg,
            xpub: None,
        })
    }

    fn check_embedded_point(&self, given: &[u8]) -> Result<(), CryptoError> {
        let matches = match &self.inner {
            Public::P256(k) => p256::PublicKey::from_sec1_bytes(given)
                .map(|g| g == *k)
                .ok(),
            Public::P384(k) => p384::PublicKey::from_sec1_bytes(given)
                .map(|g| g == *k)
                .ok(),
            Public::K256(k) => k256::PublicKey::from_sec1_bytes(given)
                .map(|g| g == *k)
                .ok(),
            _ => Some(true),
        };
        match matches {
            Some(true) => Ok(()),
            Some(false) => Err(CryptoError::BadKey(
                "the embedded public key does not match the private key".into(),
            )),
            None => Err(CryptoError::BadKey(
                "the embedded public key is invalid".into(),
            )),
        }
    }
}

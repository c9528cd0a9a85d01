//! Private keys: generation, raw scalars and BIP32 nodes, the keychain's storage form, and
//! the explicit private exports.

use openssl::pkey::PKey;
use pkcs8::EncodePrivateKey;
use zeroize::Zeroizing;

use super::parse::rsa_alg;
use super::{HdMeta, KeyAlg, PrivateFormat, PrivateKey, Public, PublicKey, Secret};
use crate::error::CryptoError;
use crate::hd::HdNode;
use crate::pem::pem_encode;
use crate::{chain, jwk};

const STORE_PKCS8: u8 = 1;
const STORE_HD: u8 = 2;
const STORE_RSA: u8 = 3;

/// PBKDF2 rounds for encrypted PKCS#8 exports (OWASP's 2023 figure for HMAC-SHA256).
pub const PKCS8_PBKDF2_ROUNDS: u32 = 600_000;

impl PrivateKey {
    /// A new random key. RSA generation takes seconds; callers keep it off UI threads.
    pub fn generate(alg: KeyAlg) -> Result<PrivateKey, CryptoError> {
        let mut rng = rand_core::OsRng;
        let secret = match alg {
            KeyAlg::P256 => Secret::P256(p256::SecretKey::random(&mut rng)),
            KeyAlg::P384 => Secret::P384(p384::SecretKey::random(&mut rng)),
            KeyAlg::Secp256k1 => Secret::K256(k256::SecretKey::random(&mut rng)),
            KeyAlg::Ed25519 => Secret::Ed25519(ed25519_dalek::SigningKey::generate(&mut rng)),
            KeyAlg::Rsa2048 | KeyAlg::Rsa3072 | KeyAlg::Rsa4096 => {
                let bits = alg.rsa_bits().unwrap_or(3072);
                let rsa = openssl::rsa::Rsa::generate(bits)
                    .map_err(|e| CryptoError::BadKey(format!("RSA generation failed: {e}")))?;
                Secret::Rsa(
                    PKey::from_rsa(rsa)
                        .map_err(|e| CryptoError::BadKey(format!("RSA generation failed: {e}")))?,
                )
            }
        };
        Ok(PrivateKey {
            secret,
            alg,
            hd: None,
        })
    }

    pub(crate) fn from_secret(secret: Secret) -> Result<PrivateKey, CryptoError> {
        let alg = match &secret {
            Secret::P256(_) => KeyAlg::P256,
            Secret::P384(_) => KeyAlg::P384,
            Secret::K256(_) => KeyAlg::Secp256k1,
            Secret::Ed25519(_) => KeyAlg::Ed25519,
            Secret::Rsa(k) => rsa_alg(k)?,
        };
        Ok(PrivateKey {
            secret,
            alg,
            hd: None,
        })
    }

    /// A key from a raw private scalar (EC) or 32-byte seed (Ed25519).
    pub fn from_raw(alg: KeyAlg, bytes: &[u8]) -> Result<PrivateKey, CryptoError> {
        let range = || CryptoError::BadKey("the private scalar is out of range".into());
        let len = |want: usize| {
            CryptoError::BadKey(format!(
                "a raw {alg} key is {want} bytes, this is {}",
                bytes.len()
            ))
        };
        let secret = match alg {
            KeyAlg::P256 | KeyAlg::Secp256k1 | KeyAlg::Ed25519 if bytes.len() != 32 => {
                return Err(len(32))
            }
            KeyAlg::P384 if bytes.len() != 48 => return Err(len(48)),
            KeyAlg::P256 => Secret::P256(p256::SecretKey::from_slice(bytes).map_err(|_| range())?),
            KeyAlg::P384 => Secret::P384(p384::SecretKey::from_slice(bytes).map_err(|_| range())?),
            KeyAlg::Secp256k1 => {
                Secret::K256(k256::SecretKey::from_slice(bytes).map_err(|_| range())?)
            }
            KeyAlg::Ed25519 => {
                let mut seed = Zeroizing::new([0u8; 32]);
                seed.copy_from_slice(bytes);
                Secret::Ed25519(ed25519_dalek::SigningKey::from_bytes(&seed))
            }
            _ => {
                return Err(CryptoError::FormatNotForAlg {
                    format: "hex".into(),
                    alg: alg.to_string(),
                })
            }
        };
        PrivateKey::from_secret(secret)
    }

    /// A secp256k1 key from a BIP32 node; its chain code stays with it.
    pub fn from_hd(node: HdNode) -> PrivateKey {
        let meta = HdMeta(Zeroizing::new(node.to_meta_bytes()));
        PrivateKey {
            secret: Secret::K256(node.secret.clone()),
            alg: KeyAlg::Secp256k1,
            hd: Some(meta),
        }
    }

    pub fn alg(&self) -> KeyAlg {
        self.alg
    }

    /// The BIP32 node data, for keys from an xprv or a mnemonic.
    pub fn hd_meta(&self) -> Option<&HdMeta> {
        self.hd.as_ref()
    }

    /// Re-attaches stored BIP32 node data (secp256k1 keys only).
    pub fn with_hd_meta(mut self, meta: &[u8]) -> Result<PrivateKey, CryptoError> {
        let Secret::K256(k) = &self.secret else {
            return Err(CryptoError::BadKey(
                "only secp256k1 keys have BIP32 data".into(),
            ));
        };
        // Validates the layout.
        HdNode::from_meta_bytes(k.clone(), meta)?;
        let mut m = Zeroizing::new([0u8; 41]);
        m.copy_from_slice(meta);
        self.hd = Some(HdMeta(m));
        Ok(self)
    }

    fn hd_node(&self) -> Option<HdNode> {
        match (&self.secret, &self.hd) {
            (Secret::K256(k), Some(m)) => HdNode::from_meta_bytes(k.clone(), &m.0[..]).ok(),
            _ => None,
        }
    }

    pub fn public(&self) -> PublicKey {
        let inner = match &self.secret {
            Secret::P256(k) => Public::P256(k.public_key()),
            Secret::P384(k) => Public::P384(k.public_key()),
            Secret::K256(k) => Public::K256(k.public_key()),
            Secret::Ed25519(k) => Public::Ed25519(k.verifying_key()),
            Secret::Rsa(k) => {
                let rsa = k.rsa().expect("an RSA PKey holds an RSA key");
                Public::Rsa {
                    spki: k
                        .public_key_to_der()
                        .expect("encoding an RSA public key cannot fail"),
                    n: rsa.n().to_vec(),
                    e: rsa.e().to_vec(),
                }
            }
        };
        PublicKey {
            inner,
            alg: self.alg,
            xpub: self.hd_node().map(|n| n.xpub()),
        }
    }

    /// PKCS#8 DER, as sealed into the keychain. Ed25519 is written as OpenSSL writes it
    /// (version 1, seed only).
    pub fn to_pkcs8_der(&self) -> Zeroizing<Vec<u8>> {
        const MSG: &str = "encoding a valid key as PKCS#8 cannot fail";
        Zeroizing::new(match &self.secret {
            Secret::P256(k) => k.to_pkcs8_der().expect(MSG).as_bytes().to_vec(),
            Secret::P384(k) => k.to_pkcs8_der().expect(MSG).as_bytes().to_vec(),
            Secret::K256(k) => k.to_pkcs8_der().expect(MSG).as_bytes().to_vec(),
            Secret::Ed25519(k) => {
                let kp = ed25519_dalek::pkcs8::KeypairBytes {
                    secret_key: k.to_bytes(),
                    public_key: None,
                };
                kp.to_pkcs8_der().expect(MSG).as_bytes().to_vec()
            }
            Secret::Rsa(k) => k.private_key_to_pkcs8().expect(MSG),
        })
    }

    /// The form sealed into the keychain: a kind byte, then
    /// - 1: PKCS#8 DER;
    /// - 2: BIP32 node data (41 bytes) then PKCS#8 DER (secp256k1 keys from an xprv or a
    ///   mnemonic);
    /// - 3: RSA as four length-prefixed big-endian integers p, q, e, d (the CRT values are
    ///   derived), so an RSA-4096 key fits the 2,560-byte item limit every OS keychain has.
    pub fn to_storage(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::with_capacity(1100));
        match (&self.secret, &self.hd) {
            (Secret::Rsa(k), _) => {
                let rsa = k.rsa().expect("an RSA PKey holds an RSA key");
                out.push(STORE_RSA);
                let parts = [
                    rsa.p().map(|b| b.to_vec()),
                    rsa.q().map(|b| b.to_vec()),
                    Some(rsa.e().to_vec()),
                    Some(rsa.d().to_vec()),
                ];
                for part in parts {
                    let part = Zeroizing::new(part.expect("OpenSSL RSA keys hold their primes"));
                    out.extend_from_slice(&(part.len() as u16).to_be_bytes());
                    out.extend_from_slice(&part);
                }
            }
            (_, Some(meta)) => {
                out.push(STORE_HD);
                out.extend_from_slice(&meta.0[..]);
                out.extend_from_slice(&self.to_pkcs8_der());
            }
            _ => {
                out.push(STORE_PKCS8);
                out.extend_from_slice(&self.to_pkcs8_der());
            }
        }
        out
    }

    /// Reads what [`to_storage`](Self::to_storage) wrote.
    pub fn from_storage(blob: &[u8]) -> Result<PrivateKey, CryptoError> {
        match blob.split_first() {
            Some((&STORE_PKCS8, der)) => Self::from_pkcs8_der(der),
            Some((&STORE_HD, rest)) if rest.len() > 41 => {
                Self::from_pkcs8_der(&rest[41..])?.with_hd_meta(&rest[..41])
            }
            Some((&STORE_RSA, mut rest)) => {
                let mut nums = Vec::with_capacity(4);
                for _ in 0..4 {
                    if rest.len() < 2 {
                        return Err(CryptoError::Malformed);
                    }
                    let len = u16::from_be_bytes([rest[0], rest[1]]) as usize;
                    let Some(bytes) = rest.get(2..2 + len) else {
                        return Err(CryptoError::Malformed);
                    };
                    nums.push(
                        openssl::bn::BigNum::from_slice(bytes)
                            .map_err(|_| CryptoError::Malformed)?,
                    );
                    rest = &rest[2 + len..];
                }
                let d = nums.pop().ok_or(CryptoError::Malformed)?;
                let e = nums.pop().ok_or(CryptoError::Malformed)?;
                let q = nums.pop().ok_or(CryptoError::Malformed)?;
                let p = nums.pop().ok_or(CryptoError::Malformed)?;
                let err = |_| CryptoError::Malformed;
                let mut ctx = openssl::bn::BigNumContext::new_secure().map_err(err)?;
                let mut n = openssl::bn::BigNum::new().map_err(err)?;
                n.checked_mul(&p, &q, &mut ctx).map_err(err)?;
                let (dp, dq, qi) = crate::jwk::crt_params(&d, &p, &q)?;
                let rsa = openssl::rsa::Rsa::from_private_components(n, e, d, p, q, dp, dq, qi)
                    .map_err(err)?;
                Self::from_secret(Secret::Rsa(PKey::from_rsa(rsa).map_err(err)?))
            }
            _ => Err(CryptoError::Malformed),
        }
    }

    /// PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), as `openssl pkey` writes it.
    pub fn to_pkcs8_pem(&self) -> Zeroizing<String> {
        let der = self.to_pkcs8_der();
        Zeroizing::new(pem_encode("PRIVATE KEY", &der))
    }

    /// Encrypted PKCS#8 PEM: PBES2 with PBKDF2-HMAC-SHA256 ([`PKCS8_PBKDF2_ROUNDS`]) and
    /// AES-256-CBC, which OpenSSL, Java, Go and node all read.
    pub fn to_encrypted_pkcs8_pem(&self, passphrase: &[u8]) -> Result<String, CryptoError> {
        self.to_encrypted_pkcs8_pem_with(passphrase, PKCS8_PBKDF2_ROUNDS)
    }

    pub fn to_encrypted_pkcs8_pem_with(
        &self,
        passphrase: &[u8],
        rounds: u32,
    ) -> Result<String, CryptoError> {
        use pkcs8::der::Decode;
        if passphrase.is_empty() {
            return Err(CryptoError::BadKeyPassphrase);
        }
        let der = self.to_pkcs8_der();
        let info = pkcs8::PrivateKeyInfo::from_der(&der)
            .map_err(|e| CryptoError::BadKey(e.to_string()))?;
        let mut salt = [0u8; 16];
        let mut iv = [0u8; 16];
        crate::random_bytes(&mut salt);
        crate::random_bytes(&mut iv);
        let params = pkcs8::pkcs5::pbes2::Parameters::pbkdf2_sha256_aes256cbc(rounds, &salt, &iv)
            .map_err(|e| CryptoError::Kdf(e.to_string()))?;
        let doc = info
            .encrypt_with_params(params, passphrase)
            .map_err(|e| CryptoError::Kdf(e.to_string()))?;
        Ok(pem_encode("ENCRYPTED PRIVATE KEY", doc.as_bytes()))
    }

    /// The raw private scalar (EC) or seed (Ed25519), big-endian. Not for RSA.
    pub fn raw_bytes(&self) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        Ok(Zeroizing::new(match &self.secret {
            Secret::P256(k) => k.to_bytes().to_vec(),
            Secret::P384(k) => k.to_bytes().to_vec(),
            Secret::K256(k) => k.to_bytes().to_vec(),
            Secret::Ed25519(k) => k.to_bytes().to_vec(),
            Secret::Rsa(_) => {
                return Err(CryptoError::FormatNotForAlg {
                    format: "hex".into(),
                    alg: self.alg.to_string(),
                })
            }
        }))
    }

    /// An explicit private export.
    pub fn export(
        &self,
        format: PrivateFormat,
        passphrase: Option<&[u8]>,
    ) -> Result<Zeroizing<String>, CryptoError> {
        let not_for = || CryptoError::FormatNotForAlg {
            format: format.as_str().into(),
            alg: self.alg.to_string(),
        };
        Ok(match format {
            PrivateFormat::Pem => self.to_pkcs8_pem(),
            PrivateFormat::Pkcs8Enc => Zeroizing::new(
                self.to_encrypted_pkcs8_pem(passphrase.ok_or(CryptoError::PassphraseRequired)?)?,
            ),
            PrivateFormat::Jwk => jwk::private_jwk(self)?,
            PrivateFormat::Hex => Zeroizing::new(hex::encode(&*self.raw_bytes()?)),
            PrivateFormat::Wif => match &self.secret {
                Secret::K256(k) => chain::wif_encode(&k.to_bytes().into(), true),
                _ => return Err(not_for()),
            },
            PrivateFormat::Xprv => self.hd_node().ok_or_else(not_for)?.xprv(),
        })
    }
}

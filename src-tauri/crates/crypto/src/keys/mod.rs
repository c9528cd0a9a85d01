//! Keypairs: the algorithms Keyward keeps, their canonical encodings (PKCS#8 for private
//! keys, SubjectPublicKeyInfo for public keys), and the public and private export formats.
//!
//! Elliptic curves and Ed25519 use the RustCrypto crates. RSA lives in OpenSSL: key
//! generation and every later private-key operation go through its constant-time code, never
//! through the `rsa` crate (RUSTSEC-2023-0071).

use crate::error::CryptoError;
use crate::hd::HdNode;
use crate::pem::{pem_blocks, pem_encode};
use crate::{chain, jwk, openssh};
use openssl::pkey::{PKey, Private};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

pub use crate::jwk::Jwk;

/// Largest key input accepted; real keys are a few KiB at most.
pub const MAX_KEY_INPUT: usize = 64 * 1024;

/// The SEC1 tag of an uncompressed point.
pub(crate) const SEC1_UNCOMPRESSED: u8 = 4;
pub(crate) const OID_EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
pub(crate) const OID_RSA: &str = "1.2.840.113549.1.1.1";
const OID_RSA_PSS: &str = "1.2.840.113549.1.1.10";
pub(crate) const OID_ED25519: &str = "1.3.101.112";
const OID_ED448: &str = "1.3.101.113";
const OID_X25519: &str = "1.3.101.110";
const OID_DSA: &str = "1.2.840.10040.4.1";
pub(crate) const OID_P256: &str = "1.2.840.10045.3.1.7";
pub(crate) const OID_P384: &str = "1.3.132.0.34";
pub(crate) const OID_SECP256K1: &str = "1.3.132.0.10";

pub(crate) fn curve_name(oid: &str) -> String {
    match oid {
        OID_P256 => "P-256 (prime256v1)".into(),
        OID_P384 => "P-384 (secp384r1)".into(),
        "1.3.132.0.35" => "P-521 (secp521r1)".into(),
        OID_SECP256K1 => "secp256k1".into(),
        "1.3.36.3.3.2.8.1.1.7" => "brainpoolP256r1".into(),
        "1.2.840.10045.3.1.1" => "P-192 (prime192v1)".into(),
        "1.3.132.0.33" => "P-224 (secp224r1)".into(),
        other => format!("OID {other}"),
    }
}

fn alg_name(oid: &str) -> String {
    match oid {
        OID_RSA_PSS => "RSA-PSS (restricted RSA keys)".into(),
        OID_ED448 => "Ed448".into(),
        OID_X25519 => "X25519".into(),
        OID_DSA => "DSA".into(),
        other => format!("OID {other}"),
    }
}

/// Key algorithms Keyward keeps. RSA sizes are part of the algorithm: the three sizes a user
/// can generate are the only ones imported (smaller keys are refused as weak).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyAlg {
    P256,
    P384,
    Secp256k1,
    Ed25519,
    Rsa2048,
    Rsa3072,
    Rsa4096,
}

impl KeyAlg {
    pub const ALL: [KeyAlg; 7] = [
        KeyAlg::P256,
        KeyAlg::P384,
        KeyAlg::Secp256k1,
        KeyAlg::Ed25519,
        KeyAlg::Rsa2048,
        KeyAlg::Rsa3072,
        KeyAlg::Rsa4096,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            KeyAlg::P256 => "p256",
            KeyAlg::P384 => "p384",
            KeyAlg::Secp256k1 => "secp256k1",
            KeyAlg::Ed25519 => "ed25519",
            KeyAlg::Rsa2048 => "rsa2048",
            KeyAlg::Rsa3072 => "rsa3072",
            KeyAlg::Rsa4096 => "rsa4096",
        }
    }

    pub fn parse(s: &str) -> Result<KeyAlg, CryptoError> {
        match s.to_ascii_lowercase().as_str() {
            "p256" | "p-256" | "prime256v1" | "secp256r1" | "es256" => Ok(KeyAlg::P256),
            "p384" | "p-384" | "secp384r1" | "es384" => Ok(KeyAlg::P384),
            "secp256k1" | "k256" | "es256k" => Ok(KeyAlg::Secp256k1),
            "ed25519" | "eddsa" => Ok(KeyAlg::Ed25519),
            "rsa2048" | "rsa-2048" => Ok(KeyAlg::Rsa2048),
            "rsa3072" | "rsa-3072" => Ok(KeyAlg::Rsa3072),
            "rsa4096" | "rsa-4096" => Ok(KeyAlg::Rsa4096),
            _ => Err(CryptoError::UnsupportedAlg(bounded(s))),
        }
    }

    pub fn is_rsa(self) -> bool {
        matches!(self, KeyAlg::Rsa2048 | KeyAlg::Rsa3072 | KeyAlg::Rsa4096)
    }

    pub fn rsa_bits(self) -> Option<u32> {
        match self {
            KeyAlg::Rsa2048 => Some(2048),
            KeyAlg::Rsa3072 => Some(3072),
            KeyAlg::Rsa4096 => Some(4096),
            _ => None,
        }
    }

    fn from_rsa_bits(bits: u32) -> Result<KeyAlg, CryptoError> {
        match bits {
            2048 => Ok(KeyAlg::Rsa2048),
            3072 => Ok(KeyAlg::Rsa3072),
            4096 => Ok(KeyAlg::Rsa4096),
            b if b < 2048 => Err(CryptoError::WeakKey(format!("RSA-{b}"))),
            b => Err(CryptoError::UnsupportedAlg(format!(
                "RSA-{b} (Keyward keeps RSA 2048, 3072 and 4096)"
            ))),
        }
    }

    /// The public export formats this algorithm has, besides an HD key's `xpub`.
    pub fn public_formats(self) -> &'static [PublicFormat] {
        use PublicFormat::*;
        match self {
            KeyAlg::Secp256k1 => &[Pem, Jwk, Jwks, Eth, Eos, EosLegacy, Btc, Fingerprint],
            _ => &[Pem, Jwk, Jwks, Openssh, Fingerprint],
        }
    }
}

/// Names a user typed, cut short: an error may quote them, never a whole input.
fn bounded(s: &str) -> String {
    let s: String = s.chars().take(24).collect();
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        s
    } else {
        "(unrecognised name)".into()
    }
}

impl std::fmt::Display for KeyAlg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Public export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PublicFormat {
    /// SubjectPublicKeyInfo PEM, as `openssl pkey -pubout` writes it.
    Pem,
    /// A public JWK with its RFC 7638 thumbprint as `kid`.
    Jwk,
    /// A JWK Set of one or more keys.
    Jwks,
    /// An OpenSSH public key line (`ssh-ed25519 AAAA… comment`).
    Openssh,
    /// EIP-55 Ethereum address (secp256k1).
    Eth,
    /// EOS `PUB_K1_…` (secp256k1).
    Eos,
    /// Legacy EOS `EOS…` (secp256k1).
    EosLegacy,
    /// Compressed P2PKH Bitcoin address (secp256k1).
    Btc,
    /// BIP32 extended public key (keys imported from an xprv or a mnemonic).
    Xpub,
    /// Hex SHA-256 of the SPKI DER.
    Fingerprint,
}

impl PublicFormat {
    pub const ALL: [PublicFormat; 10] = [
        PublicFormat::Pem,
        PublicFormat::Jwk,
        PublicFormat::Jwks,
        PublicFormat::Openssh,
        PublicFormat::Eth,
        PublicFormat::Eos,
        PublicFormat::EosLegacy,
        PublicFormat::Btc,
        PublicFormat::Xpub,
        PublicFormat::Fingerprint,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PublicFormat::Pem => "pem",
            PublicFormat::Jwk => "jwk",
            PublicFormat::Jwks => "jwks",
            PublicFormat::Openssh => "openssh",
            PublicFormat::Eth => "eth",
            PublicFormat::Eos => "eos",
            PublicFormat::EosLegacy => "eos-legacy",
            PublicFormat::Btc => "btc",
            PublicFormat::Xpub => "xpub",
            PublicFormat::Fingerprint => "fingerprint",
        }
    }

    pub fn parse(s: &str) -> Option<PublicFormat> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// A short human name, for the GUI.
    pub fn title(self) -> &'static str {
        match self {
            PublicFormat::Pem => "Public key (PEM)",
            PublicFormat::Jwk => "JWK",
            PublicFormat::Jwks => "JWK Set",
            PublicFormat::Openssh => "OpenSSH",
            PublicFormat::Eth => "Ethereum address",
            PublicFormat::Eos => "EOS public key",
            PublicFormat::EosLegacy => "EOS public key (legacy)",
            PublicFormat::Btc => "Bitcoin address (P2PKH)",
            PublicFormat::Xpub => "xpub",
            PublicFormat::Fingerprint => "SHA-256 fingerprint",
        }
    }
}

/// Private export formats (explicit, confirmed action only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PrivateFormat {
    /// Unencrypted PKCS#8 PEM.
    Pem,
    /// PKCS#8 encrypted under a passphrase (PBES2: PBKDF2-HMAC-SHA256, AES-256-CBC).
    Pkcs8Enc,
    /// A private JWK.
    Jwk,
    /// Compressed Bitcoin WIF (secp256k1).
    Wif,
    /// The raw private scalar (EC) or seed (Ed25519), hex.
    Hex,
    /// BIP32 extended private key.
    Xprv,
}

impl PrivateFormat {
    pub const ALL: [PrivateFormat; 6] = [
        PrivateFormat::Pem,
        PrivateFormat::Pkcs8Enc,
        PrivateFormat::Jwk,
        PrivateFormat::Wif,
        PrivateFormat::Hex,
        PrivateFormat::Xprv,
    ];

    pub fn parse(s: &str) -> Option<PrivateFormat> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PrivateFormat::Pem => "pem",
            PrivateFormat::Pkcs8Enc => "pkcs8-enc",
            PrivateFormat::Jwk => "jwk",
            PrivateFormat::Wif => "wif",
            PrivateFormat::Hex => "hex",
            PrivateFormat::Xprv => "xprv",
        }
    }
}

const STORE_PKCS8: u8 = 1;
const STORE_HD: u8 = 2;
const STORE_RSA: u8 = 3;

/// PBKDF2 rounds for encrypted PKCS#8 exports (OWASP's 2023 figure for HMAC-SHA256).
pub const PKCS8_PBKDF2_ROUNDS: u32 = 600_000;

pub(crate) enum Secret {
    P256(p256::SecretKey),
    P384(p384::SecretKey),
    K256(k256::SecretKey),
    Ed25519(ed25519_dalek::SigningKey),
    Rsa(PKey<Private>),
}

/// A private key, with its BIP32 node data when it came from an xprv or a mnemonic.
/// Deliberately neither `Debug`, `Clone` nor `Serialize`; the secrets zeroize on drop
/// (OpenSSL clears RSA keys on free).
pub struct PrivateKey {
    pub(crate) secret: Secret,
    alg: KeyAlg,
    hd: Option<HdMeta>,
}

/// A BIP32 node's public data kept next to its key: depth, parent fingerprint, child number,
/// chain code (41 bytes, see [`HdNode::to_meta_bytes`]).
#[derive(Clone)]
pub struct HdMeta(pub Zeroizing<[u8; 41]>);

#[derive(Clone)]
pub(crate) enum Public {
    P256(p256::PublicKey),
    P384(p384::PublicKey),
    K256(k256::PublicKey),
    Ed25519(ed25519_dalek::VerifyingKey),
    Rsa {
        spki: Vec<u8>,
        n: Vec<u8>,
        e: Vec<u8>,
    },
}

/// A public key, with an HD key's `xpub` when there is one.
#[derive(Clone)]
pub struct PublicKey {
    inner: Public,
    alg: KeyAlg,
    xpub: Option<String>,
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.spki_der() == other.spki_der()
    }
}
impl Eq for PublicKey {}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({}, {})", self.alg, self.fingerprint())
    }
}

fn rsa_alg(pkey: &PKey<Private>) -> Result<KeyAlg, CryptoError> {
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

impl PublicKey {
    pub fn alg(&self) -> KeyAlg {
        self.alg
    }

    pub(crate) fn inner(&self) -> &Public {
        &self.inner
    }

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

    pub(crate) fn from_inner(inner: Public, alg: KeyAlg) -> PublicKey {
        PublicKey {
            inner,
            alg,
            xpub: None,
        }
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

    /// Attaches an HD key's stored `xpub`.
    pub fn with_xpub(mut self, xpub: Option<String>) -> PublicKey {
        self.xpub = xpub;
        self
    }

    pub fn xpub(&self) -> Option<&str> {
        self.xpub.as_deref()
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

#[cfg(test)]
mod tests;

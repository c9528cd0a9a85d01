//! Signature schemes: one encoder and one verifier each, and the usage policy that says which
//! of them a key may sign with.
//!
//! | scheme    | keys          | hashed bytes                                  | output                         |
//! |-----------|---------------|-----------------------------------------------|--------------------------------|
//! | `raw`     | P-256, P-384, secp256k1 | SHA-256 (P-384: SHA-384) of the message, or a given digest | hex DER, or hex r‖s |
//! | `eip191`  | secp256k1     | Keccak-256(0x19 "Ethereum Signed Message:\n" len msg) | 0x-hex r‖s‖v, v = 27/28 |
//! | `bsm`     | secp256k1     | SHA-256d(varint 24 "Bitcoin Signed Message:\n" varint len msg) | base64 h‖r‖s, h = 31..34 |
//! | `eos`     | secp256k1     | SHA-256(message), or a given digest            | `SIG_K1_…` (i‖r‖s, i = 31..34) |
//! | `ed25519` | Ed25519       | the message itself (RFC 8032, pure)            | hex 64 bytes                   |
//!
//! P-256 and P-384 sign through AWS-LC (`aws-lc-rs`; random k, as OpenSSL; measured 1.35x
//! `openssl speed`). secp256k1 signs through libsecp256k1 (the `secp256k1` crate: Bitcoin
//! Core's library, constant-time; measured 2x `k256` here): RFC 6979 deterministic k and low-S,
//! so signatures are byte-identical with go-sdk, ethers and eosjs-ecc where those tools compare
//! bytes. EOS adds eosjs-ecc's canonical loop (PROTOCOLS.md §3.2): a signature whose DER r or s
//! is not exactly 32 bytes is thrown away and k is derived again from
//! SHA-256(hash ‖ 0x00 × attempt) — libsecp256k1 cannot take a chosen k, so those retries use
//! `k256`'s hazmat signing with `rfc6979`. Verification and recovery use `k256`. Ed25519 uses
//! `ed25519-dalek`, RSA (JWT only) OpenSSL.
//!
//! Recoverable signatures (EIP-191, BSM, EOS) must be low-S on input: a high-S one is refused
//! as non-canonical, as EIP-2 and the Bitcoin and EOS nodes do. A raw secp256k1 signature is
//! verified whatever its S (and the verdict says when it was high).

use aws_lc_rs::signature as lc;
use base64::Engine as _;
use k256::ecdsa::{RecoveryId, Signature as K256Sig, SigningKey as K256Signing, VerifyingKey};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256, Sha384};

use crate::chain;
use crate::error::CryptoError;
use crate::keys::{KeyAlg, PrivateKey, Public, PublicKey, Secret};

/// A signature scheme Keyward signs and verifies with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    Raw,
    Eip191,
    Bsm,
    Eos,
    Ed25519,
}

impl Scheme {
    pub const ALL: [Scheme; 5] = [
        Scheme::Raw,
        Scheme::Eip191,
        Scheme::Bsm,
        Scheme::Eos,
        Scheme::Ed25519,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Raw => "raw",
            Scheme::Eip191 => "eip191",
            Scheme::Bsm => "bsm",
            Scheme::Eos => "eos",
            Scheme::Ed25519 => "ed25519",
        }
    }

    pub fn parse(s: &str) -> Result<Scheme, CryptoError> {
        Scheme::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| CryptoError::UnknownScheme(s.chars().take(32).collect()))
    }

    /// A human title for menus.
    pub fn title(self) -> &'static str {
        match self {
            Scheme::Raw => "Raw ECDSA",
            Scheme::Eip191 => "Ethereum personal_sign (EIP-191)",
            Scheme::Bsm => "Bitcoin Signed Message",
            Scheme::Eos => "EOS (SIG_K1_)",
            Scheme::Ed25519 => "Ed25519",
        }
    }

    /// Whether a key of `alg` can sign with this scheme at all.
    pub fn fits(self, alg: KeyAlg) -> bool {
        match self {
            Scheme::Raw => matches!(alg, KeyAlg::P256 | KeyAlg::P384 | KeyAlg::Secp256k1),
            Scheme::Eip191 | Scheme::Bsm | Scheme::Eos => alg == KeyAlg::Secp256k1,
            Scheme::Ed25519 => alg == KeyAlg::Ed25519,
        }
    }

    /// The key algorithm the scheme implies (`None` for raw, which three curves share).
    pub fn implied_alg(self) -> Option<KeyAlg> {
        match self {
            Scheme::Raw => None,
            Scheme::Eip191 | Scheme::Bsm | Scheme::Eos => Some(KeyAlg::Secp256k1),
            Scheme::Ed25519 => Some(KeyAlg::Ed25519),
        }
    }

    /// Whether the scheme takes a precomputed digest (`--digest`).
    pub fn takes_digest(self) -> bool {
        matches!(self, Scheme::Raw | Scheme::Eos)
    }

    /// The usage-policy entry this scheme needs.
    pub fn usage(self) -> Usage {
        match self {
            Scheme::Raw => Usage::Raw,
            Scheme::Eip191 => Usage::Eip191,
            Scheme::Bsm => Usage::Bsm,
            Scheme::Eos => Usage::Eos,
            Scheme::Ed25519 => Usage::Ed25519,
        }
    }
}

impl std::fmt::Display for Scheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a key may be used for: every signature scheme, plus SIWE sign-ins and JWTs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Usage {
    Raw,
    Eip191,
    Siwe,
    Bsm,
    Eos,
    Ed25519,
    Jwt,
}

impl Usage {
    pub const ALL: [Usage; 7] = [
        Usage::Raw,
        Usage::Eip191,
        Usage::Siwe,
        Usage::Bsm,
        Usage::Eos,
        Usage::Ed25519,
        Usage::Jwt,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Usage::Raw => "raw",
            Usage::Eip191 => "eip191",
            Usage::Siwe => "siwe",
            Usage::Bsm => "bsm",
            Usage::Eos => "eos",
            Usage::Ed25519 => "ed25519",
            Usage::Jwt => "jwt",
        }
    }

    pub fn parse(s: &str) -> Result<Usage, CryptoError> {
        Usage::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| CryptoError::UnknownScheme(s.chars().take(32).collect()))
    }

    /// Whether a key of `alg` can do this at all.
    pub fn fits(self, alg: KeyAlg) -> bool {
        match self {
            Usage::Raw => Scheme::Raw.fits(alg),
            Usage::Eip191 | Usage::Siwe | Usage::Bsm | Usage::Eos => alg == KeyAlg::Secp256k1,
            Usage::Ed25519 => alg == KeyAlg::Ed25519,
            Usage::Jwt => true,
        }
    }
}

/// The usages a key allows. The default (no policy stored) is every usage its algorithm fits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsagePolicy(pub Vec<Usage>);

impl UsagePolicy {
    /// Every usage `alg` fits.
    pub fn default_for(alg: KeyAlg) -> UsagePolicy {
        UsagePolicy(Usage::ALL.into_iter().filter(|u| u.fits(alg)).collect())
    }

    /// Parses a comma-separated list (`eip191,siwe,jwt`); each entry must fit `alg`.
    pub fn parse(list: &str, alg: KeyAlg) -> Result<UsagePolicy, CryptoError> {
        let mut v = Vec::new();
        for part in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let u = Usage::parse(part)?;
            if !u.fits(alg) {
                return Err(CryptoError::SchemeNotForAlg {
                    scheme: u.as_str().into(),
                    alg: alg.to_string(),
                });
            }
            if !v.contains(&u) {
                v.push(u);
            }
        }
        v.sort();
        Ok(UsagePolicy(v))
    }

    /// The stored form, or `None` when it equals the default.
    pub fn to_stored(&self, alg: KeyAlg) -> Option<String> {
        if *self == UsagePolicy::default_for(alg) {
            None
        } else {
            Some(self.to_string())
        }
    }

    /// Reads the stored form (`None` = the default).
    pub fn from_stored(stored: Option<&str>, alg: KeyAlg) -> UsagePolicy {
        match stored {
            None => UsagePolicy::default_for(alg),
            Some(s) => UsagePolicy(
                s.split(',')
                    .filter_map(|p| Usage::parse(p).ok())
                    .filter(|u| u.fits(alg))
                    .collect(),
            ),
        }
    }

    pub fn allows(&self, u: Usage) -> bool {
        self.0.contains(&u)
    }

    /// `Ok` when the policy allows `u`, else `sign.policy_forbidden`.
    pub fn check(&self, u: Usage) -> Result<(), CryptoError> {
        if self.allows(u) {
            Ok(())
        } else {
            Err(CryptoError::PolicyForbidden(u.as_str().into()))
        }
    }
}

impl std::fmt::Display for UsagePolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v: Vec<&str> = self.0.iter().map(|u| u.as_str()).collect();
        f.write_str(&v.join(","))
    }
}

/// What is signed: a message (hashed by the scheme) or, for `raw` and `eos`, a digest.
#[derive(Debug, Clone, Copy)]
pub enum Payload<'a> {
    Message(&'a [u8]),
    Digest(&'a [u8]),
}

/// How a raw ECDSA signature is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    /// ASN.1 DER `SEQUENCE { r, s }` (OpenSSL, Java, Go's `ecdsa.SignASN1`).
    #[default]
    Der,
    /// Fixed-size r ‖ s (JOSE, WebCrypto).
    Rs,
}

impl Encoding {
    pub fn parse(s: &str) -> Result<Encoding, CryptoError> {
        match s {
            "der" => Ok(Encoding::Der),
            "rs" => Ok(Encoding::Rs),
            _ => Err(CryptoError::BadSignatureInput(
                "the encoding is der or rs".into(),
            )),
        }
    }
}

/// A signature, as bytes and as the text the scheme's tools expect.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Signature {
    pub scheme: Scheme,
    #[serde(skip)]
    pub bytes: Vec<u8>,
    /// The scheme's own text form (hex, 0x-hex, base64 or `SIG_K1_…`).
    pub signature: String,
    /// Hex of the 32- or 48-byte digest that was signed (absent for Ed25519).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// The signer's address or public key in the scheme's form.
    pub signer: String,
}

/// JOSE signature algorithms (RFC 7518, RFC 8037 / RFC 9864, RFC 8812).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum JwsAlg {
    ES256,
    ES384,
    ES256K,
    RS256,
    PS256,
    EdDSA,
}

impl JwsAlg {
    pub const ALL: [JwsAlg; 6] = [
        JwsAlg::ES256,
        JwsAlg::ES384,
        JwsAlg::RS256,
        JwsAlg::PS256,
        JwsAlg::EdDSA,
        JwsAlg::ES256K,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JwsAlg::ES256 => "ES256",
            JwsAlg::ES384 => "ES384",
            JwsAlg::ES256K => "ES256K",
            JwsAlg::RS256 => "RS256",
            JwsAlg::PS256 => "PS256",
            JwsAlg::EdDSA => "EdDSA",
        }
    }

    /// Reads a JOSE `alg`; `Ed25519` (RFC 9864's fully-specified name) is `EdDSA` here.
    pub fn parse(s: &str) -> Option<JwsAlg> {
        match s {
            "ES256" => Some(JwsAlg::ES256),
            "ES384" => Some(JwsAlg::ES384),
            "ES256K" => Some(JwsAlg::ES256K),
            "RS256" => Some(JwsAlg::RS256),
            "PS256" => Some(JwsAlg::PS256),
            "EdDSA" | "Ed25519" => Some(JwsAlg::EdDSA),
            _ => None,
        }
    }

    /// Whether a key of `alg` can sign with this JOSE algorithm.
    pub fn fits(self, alg: KeyAlg) -> bool {
        match self {
            JwsAlg::ES256 => alg == KeyAlg::P256,
            JwsAlg::ES384 => alg == KeyAlg::P384,
            JwsAlg::ES256K => alg == KeyAlg::Secp256k1,
            JwsAlg::RS256 | JwsAlg::PS256 => alg.is_rsa(),
            JwsAlg::EdDSA => alg == KeyAlg::Ed25519,
        }
    }

    /// The algorithm a key signs JWTs with when none is asked for.
    pub fn default_for(alg: KeyAlg) -> JwsAlg {
        match alg {
            KeyAlg::P256 => JwsAlg::ES256,
            KeyAlg::P384 => JwsAlg::ES384,
            KeyAlg::Secp256k1 => JwsAlg::ES256K,
            KeyAlg::Ed25519 => JwsAlg::EdDSA,
            _ => JwsAlg::RS256,
        }
    }
}

impl std::fmt::Display for JwsAlg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

enum Prepared {
    /// P-256 / P-384 in AWS-LC, fixed-size r‖s output.
    Nist(lc::EcdsaKeyPair, KeyAlg),
    /// The same secret twice: libsecp256k1 signs, `k256` does EOS's chosen-k retries.
    K256(K256Signing, secp256k1::SecretKey),
    /// Ed25519 and RSA sign with the key as it is (see [`Signer::key`]).
    AsIs,
}

impl Drop for Prepared {
    fn drop(&mut self) {
        // `k256` and AWS-LC clear their own copies; libsecp256k1's needs asking.
        if let Prepared::K256(_, sk) = self {
            sk.non_secure_erase();
        }
    }
}

/// The key a [`Signer`] signs with: borrowed for one operation, or owned by a signer kept
/// for many (the approval broker's granted mints; zeroized when the signer drops).
enum Held<'k> {
    Borrowed(&'k PrivateKey),
    Owned(Box<PrivateKey>),
}

/// A key made ready to sign many times (the AWS-LC key is parsed once).
pub struct Signer<'k> {
    key: Held<'k>,
    prepared: Prepared,
    /// Computed once: deriving a public key costs as much as a signature.
    public: PublicKey,
}

fn internal(what: &str) -> CryptoError {
    CryptoError::BadKey(format!("{what} failed"))
}

impl Signer<'static> {
    /// A signer that owns its key, to keep across calls; the key is zeroized when it drops.
    pub fn owned(key: PrivateKey) -> Result<Signer<'static>, CryptoError> {
        let prepared = Signer::prepare(&key)?;
        let public = key.public();
        Ok(Signer {
            key: Held::Owned(Box::new(key)),
            prepared,
            public,
        })
    }
}

impl<'k> Signer<'k> {
    pub fn new(key: &'k PrivateKey) -> Result<Signer<'k>, CryptoError> {
        Ok(Signer {
            prepared: Signer::prepare(key)?,
            public: key.public(),
            key: Held::Borrowed(key),
        })
    }

    fn key(&self) -> &PrivateKey {
        match &self.key {
            Held::Borrowed(k) => k,
            Held::Owned(k) => k,
        }
    }

    fn prepare(key: &PrivateKey) -> Result<Prepared, CryptoError> {
        Ok(match &key.secret {
            Secret::P256(_) | Secret::P384(_) => {
                let alg = if key.alg() == KeyAlg::P256 {
                    &lc::ECDSA_P256_SHA256_FIXED_SIGNING
                } else {
                    &lc::ECDSA_P384_SHA384_FIXED_SIGNING
                };
                let der = key.to_pkcs8_der();
                let kp = lc::EcdsaKeyPair::from_pkcs8(alg, &der)
                    .map_err(|e| CryptoError::BadKey(format!("AWS-LC refused the key: {e}")))?;
                Prepared::Nist(kp, key.alg())
            }
            Secret::K256(k) => {
                let bytes: zeroize::Zeroizing<[u8; 32]> =
                    zeroize::Zeroizing::new(k.to_bytes().into());
                let lib = secp256k1::SecretKey::from_byte_array(*bytes)
                    .map_err(|_| CryptoError::BadKey("libsecp256k1 refused the key".into()))?;
                Prepared::K256(K256Signing::from(k), lib)
            }
            Secret::Ed25519(_) | Secret::Rsa(_) => Prepared::AsIs,
        })
    }

    pub fn alg(&self) -> KeyAlg {
        self.key().alg()
    }

    /// The signer's public key.
    pub fn public(&self) -> &PublicKey {
        &self.public
    }

    /// Signs `payload` with `scheme`. The caller checks the usage policy first
    /// ([`UsagePolicy::check`]); this checks only that the key can do the scheme.
    pub fn sign(
        &self,
        scheme: Scheme,
        payload: Payload<'_>,
        encoding: Encoding,
    ) -> Result<Signature, CryptoError> {
        let alg = self.alg();
        if !scheme.fits(alg) {
            return Err(CryptoError::SchemeNotForAlg {
                scheme: scheme.as_str().into(),
                alg: alg.to_string(),
            });
        }
        if matches!(payload, Payload::Digest(_)) && !scheme.takes_digest() {
            return Err(CryptoError::BadSignatureInput(format!(
                "the {scheme} scheme signs a message, not a digest"
            )));
        }
        let public = &self.public;
        match scheme {
            Scheme::Raw => {
                let digest = raw_digest(alg, payload)?;
                let rs = self.ecdsa_rs(&digest)?;
                let bytes = match encoding {
                    Encoding::Rs => rs,
                    Encoding::Der => rs_to_der(alg, &rs)?,
                };
                Ok(Signature {
                    scheme,
                    signature: hex::encode(&bytes),
                    bytes,
                    digest: Some(hex::encode(&digest)),
                    signer: public.fingerprint(),
                })
            }
            Scheme::Eip191 => {
                let Payload::Message(m) = payload else {
                    unreachable!("checked above")
                };
                let digest = eip191_hash(m);
                let (rs, recid) = self.k1_sign(&digest)?;
                let mut out = rs.to_vec();
                out.push(27 + recid);
                Ok(Signature {
                    scheme,
                    signature: format!("0x{}", hex::encode(&out)),
                    bytes: out,
                    digest: Some(hex::encode(digest)),
                    signer: eth_address_of(public)?,
                })
            }
            Scheme::Bsm => {
                let Payload::Message(m) = payload else {
                    unreachable!("checked above")
                };
                let digest = bsm_hash(m);
                let (rs, recid) = self.k1_sign(&digest)?;
                let mut out = vec![27 + 4 + recid];
                out.extend_from_slice(&rs);
                Ok(Signature {
                    scheme,
                    signature: base64::engine::general_purpose::STANDARD.encode(&out),
                    bytes: out,
                    digest: Some(hex::encode(digest)),
                    signer: chain::btc_p2pkh(&compressed(public)?),
                })
            }
            Scheme::Eos => {
                let digest: [u8; 32] = match payload {
                    Payload::Message(m) => Sha256::digest(m).into(),
                    Payload::Digest(d) => d.try_into().map_err(|_| {
                        CryptoError::BadSignatureInput(format!(
                            "an EOS digest is 32 bytes (SHA-256), not {}",
                            d.len()
                        ))
                    })?,
                };
                let first = self.k1_sign(&digest)?;
                let out = eos_sign(self.k256()?, &digest, first)?;
                Ok(Signature {
                    scheme,
                    signature: eos_signature_text(&out),
                    bytes: out.to_vec(),
                    digest: Some(hex::encode(digest)),
                    signer: chain::eos_public(&compressed(public)?),
                })
            }
            Scheme::Ed25519 => {
                let Payload::Message(m) = payload else {
                    unreachable!("checked above")
                };
                let Secret::Ed25519(k) = &self.key().secret else {
                    unreachable!("scheme fits the key")
                };
                use ed25519_dalek::Signer as _;
                let sig = k.sign(m).to_bytes().to_vec();
                Ok(Signature {
                    scheme,
                    signature: hex::encode(&sig),
                    bytes: sig,
                    digest: None,
                    signer: hex::encode(k.verifying_key().as_bytes()),
                })
            }
        }
    }

    /// libsecp256k1: RFC 6979, low-S; r‖s and the recovery id (0..3).
    fn k1_sign(&self, digest: &[u8; 32]) -> Result<([u8; 64], u8), CryptoError> {
        let Prepared::K256(_, sk) = &self.prepared else {
            return Err(CryptoError::SchemeNotForAlg {
                scheme: "secp256k1".into(),
                alg: self.alg().to_string(),
            });
        };
        let sig = secp256k1::SECP256K1
            .sign_ecdsa_recoverable(secp256k1::Message::from_digest(*digest), sk);
        let (recid, rs) = sig.serialize_compact();
        Ok((rs, i32::from(recid) as u8))
    }

    fn k256(&self) -> Result<&K256Signing, CryptoError> {
        match &self.prepared {
            Prepared::K256(k, _) => Ok(k),
            _ => Err(CryptoError::SchemeNotForAlg {
                scheme: "secp256k1".into(),
                alg: self.alg().to_string(),
            }),
        }
    }

    /// ECDSA over a digest, fixed-size r‖s (low-S on secp256k1).
    fn ecdsa_rs(&self, digest: &[u8]) -> Result<Vec<u8>, CryptoError> {
        match &self.prepared {
            Prepared::Nist(kp, alg) => {
                let dalg = if *alg == KeyAlg::P256 {
                    &aws_lc_rs::digest::SHA256
                } else {
                    &aws_lc_rs::digest::SHA384
                };
                let d = aws_lc_rs::digest::Digest::import_less_safe(digest, dalg)
                    .map_err(|_| internal("digest import"))?;
                let sig = kp.sign_digest(&d).map_err(|_| internal("signing"))?;
                Ok(sig.as_ref().to_vec())
            }
            Prepared::K256(..) => {
                let d: &[u8; 32] = digest
                    .try_into()
                    .map_err(|_| internal("secp256k1 digest length"))?;
                Ok(self.k1_sign(d)?.0.to_vec())
            }
            _ => Err(CryptoError::SchemeNotForAlg {
                scheme: "raw".into(),
                alg: self.alg().to_string(),
            }),
        }
    }

    /// The JWS signature of `signing_input` (`b64url(header) "." b64url(payload)`).
    pub fn sign_jws(&self, alg: JwsAlg, signing_input: &[u8]) -> Result<Vec<u8>, CryptoError> {
        if !alg.fits(self.alg()) {
            return Err(CryptoError::JwsAlgNotForKey {
                jws: alg.as_str().into(),
                alg: self.alg().to_string(),
            });
        }
        match (&self.prepared, alg) {
            (Prepared::Nist(kp, _), _) => {
                let rng = aws_lc_rs::rand::SystemRandom::new();
                let sig = kp
                    .sign(&rng, signing_input)
                    .map_err(|_| internal("signing"))?;
                Ok(sig.as_ref().to_vec())
            }
            (Prepared::K256(..), _) => {
                let digest: [u8; 32] = Sha256::digest(signing_input).into();
                self.ecdsa_rs(&digest)
            }
            (Prepared::AsIs, alg) => match &self.key().secret {
                Secret::Ed25519(k) => {
                    use ed25519_dalek::Signer as _;
                    Ok(k.sign(signing_input).to_bytes().to_vec())
                }
                Secret::Rsa(k) => rsa_jws(k, alg, signing_input),
                _ => Err(internal("key preparation")),
            },
        }
    }
}

fn rsa_jws(
    k: &openssl::pkey::PKey<openssl::pkey::Private>,
    alg: JwsAlg,
    signing_input: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    use openssl::{hash::MessageDigest, rsa::Padding, sign::RsaPssSaltlen};
    let mut s = openssl::sign::Signer::new(MessageDigest::sha256(), k)
        .map_err(|_| internal("RSA signer"))?;
    if alg == JwsAlg::PS256 {
        s.set_rsa_padding(Padding::PKCS1_PSS)
            .and_then(|_| s.set_rsa_pss_saltlen(RsaPssSaltlen::DIGEST_LENGTH))
            .and_then(|_| s.set_rsa_mgf1_md(MessageDigest::sha256()))
            .map_err(|_| internal("RSA-PSS set-up"))?;
    }
    s.update(signing_input)
        .map_err(|_| internal("RSA signing"))?;
    s.sign_to_vec().map_err(|_| internal("RSA signing"))
}

/// One-shot [`Signer::sign`].
pub fn sign(
    key: &PrivateKey,
    scheme: Scheme,
    payload: Payload<'_>,
    encoding: Encoding,
) -> Result<Signature, CryptoError> {
    Signer::new(key)?.sign(scheme, payload, encoding)
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

fn compressed(public: &PublicKey) -> Result<[u8; 33], CryptoError> {
    public
        .secp256k1_compressed()
        .ok_or_else(|| CryptoError::SchemeNotForAlg {
            scheme: "secp256k1".into(),
            alg: public.alg().to_string(),
        })
}

fn eth_address_of(public: &PublicKey) -> Result<String, CryptoError> {
    match public.inner() {
        Public::K256(k) => {
            use k256::elliptic_curve::sec1::ToEncodedPoint;
            let p = k.to_encoded_point(false);
            let b: [u8; 65] = p.as_bytes().try_into().map_err(|_| internal("point"))?;
            Ok(chain::eth_address(&b))
        }
        _ => Err(CryptoError::SchemeNotForAlg {
            scheme: "eip191".into(),
            alg: public.alg().to_string(),
        }),
    }
}

/// Keccak-256 of the EIP-191 version-0x45 envelope of `message` (what `personal_sign` signs).
pub fn eip191_hash(message: &[u8]) -> [u8; 32] {
    let mut buf = Vec::with_capacity(message.len() + 32);
    buf.extend_from_slice(b"\x19Ethereum Signed Message:\n");
    buf.extend_from_slice(message.len().to_string().as_bytes());
    buf.extend_from_slice(message);
    chain::keccak256(&buf)
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

fn write_varint(buf: &mut Vec<u8>, n: u64) {
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

/// EIP-191 `personal_sign`: 65 bytes r ‖ s ‖ v with v = 27/28.
pub fn eip191_sign(key: &PrivateKey, message: &[u8]) -> Result<[u8; 65], CryptoError> {
    let sig = sign(key, Scheme::Eip191, Payload::Message(message), Encoding::Rs)?;
    sig.bytes
        .try_into()
        .map_err(|_| internal("EIP-191 encoding"))
}

/// The address that signed `message` (EIP-191); v may be 0, 1, 27 or 28.
pub fn eip191_recover(message: &[u8], signature: &[u8]) -> Result<[u8; 20], CryptoError> {
    let sig: &[u8; 65] = signature.try_into().map_err(|_| {
        CryptoError::BadSignature(format!(
            "an EIP-191 signature is 65 bytes, not {}",
            signature.len()
        ))
    })?;
    let v = match sig[64] {
        v @ (0 | 1) => v,
        v @ (27 | 28) => v - 27,
        v => {
            return Err(CryptoError::BadSignature(format!(
                "v is {v}; it must be 27 or 28 (or 0 or 1)"
            )))
        }
    };
    let vk = recover_k256(&eip191_hash(message), &sig[..64], v)?;
    Ok(chain::eth_address_bytes(&uncompressed(&vk)))
}

fn uncompressed(vk: &VerifyingKey) -> [u8; 65] {
    let p = vk.to_encoded_point(false);
    p.as_bytes()
        .try_into()
        .expect("an uncompressed point is 65 bytes")
}

/// Recovers the secp256k1 key of a low-S r‖s signature over `digest`.
fn recover_k256(digest: &[u8; 32], rs: &[u8], recid: u8) -> Result<VerifyingKey, CryptoError> {
    let sig = K256Sig::from_slice(rs).map_err(|_| {
        CryptoError::BadSignature("r or s is zero or not below the group order".into())
    })?;
    if sig.normalize_s().is_some() {
        return Err(CryptoError::NonCanonical);
    }
    let recid = RecoveryId::from_byte(recid)
        .ok_or_else(|| CryptoError::BadSignature("bad recovery id".into()))?;
    VerifyingKey::recover_from_prehash(digest, &sig, recid)
        .map_err(|_| CryptoError::BadSignature("no public key recovers from this signature".into()))
}

/// Whether DER r and s are both exactly 32 bytes (eosjs-ecc's `lenR === 32 && lenS === 32`).
fn eos_canonical(rs: &[u8; 64]) -> bool {
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

/// Whom a signature is checked against.
#[derive(Debug, Clone)]
pub enum VerifyWith {
    Key(Box<PublicKey>),
    /// An Ethereum address (EIP-191), a Bitcoin P2PKH address (BSM) or an EOS public key (EOS).
    Address(String),
}

/// A verification's outcome: whether it holds, why, and what was recovered.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Verdict {
    pub valid: bool,
    pub reason: String,
    /// The address or public key the signature recovers to, where the scheme allows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovered: Option<String>,
}

impl Verdict {
    fn ok(reason: impl Into<String>, recovered: Option<String>) -> Verdict {
        Verdict {
            valid: true,
            reason: reason.into(),
            recovered,
        }
    }
    fn fail(reason: impl Into<String>, recovered: Option<String>) -> Verdict {
        Verdict {
            valid: false,
            reason: reason.into(),
            recovered,
        }
    }
}

/// Decodes a signature given as text: hex (with or without 0x), base64 or base64url, or a
/// `SIG_K1_` string for EOS.
pub fn decode_signature(scheme: Scheme, text: &str) -> Result<Vec<u8>, CryptoError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(CryptoError::BadSignature("the signature is empty".into()));
    }
    if t.len() > 4096 {
        return Err(CryptoError::BadSignature(
            "the signature is too long".into(),
        ));
    }
    if scheme == Scheme::Eos {
        return eos_signature_parse(t).map(|b| b.to_vec());
    }
    let h = t.strip_prefix("0x").unwrap_or(t);
    if scheme != Scheme::Bsm
        && h.len().is_multiple_of(2)
        && h.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return Ok(hex::decode(h).expect("checked hex"));
    }
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    STANDARD
        .decode(t)
        .or_else(|_| URL_SAFE_NO_PAD.decode(t))
        .map_err(|_| {
            CryptoError::BadSignature(format!("the {scheme} signature is neither hex nor base64"))
        })
}

/// Verifies `signature` (bytes, as [`decode_signature`] gives them) over `payload`.
/// Malformed input is an error; a well-formed signature that does not hold is a verdict.
pub fn verify(
    scheme: Scheme,
    payload: Payload<'_>,
    signature: &[u8],
    with: &VerifyWith,
) -> Result<Verdict, CryptoError> {
    if matches!(payload, Payload::Digest(_)) && !scheme.takes_digest() {
        return Err(CryptoError::BadSignatureInput(format!(
            "the {scheme} scheme signs a message, not a digest"
        )));
    }
    if let VerifyWith::Key(k) = with {
        if !scheme.fits(k.alg()) {
            return Err(CryptoError::SchemeNotForAlg {
                scheme: scheme.as_str().into(),
                alg: k.alg().to_string(),
            });
        }
    }
    match scheme {
        Scheme::Raw => {
            let VerifyWith::Key(k) = with else {
                return Err(CryptoError::BadSignatureInput(
                    "a raw signature is checked against a public key (--key or --pubkey)".into(),
                ));
            };
            let digest = raw_digest(k.alg(), payload)?;
            verify_raw(k, &digest, signature)
        }
        Scheme::Eip191 => {
            let Payload::Message(m) = payload else {
                unreachable!("checked above")
            };
            let addr = chain::eip55(&eip191_recover(m, signature)?);
            let expected = match with {
                VerifyWith::Key(k) => eth_address_of(k)?,
                VerifyWith::Address(a) => a.trim().to_string(),
            };
            Ok(if expected.eq_ignore_ascii_case(&addr) {
                Verdict::ok(format!("signed by {addr}"), Some(addr))
            } else {
                Verdict::fail(format!("signed by {addr}, not {expected}"), Some(addr))
            })
        }
        Scheme::Bsm => {
            let Payload::Message(m) = payload else {
                unreachable!("checked above")
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
        Scheme::Eos => {
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
        Scheme::Ed25519 => {
            let Payload::Message(m) = payload else {
                unreachable!("checked above")
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
}

fn p2pkh_of(point: &[u8]) -> String {
    let mut payload = vec![0u8];
    payload.extend_from_slice(&chain::hash160(point));
    let check = chain::sha256d(&payload);
    payload.extend_from_slice(&check[..4]);
    bs58::encode(payload).into_string()
}

fn same_k256(k: &PublicKey, vk: &VerifyingKey) -> bool {
    match k.inner() {
        Public::K256(p) => VerifyingKey::from(p) == *vk,
        _ => false,
    }
}

/// Raw ECDSA over `digest`, the signature in DER or r‖s (told apart by length and form).
fn verify_raw(k: &PublicKey, digest: &[u8], sig: &[u8]) -> Result<Verdict, CryptoError> {
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

#[cfg(test)]
mod tests;

/// Verifies a detached signature over `message` by a pinned key, the way services sign their
/// responses: RSA PKCS#1 v1.5 with SHA-256 for RSA keys; ECDSA over SHA-256 (DER or r‖s, any
/// S) for EC keys; Ed25519 for Ed25519 keys.
pub fn verify_detached(
    key: &PublicKey,
    message: &[u8],
    signature: &[u8],
) -> Result<Verdict, CryptoError> {
    match key.inner() {
        Public::Rsa { spki, .. } => {
            use openssl::hash::MessageDigest;
            let pkey = openssl::pkey::PKey::public_key_from_der(spki)
                .map_err(|_| CryptoError::BadKey("the RSA public key does not parse".into()))?;
            let mut v = openssl::sign::Verifier::new(MessageDigest::sha256(), &pkey)
                .map_err(|_| internal("RSA verifier"))?;
            v.update(message).map_err(|_| internal("RSA verifier"))?;
            Ok(match v.verify(signature) {
                Ok(true) => Verdict::ok("valid RSA PKCS#1 v1.5 SHA-256 signature", None),
                _ => Verdict::fail("the signature does not match the pinned key and body", None),
            })
        }
        Public::Ed25519(_) => verify(
            Scheme::Ed25519,
            Payload::Message(message),
            signature,
            &VerifyWith::Key(Box::new(key.clone())),
        ),
        _ if key.alg() == KeyAlg::P384 => verify_raw(key, &Sha384::digest(message), signature),
        _ => verify_raw(key, &Sha256::digest(message), signature),
    }
}

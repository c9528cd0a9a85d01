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
//!
//! Each scheme is one module (`raw`, `eip191`, `bsm`, `eos`, `ed25519`) implementing the
//! `SchemeImpl` trait, and is listed once in the `schemes!` registry below, which declares its
//! [`Scheme`] variant; [`Scheme`]'s methods, [`Signer::sign`], [`verify`] and
//! [`decode_signature`] dispatch through it. A new scheme is one new module and one registry
//! line (and, if keys need a policy entry of its own, a [`Usage`]). Around them: `signer` (the
//! key made ready to sign, shared by every scheme and by JWTs), `jws` (JOSE algorithms),
//! `policy` (what a key may be used for) and `detached` (services' response signatures).

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::error::CryptoError;
use crate::keys::{KeyAlg, PrivateKey, PublicKey};

mod bsm;
mod detached;
mod ed25519;
mod eip191;
mod eos;
mod jws;
mod policy;
mod raw;
mod recover;
mod signer;

pub use bsm::bsm_hash;
pub use detached::verify_detached;
pub use eip191::{eip191_hash, eip191_recover, eip191_sign};
pub use eos::{eos_signature_parse, eos_signature_text};
pub use jws::JwsAlg;
pub use policy::{Usage, UsagePolicy};
pub use signer::Signer;

/// One signature scheme: which keys it takes, how it signs, how its signatures are written and
/// how they are verified. [`Signer::sign`] and [`verify`] make the checks every scheme shares
/// (the key fits, a digest only where the scheme takes one) before they call it.
trait SchemeImpl: Sync {
    /// The name on the command line and in stored policies (`raw`, `eip191`, …).
    fn name(&self) -> &'static str;

    /// A human title for menus.
    fn title(&self) -> &'static str;

    /// Whether a key of `alg` can sign with the scheme at all.
    fn fits(&self, alg: KeyAlg) -> bool;

    /// The key algorithm the scheme implies, when a single one fits.
    fn implied_alg(&self) -> Option<KeyAlg>;

    /// Whether the scheme takes a precomputed digest (`--digest`).
    fn takes_digest(&self) -> bool {
        false
    }

    /// The usage-policy entry the scheme needs.
    fn usage(&self) -> Usage;

    /// Signs `payload`: a message, or a digest when [`takes_digest`](Self::takes_digest).
    fn sign(
        &self,
        signer: &Signer<'_>,
        payload: Payload<'_>,
        encoding: Encoding,
    ) -> Result<Signature, CryptoError>;

    /// Reads a signature's text form (trimmed, not empty, at most 4096 bytes): hex (with or
    /// without 0x), base64 or base64url unless the scheme has its own form.
    fn decode(&self, text: &str) -> Result<Vec<u8>, CryptoError> {
        hex_or_base64(self.name(), text, true)
    }

    /// Verifies `signature` over `payload`: malformed input is an error, a well-formed
    /// signature that does not hold is a verdict.
    fn verify(
        &self,
        payload: Payload<'_>,
        signature: &[u8],
        with: &VerifyWith,
    ) -> Result<Verdict, CryptoError>;
}

/// Declares [`Scheme`], its [`Scheme::ALL`] in the order given, and the implementation of each.
macro_rules! schemes {
    ($($variant:ident => $imp:expr),+ $(,)?) => {
        /// A signature scheme Keyward signs and verifies with.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
        #[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
        #[serde(rename_all = "lowercase")]
        pub enum Scheme {
            $($variant),+
        }

        impl Scheme {
            pub const ALL: [Scheme; [$(stringify!($variant)),+].len()] = [$(Scheme::$variant),+];

            /// The module that does this scheme's work.
            fn imp(self) -> &'static dyn SchemeImpl {
                match self {
                    $(Scheme::$variant => &$imp),+
                }
            }
        }
    };
}

// The registry: one line per scheme.
schemes! {
    Raw => raw::Raw,
    Eip191 => eip191::Eip191,
    Bsm => bsm::Bsm,
    Eos => eos::Eos,
    Ed25519 => ed25519::Ed25519,
}

impl Scheme {
    pub fn as_str(self) -> &'static str {
        self.imp().name()
    }

    pub fn parse(s: &str) -> Result<Scheme, CryptoError> {
        Scheme::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| CryptoError::UnknownScheme(s.chars().take(32).collect()))
    }

    /// A human title for menus.
    pub fn title(self) -> &'static str {
        self.imp().title()
    }

    /// Whether a key of `alg` can sign with this scheme at all.
    pub fn fits(self, alg: KeyAlg) -> bool {
        self.imp().fits(alg)
    }

    /// The key algorithm the scheme implies (`None` for raw, which three curves share).
    pub fn implied_alg(self) -> Option<KeyAlg> {
        self.imp().implied_alg()
    }

    /// Whether the scheme takes a precomputed digest (`--digest`).
    pub fn takes_digest(self) -> bool {
        self.imp().takes_digest()
    }

    /// The usage-policy entry this scheme needs.
    pub fn usage(self) -> Usage {
        self.imp().usage()
    }
}

impl std::fmt::Display for Scheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What is signed: a message (hashed by the scheme) or, for `raw` and `eos`, a digest.
#[derive(Debug, Clone, Copy)]
pub enum Payload<'a> {
    Message(&'a [u8]),
    Digest(&'a [u8]),
}

/// How a raw ECDSA signature is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    /// ASN.1 DER `SEQUENCE { r, s }` (OpenSSL, Java, Go's `ecdsa.SignASN1`).
    #[default]
    #[cfg_attr(feature = "clap", value(help = "ASN.1 DER (OpenSSL's form)"))]
    Der,
    /// Fixed-size r ‖ s (JOSE, WebCrypto).
    #[cfg_attr(feature = "clap", value(help = "Fixed-size r‖s (JOSE, WebCrypto)"))]
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
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
pub struct Signature {
    pub scheme: Scheme,
    #[serde(skip)]
    pub bytes: Vec<u8>,
    /// The scheme's own text form (hex, 0x-hex, base64 or `SIG_K1_…`).
    pub signature: String,
    /// Hex of the 32- or 48-byte digest that was signed (absent for Ed25519).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub digest: Option<String>,
    /// The signer's address or public key in the scheme's form.
    pub signer: String,
}

/// Whom a signature is checked against.
#[derive(Debug, Clone)]
pub enum VerifyWith {
    Key(Box<PublicKey>),
    /// An Ethereum address (EIP-191), a Bitcoin P2PKH address (BSM) or an EOS public key (EOS).
    Address(String),
}

/// A verification's outcome: whether it holds, why, and what was recovered.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ts_rs::TS)]
pub struct Verdict {
    pub valid: bool,
    pub reason: String,
    /// The address or public key the signature recovers to, where the scheme allows.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
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

fn internal(what: &str) -> CryptoError {
    CryptoError::BadKey(format!("{what} failed"))
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
    scheme.imp().decode(t)
}

/// Hex (`0x` optional) when `hex_ok` and the text is hex, else base64 or base64url.
fn hex_or_base64(scheme: &str, t: &str, hex_ok: bool) -> Result<Vec<u8>, CryptoError> {
    let h = t.strip_prefix("0x").unwrap_or(t);
    if hex_ok && h.len().is_multiple_of(2) && h.bytes().all(|b| b.is_ascii_hexdigit()) {
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
    scheme.imp().verify(payload, signature, with)
}

#[cfg(test)]
mod tests;

//! Ethereum keystore v3 decryption (the Web3 Secret Storage Definition, version 3).
//!
//! Specs followed:
//! * Web3 Secret Storage Definition v3 (ethereum.org / the former ethereum wiki): `crypto` (or
//!   `Crypto`) object, cipher `aes-128-ctr` keyed with derived[0..16], MAC =
//!   Keccak-256(derived[16..32] ‖ ciphertext), KDF `scrypt` (n, r, p, dklen, salt) or `pbkdf2`
//!   (c, dklen, prf `hmac-sha256`, salt).
//! * scrypt: RFC 7914, through the `scrypt` 0.12 crate. (Version 0.11 and OpenSSL enforce
//!   RFC 7914's erroneous bound N < 2^(16·r), errata 5971, which rejects the specification's
//!   own test vector (n = 262144, r = 1, p = 8) and the keystores web3.py writes with those
//!   defaults; 0.12 follows the scrypt paper.)
//!
//! The KDF cost is bounded before any derivation: scrypt memory 128·n·r ≤ 1 GiB, r ≤ 32, p ≤ 16;
//! PBKDF2 c ≤ 10,000,000. Errors never quote the input.

use aes::cipher::{KeyIvInit, StreamCipher};
use k256::elliptic_curve::sec1::ToEncodedPoint;
use k256::elliptic_curve::subtle::ConstantTimeEq;
use serde_json::{Map, Value};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::chain;
use crate::error::CryptoError;

/// Largest keystore file accepted, in bytes.
pub const MAX_KEYSTORE_LEN: usize = 64 * 1024;
/// Largest scrypt working memory (128·n·r bytes) accepted.
const MAX_SCRYPT_MEMORY: u128 = 1 << 30;
/// Largest scrypt r accepted.
const MAX_SCRYPT_R: u64 = 32;
/// Largest scrypt p accepted.
const MAX_SCRYPT_P: u64 = 16;
/// Largest PBKDF2 iteration count accepted.
const MAX_PBKDF2_ROUNDS: u64 = 10_000_000;

type Aes128Ctr = ctr::Ctr128BE<aes::Aes128>;

/// The key-derivation function of a keystore, with its parameters checked.
enum Kdf {
    Scrypt {
        log_n: u32,
        r: usize,
        p: usize,
        salt: Vec<u8>,
    },
    Pbkdf2 {
        rounds: u32,
        salt: Vec<u8>,
    },
}

fn bad(what: &str) -> CryptoError {
    CryptoError::BadKeystore(what.into())
}

/// A keystore parsed and bounded, not yet decrypted.
struct Parsed {
    address: Option<String>,
    iv: [u8; 16],
    ciphertext: [u8; 32],
    mac: [u8; 32],
    kdf: Kdf,
}

/// Checks a keystore's structure and bounds its KDF cost without deriving anything: what an
/// import does before it asks for the keystore's passphrase.
pub fn check_v3(json: &str) -> Result<(), CryptoError> {
    parse_v3(json).map(|_| ())
}

fn parse_v3(json: &str) -> Result<Parsed, CryptoError> {
    if json.len() > MAX_KEYSTORE_LEN {
        return Err(CryptoError::TooLarge(json.len(), MAX_KEYSTORE_LEN));
    }
    let root: Value = serde_json::from_str(json).map_err(|_| bad("it is not valid JSON"))?;
    let root = root
        .as_object()
        .ok_or_else(|| bad("the top level is not a JSON object"))?;
    match root.get("version").and_then(Value::as_u64) {
        Some(3) => {}
        _ => return Err(bad("\"version\" must be 3")),
    }
    // The optional address is checked after decryption, but its type before any KDF work.
    let address = match root.get("address") {
        None | Some(Value::Null) => None,
        Some(Value::String(a)) => Some(a.clone()),
        Some(_) => return Err(bad("\"address\" is not a string")),
    };
    let crypto = root
        .get("crypto")
        .or_else(|| root.get("Crypto"))
        .and_then(Value::as_object)
        .ok_or_else(|| bad("the \"crypto\" object is missing"))?;

    match crypto.get("cipher").and_then(Value::as_str) {
        Some("aes-128-ctr") => {}
        Some(_) => return Err(bad("the cipher must be aes-128-ctr")),
        None => return Err(bad("\"cipher\" is missing")),
    }
    let params = crypto
        .get("cipherparams")
        .and_then(Value::as_object)
        .ok_or_else(|| bad("\"cipherparams\" is missing"))?;
    let iv: [u8; 16] = hex_field(params, "iv")?
        .try_into()
        .map_err(|_| bad("\"iv\" must be 16 bytes"))?;
    let ciphertext: [u8; 32] = hex_field(crypto, "ciphertext")?
        .try_into()
        .map_err(|_| bad("\"ciphertext\" must be 32 bytes (a secp256k1 key)"))?;
    let mac: [u8; 32] = hex_field(crypto, "mac")?
        .try_into()
        .map_err(|_| bad("\"mac\" must be 32 bytes"))?;

    // Parse and bound the KDF before deriving anything.
    let kdf = parse_kdf(crypto)?;
    Ok(Parsed {
        address,
        iv,
        ciphertext,
        mac,
        kdf,
    })
}

/// Decrypts an Ethereum keystore v3 JSON file with `password`, returning the secp256k1 secret.
pub fn decrypt_v3(json: &str, password: &[u8]) -> Result<Zeroizing<[u8; 32]>, CryptoError> {
    let Parsed {
        address,
        iv,
        ciphertext,
        mac,
        kdf,
    } = parse_v3(json)?;
    let mut derived = Zeroizing::new([0u8; 32]);
    match &kdf {
        Kdf::Scrypt { log_n, r, p, salt } => {
            scrypt_kdf(password, salt, *log_n, *r, *p, &mut derived[..])?;
        }
        Kdf::Pbkdf2 { rounds, salt } => {
            pbkdf2::pbkdf2_hmac::<Sha256>(password, salt, *rounds, &mut derived[..]);
        }
    }

    let mut mac_input = Zeroizing::new([0u8; 48]);
    mac_input[..16].copy_from_slice(&derived[16..32]);
    mac_input[16..].copy_from_slice(&ciphertext);
    let computed = chain::keccak256(&mac_input[..]);
    if !bool::from(computed.ct_eq(&mac)) {
        return Err(CryptoError::BadKeyPassphrase);
    }

    let mut secret = Zeroizing::new(ciphertext);
    let mut cipher = Aes128Ctr::new(derived[..16].into(), (&iv).into());
    cipher.apply_keystream(&mut secret[..]);
    if !chain::is_valid_scalar(&secret) {
        return Err(CryptoError::BadKey(
            "the decrypted key is zero or not below the secp256k1 group order".into(),
        ));
    }

    if let Some(addr) = address {
        check_address(&addr, &secret)?;
    }
    Ok(secret)
}

/// Compares the keystore's `address` (any case, with or without `0x`) with the key's address.
fn check_address(addr: &str, secret: &[u8; 32]) -> Result<(), CryptoError> {
    let mismatch = || bad("address does not match the key");
    let key = k256::SecretKey::from_bytes(k256::FieldBytes::from_slice(secret))
        .map_err(|_| CryptoError::BadKey("the decrypted key is invalid".into()))?;
    let point = key.public_key().to_encoded_point(false);
    let pub65: [u8; 65] = point.as_bytes().try_into().map_err(|_| mismatch())?;
    let expected = hex::encode(chain::eth_address_bytes(&pub65));
    let given = addr.trim();
    let given = given
        .strip_prefix("0x")
        .or_else(|| given.strip_prefix("0X"))
        .unwrap_or(given);
    if given.eq_ignore_ascii_case(&expected) {
        Ok(())
    } else {
        Err(mismatch())
    }
}

/// A hex string field (an optional `0x` prefix is tolerated), decoded.
fn hex_field(obj: &Map<String, Value>, name: &str) -> Result<Vec<u8>, CryptoError> {
    let s = obj
        .get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| CryptoError::BadKeystore(format!("\"{name}\" is missing")))?;
    let s = s.strip_prefix("0x").unwrap_or(s);
    hex::decode(s).map_err(|_| CryptoError::BadKeystore(format!("\"{name}\" is not hex")))
}

/// A non-negative integer field of `kdfparams`.
fn uint_field(obj: &Map<String, Value>, name: &str) -> Result<u64, CryptoError> {
    obj.get(name).and_then(Value::as_u64).ok_or_else(|| {
        CryptoError::BadKeystore(format!(
            "kdfparams \"{name}\" must be a non-negative integer"
        ))
    })
}

/// Reads the KDF and its parameters, refusing malformed ones (BadKeystore) and costly ones
/// (KdfTooCostly) before any work is done.
fn parse_kdf(crypto: &Map<String, Value>) -> Result<Kdf, CryptoError> {
    let kdf = crypto
        .get("kdf")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("\"kdf\" is missing"))?;
    let params = crypto
        .get("kdfparams")
        .and_then(Value::as_object)
        .ok_or_else(|| bad("\"kdfparams\" is missing"))?;
    let dklen = uint_field(params, "dklen")?;
    if dklen != 32 {
        return Err(bad("kdfparams \"dklen\" must be 32"));
    }
    let salt = hex_field(params, "salt")?;
    match kdf {
        "scrypt" => {
            let n = uint_field(params, "n")?;
            let r = uint_field(params, "r")?;
            let p = uint_field(params, "p")?;
            if n < 2 || !n.is_power_of_two() {
                return Err(bad("scrypt \"n\" must be a power of two above 1"));
            }
            if r == 0 || p == 0 {
                return Err(bad("scrypt \"r\" and \"p\" must be at least 1"));
            }
            if r > MAX_SCRYPT_R {
                return Err(CryptoError::KdfTooCostly(format!(
                    "scrypt r is {r}; the limit is {MAX_SCRYPT_R}"
                )));
            }
            if p > MAX_SCRYPT_P {
                return Err(CryptoError::KdfTooCostly(format!(
                    "scrypt p is {p}; the limit is {MAX_SCRYPT_P}"
                )));
            }
            let memory = 128u128 * u128::from(n) * u128::from(r);
            if memory > MAX_SCRYPT_MEMORY {
                return Err(CryptoError::KdfTooCostly(format!(
                    "scrypt needs {} MiB; the limit is {} MiB",
                    memory >> 20,
                    MAX_SCRYPT_MEMORY >> 20
                )));
            }
            // The bounds above make these conversions lossless.
            let r = usize::try_from(r).map_err(|_| bad("scrypt \"r\" is out of range"))?;
            let p = usize::try_from(p).map_err(|_| bad("scrypt \"p\" is out of range"))?;
            Ok(Kdf::Scrypt {
                log_n: n.trailing_zeros(),
                r,
                p,
                salt,
            })
        }
        "pbkdf2" => {
            match params.get("prf").and_then(Value::as_str) {
                Some("hmac-sha256") => {}
                _ => return Err(bad("the pbkdf2 prf must be hmac-sha256")),
            }
            let c = uint_field(params, "c")?;
            if c == 0 {
                return Err(bad("pbkdf2 \"c\" must be at least 1"));
            }
            if c > MAX_PBKDF2_ROUNDS {
                return Err(CryptoError::KdfTooCostly(format!(
                    "pbkdf2 c is {c}; the limit is {MAX_PBKDF2_ROUNDS}"
                )));
            }
            let rounds = u32::try_from(c).map_err(|_| bad("pbkdf2 \"c\" is out of range"))?;
            Ok(Kdf::Pbkdf2 { rounds, salt })
        }
        _ => Err(bad("the kdf must be scrypt or pbkdf2")),
    }
}

/// scrypt with N = 2^log_n. The caller has bounded the parameters.
fn scrypt_kdf(
    password: &[u8],
    salt: &[u8],
    log_n: u32,
    r: usize,
    p: usize,
    out: &mut [u8],
) -> Result<(), CryptoError> {
    let invalid = || CryptoError::BadKeystore("invalid scrypt parameters".into());
    let params = ::scrypt::Params::new(
        u8::try_from(log_n).map_err(|_| invalid())?,
        u32::try_from(r).map_err(|_| invalid())?,
        u32::try_from(p).map_err(|_| invalid())?,
    )
    .map_err(|_| invalid())?;
    ::scrypt::scrypt(password, salt, &params, out).map_err(|_| invalid())
}

#[cfg(test)]
mod tests;

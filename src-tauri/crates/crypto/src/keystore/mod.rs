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
mod tests {
    use super::*;

    // Web3 Secret Storage Definition, "Test Vectors" (ethereum.org; also geth
    // accounts/keystore/testdata/v3_test_vector.json): password "testpassword",
    // secret 7a28…fe9d, address 008aeeda4d805471df9b2a5b0f38a0c3bcba786b.
    const SECRET: &str = "7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d";
    const PBKDF2_VECTOR: &str = r#"{
      "crypto": {
        "cipher": "aes-128-ctr",
        "cipherparams": { "iv": "6087dab2f9fdbbfaddc31a909735c1e6" },
        "ciphertext": "5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46",
        "kdf": "pbkdf2",
        "kdfparams": {
          "c": 262144,
          "dklen": 32,
          "prf": "hmac-sha256",
          "salt": "ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd"
        },
        "mac": "517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2"
      },
      "id": "3198bc9c-6672-5ab3-d995-4942343ae5b6",
      "version": 3
    }"#;
    const SCRYPT_VECTOR: &str = r#"{
      "crypto": {
        "cipher": "aes-128-ctr",
        "cipherparams": { "iv": "83dbcc02d8ccb40e466191a123791e0e" },
        "ciphertext": "d172bf743a674da9cdad04534d56926ef8358534d458fffccd4e6ad2fbde479c",
        "kdf": "scrypt",
        "kdfparams": {
          "dklen": 32,
          "n": 262144,
          "p": 8,
          "r": 1,
          "salt": "ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19"
        },
        "mac": "2103ac29920d71da29f15d75b4a16dbe95cfd7ff8faea1056c33131d846e3097"
      },
      "id": "3198bc9c-6672-5ab3-d995-4942343ae5b6",
      "version": 3
    }"#;

    fn edit(json: &str, f: impl FnOnce(&mut Value)) -> String {
        let mut v: Value = serde_json::from_str(json).expect("json");
        f(&mut v);
        v.to_string()
    }

    fn err(json: &str, password: &[u8]) -> CryptoError {
        decrypt_v3(json, password).expect_err("expected an error")
    }

    /// Builds a keystore with PBKDF2 (c = 1) around any 32 bytes — for error paths only.
    fn cheap_keystore(plain: &[u8; 32], password: &[u8]) -> String {
        let salt = [7u8; 32];
        let iv = [9u8; 16];
        let mut dk = [0u8; 32];
        pbkdf2::pbkdf2_hmac::<Sha256>(password, &salt, 1, &mut dk);
        let mut ct = *plain;
        Aes128Ctr::new(dk[..16].into(), (&iv).into()).apply_keystream(&mut ct);
        let mut mac_in = dk[16..].to_vec();
        mac_in.extend_from_slice(&ct);
        serde_json::json!({
            "crypto": {
                "cipher": "aes-128-ctr",
                "cipherparams": { "iv": hex::encode(iv) },
                "ciphertext": hex::encode(ct),
                "kdf": "pbkdf2",
                "kdfparams": { "c": 1, "dklen": 32, "prf": "hmac-sha256", "salt": hex::encode(salt) },
                "mac": hex::encode(chain::keccak256(&mac_in)),
            },
            "version": 3
        })
        .to_string()
    }

    #[test]
    fn web3_pbkdf2_vector() {
        let key = decrypt_v3(PBKDF2_VECTOR, b"testpassword").expect("decrypt");
        assert_eq!(hex::encode(*key), SECRET);
    }

    #[test]
    fn web3_scrypt_vector() {
        // n = 2^18, r = 1, p = 8: 32 MiB, and n ≥ 2^(16·r) — refused by the scrypt 0.11 crate.
        let key = decrypt_v3(SCRYPT_VECTOR, b"testpassword").expect("decrypt");
        assert_eq!(hex::encode(*key), SECRET);
    }

    #[test]
    fn capitalised_crypto_and_address_field() {
        let json = PBKDF2_VECTOR.replace("\"crypto\"", "\"Crypto\"");
        let key = decrypt_v3(&json, b"testpassword").expect("Crypto");
        assert_eq!(hex::encode(*key), SECRET);
        // The spec's address for this key, in any case, with or without 0x.
        for addr in [
            "008aeeda4d805471df9b2a5b0f38a0c3bcba786b",
            "0x008AeEda4D805471dF9b2A5B0f38A0C3bCBA786b",
            "0X008AEEDA4D805471DF9B2A5B0F38A0C3BCBA786B",
        ] {
            let json = edit(PBKDF2_VECTOR, |v| v["address"] = Value::from(addr));
            assert!(decrypt_v3(&json, b"testpassword").is_ok(), "{addr}");
        }
        let json = edit(PBKDF2_VECTOR, |v| {
            v["address"] = Value::from("0x2c7536E3605D9C16a7a3D7b1898e529396a65c23")
        });
        assert!(matches!(
            err(&json, b"testpassword"),
            CryptoError::BadKeystore(w) if w == "address does not match the key"
        ));
    }

    #[test]
    fn wrong_password_and_tampering() {
        assert!(matches!(
            err(PBKDF2_VECTOR, b"wrongpassword"),
            CryptoError::BadKeyPassphrase
        ));
        let tampered = PBKDF2_VECTOR.replace(
            "5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46",
            "5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa47",
        );
        assert!(matches!(
            err(&tampered, b"testpassword"),
            CryptoError::BadKeyPassphrase
        ));
        let tampered_mac = PBKDF2_VECTOR.replace(
            "517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2",
            "617ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2",
        );
        assert!(matches!(
            err(&tampered_mac, b"testpassword"),
            CryptoError::BadKeyPassphrase
        ));
    }

    #[test]
    fn costly_kdfs_are_refused_before_deriving() {
        for (n, r, p) in [
            (1u64 << 30, 1u64, 1u64), // 128 GiB
            (1 << 24, 1, 1),          // 2 GiB
            (1 << 20, 16, 1),         // 2 GiB
            (1 << 10, 33, 1),
            (1 << 10, 8, 17),
            (1 << 62, 32, 16),
        ] {
            let json = edit(SCRYPT_VECTOR, |v| {
                v["crypto"]["kdfparams"]["n"] = Value::from(n);
                v["crypto"]["kdfparams"]["r"] = Value::from(r);
                v["crypto"]["kdfparams"]["p"] = Value::from(p);
            });
            assert!(
                matches!(err(&json, b"testpassword"), CryptoError::KdfTooCostly(_)),
                "n={n} r={r} p={p}"
            );
        }
        // Exactly 1 GiB is within bounds (not run here: it would allocate it).
        assert!(parse_kdf(
            edit(SCRYPT_VECTOR, |v| {
                v["crypto"]["kdfparams"]["n"] = Value::from(1u64 << 23);
            })
            .parse::<Value>()
            .expect("json")["crypto"]
                .as_object()
                .expect("object")
        )
        .is_ok());
        let json = edit(PBKDF2_VECTOR, |v| {
            v["crypto"]["kdfparams"]["c"] = Value::from(10_000_001u64)
        });
        assert!(matches!(
            err(&json, b"testpassword"),
            CryptoError::KdfTooCostly(_)
        ));
    }

    #[test]
    fn malformed_keystores() {
        let cases: Vec<String> = vec![
            "not json".into(),
            "[]".into(),
            edit(PBKDF2_VECTOR, |v| v["version"] = Value::from(2)),
            edit(PBKDF2_VECTOR, |v| v["version"] = Value::from("3")),
            edit(PBKDF2_VECTOR, |v| {
                v.as_object_mut().expect("object").remove("crypto");
            }),
            edit(PBKDF2_VECTOR, |v| {
                v["crypto"]["cipher"] = Value::from("aes-128-cbc")
            }),
            edit(PBKDF2_VECTOR, |v| {
                v["crypto"]["cipherparams"]["iv"] = Value::from("6087dab2")
            }),
            edit(PBKDF2_VECTOR, |v| {
                v["crypto"]["ciphertext"] = Value::from("zz")
            }),
            edit(PBKDF2_VECTOR, |v| {
                v["crypto"]["ciphertext"] = Value::from("5318b4d5")
            }),
            edit(PBKDF2_VECTOR, |v| v["crypto"]["mac"] = Value::from("")),
            edit(PBKDF2_VECTOR, |v| {
                v["crypto"]["kdf"] = Value::from("argon2")
            }),
            edit(PBKDF2_VECTOR, |v| {
                v["crypto"]["kdfparams"]["prf"] = Value::from("hmac-sha512")
            }),
            edit(PBKDF2_VECTOR, |v| {
                v["crypto"]["kdfparams"]["c"] = Value::from(0)
            }),
            edit(PBKDF2_VECTOR, |v| {
                v["crypto"]["kdfparams"]["c"] = Value::from(-5)
            }),
            edit(PBKDF2_VECTOR, |v| {
                v["crypto"]["kdfparams"]["dklen"] = Value::from(64)
            }),
            edit(SCRYPT_VECTOR, |v| {
                v["crypto"]["kdfparams"]["n"] = Value::from(262143)
            }),
            edit(SCRYPT_VECTOR, |v| {
                v["crypto"]["kdfparams"]["n"] = Value::from(1)
            }),
            edit(SCRYPT_VECTOR, |v| {
                v["crypto"]["kdfparams"]["n"] = Value::from(262144.5)
            }),
            edit(SCRYPT_VECTOR, |v| {
                v["crypto"]["kdfparams"]["r"] = Value::from(0)
            }),
            edit(SCRYPT_VECTOR, |v| {
                v["crypto"]["kdfparams"]["salt"] = Value::from("xyz")
            }),
            edit(SCRYPT_VECTOR, |v| v["address"] = Value::from(5)),
        ];
        for json in &cases {
            assert!(
                matches!(err(json, b"testpassword"), CryptoError::BadKeystore(_)),
                "{json}"
            );
        }
        let big = format!("{}{}", " ".repeat(MAX_KEYSTORE_LEN), PBKDF2_VECTOR);
        assert!(matches!(
            err(&big, b"testpassword"),
            CryptoError::TooLarge(_, MAX_KEYSTORE_LEN)
        ));
    }

    #[test]
    fn decrypted_key_must_be_a_scalar() {
        let zero = cheap_keystore(&[0u8; 32], b"pw");
        assert!(matches!(err(&zero, b"pw"), CryptoError::BadKey(_)));
        let mut sk = [0u8; 32];
        hex::decode_to_slice(SECRET, &mut sk).expect("hex");
        let ok = cheap_keystore(&sk, b"pw");
        assert_eq!(*decrypt_v3(&ok, b"pw").expect("decrypt"), sk);
        assert!(matches!(err(&ok, b"pW"), CryptoError::BadKeyPassphrase));
    }

    #[test]
    fn scrypt_keystore_with_geth_style_parameters() {
        // r = 8, p = 1 (geth's layout; n lowered to 2^12 for speed).
        let mut sk = [0u8; 32];
        hex::decode_to_slice(SECRET, &mut sk).expect("hex");
        let salt = [3u8; 32];
        let iv = [5u8; 16];
        let mut dk = [0u8; 32];
        scrypt_kdf(b"pw", &salt, 12, 8, 1, &mut dk).expect("scrypt");
        let mut ct = sk;
        Aes128Ctr::new(dk[..16].into(), (&iv).into()).apply_keystream(&mut ct);
        let mut mac_in = dk[16..].to_vec();
        mac_in.extend_from_slice(&ct);
        let json = serde_json::json!({
            "crypto": {
                "cipher": "aes-128-ctr",
                "cipherparams": { "iv": hex::encode(iv) },
                "ciphertext": hex::encode(ct),
                "kdf": "scrypt",
                "kdfparams": { "dklen": 32, "n": 4096, "r": 8, "p": 1, "salt": hex::encode(salt) },
                "mac": hex::encode(chain::keccak256(&mac_in)),
            },
            "address": "008aeeda4d805471df9b2a5b0f38a0c3bcba786b",
            "version": 3
        })
        .to_string();
        assert_eq!(*decrypt_v3(&json, b"pw").expect("decrypt"), sk);
        assert!(matches!(err(&json, b"px"), CryptoError::BadKeyPassphrase));
    }

    #[test]
    fn scrypt_rfc7914_vectors() {
        // RFC 7914 §12.
        for (pw, salt, log_n, r, p, expected) in [
            (
                "",
                "",
                4u32,
                1usize,
                1usize,
                "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906",
            ),
            (
                "password",
                "NaCl",
                10,
                8,
                16,
                "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640",
            ),
            (
                "pleaseletmein",
                "SodiumChloride",
                14,
                8,
                1,
                "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887",
            ),
        ] {
            let mut out = [0u8; 64];
            scrypt_kdf(pw.as_bytes(), salt.as_bytes(), log_n, r, p, &mut out).expect("scrypt");
            assert_eq!(hex::encode(out), expected, "N=2^{log_n} r={r} p={p}");
        }
    }

    #[test]
    fn errors_do_not_quote_input() {
        let msg = err(PBKDF2_VECTOR, b"wrongpassword").to_string();
        assert!(!msg.contains("wrongpassword"));
        let json = edit(PBKDF2_VECTOR, |v| {
            v["crypto"]["ciphertext"] = Value::from("deadbeefsecret")
        });
        let msg = err(&json, b"testpassword").to_string();
        assert!(!msg.contains("deadbeef"));
    }
}

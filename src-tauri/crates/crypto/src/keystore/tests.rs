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

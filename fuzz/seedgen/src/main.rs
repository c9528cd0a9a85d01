//! Writes the seed corpora under fuzz/seeds/<target>/ (small, valid inputs of every format the
//! targets read). Run from the repository root:
//!
//!     cargo run --manifest-path fuzz/seedgen/Cargo.toml --target-dir fuzz/target/seedgen
//!
//! Keys are freshly generated (throwaway), so a rerun rewrites the files with other bytes.
//! Files whose names start with `regression-` (minimised crashes) or `extra-` (made with
//! openssl and ssh-keygen, fuzz/README.md) are left alone.

use aes::cipher::{KeyIvInit, StreamCipher};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use keyward_crypto::import::{import, ImportFormat, ImportOptions};
use keyward_crypto::{chain, hd, KdfParams, KeyAlg, PrivateFormat, PrivateKey};
use sha2::Sha256;
use std::fs;
use std::path::{Path, PathBuf};

type Aes128Ctr = ctr::Ctr128BE<aes::Aes128>;

/// The passphrase each import target passes (see its source).
const AUTO_PASS: &[u8] = b"fuzz";
const FORMATS_PASS: &[u8] = b"x";
const BACKUP_PASS: &[u8] = b"pass";

/// BIP32 test vector 1, master key.
const XPRV: &str = "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi";
const MNEMONIC: &str =
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
/// eosjs test vector: legacy WIF and PVT_K1_ forms of one key.
const EOS_K1: &str = "PVT_K1_26fMPzM27mXhoSF8y56ro7pN2te7rFT6W6wXiUi5joY79NHfZf";
const WIF_UNCOMPRESSED: &str = "5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ";

/// One import seed: its text, the format that names it and what it needs.
struct Text {
    name: String,
    format: ImportFormat,
    alg: Option<KeyAlg>,
    /// Encrypted under the target's passphrase (so `text` differs per target).
    auto_text: String,
    formats_text: String,
    needs_pass: bool,
}

fn plain(name: &str, format: ImportFormat, alg: Option<KeyAlg>, text: &str) -> Text {
    Text {
        name: name.into(),
        format,
        alg,
        auto_text: text.into(),
        formats_text: text.into(),
        needs_pass: false,
    }
}

fn alg_index(alg: Option<KeyAlg>) -> u8 {
    alg.and_then(|a| KeyAlg::ALL.iter().position(|b| *b == a))
        .map_or(7, |i| i as u8)
}

fn format_index(f: ImportFormat) -> u8 {
    ImportFormat::ALL.iter().position(|g| *g == f).unwrap() as u8
}

/// A keystore v3 around `secret`, scrypt n = 2 (or PBKDF2 c = 1): cheap to open.
fn keystore(secret: &[u8; 32], password: &[u8], scrypt_kdf: bool) -> String {
    let salt = [7u8; 32];
    let iv = [9u8; 16];
    let mut dk = [0u8; 32];
    let kdfparams = if scrypt_kdf {
        let params = scrypt::Params::new(1, 8, 1).unwrap();
        scrypt::scrypt(password, &salt, &params, &mut dk).unwrap();
        serde_json::json!({ "dklen": 32, "n": 2, "r": 8, "p": 1, "salt": hex::encode(salt) })
    } else {
        pbkdf2::pbkdf2_hmac::<Sha256>(password, &salt, 1, &mut dk);
        serde_json::json!({ "c": 1, "dklen": 32, "prf": "hmac-sha256", "salt": hex::encode(salt) })
    };
    let mut ct = *secret;
    Aes128Ctr::new(dk[..16].into(), (&iv).into()).apply_keystream(&mut ct);
    let mut mac_in = dk[16..].to_vec();
    mac_in.extend_from_slice(&ct);
    serde_json::json!({
        "crypto": {
            "cipher": "aes-128-ctr",
            "cipherparams": { "iv": hex::encode(iv) },
            "ciphertext": hex::encode(ct),
            "kdf": if scrypt_kdf { "scrypt" } else { "pbkdf2" },
            "kdfparams": kdfparams,
            "mac": hex::encode(chain::keccak256(&mac_in)),
        },
        "version": 3
    })
    .to_string()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    fs::write(dir.join(name), bytes).unwrap();
}

fn clean(dir: &Path) {
    fs::create_dir_all(dir).unwrap();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let keep = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("regression-") || n.starts_with("extra-"));
        if !keep {
            fs::remove_file(path).unwrap();
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var("KEYWARD_ROOT").unwrap_or_else(|_| ".".into()));
    let fixtures = root.join("src-tauri/crates/crypto/tests/fixtures");
    let seeds = root.join("fuzz/seeds");
    assert!(fixtures.is_dir(), "run from the repository root");

    let fixture = |name: &str| fs::read_to_string(fixtures.join(name)).unwrap();
    let mut texts = Vec::new();

    // Every fixture, as it is (the encrypted ones are under another passphrase: they reach
    // the decryption and fail there).
    let mut names: Vec<String> = fs::read_dir(&fixtures)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n != "README.md")
        .collect();
    names.sort();
    for name in &names {
        let format = if name.starts_with("ssh-") && !name.ends_with(".pub") {
            ImportFormat::Openssh
        } else {
            ImportFormat::Pem
        };
        texts.push(plain(
            &format!("fixture-{name}"),
            format,
            None,
            &fixture(name),
        ));
    }

    // One fresh key per algorithm, in every private format it has.
    let rsa = PrivateKey::from_pem(&fixture("rsa2048-pkcs1.pem"), None).unwrap();
    let mut keys: Vec<PrivateKey> = KeyAlg::ALL
        .iter()
        .filter(|a| !a.is_rsa())
        .map(|a| PrivateKey::generate(*a).unwrap())
        .collect();
    keys.push(rsa);
    for key in &keys {
        let alg = key.alg();
        for (format, import_as) in [
            (PrivateFormat::Pem, ImportFormat::Pem),
            (PrivateFormat::Jwk, ImportFormat::Jwk),
            (PrivateFormat::Hex, ImportFormat::Hex),
            (PrivateFormat::Wif, ImportFormat::Wif),
        ] {
            if let Ok(text) = key.export(format, None) {
                texts.push(plain(
                    &format!("{alg}-{}", format.as_str()),
                    import_as,
                    Some(alg),
                    &text,
                ));
            }
        }
        // Encrypted PKCS#8 under each target's passphrase, one PBKDF2 round.
        texts.push(Text {
            name: format!("{alg}-pkcs8-enc"),
            format: ImportFormat::Pem,
            alg: None,
            auto_text: key.to_encrypted_pkcs8_pem_with(AUTO_PASS, 1).unwrap(),
            formats_text: key.to_encrypted_pkcs8_pem_with(FORMATS_PASS, 1).unwrap(),
            needs_pass: true,
        });
    }

    let k1 = chain::eos_private_decode(EOS_K1).unwrap();
    texts.push(plain("eos-k1", ImportFormat::Eos, None, EOS_K1));
    texts.push(plain(
        "eos-legacy",
        ImportFormat::Eos,
        None,
        &chain::eos_private_legacy(&k1),
    ));
    texts.push(plain(
        "wif-uncompressed",
        ImportFormat::Wif,
        None,
        WIF_UNCOMPRESSED,
    ));
    texts.push(plain(
        "wif-compressed",
        ImportFormat::Wif,
        None,
        &chain::wif_encode(&k1, true),
    ));
    texts.push(plain("xprv", ImportFormat::Xprv, None, XPRV));
    texts.push(plain("mnemonic", ImportFormat::Mnemonic, None, MNEMONIC));
    texts.push(plain(
        "hex-0x-secp256k1",
        ImportFormat::Hex,
        Some(KeyAlg::Secp256k1),
        &format!("0x{}", hex::encode(*k1)),
    ));
    for (kdf, scrypt_kdf) in [("scrypt", true), ("pbkdf2", false)] {
        texts.push(Text {
            name: format!("keystore-{kdf}"),
            format: ImportFormat::Keystore,
            alg: None,
            auto_text: keystore(&k1, AUTO_PASS, scrypt_kdf),
            formats_text: keystore(&k1, FORMATS_PASS, scrypt_kdf),
            needs_pass: true,
        });
    }

    // import_auto: byte 0 = alg index (7 = none) | 0x80 for the passphrase.
    let dir = seeds.join("import_auto");
    clean(&dir);
    for t in &texts {
        let sel = alg_index(t.alg) | if t.needs_pass { 0x80 } else { 0 };
        let mut bytes = vec![sel];
        bytes.extend_from_slice(t.auto_text.as_bytes());
        // Every seed but the fixtures (some are public or under another passphrase) imports.
        if !t.name.starts_with("fixture-") {
            let opts = ImportOptions {
                format: ImportFormat::Auto,
                alg: t.alg,
                path: None,
                passphrase: t.needs_pass.then_some(AUTO_PASS),
            };
            import(&t.auto_text, &opts).unwrap_or_else(|e| panic!("{}: {e}", t.name));
            let opts = ImportOptions {
                format: t.format,
                passphrase: t.needs_pass.then_some(FORMATS_PASS),
                ..opts
            };
            import(&t.formats_text, &opts).unwrap_or_else(|e| panic!("{}: {e}", t.name));
        }
        write(&dir, &t.name, &bytes);
    }

    // import_formats: byte 0 = format index | alg index << 4 | 0x80 for the passphrase.
    let dir = seeds.join("import_formats");
    clean(&dir);
    for t in &texts {
        let sel =
            format_index(t.format) | (alg_index(t.alg) << 4) | if t.needs_pass { 0x80 } else { 0 };
        let mut bytes = vec![sel];
        bytes.extend_from_slice(t.formats_text.as_bytes());
        write(&dir, &t.name, &bytes);
    }

    // pem_blocks: every PEM text.
    let dir = seeds.join("pem_blocks");
    clean(&dir);
    for t in texts.iter().filter(|t| t.auto_text.contains("-----BEGIN ")) {
        write(&dir, &t.name, t.auto_text.as_bytes());
    }

    // storage: the keychain form of every key, an HD key's too.
    let dir = seeds.join("storage");
    clean(&dir);
    let hd_key = PrivateKey::from_hd(hd::parse_xprv(XPRV).unwrap());
    for key in keys.iter().chain([&hd_key]) {
        let name = if key.hd_meta().is_some() {
            "hd-secp256k1".to_string()
        } else {
            key.alg().to_string()
        };
        write(&dir, &name, &key.to_storage());
    }

    // backup_restore: byte 0 even = a whole file, odd = a payload (sealed by the target).
    let dir = seeds.join("backup_restore");
    clean(&dir);
    let entries: Vec<serde_json::Value> = keys
        .iter()
        .chain([&hd_key])
        .enumerate()
        .map(|(i, key)| {
            let public = key.public();
            serde_json::json!({
                "id": format!("{:016x}", 0xabc0 + i),
                "label": format!("key {i}"),
                "alg": key.alg().as_str(),
                "fingerprint": public.fingerprint(),
                "createdAt": "2026-01-01T00:00:00Z",
                "tags": ["fuzz"],
                "origin": "generated",
                "xpub": public.xpub(),
                "secret": STANDARD.encode(&*key.to_storage()),
            })
        })
        .collect();
    for (name, keys) in [("one-key", &entries[..1]), ("all-keys", &entries[..])] {
        let payload = serde_json::json!({
            "format": 1,
            "createdAt": "2026-01-01T00:00:00Z",
            "sourceVaultId": "00112233445566778899aabbccddeeff",
            "sourceMode": "passphrase",
            "keys": keys,
        })
        .to_string();
        let mut bytes = vec![1u8];
        bytes.extend_from_slice(payload.as_bytes());
        write(&dir, &format!("payload-{name}"), &bytes);
        let params = KdfParams {
            m_kib: 8,
            t: 1,
            p: 1,
        };
        let file =
            keyward_crypto::backup::seal_backup(payload.as_bytes(), BACKUP_PASS, params).unwrap();
        let mut bytes = vec![0u8];
        bytes.extend_from_slice(&file);
        write(&dir, &format!("file-{name}"), &bytes);
    }
    let empty = r#"{"format":1,"createdAt":"","sourceVaultId":"","sourceMode":"none","keys":[]}"#;
    write(
        &dir,
        "payload-empty",
        &[&[1u8][..], empty.as_bytes()].concat(),
    );

    println!("seeds written under {}", seeds.display());
}

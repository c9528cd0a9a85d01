//! Signature interop: what `keyward-cli sign` makes, an independent implementation verifies, and
//! (where cheap) what that implementation makes, `keyward-cli verify` accepts.
//!
//! - raw ECDSA (P-256, P-384, secp256k1; DER and r‖s; message, hex, file and digest input):
//!   `openssl dgst -sha256|-sha384 -verify`;
//! - EIP-191: ethers `verifyMessage` recovers the key's `eth` export (text and `--hex` bytes);
//!   ethers `signMessage` signatures verify in Keyward; PROTOCOLS.md §7 vector byte for byte;
//! - BSM: @bsv/sdk recovers the key's `btc` address; PROTOCOLS.md §7 vector byte for byte;
//! - EOS: eosjs-ecc verifies against the key's `eos` export, and eosjs-ecc `sign` with the key's
//!   WIF gives the very same SIG_K1_ string (RFC 6979 plus the EOS canonical loop, checked to
//!   have retried with ethers' first-attempt signature);
//! - Ed25519: `openssl pkeyutl -verify -rawin`;
//! - bad input: each malformed or refused request is a `sign.*` error with exit status 7.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use keyward_tests::interop::{node, node_fails};
use keyward_tests::{describe, exit, run_command, Cli, Keyring};
use serde_json::Value;
use sha2::{Digest, Sha256, Sha384};
use std::process::Command;

/// secp256k1's group order, big-endian.
const SECP256K1_N: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
    0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41,
];

// PROTOCOLS.md §7 vectors.
const EIP191_KEY: &str = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
const EIP191_ADDRESS: &str = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23";
const EIP191_SIG: &str = "0xb91467e570a6466aa9e9876cbcd013baba02900b8979d43fe208a4a4f339f5fd\
                          6007e74cd82e037b800186422fc2da167c747ef045e5d18a5f5d4300f8e1a0291c";
const BSM_KEY: &str = "0499f8239bfe10eb0f5e53d543635a423c96529dd85fa4bad42049a0b435ebdd";
const BSM_ADDRESS: &str = "1KeiT9opiiEyqBjazSix8muc1JuFNNWEKe";
const BSM_SIG: &str =
    "IFxPx8JHsCiivB+DW/RgNpCLT6yG3j436cUNWKekV3ORBrHNChIjeVReyAco7PVmmDtVD3POs9FhDlm/nk5I6O8=";
/// = SHA-256("") as a key.
const EOS_WIF: &str = "5KYZdUEo39z3FPrtuX2QbbwGnNP5zTd7yyr2SC1j299sBCnWjss";
const EOS_LEGACY: &str = "EOS859gxfnXyUriMgUeThh1fWv3oqcpLFyHa3TfFYC4PK2HqhToVM";
const EOS_K1: &str = "PUB_K1_859gxfnXyUriMgUeThh1fWv3oqcpLFyHa3TfFYC4PK2Ht7beeX";

// ---------------------------------------------------------------------------------------------
// Helpers

/// `key import - --format F [--alg A] --label L` with `text` on stdin: the key id.
fn import(cli: &Cli, text: &str, format: &str, alg: Option<&str>, label: &str) -> String {
    let mut args = vec!["key", "import", "-", "--format", format, "--label", label];
    if let Some(a) = alg {
        args.extend_from_slice(&["--alg", a]);
    }
    let k = cli.json_stdin(&args, text.as_bytes());
    k["id"].as_str().expect("id").to_string()
}

/// `key export K --format F` without its final newline.
fn export(cli: &Cli, key: &str, format: &str) -> String {
    cli.export(key, format).trim_end_matches('\n').to_string()
}

/// `key export-private K --format F --yes` without its final newline.
fn export_private(cli: &Cli, key: &str, format: &str) -> String {
    let r = cli.json(&["key", "export-private", key, "--format", format, "--yes"]);
    assert_eq!(r["format"], format, "{r}");
    r["text"]
        .as_str()
        .expect("text")
        .trim_end_matches('\n')
        .to_string()
}

/// `--json sign --key K --scheme S INPUT…`: the result (`{scheme, signature, digest, signer}`),
/// after checking its shape.
fn sign_json(cli: &Cli, key: &str, scheme: &str, input: &[&str]) -> Value {
    let mut args = vec!["sign", "--key", key, "--scheme", scheme];
    args.extend_from_slice(input);
    let r = cli.json(&args);
    assert_eq!(r["scheme"], scheme, "{args:?}: {r}");
    // Ed25519 signs the message itself: no digest to report.
    let fields: &[&str] = if scheme == "ed25519" {
        &["signature", "signer"]
    } else {
        &["signature", "digest", "signer"]
    };
    for field in fields {
        assert!(
            r[field].as_str().is_some_and(|s| !s.is_empty()),
            "{args:?}: no {field} in {r}"
        );
    }
    r
}

/// The signature alone, as `sign` prints it.
fn sign(cli: &Cli, key: &str, scheme: &str, input: &[&str]) -> String {
    sign_json(cli, key, scheme, input)["signature"]
        .as_str()
        .expect("signature")
        .to_string()
}

/// `keyward-cli verify ARGS` (plain, not JSON): exit status and stdout.
fn verify(cli: &Cli, args: &[&str]) -> (Option<i32>, String) {
    let mut full = vec!["verify"];
    full.extend_from_slice(args);
    let out = cli.run(&full);
    (
        out.status.code(),
        String::from_utf8(out.stdout).expect("UTF-8 output"),
    )
}

/// `keyward-cli verify ARGS` must say `valid` and exit 0; the `--json` form must agree.
fn assert_valid(cli: &Cli, args: &[&str]) {
    let (code, text) = verify(cli, args);
    assert!(
        code == Some(0) && text.starts_with("valid"),
        "verify {args:?} should be valid: status {code:?}: {text}"
    );
    let mut full = vec!["verify"];
    full.extend_from_slice(args);
    let r = cli.json(&full);
    assert_eq!(r["valid"], true, "verify --json {args:?}: {r}");
}

/// `keyward-cli verify ARGS` must say `INVALID` and exit 1; the `--json` form must agree.
fn assert_invalid(cli: &Cli, args: &[&str]) {
    let (code, text) = verify(cli, args);
    assert!(
        code == Some(exit::INVALID) && text.starts_with("INVALID"),
        "verify {args:?} should be INVALID with exit 1: status {code:?}: {text}"
    );
    let mut full = vec!["verify"];
    full.extend_from_slice(args);
    let (code, doc) = cli.json_any(&full);
    assert_eq!(code, Some(exit::INVALID), "verify --json {args:?}: {doc}");
    assert_eq!(
        doc["result"]["valid"], false,
        "verify --json {args:?}: {doc}"
    );
}

/// `openssl ARGS`: whether it succeeded, and stdout + stderr.
fn openssl_try(args: &[&str]) -> (bool, String) {
    let mut cmd = Command::new("openssl");
    cmd.args(args);
    let out = run_command(cmd, None);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// `openssl dgst -HASH -verify PUB -signature SIG DATA` must print `Verified OK`.
fn openssl_dgst_verifies(hash: &str, pub_pem: &str, sig: &str, data: &str, what: &str) {
    let args = ["dgst", hash, "-verify", pub_pem, "-signature", sig, data];
    let (ok, text) = openssl_try(&args);
    assert!(
        ok && text.contains("Verified OK"),
        "{what}: openssl {args:?}: {text}"
    );
}

/// One DER INTEGER of an unsigned big-endian number.
fn der_integer(bytes: &[u8]) -> Vec<u8> {
    let first = bytes
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(bytes.len() - 1);
    let mut v = bytes[first..].to_vec();
    if v[0] & 0x80 != 0 {
        v.insert(0, 0);
    }
    let mut out = vec![0x02, v.len() as u8];
    out.extend_from_slice(&v);
    out
}

/// The DER `SEQUENCE { r, s }` of a fixed-size r‖s (short-form length: P-256 and P-384 fit).
fn der_from_rs(rs: &[u8]) -> Vec<u8> {
    let (r, s) = rs.split_at(rs.len() / 2);
    let mut body = der_integer(r);
    body.extend(der_integer(s));
    assert!(body.len() < 128);
    let mut out = vec![0x30, body.len() as u8];
    out.extend(body);
    out
}

/// a − b for 32-byte big-endian numbers, a ≥ b.
fn sub256(a: &[u8; 32], b: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let mut d = a[i] as i16 - b[i] as i16 - borrow;
        borrow = 0;
        if d < 0 {
            d += 256;
            borrow = 1;
        }
        out[i] = d as u8;
    }
    assert_eq!(borrow, 0, "a < b");
    out
}

fn hex0x(s: &str) -> Vec<u8> {
    hex::decode(s.trim_start_matches("0x")).unwrap_or_else(|e| panic!("hex {s}: {e}"))
}

// ---------------------------------------------------------------------------------------------
// raw ECDSA: openssl

#[test]
fn raw_ecdsa_signatures_verify_with_openssl() {
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    // Through an agent: one unlock instead of one per signature.
    let _agent = cli.spawn_agent();
    let message = "raw ECDSA for openssl: ünïcode ✓\n";
    let msg_file = cli.scratch_file("msg.txt", message);
    let other_file = cli.scratch_file("other.txt", "another message");
    // (alg, openssl digest flag, digest of the message)
    let cases = [
        ("p256", "-sha256", Sha256::digest(message).to_vec()),
        ("p384", "-sha384", Sha384::digest(message).to_vec()),
        ("secp256k1", "-sha256", Sha256::digest(message).to_vec()),
    ];
    for (alg, hash, digest) in cases {
        let key = cli.gen_alg(alg, alg);
        let pub_pem = cli.scratch_file(&format!("{alg}.pub.pem"), cli.export(&key, "pem"));
        let digest_hex = hex::encode(&digest);
        let hex_arg = format!("0x{}", hex::encode(message));
        let inputs: [(&str, [&str; 2]); 4] = [
            ("--message", ["--message", message]),
            ("--hex", ["--hex", &hex_arg]),
            ("--message-file", ["--message-file", &msg_file]),
            ("--digest", ["--digest", &digest_hex]),
        ];
        for (what, input) in &inputs {
            let r = sign_json(&cli, &key, "raw", input);
            assert_eq!(
                r["digest"], digest_hex,
                "{alg} {what}: the digest Keyward reports is the message's {hash}"
            );
            let der = hex::decode(r["signature"].as_str().unwrap()).expect("raw is hex DER");
            assert_eq!(
                der[0],
                0x30,
                "{alg} {what}: DER SEQUENCE: {}",
                hex::encode(&der)
            );
            let sig = cli.scratch_file("sig.der", &der);
            openssl_dgst_verifies(hash, &pub_pem, &sig, &msg_file, &format!("{alg} {what}"));
            // The control: the same signature over another message must not verify.
            let (ok, text) = openssl_try(&[
                "dgst",
                hash,
                "-verify",
                &pub_pem,
                "-signature",
                &sig,
                &other_file,
            ]);
            assert!(
                !ok && text.contains("Verification failure"),
                "{alg} {what}: openssl verified a signature over another message: {text}"
            );
        }

        // --encoding rs: fixed-size r‖s, which openssl verifies once put into DER.
        let rs = hex::decode(sign(
            &cli,
            &key,
            "raw",
            &["--message", message, "--encoding", "rs"],
        ))
        .expect("r‖s is hex");
        let half = if alg == "p384" { 48 } else { 32 };
        assert_eq!(rs.len(), 2 * half, "{alg}: r‖s length");
        let sig = cli.scratch_file("sig-rs.der", der_from_rs(&rs));
        openssl_dgst_verifies(
            hash,
            &pub_pem,
            &sig,
            &msg_file,
            &format!("{alg} --encoding rs"),
        );

        // The signature alone on stdout, as the help says.
        let out = cli.run(&[
            "sign",
            "--key",
            &key,
            "--scheme",
            "raw",
            "--message",
            message,
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
        let text = String::from_utf8(out.stdout).unwrap();
        let line = text.trim_end_matches('\n');
        assert!(
            !line.is_empty() && !line.contains('\n') && hex::decode(line).is_ok(),
            "{alg}: plain sign prints one hex line: {text:?}"
        );
        let sig = cli.scratch_file("sig-plain.der", hex::decode(line).unwrap());
        openssl_dgst_verifies(
            hash,
            &pub_pem,
            &sig,
            &msg_file,
            &format!("{alg} plain output"),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// EIP-191: ethers

#[test]
fn eip191_signatures_recover_to_the_eth_address_in_ethers() {
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    let key = cli.gen_alg("secp256k1", "eth");
    let _agent = cli.spawn_agent();
    let address = export(&cli, &key, "eth");
    assert!(
        address.starts_with("0x") && address.len() == 42,
        "{address}"
    );

    // Text (as UTF-8), multi-line text, and from a file.
    for message in ["hello keyward", "ünïcode ✓ and\nlines\n"] {
        let r = sign_json(&cli, &key, "eip191", &["--message", message]);
        let sig = r["signature"].as_str().unwrap();
        let bytes = hex0x(sig);
        assert!(sig.starts_with("0x") && bytes.len() == 65, "{sig}");
        assert!(matches!(bytes[64], 27 | 28), "v is 27 or 28: {sig}");
        assert_eq!(r["signer"], address, "{r}");
        let v = node("eth-verify-message", &[message, sig]);
        assert_eq!(v["address"], address, "ethers recovers {message:?}");
    }
    let file = cli.scratch_file("msg.txt", "from a file\r\n");
    let sig = sign(&cli, &key, "eip191", &["--message-file", &file]);
    let v = node("eth-verify-message", &["from a file\r\n", &sig]);
    assert_eq!(v["address"], address, "ethers recovers the file's message");

    // --hex: the bytes, not the hex text, are what is signed (here not even UTF-8).
    let sig = sign(&cli, &key, "eip191", &["--hex", "0xff00fe01"]);
    let v = node("eth-verify-message", &["0xff00fe01", &sig, "hex"]);
    assert_eq!(v["address"], address, "ethers recovers the --hex bytes");
    let v = node("eth-verify-message", &["0xff00fe01", &sig]);
    assert_ne!(
        v["address"], address,
        "the hex text itself must not be what was signed"
    );

    // The reverse: ethers signMessage → Keyward verify.
    let priv_hex = export_private(&cli, &key, "hex");
    let e = node("eth-sign-message", &[&priv_hex, "signed by ethers"]);
    assert_eq!(e["address"], address, "ethers derives the same address");
    let esig = e["signature"].as_str().unwrap();
    assert_valid(
        &cli,
        &[
            "--scheme",
            "eip191",
            "--signature",
            esig,
            "--address",
            &address,
            "--message",
            "signed by ethers",
        ],
    );
    assert_valid(
        &cli,
        &[
            "--scheme",
            "eip191",
            "--signature",
            esig,
            "--key",
            &key,
            "--message",
            "signed by ethers",
        ],
    );
    assert_invalid(
        &cli,
        &[
            "--scheme",
            "eip191",
            "--signature",
            esig,
            "--address",
            &address,
            "--message",
            "signed by ethers!",
        ],
    );
    let e = node("eth-sign-message", &[&priv_hex, "0x00ff", "hex"]);
    assert_valid(
        &cli,
        &[
            "--scheme",
            "eip191",
            "--signature",
            e["signature"].as_str().unwrap(),
            "--address",
            &address,
            "--hex",
            "00ff",
        ],
    );
}

#[test]
fn eip191_public_vector_signs_byte_for_byte() {
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    let key = import(&cli, EIP191_KEY, "hex", Some("secp256k1"), "vector");
    assert_eq!(export(&cli, &key, "eth"), EIP191_ADDRESS);
    let r = sign_json(&cli, &key, "eip191", &["--message", "Some data"]);
    assert_eq!(r["signature"], EIP191_SIG, "PROTOCOLS.md §7 EIP-191 vector");
    assert_eq!(
        r["digest"].as_str().unwrap().trim_start_matches("0x"),
        "1da44b586eb0729ff70a73c326926f6ed5a25f5b056e7f47fbc6e58d86871655",
        "{r}"
    );
    // ethers makes the same signature (RFC 6979, low-S).
    let e = node("eth-sign-message", &[EIP191_KEY, "Some data"]);
    assert_eq!(e["signature"], EIP191_SIG);
    assert_valid(
        &cli,
        &[
            "--scheme",
            "eip191",
            "--signature",
            EIP191_SIG,
            "--address",
            EIP191_ADDRESS,
            "--message",
            "Some data",
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// BSM: @bsv/sdk

#[test]
fn bsm_signatures_verify_with_bsv_sdk() {
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    let _agent = cli.spawn_agent();
    let key = cli.gen_alg("secp256k1", "btc");
    let address = export(&cli, &key, "btc");
    for message in ["hello bsm", "ünïcode ✓"] {
        let r = sign_json(&cli, &key, "bsm", &["--message", message]);
        let sig = r["signature"].as_str().unwrap();
        let bytes = STANDARD.decode(sig).expect("bsm is base64");
        assert_eq!(bytes.len(), 65, "{sig}");
        assert!(
            (31..=34).contains(&bytes[0]),
            "compressed-key header 31..34: {sig}"
        );
        let v = node("bsm-verify", &[message, sig, &address]);
        assert_eq!(v["valid"], true, "@bsv/sdk: {v}");
        assert_eq!(v["address"], address, "{v}");
        assert_eq!(v["compressed"], true, "{v}");
        // The control: another message recovers another address.
        let v = node("bsm-verify", &["not the message", sig, &address]);
        assert_eq!(v["valid"], false, "@bsv/sdk accepted another message: {v}");
    }

    // PROTOCOLS.md §7 (go-sdk): deterministic, byte for byte; @bsv/sdk and Keyward verify it.
    let vkey = import(&cli, BSM_KEY, "hex", Some("secp256k1"), "bsm-vector");
    assert_eq!(export(&cli, &vkey, "btc"), BSM_ADDRESS);
    assert_eq!(
        sign(&cli, &vkey, "bsm", &["--message", "test message"]),
        BSM_SIG,
        "PROTOCOLS.md §7 BSM vector"
    );
    let v = node("bsm-verify", &["test message", BSM_SIG, BSM_ADDRESS]);
    assert_eq!(v["valid"], true, "@bsv/sdk verifies the §7 vector: {v}");
    assert_valid(
        &cli,
        &[
            "--scheme",
            "bsm",
            "--signature",
            BSM_SIG,
            "--address",
            BSM_ADDRESS,
            "--message",
            "test message",
        ],
    );
    assert_invalid(
        &cli,
        &[
            "--scheme",
            "bsm",
            "--signature",
            BSM_SIG,
            "--address",
            &address,
            "--message",
            "test message",
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// EOS: eosjs-ecc

#[test]
fn eos_signatures_are_byte_identical_to_eosjs_ecc() {
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    let key = cli.gen_alg("secp256k1", "eos");
    let _agent = cli.spawn_agent();
    let k1 = export(&cli, &key, "eos");
    let legacy = export(&cli, &key, "eos-legacy");
    assert!(
        k1.starts_with("PUB_K1_") && legacy.starts_with("EOS"),
        "{k1} {legacy}"
    );
    let wif = export_private(&cli, &key, "wif");

    let messages = [
        "eos 0",
        "eos 1",
        "eos 2",
        "eos 3",
        "eos 4",
        "eos message with ünïcode ✓",
        "signed by eosjs-ecc",
    ];
    // eosjs-ecc signs them all in one start-up.
    let mut args = vec![wif.as_str(), "utf8"];
    args.extend_from_slice(&messages);
    let theirs = node("eos-sign-many", &args)["signatures"]
        .as_array()
        .expect("signatures")
        .clone();
    assert_eq!(theirs.len(), messages.len());
    // Keyward's signatures of all but the last, which is eosjs-ecc's alone (below).
    for (i, message) in messages[..messages.len() - 1].iter().enumerate() {
        let r = sign_json(&cli, &key, "eos", &["--message", message]);
        let sig = r["signature"].as_str().unwrap();
        assert!(sig.starts_with("SIG_K1_"), "{sig}");
        assert_eq!(r["signer"], k1, "{r}");
        assert_eq!(theirs[i], sig, "eosjs-ecc sign of {message:?}");
        if i < 2 {
            let v = node("eos-verify", &[message, sig, &k1]);
            assert_eq!(v["valid"], true, "eosjs-ecc verify: {v}");
            assert_eq!(v["recoveredK1"], k1, "{v}");
            assert_eq!(v["recovered"], legacy, "{v}");
        }
    }
    // --hex bytes and --digest (the SHA-256 eosjs-ecc takes of the data) sign the same way.
    let sig = sign(&cli, &key, "eos", &["--hex", "00ff10"]);
    assert_eq!(node("eos-sign", &["00ff10", &wif, "hex"])["signature"], sig);
    let digest = hex::encode(Sha256::digest("eos 0"));
    assert_eq!(
        theirs[0],
        sign(&cli, &key, "eos", &["--digest", &digest]),
        "--digest SHA-256(\"eos 0\")"
    );

    // The reverse: an eosjs-ecc signature verifies in Keyward, by PUB_K1_ and by EOS….
    let esig = theirs[messages.len() - 1]
        .as_str()
        .expect("a signature")
        .to_string();
    for who in [&k1, &legacy] {
        assert_valid(
            &cli,
            &[
                "--scheme",
                "eos",
                "--signature",
                &esig,
                "--address",
                who,
                "--message",
                "signed by eosjs-ecc",
            ],
        );
    }
    assert_valid(
        &cli,
        &[
            "--scheme",
            "eos",
            "--signature",
            &esig,
            "--key",
            &key,
            "--message",
            "signed by eosjs-ecc",
        ],
    );
    assert_invalid(
        &cli,
        &[
            "--scheme",
            "eos",
            "--signature",
            &esig,
            "--address",
            &k1,
            "--message",
            "signed by someone",
        ],
    );
}

/// With the §7 key, "keyward eos message 0" and "… 4" need the EOS canonical loop (their first
/// RFC 6979 signature has r ≥ 2^255) and "… 1" does not: Keyward must match eosjs-ecc either way.
#[test]
fn eos_canonical_loop_matches_eosjs_ecc_on_the_public_vector_key() {
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    let key = import(&cli, EOS_WIF, "eos", None, "eos-vector");
    assert_eq!(export(&cli, &key, "eos"), EOS_K1);
    assert_eq!(export(&cli, &key, "eos-legacy"), EOS_LEGACY);
    let priv_hex = export_private(&cli, &key, "hex");
    assert_eq!(
        priv_hex,
        hex::encode(Sha256::digest("")),
        "§7: the key is SHA-256(\"\")"
    );
    let _agent = cli.spawn_agent();

    let cases = [
        ("keyward eos message 0", true),
        ("keyward eos message 1", false),
        ("keyward eos message 4", true),
        ("keyward eos message 5", true),
        ("keyward eos message 2", false),
    ];
    let mut args = vec![EOS_WIF, "utf8"];
    args.extend(cases.iter().map(|(m, _)| *m));
    let theirs = node("eos-sign-many", &args)["signatures"].clone();
    // What a plain RFC 6979 signer (ethers) makes on its first attempt: the r of the EOS
    // signature (bytes 1..33 of the 65) differs exactly when the loop retried.
    let digests: Vec<String> = cases
        .iter()
        .map(|(m, _)| hex::encode(Sha256::digest(m)))
        .collect();
    let mut args = vec![priv_hex.as_str()];
    args.extend(digests.iter().map(String::as_str));
    let first = node("eth-sign-digest", &args)["signatures"].clone();

    for (i, (message, retried)) in cases.into_iter().enumerate() {
        let sig = sign(&cli, &key, "eos", &["--message", message]);
        assert_eq!(theirs[i], sig, "eosjs-ecc sign of {message:?}");
        let decoded = bs58_decode(sig.trim_start_matches("SIG_K1_"));
        assert_eq!(decoded.len(), 69, "65 bytes and a 4-byte checksum: {sig}");
        assert!((31..=34).contains(&decoded[0]), "i = 27 + 4 + recid: {sig}");
        let r = hex::encode(&decoded[1..33]);
        assert_eq!(
            r != first[i]["r"].as_str().expect("r"),
            retried,
            "{message:?}: r {r} vs ethers' first-attempt r {}",
            first[i]["r"]
        );
        assert!(
            decoded[1] < 0x80 && decoded[33] < 0x80,
            "EOS-canonical: {sig}"
        );
    }
}

/// Base58 (Bitcoin alphabet) decoding, for looking inside a SIG_K1_.
fn bs58_decode(s: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    let mut out: Vec<u8> = Vec::new();
    for c in s.bytes() {
        let mut carry = ALPHABET
            .iter()
            .position(|a| *a == c)
            .unwrap_or_else(|| panic!("not base58: {c}")) as u32;
        for b in out.iter_mut().rev() {
            carry += (*b as u32) * 58;
            *b = (carry & 0xff) as u8;
            carry >>= 8;
        }
        while carry > 0 {
            out.insert(0, (carry & 0xff) as u8);
            carry >>= 8;
        }
    }
    let zeros = s.bytes().take_while(|c| *c == b'1').count();
    let mut v = vec![0u8; zeros];
    v.extend(out);
    v
}

// ---------------------------------------------------------------------------------------------
// Ed25519: openssl

#[test]
fn ed25519_signatures_verify_with_openssl() {
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    let key = cli.gen_alg("ed25519", "ed");
    let pub_pem = cli.scratch_file("ed.pub.pem", cli.export(&key, "pem"));
    let message = "Ed25519 for openssl ✓";
    let msg = cli.scratch_file("msg.txt", message);
    let other = cli.scratch_file("other.txt", "Ed25519 for openssl !");
    for input in [
        vec!["--message", message],
        vec!["--message-file", msg.as_str()],
    ] {
        let sig = hex::decode(sign(&cli, &key, "ed25519", &input)).expect("ed25519 is hex");
        assert_eq!(sig.len(), 64);
        let sig_file = cli.scratch_file("sig.bin", &sig);
        let args = |data: &str| {
            vec![
                "pkeyutl".to_string(),
                "-verify".into(),
                "-pubin".into(),
                "-inkey".into(),
                pub_pem.clone(),
                "-rawin".into(),
                "-in".into(),
                data.to_string(),
                "-sigfile".into(),
                sig_file.clone(),
            ]
        };
        let a = args(&msg);
        let (ok, text) = openssl_try(&a.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(
            ok && text.contains("Signature Verified Successfully"),
            "{input:?}: {text}"
        );
        let a = args(&other);
        let (ok, text) = openssl_try(&a.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(!ok, "openssl verified another message: {text}");
    }
}

// ---------------------------------------------------------------------------------------------
// Bad input: sign.* with exit 7

#[test]
fn malformed_and_refused_requests_are_sign_errors() {
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    let k1 = cli.gen_alg("secp256k1", "k1");
    let p384 = cli.gen_alg("p384", "p384");
    let _agent = cli.spawn_agent();
    let d32 = "00".repeat(32);
    let rows: [(&[&str], &str); 7] = [
        // A digest of the wrong length for the curve.
        (
            &["--key", &k1, "--scheme", "raw", "--digest", "0011"],
            "sign.bad_input",
        ),
        (
            &[
                "--key",
                &k1,
                "--scheme",
                "raw",
                "--digest",
                &"00".repeat(31),
            ],
            "sign.bad_input",
        ),
        (
            &["--key", &p384, "--scheme", "raw", "--digest", &d32],
            "sign.bad_input",
        ),
        (
            &[
                "--key",
                &k1,
                "--scheme",
                "eos",
                "--digest",
                &"00".repeat(33),
            ],
            "sign.bad_input",
        ),
        // Odd-length and non-hex --hex.
        (
            &["--key", &k1, "--scheme", "eip191", "--hex", "0x001"],
            "sign.bad_input",
        ),
        (
            &["--key", &k1, "--scheme", "raw", "--hex", "zz"],
            "sign.bad_input",
        ),
        // A digest where the scheme hashes a message itself.
        (
            &["--key", &k1, "--scheme", "eip191", "--digest", &d32],
            "sign.bad_input",
        ),
    ];
    for (input, code) in rows {
        let mut args = vec!["sign"];
        args.extend_from_slice(input);
        cli.json_err(&args, code, exit::SIGN);
    }

    // The usage policy: jwt only forbids eip191; reset allows it again.
    let r = cli.json(&["key", "policy", &k1, "--allow", "jwt"]);
    assert_eq!(r["usage"], serde_json::json!(["jwt"]), "{r}");
    let err = cli.json_err(
        &["sign", "--key", &k1, "--scheme", "eip191", "--message", "x"],
        "sign.policy_forbidden",
        exit::SIGN,
    );
    assert!(err["message"].as_str().unwrap().contains("eip191"), "{err}");
    cli.json_err(
        &["sign", "--key", &k1, "--scheme", "bsm", "--message", "x"],
        "sign.policy_forbidden",
        exit::SIGN,
    );
    cli.json(&["key", "policy", &k1, "--reset"]);
    sign(&cli, &k1, "eip191", &["--message", "x"]);

    // Verify: a high-S EIP-191 signature (s → n − s, v flipped) is the same point but not
    // canonical (EIP-2); ethers refuses it too.
    let message = "high S";
    let sig = hex0x(&sign(&cli, &k1, "eip191", &["--message", message]));
    let mut high = sig[..32].to_vec();
    high.extend(sub256(&SECP256K1_N, &sig[32..64]));
    high.push(if sig[64] == 27 { 28 } else { 27 });
    let high = format!("0x{}", hex::encode(&high));
    let stderr = node_fails("eth-verify-message", &[message, &high]);
    assert!(stderr.contains("non-canonical"), "ethers: {stderr}");
    cli.json_err(
        &[
            "verify",
            "--scheme",
            "eip191",
            "--signature",
            &high,
            "--key",
            &k1,
            "--message",
            message,
        ],
        "sign.non_canonical",
        exit::SIGN,
    );
    // Malformed signatures.
    cli.json_err(
        &[
            "verify",
            "--scheme",
            "eip191",
            "--signature",
            "0x1234",
            "--key",
            &k1,
            "--message",
            "x",
        ],
        "sign.bad_signature",
        exit::SIGN,
    );
    let eos = sign(&cli, &k1, "eos", &["--message", "x"]);
    cli.json_err(
        &[
            "verify",
            "--scheme",
            "eos",
            "--signature",
            &format!("{eos}1"),
            "--key",
            &k1,
            "--message",
            "x",
        ],
        "sign.bad_signature",
        exit::SIGN,
    );
    cli.json_err(
        &[
            "verify",
            "--scheme",
            "bsm",
            "--signature",
            "bm90IGEgc2lnbmF0dXJl",
            "--key",
            &k1,
            "--message",
            "x",
        ],
        "sign.bad_signature",
        exit::SIGN,
    );
}

/// A scheme the key's algorithm cannot do is `sign.scheme_not_for_alg` — not a policy matter:
/// no policy can allow eip191 on a P-256 key (`key policy --allow eip191` refuses it).
#[test]
fn a_scheme_the_algorithm_cannot_do_is_scheme_not_for_alg() {
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    let p256 = cli.gen_alg("p256", "p256");
    let k1 = cli.gen_alg("secp256k1", "k1");
    // The policy command itself says so.
    cli.json_err(
        &["key", "policy", &p256, "--allow", "eip191"],
        "sign.scheme_not_for_alg",
        exit::SIGN,
    );
    for (key, scheme) in [(&p256, "eip191"), (&p256, "eos"), (&k1, "ed25519")] {
        cli.json_err(
            &["sign", "--key", key, "--scheme", scheme, "--message", "x"],
            "sign.scheme_not_for_alg",
            exit::SIGN,
        );
    }
}

/// A SIG_K1_ whose checksum is wrong is a malformed signature: a `sign.*` error, exit 7.
#[test]
fn an_eos_signature_with_a_broken_checksum_is_a_sign_error() {
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    let k1 = cli.gen_alg("secp256k1", "k1");
    let sig = sign(&cli, &k1, "eos", &["--message", "x"]);
    // Change the last base58 digit: same length, checksum no longer matches.
    let last = sig.chars().last().unwrap();
    let broken = format!(
        "{}{}",
        &sig[..sig.len() - 1],
        if last == '2' { '3' } else { '2' }
    );
    let stderr = node_fails("eos-verify", &["x", &broken, &export(&cli, &k1, "eos")]);
    assert!(
        stderr.to_lowercase().contains("checksum"),
        "eosjs-ecc: {stderr}"
    );
    let err = cli.json_err(
        &[
            "verify",
            "--scheme",
            "eos",
            "--signature",
            &broken,
            "--key",
            &k1,
            "--message",
            "x",
        ],
        "sign.bad_signature",
        exit::SIGN,
    );
    assert!(
        err["message"].as_str().unwrap().contains("checksum"),
        "{err}"
    );
}

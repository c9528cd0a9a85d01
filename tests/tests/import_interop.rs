//! Import interop: for every import format, a key made by an independent tool imports, and what
//! Keyward exports of it is exactly what that tool computes.
//!
//! - pem (SEC1, PKCS#1, PKCS#8, encrypted PKCS#8, legacy encrypted PEM): made by openssl,
//!   checked against `openssl pkey` (-pubout, PKCS#8, -passin of Keyward's pkcs8-enc export);
//! - hex: the `priv:` openssl prints, checked against `openssl pkey -pubout`;
//! - openssh: made by ssh-keygen, checked against its .pub line and `ssh-keygen -y` / `-i`;
//! - keystore: ethers `encryptKeystoreJsonSync`, checked against ethers' address and decryption;
//! - mnemonic: the Hardhat mnemonic, checked against ethers `HDNodeWallet` (address, xpub,
//!   xprv), the published Hardhat addresses, eosjs-ecc (eos preset) and @bsv/sdk (btc preset);
//! - xprv: ethers' and PROTOCOLS.md §7's, checked against ethers `fromExtendedKey`;
//! - eos: eosjs-ecc's and PROTOCOLS.md §7's, checked against eosjs-ecc;
//! - wif: @bsv/sdk's (compressed) and eosjs-ecc's (uncompressed), checked against @bsv/sdk;
//! - jwk: node:crypto's, checked against openssl, jose's thumbprint and node:crypto.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use keyward_tests::interop::{node, node_stdin};
use keyward_tests::{describe, exit, openssl, p256_scalar, pem_body, run_command, Cli, Keyring};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};

/// The Hardhat / Foundry test mnemonic, and the well-known addresses of its accounts.
const HARDHAT: &str = "test test test test test test test test test test test junk";
const HARDHAT_0: &str = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const HARDHAT_1: &str = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const HARDHAT_5: &str = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";

// ---------------------------------------------------------------------------------------------
// Helpers

/// Writes `contents` to `name` in the CLI's scratch dir (mode 0600: ssh-keygen insists on it
/// for private keys); returns the path as a string.
fn scratch_file(cli: &Cli, name: &str, contents: impl AsRef<[u8]>) -> String {
    let path = cli.scratch().join(name);
    std::fs::write(&path, contents).expect("write scratch file");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    path.to_str().expect("UTF-8 path").to_string()
}

fn utf8(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).expect("tool output is UTF-8")
}

/// `key import ARGS` (from a file, or stdin when `stdin` is given, with `-` in ARGS): checks
/// the shape of the result and returns it.
fn import(cli: &Cli, args: &[&str], stdin: Option<&[u8]>) -> Value {
    let mut full = vec!["key", "import"];
    full.extend_from_slice(args);
    let k = match stdin {
        Some(s) => cli.json_stdin(&full, s),
        None => cli.json(&full),
    };
    for field in ["id", "label", "alg", "createdAt", "origin"] {
        assert!(
            k[field].as_str().is_some_and(|s| !s.is_empty()),
            "import result without {field}: {k}"
        );
    }
    let fp = k["fingerprint"].as_str().expect("fingerprint");
    assert!(
        fp.len() == 64 && fp.chars().all(|c| c.is_ascii_hexdigit()),
        "fingerprint {fp}"
    );
    assert!(k["tags"].is_array(), "tags: {k}");
    k
}

fn id_of(k: &Value) -> String {
    k["id"].as_str().expect("id").to_string()
}

/// `key export-private K --format F --yes`: the text.
fn export_private(cli: &Cli, id: &str, format: &str) -> String {
    let r = cli.json(&["key", "export-private", id, "--format", format, "--yes"]);
    assert_eq!(r["format"], format, "{r}");
    r["text"].as_str().expect("text").to_string()
}

/// The `priv:` bytes `openssl pkey -text` prints (EC scalar or Ed25519 seed), as `len` bytes.
fn openssl_priv_bytes(pem: &str, len: usize) -> Vec<u8> {
    let text = utf8(openssl(&["pkey", "-text", "-noout"], pem.as_bytes()));
    let digits: String = text
        .lines()
        .skip_while(|l| l.trim() != "priv:")
        .skip(1)
        .take_while(|l| l.starts_with(' '))
        .flat_map(|l| l.chars().filter(|c| c.is_ascii_hexdigit()))
        .collect();
    let mut bytes = hex::decode(&digits).unwrap_or_else(|e| panic!("priv {digits:?}: {e}"));
    // A number: a leading 00 when the top bit is set, leading zero bytes dropped.
    while bytes.len() > len && bytes[0] == 0 {
        bytes.remove(0);
    }
    assert!(
        !bytes.is_empty() && bytes.len() <= len,
        "priv is {} bytes:\n{text}",
        bytes.len()
    );
    let mut out = vec![0u8; len - bytes.len()];
    out.extend_from_slice(&bytes);
    out
}

/// Checks key `id` against the private key `original` (any PEM openssl reads, unencrypted):
/// the public PEM is `openssl pkey -pubout` byte for byte, the private PEM is `openssl pkey`
/// (PKCS#8) byte for byte, the fingerprint is the SHA-256 of openssl's SPKI DER, and the
/// encrypted PKCS#8 export opens with `openssl pkey -passin file:F` to the same key.
fn check_pem_exports(cli: &Cli, id: &str, original: &str, what: &str) {
    let want_pub = utf8(openssl(&["pkey", "-pubout"], original.as_bytes()));
    assert_eq!(
        cli.export(id, "pem"),
        want_pub,
        "{what}: key export --format pem vs openssl pkey -pubout"
    );
    let want_priv = utf8(openssl(&["pkey"], original.as_bytes()));
    assert!(want_priv.starts_with("-----BEGIN PRIVATE KEY-----\n"));
    assert_eq!(
        export_private(cli, id, "pem"),
        want_priv,
        "{what}: key export-private --format pem vs openssl pkey"
    );
    let spki = openssl(&["pkey", "-pubout", "-outform", "DER"], original.as_bytes());
    assert_eq!(
        cli.export(id, "fingerprint"),
        format!("{}\n", hex::encode(Sha256::digest(&spki))),
        "{what}: fingerprint = SHA-256 of openssl's SPKI DER"
    );

    // One trailing newline is stripped by both Keyward and openssl's file: source.
    let pass = scratch_file(cli, "export-pass", "export pass phrase 1\n");
    let r = cli.json(&[
        "key",
        "export-private",
        id,
        "--format",
        "pkcs8-enc",
        "--yes",
        "--passphrase-file",
        &pass,
    ]);
    assert_eq!(r["format"], "pkcs8-enc", "{r}");
    let enc = r["text"].as_str().expect("text");
    assert!(
        enc.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----\n") && enc.ends_with("-----\n"),
        "{what}: {enc}"
    );
    assert!(
        !enc.contains(want_priv.lines().nth(1).expect("a body line")),
        "{what}: the encrypted export holds the plain PKCS#8"
    );
    let opened = utf8(openssl(
        &["pkey", "-passin", &format!("file:{pass}")],
        enc.as_bytes(),
    ));
    assert_eq!(
        opened, want_priv,
        "{what}: openssl pkey -passin of the pkcs8-enc export"
    );
}

// ---------------------------------------------------------------------------------------------
// openssl

#[test]
fn openssl_keys_of_every_algorithm_export_what_openssl_derives() {
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    // (label, openssl command, first line of its output, Keyward's alg)
    let cases: [(&str, &[&str], &str, &str); 6] = [
        (
            "p256-sec1",
            &["ecparam", "-genkey", "-name", "prime256v1"],
            "-----BEGIN EC PARAMETERS-----",
            "p256",
        ),
        (
            "p384-sec1",
            &["ecparam", "-genkey", "-name", "secp384r1", "-noout"],
            "-----BEGIN EC PRIVATE KEY-----",
            "p384",
        ),
        (
            "secp256k1-sec1",
            &["ecparam", "-genkey", "-name", "secp256k1", "-noout"],
            "-----BEGIN EC PRIVATE KEY-----",
            "secp256k1",
        ),
        (
            "ed25519-pkcs8",
            &["genpkey", "-algorithm", "ed25519"],
            "-----BEGIN PRIVATE KEY-----",
            "ed25519",
        ),
        (
            "rsa2048-pkcs1",
            &["genrsa", "-traditional", "2048"],
            "-----BEGIN RSA PRIVATE KEY-----",
            "rsa2048",
        ),
        (
            "rsa2048-pkcs8",
            &[
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
            ],
            "-----BEGIN PRIVATE KEY-----",
            "rsa2048",
        ),
    ];
    for (i, (label, cmd, first_line, alg)) in cases.into_iter().enumerate() {
        let pem = utf8(openssl(cmd, b""));
        assert!(pem.starts_with(first_line), "{label}: {pem}");
        // Half from a file with --format pem, half from stdin with detection.
        let k = if i % 2 == 0 {
            let file = scratch_file(&cli, &format!("{label}.pem"), &pem);
            import(&cli, &[&file, "--format", "pem", "--label", label], None)
        } else {
            import(&cli, &["-", "--label", label], Some(pem.as_bytes()))
        };
        assert_eq!(k["label"], label, "{k}");
        assert_eq!(k["alg"], alg, "{label}: {k}");
        assert_eq!(k["origin"], "pem", "{label}: {k}");
        check_pem_exports(&cli, &id_of(&k), &pem, label);
    }
    assert_eq!(cli.key_ids().len(), 6);
}

#[test]
fn encrypted_pems_from_openssl_open_with_the_passphrase_file() {
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    let pass = scratch_file(&cli, "input-pass", "input pass phrase\n");
    let p256 = utf8(openssl(
        &["ecparam", "-genkey", "-name", "prime256v1", "-noout"],
        b"",
    ));
    let ed = utf8(openssl(&["genpkey", "-algorithm", "ed25519"], b""));
    let pkcs8 = |pem: &str| {
        utf8(openssl(
            &[
                "pkcs8",
                "-topk8",
                "-v2",
                "aes-256-cbc",
                "-passout",
                "pass:input pass phrase",
            ],
            pem.as_bytes(),
        ))
    };
    let legacy = utf8(openssl(
        &["ec", "-aes256", "-passout", "pass:input pass phrase"],
        p256.as_bytes(),
    ));
    assert!(legacy.contains("Proc-Type: 4,ENCRYPTED"), "{legacy}");
    let cases = [
        ("p256-pkcs8-enc", pkcs8(&p256), p256.clone(), "p256"),
        ("ed25519-pkcs8-enc", pkcs8(&ed), ed, "ed25519"),
        ("p256-legacy-enc", legacy, p256, "p256"),
    ];
    for (label, encrypted, plain, alg) in cases {
        if label.contains("pkcs8") {
            assert!(
                encrypted.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"),
                "{encrypted}"
            );
        }
        // openssl itself opens it with the same file.
        let opened = openssl(
            &["pkey", "-passin", &format!("file:{pass}")],
            encrypted.as_bytes(),
        );
        assert_eq!(opened, openssl(&["pkey"], plain.as_bytes()), "{label}");
        let k = import(
            &cli,
            &["-", "--passphrase-file", &pass, "--label", label],
            Some(encrypted.as_bytes()),
        );
        assert_eq!(k["alg"], alg, "{label}: {k}");
        check_pem_exports(&cli, &id_of(&k), &plain, label);
    }
}

#[test]
fn raw_hex_scalars_printed_by_openssl_import_with_alg() {
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    // (alg, openssl command, key length)
    let cases: [(&str, &[&str], usize); 4] = [
        (
            "p256",
            &["ecparam", "-genkey", "-name", "prime256v1", "-noout"],
            32,
        ),
        (
            "p384",
            &["ecparam", "-genkey", "-name", "secp384r1", "-noout"],
            48,
        ),
        (
            "secp256k1",
            &["ecparam", "-genkey", "-name", "secp256k1", "-noout"],
            32,
        ),
        ("ed25519", &["genpkey", "-algorithm", "ed25519"], 32),
    ];
    for (alg, cmd, len) in cases {
        let pem = utf8(openssl(cmd, b""));
        let scalar = openssl_priv_bytes(&pem, len);
        if alg == "p256" {
            // The harness's reading (openssl ec -text, cross-checked with the DER) agrees.
            assert_eq!(p256_scalar(&pem).as_slice(), scalar.as_slice());
        }
        let hex_text = format!("{}\n", hex::encode(&scalar));
        let k = import(
            &cli,
            &["-", "--format", "hex", "--alg", alg, "--label", alg],
            Some(hex_text.as_bytes()),
        );
        assert_eq!(k["alg"], alg, "{k}");
        assert_eq!(k["origin"], "hex", "{k}");
        let id = id_of(&k);
        assert_eq!(
            cli.export(&id, "pem"),
            utf8(openssl(&["pkey", "-pubout"], pem.as_bytes())),
            "{alg}: public PEM of the hex scalar vs openssl pkey -pubout"
        );
        assert_eq!(
            export_private(&cli, &id, "pem"),
            utf8(openssl(&["pkey"], pem.as_bytes())),
            "{alg}: PKCS#8 of the hex scalar vs openssl pkey"
        );
        assert_eq!(
            export_private(&cli, &id, "hex"),
            hex_text,
            "{alg}: hex export"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// ssh-keygen

fn ssh_keygen(args: &[&str]) -> Vec<u8> {
    let mut cmd = Command::new("ssh-keygen");
    cmd.args(args).stdin(Stdio::null());
    let out = run_command(cmd, None);
    assert!(
        out.status.success(),
        "ssh-keygen {args:?} failed (apt-get install openssh-client): {}",
        describe(&out)
    );
    out.stdout
}

/// The SPKI DER of the Ed25519 key of an OpenSSH public key line (`ssh-ed25519 BASE64 …`).
fn ed25519_spki_of_ssh_line(line: &str) -> Vec<u8> {
    let blob = STANDARD
        .decode(line.split(' ').nth(1).expect("key blob"))
        .expect("base64 blob");
    // string "ssh-ed25519" (4 + 11 bytes), string key (4 + 32 bytes).
    assert_eq!(blob.len(), 51, "ssh-ed25519 blob");
    assert_eq!(&blob[4..15], b"ssh-ed25519");
    let mut spki = hex::decode("302a300506032b6570032100").unwrap();
    spki.extend_from_slice(&blob[19..]);
    spki
}

#[test]
fn ssh_keygen_keys_export_the_same_openssh_line() {
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    let pass = scratch_file(&cli, "ssh-pass", "ssh pass phrase\n");
    // (name, ssh-keygen type args, passphrase, Keyward's alg)
    let cases: [(&str, &[&str], &str, &str); 6] = [
        ("ed25519", &["-t", "ed25519"], "", "ed25519"),
        ("ecdsa256", &["-t", "ecdsa", "-b", "256"], "", "p256"),
        ("ecdsa384", &["-t", "ecdsa", "-b", "384"], "", "p384"),
        ("rsa2048", &["-t", "rsa", "-b", "2048"], "", "rsa2048"),
        (
            "ed25519-pass",
            &["-t", "ed25519"],
            "ssh pass phrase",
            "ed25519",
        ),
        (
            "ecdsa256-pass",
            &["-t", "ecdsa", "-b", "256"],
            "ssh pass phrase",
            "p256",
        ),
    ];
    // The ECDSA keys are random: about one in 256 has a scalar with a leading zero byte, which
    // Keyward currently refuses (see the next test, which has such keys as fixtures).
    for (name, type_args, passphrase, alg) in cases {
        let file = cli.scratch().join(format!("id_{name}"));
        let file = file.to_str().unwrap();
        let mut args = vec!["-q"];
        args.extend_from_slice(type_args);
        args.extend_from_slice(&["-N", passphrase, "-C", "fixture", "-f", file]);
        ssh_keygen(&args);
        let private = std::fs::read_to_string(file).unwrap();
        assert!(
            private.starts_with("-----BEGIN OPENSSH PRIVATE KEY-----"),
            "{private}"
        );
        let pub_line = std::fs::read_to_string(format!("{file}.pub")).unwrap();
        assert!(pub_line.ends_with(" fixture\n"), "{pub_line}");

        let mut import_args = vec![file, "--format", "openssh", "--label", "fixture"];
        if !passphrase.is_empty() {
            import_args.extend_from_slice(&["--passphrase-file", &pass]);
        }
        let k = import(&cli, &import_args, None);
        assert_eq!(k["alg"], alg, "{name}: {k}");
        assert_eq!(k["origin"], "openssh", "{name}: {k}");
        let id = id_of(&k);
        // The comment Keyward writes is the key's label: the whole line is ssh-keygen's.
        assert_eq!(
            cli.export(&id, "openssh"),
            pub_line,
            "{name}: key export --format openssh vs the .pub ssh-keygen wrote"
        );

        // The other way: ssh-keygen reads the private key Keyward exports (PKCS#8 PEM).
        let exported = export_private(&cli, &id, "pem");
        let exported_file = scratch_file(&cli, &format!("exported_{name}.pem"), &exported);
        let key_only: Vec<&str> = pub_line.split(' ').take(2).collect();
        if alg == "ed25519" {
            // OpenSSH (9.2 here) reads no PKCS#8 Ed25519 key ("invalid format";
            // do_convert_from_pkcs8: unsupported pubkey type), so for Ed25519 that direction is
            // checked through openssl instead: the SPKI of Keyward's private PEM is the key in
            // ssh-keygen's .pub line.
            let spki = openssl(&["pkey", "-pubout", "-outform", "DER"], exported.as_bytes());
            assert_eq!(
                spki,
                ed25519_spki_of_ssh_line(&pub_line),
                "{name}: openssl's SPKI of the exported key vs the .pub"
            );
            assert_eq!(pem_body(&cli.export(&id, "pem")), spki, "{name}");
        } else {
            let derived = utf8(ssh_keygen(&["-y", "-f", &exported_file]));
            assert_eq!(
                derived.trim_end(),
                key_only.join(" "),
                "{name}: ssh-keygen -y of Keyward's PKCS#8 export vs the .pub"
            );
            // And ssh-keygen converts Keyward's public PEM to the same key.
            let pub_pem = scratch_file(&cli, &format!("pub_{name}.pem"), cli.export(&id, "pem"));
            let converted = utf8(ssh_keygen(&["-i", "-m", "PKCS8", "-f", &pub_pem]));
            assert_eq!(
                converted.trim_end(),
                key_only.join(" "),
                "{name}: ssh-keygen -i"
            );
        }
    }

    // Detection: the same kind of file imported without --format records the same origin as
    // with --format openssh.
    let file = cli.scratch().join("id_ed25519");
    let auto = import(
        &cli,
        &[file.to_str().unwrap(), "--label", "fixture-auto"],
        None,
    );
    assert_eq!(auto["alg"], "ed25519", "{auto}");
    assert_eq!(
        auto["origin"], "openssh",
        "an OpenSSH key imported with --format auto: origin {auto}"
    );
}

/// ssh-keygen ECDSA keys (`ssh-keygen -t ecdsa -b 256|384 -N '' -C fixture`, kept as made)
/// whose private scalar begins with a zero byte: OpenSSH writes the scalar as an mpint, without
/// that byte (31 bytes for P-256, 47 for P-384). One ssh-keygen key in 256 is like this.
const SSH_P256_SHORT_SCALAR: &str = r"-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAaAAAABNlY2RzYS
1zaGEyLW5pc3RwMjU2AAAACG5pc3RwMjU2AAAAQQQs1huIAu/IMBFsvtJ0v0kqf5Y70EV+
uy8LkQM9j4ZbLs6gyj8VtM99qDkEbfDOqxfVL97vZBcrak+CrfxrtAo4AAAAoMeiMbHHoj
GxAAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBCzWG4gC78gwEWy+
0nS/SSp/ljvQRX67LwuRAz2PhlsuzqDKPxW0z32oOQRt8M6rF9Uv3u9kFytqT4Kt/Gu0Cj
gAAAAfOjk/Eu3b+lS76VQhP1Eld7yl/Y00IhuKt0vgal/ZggAAAAdmaXh0dXJlAQI=
-----END OPENSSH PRIVATE KEY-----
";
const SSH_P384_SHORT_SCALAR: &str = r"-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAiAAAABNlY2RzYS
1zaGEyLW5pc3RwMzg0AAAACG5pc3RwMzg0AAAAYQS0AEst4Sdo29mT2U2xlXgaduGdHop3
lWlrjSvCn2dxZ1pVPurEsl1BEfRKA9IYhPjGq/wXJPqAIyNpp+XWfqG7eteNX80x9NuBax
DE6Do6rBYewfRa7zSsnQXqe3b8tUQAAADQC/jEggv4xIIAAAATZWNkc2Etc2hhMi1uaXN0
cDM4NAAAAAhuaXN0cDM4NAAAAGEEtABLLeEnaNvZk9lNsZV4GnbhnR6Kd5Vpa40rwp9ncW
daVT7qxLJdQRH0SgPSGIT4xqv8FyT6gCMjaafl1n6hu3rXjV/NMfTbgWsQxOg6OqwWHsH0
Wu80rJ0F6nt2/LVEAAAAL3bO0jWTWFLEtHeUD5HW/MakTS+s2oY56v+p6a2UnUyPW4AXq+
qO33QwLBUYBCPJAAAAB2ZpeHR1cmUBAg==
-----END OPENSSH PRIVATE KEY-----
";

#[test]
fn ssh_keygen_ecdsa_keys_with_a_leading_zero_byte_import() {
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    for (name, key, alg, len) in [
        ("p256", SSH_P256_SHORT_SCALAR, "p256", 32),
        ("p384", SSH_P384_SHORT_SCALAR, "p384", 48),
    ] {
        let file = scratch_file(&cli, &format!("short_{name}"), key);
        let pub_line = utf8(ssh_keygen(&["-y", "-f", &file]));
        assert!(pub_line.ends_with(" fixture\n"), "{pub_line}");
        // ssh-keygen's own PKCS#8 of the key, and its scalar's leading zero (the point of the
        // fixture), read by openssl.
        let converted = scratch_file(&cli, &format!("short_{name}.p8"), key);
        ssh_keygen(&["-p", "-N", "", "-m", "PKCS8", "-f", &converted]);
        let pkcs8 = std::fs::read_to_string(&converted).unwrap();
        assert_eq!(
            openssl_priv_bytes(&pkcs8, len)[0],
            0,
            "{name}: fixture scalar"
        );

        // ssh-key 0.6.7 alone refuses these (it wants a full-width scalar); Keyward reads
        // the ECDSA section itself then.
        let k = import(
            &cli,
            &[&file, "--format", "openssh", "--label", "fixture"],
            None,
        );
        assert_eq!(k["alg"], alg, "{k}");
        let id = id_of(&k);
        assert_eq!(cli.export(&id, "openssh"), pub_line, "{name}");
        assert_eq!(
            export_private(&cli, &id, "pem"),
            utf8(openssl(&["pkey"], pkcs8.as_bytes())),
            "{name}: private PEM vs ssh-keygen's PKCS#8 through openssl"
        );

        // The same key encrypted by ssh-keygen (aes256-ctr, bcrypt-pbkdf).
        let encrypted = scratch_file(&cli, &format!("short_{name}.enc"), key);
        ssh_keygen(&["-p", "-N", "short-pass", "-f", &encrypted]);
        let pass = scratch_file(&cli, &format!("short_{name}.pass"), "short-pass\n");
        let wrong = scratch_file(&cli, &format!("short_{name}.wrong"), "long-pass\n");
        let (code, doc) = cli.json_any(&["key", "import", &encrypted, "--passphrase-file", &wrong]);
        assert_eq!(code, Some(exit::KEY), "{doc}");
        assert_eq!(doc["error"]["code"], "key.bad_passphrase", "{doc}");
        let k = import(
            &cli,
            &[&encrypted, "--passphrase-file", &pass, "--label", "fixture"],
            None,
        );
        assert_eq!(
            k["fingerprint"],
            cli.json(&["key", "show", &id])["fingerprint"],
            "{name}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// ethers: keystore, mnemonic, xprv

fn random_scalar_hex() -> String {
    // Any 32 random bytes are a valid secp256k1 scalar but with probability ~2^-128; the node
    // tools refuse the others.
    utf8(openssl(&["rand", "-hex", "32"], b""))
        .trim()
        .to_string()
}

#[test]
fn ethers_keystore_imports_with_its_password() {
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    let scalar = random_scalar_hex();
    let keystore = node("keystore-write", &[&scalar, "keystore password", "1024"]);
    assert_eq!(keystore["version"], 3, "{keystore}");
    let file = scratch_file(&cli, "keystore.json", keystore.to_string());
    let pass = scratch_file(&cli, "keystore-pass", "keystore password\n");
    let address = node("eth-address", &[&scalar])["address"]
        .as_str()
        .unwrap()
        .to_string();
    // ethers reads its own file back to the same account.
    let read = node("keystore-read", &[&file, "keystore password"]);
    assert_eq!(read["address"], address.as_str());

    for (label, format) in [("ks-explicit", Some("keystore")), ("ks-auto", None)] {
        let mut args = vec![file.as_str(), "--passphrase-file", &pass, "--label", label];
        if let Some(f) = format {
            args.extend_from_slice(&["--format", f]);
        }
        let k = import(&cli, &args, None);
        assert_eq!(k["alg"], "secp256k1", "{label}: {k}");
        assert_eq!(k["origin"], "keystore", "{label}: {k}");
        let id = id_of(&k);
        assert_eq!(
            cli.export(&id, "eth"),
            format!("{address}\n"),
            "{label}: eth address vs ethers"
        );
        assert_eq!(
            export_private(&cli, &id, "hex"),
            format!("{scalar}\n"),
            "{label}: the private key"
        );
        assert_eq!(
            format!("0x{}", export_private(&cli, &id, "hex").trim_end()),
            read["privateKey"].as_str().unwrap(),
            "{label}: vs ethers decryptKeystoreJson"
        );
    }
}

/// Imports `phrase` with `--path path` (and the BIP39 passphrase file, if any) and checks the
/// eth address, xpub and xprv against ethers at `full_path`.
fn check_mnemonic(
    cli: &Cli,
    phrase: &str,
    path: &str,
    full_path: &str,
    passphrase: Option<(&str, &str)>,
) -> (String, Value) {
    let mut ethers_args = vec![phrase, full_path];
    let mut args = vec!["-", "--format", "mnemonic", "--path", path];
    if let Some((text, file)) = passphrase {
        ethers_args.push(text);
        args.extend_from_slice(&["--passphrase-file", file]);
    }
    let want = node("mnemonic", &ethers_args);
    let k = import(cli, &args, Some(format!("{phrase}\n").as_bytes()));
    assert_eq!(k["alg"], "secp256k1", "{path}: {k}");
    assert_eq!(k["origin"], format!("mnemonic {full_path}"), "{path}: {k}");
    let id = id_of(&k);
    assert_eq!(
        cli.export(&id, "eth"),
        format!("{}\n", want["address"].as_str().unwrap()),
        "{path}: eth address vs ethers"
    );
    assert_eq!(
        cli.export(&id, "xpub"),
        format!("{}\n", want["xpub"].as_str().unwrap()),
        "{path}: xpub vs ethers"
    );
    assert_eq!(
        export_private(cli, &id, "xprv"),
        format!("{}\n", want["xprv"].as_str().unwrap()),
        "{path}: xprv vs ethers"
    );
    assert_eq!(
        format!("0x{}", export_private(cli, &id, "hex").trim_end()),
        want["privateKey"].as_str().unwrap(),
        "{path}: private key vs ethers"
    );
    (id, want)
}

#[test]
fn hardhat_mnemonic_derives_what_ethers_derives() {
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    let cases = [
        ("eth", "m/44'/60'/0'/0/0", HARDHAT_0),
        ("eth:1", "m/44'/60'/0'/0/1", HARDHAT_1),
        ("m/44'/60'/0'/0/5", "m/44'/60'/0'/0/5", HARDHAT_5),
    ];
    for (path, full, address) in cases {
        let (id, want) = check_mnemonic(&cli, HARDHAT, path, full, None);
        assert_eq!(want["address"], address, "ethers vs the Hardhat account");
        assert_eq!(cli.export(&id, "eth"), format!("{address}\n"));
    }
    // The default path is eth.
    let k = import(
        &cli,
        &["-", "--label", "default-path"],
        Some(HARDHAT.as_bytes()),
    );
    assert_eq!(k["origin"], "mnemonic m/44'/60'/0'/0/0", "{k}");
    assert_eq!(cli.export(&id_of(&k), "eth"), format!("{HARDHAT_0}\n"));

    // A BIP39 passphrase (one trailing newline of the file is stripped).
    let pass = scratch_file(&cli, "bip39-pass", "TREZOR\n");
    let (id, want) = check_mnemonic(
        &cli,
        HARDHAT,
        "eth",
        "m/44'/60'/0'/0/0",
        Some(("TREZOR", &pass)),
    );
    assert_ne!(want["address"], HARDHAT_0, "the passphrase changes the key");
    assert_ne!(cli.export(&id, "eth"), format!("{HARDHAT_0}\n"));

    // The eos and btc presets: the keys ethers derives at their paths, whose EOS and Bitcoin
    // forms eosjs-ecc and @bsv/sdk compute.
    let (id, want) = check_mnemonic(&cli, HARDHAT, "eos", "m/44'/194'/0'/0/0", None);
    let scalar = want["privateKey"]
        .as_str()
        .unwrap()
        .trim_start_matches("0x");
    let eos = node("eos-from-hex", &[scalar]);
    assert_eq!(
        cli.export(&id, "eos"),
        format!("{}\n", eos["k1"].as_str().unwrap())
    );
    assert_eq!(
        cli.export(&id, "eos-legacy"),
        format!("{}\n", eos["legacy"].as_str().unwrap())
    );
    let (id, want) = check_mnemonic(&cli, HARDHAT, "btc:2", "m/44'/0'/0'/0/2", None);
    let scalar = want["privateKey"]
        .as_str()
        .unwrap()
        .trim_start_matches("0x");
    let btc = node("btc", &[scalar]);
    assert_eq!(
        cli.export(&id, "btc"),
        format!("{}\n", btc["address"].as_str().unwrap())
    );
    assert_eq!(
        export_private(&cli, &id, "wif"),
        format!("{}\n", btc["wif"].as_str().unwrap())
    );
}

#[test]
fn xprv_from_ethers_and_the_spv_vector_import() {
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    let derived = node("mnemonic", &[HARDHAT, "m/44'/60'/0'/0/7"]);
    let xprv = derived["xprv"].as_str().unwrap();
    let want = node("xprv", &[xprv]);
    assert_eq!(want["address"], derived["address"]);
    for (label, format) in [("xprv-auto", "auto"), ("xprv-explicit", "xprv")] {
        let k = import(
            &cli,
            &["-", "--format", format, "--label", label],
            Some(format!("{xprv}\n").as_bytes()),
        );
        assert_eq!(k["alg"], "secp256k1", "{k}");
        assert_eq!(k["origin"], "xprv", "{k}");
        let id = id_of(&k);
        assert_eq!(
            cli.export(&id, "xpub"),
            format!("{}\n", want["xpub"].as_str().unwrap()),
            "{label}: xpub vs ethers"
        );
        assert_eq!(
            cli.export(&id, "eth"),
            format!("{}\n", want["address"].as_str().unwrap()),
            "{label}: eth address vs ethers"
        );
        assert_eq!(export_private(&cli, &id, "xprv"), format!("{xprv}\n"));
        assert_eq!(
            format!("0x{}", export_private(&cli, &id, "hex").trim_end()),
            want["privateKey"].as_str().unwrap()
        );
    }

    // PROTOCOLS.md §7, SPV nonce derivation: the child xprv and its xpub (a master key, too).
    let child = "xprvA8mj2ZL1w6Nqpi6D2amJLo4Gxy24tW9uv82nQKmamT2rkg5DgjzJZRFnW33e7QJwn65uUWSuN6YQyWrujNjZdVShPRnpNUSRVTru4cxaqfd";
    let child_xpub = "xpub6Mm5S4rumTw93CAg8cJJhw11WzrZHxsmHLxPCiBCKnZqdUQNEHJZ7DaGMKucRzXPHtoS2ZqsVSRjxVbibEvwmR2wXkZDd8RrTftmm42cRsf";
    let master = "xprv9s21ZrQH143K3N6qVJQAu4EP51qMcyrKYJLkLgmYXgz58xmVxVLSsbx2DfJUtjcnXK8NdvkHMKfmmg5AJT2nqqRWUrjSHX29qEJwBgBPkJQ";
    assert_eq!(node("xprv", &[child])["xpub"], child_xpub);
    for (label, x) in [("spv-child", child), ("spv-master", master)] {
        let id = id_of(&import(&cli, &["-", "--label", label], Some(x.as_bytes())));
        let want = node("xprv", &[x]);
        assert_eq!(
            cli.export(&id, "xpub"),
            format!("{}\n", want["xpub"].as_str().unwrap()),
            "{label}"
        );
        assert_eq!(
            cli.export(&id, "eth"),
            format!("{}\n", want["address"].as_str().unwrap()),
            "{label}"
        );
        if label == "spv-child" {
            assert_eq!(cli.export(&id, "xpub"), format!("{child_xpub}\n"));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// eosjs-ecc, @bsv/sdk

/// Checks the EOS exports and the private key of key `id`, imported from `input`, against
/// eosjs-ecc's reading `want` (and the published vector, when there is one).
fn check_eos_exports(cli: &Cli, id: &str, input: &str, want: &Value, vector: Option<(&str, &str)>) {
    assert_eq!(
        cli.export(id, "eos"),
        format!("{}\n", want["k1"].as_str().unwrap()),
        "{input}: --format eos vs eosjs-ecc"
    );
    assert_eq!(
        cli.export(id, "eos-legacy"),
        format!("{}\n", want["legacy"].as_str().unwrap()),
        "{input}: --format eos-legacy vs eosjs-ecc"
    );
    if let Some((legacy, k1)) = vector {
        assert_eq!(cli.export(id, "eos-legacy"), format!("{legacy}\n"));
        assert_eq!(cli.export(id, "eos"), format!("{k1}\n"));
    }
    assert_eq!(
        export_private(cli, id, "hex"),
        format!("{}\n", want["hex"].as_str().unwrap()),
        "{input}: private key vs eosjs-ecc"
    );
    // eosjs-ecc reads the WIF Keyward exports back to the same key.
    let wif = export_private(cli, id, "wif");
    assert_eq!(
        node("eos", &[wif.trim_end()])["hex"],
        want["hex"],
        "{input}"
    );
}

#[test]
fn eos_keys_match_eosjs_ecc() {
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    let random = node("eos-from-hex", &[&random_scalar_hex()]);
    // (input, PROTOCOLS.md §7 legacy public key, K1 public key; None: from eosjs-ecc only)
    let cases: [(&str, Option<(&str, &str)>); 3] = [
        (
            "5KYZdUEo39z3FPrtuX2QbbwGnNP5zTd7yyr2SC1j299sBCnWjss",
            Some((
                "EOS859gxfnXyUriMgUeThh1fWv3oqcpLFyHa3TfFYC4PK2HqhToVM",
                "PUB_K1_859gxfnXyUriMgUeThh1fWv3oqcpLFyHa3TfFYC4PK2Ht7beeX",
            )),
        ),
        (
            "5Juww5SS6aLWxopXBAWzwqrwadiZKz7XpKAiktXTKcfBGi1DWg8",
            Some((
                "EOS7tgwU6E7pAUQJgqEJt66Yi8cWvanTUW8ZfBjeXeJBQvhTU9ypi",
                "PUB_K1_7tgwU6E7pAUQJgqEJt66Yi8cWvanTUW8ZfBjeXeJBQvhYTBFvY",
            )),
        ),
        (random["pvt"].as_str().unwrap(), None),
    ];
    for (i, (input, vector)) in cases.into_iter().enumerate() {
        let want = node("eos", &[input]);
        if let Some((legacy, k1)) = vector {
            assert_eq!(want["legacy"], legacy, "eosjs-ecc vs PROTOCOLS.md §7");
            assert_eq!(want["k1"], k1, "eosjs-ecc vs PROTOCOLS.md §7");
        }
        for format in ["eos", "auto"] {
            let k = import(
                &cli,
                &[
                    "-",
                    "--format",
                    format,
                    "--label",
                    &format!("eos-{i}-{format}"),
                ],
                Some(format!("{input}\n").as_bytes()),
            );
            assert_eq!(k["alg"], "secp256k1", "{input}: {k}");
            // A legacy EOS private key is a Bitcoin uncompressed WIF, byte for byte: detection
            // cannot tell them apart and calls it a WIF.
            let origin = if format == "auto" && input.starts_with('5') {
                "wif"
            } else {
                "eos"
            };
            assert_eq!(k["origin"], origin, "{input} --format {format}: {k}");
            check_eos_exports(&cli, &id_of(&k), input, &want, vector);
        }
    }
    // The PROTOCOLS.md §7 EOS key is SHA-256("").
    let first = cli.key_ids();
    let hexes: Vec<String> = first
        .iter()
        .map(|id| export_private(&cli, id, "hex"))
        .collect();
    assert!(hexes.contains(
        &"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n".to_string()
    ));
}

#[test]
fn bitcoin_wifs_match_bsv_sdk() {
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    // PROTOCOLS.md §7 BSM key and its compressed P2PKH address, and a random key.
    let bsm = "0499f8239bfe10eb0f5e53d543635a423c96529dd85fa4bad42049a0b435ebdd";
    let cases = [bsm.to_string(), random_scalar_hex()];
    for (i, scalar) in cases.iter().enumerate() {
        let want = node("btc", &[scalar]);
        if i == 0 {
            assert_eq!(want["address"], "1KeiT9opiiEyqBjazSix8muc1JuFNNWEKe");
        }
        let wif = want["wif"].as_str().unwrap();
        assert_eq!(node("wif-to-hex", &[wif])["compressed"], true);
        let k = import(
            &cli,
            &["-", "--format", "wif", "--label", &format!("wif-{i}")],
            Some(format!("{wif}\n").as_bytes()),
        );
        assert_eq!(k["alg"], "secp256k1", "{k}");
        assert_eq!(k["origin"], "wif", "{k}");
        let id = id_of(&k);
        assert_eq!(
            cli.export(&id, "btc"),
            format!("{}\n", want["address"].as_str().unwrap()),
            "btc address vs @bsv/sdk"
        );
        assert_eq!(
            export_private(&cli, &id, "wif"),
            format!("{wif}\n"),
            "WIF export vs @bsv/sdk"
        );
        assert_eq!(export_private(&cli, &id, "hex"), format!("{scalar}\n"));
    }

    // An uncompressed WIF (eosjs-ecc writes them: an EOS legacy private key is one), detected.
    let scalar = random_scalar_hex();
    let uncompressed = node("eos-from-hex", &[&scalar])["wif"]
        .as_str()
        .unwrap()
        .to_string();
    let decoded = node("wif-to-hex", &[&uncompressed]);
    assert_eq!(decoded["compressed"], false, "{decoded}");
    assert_eq!(decoded["hex"], scalar.as_str());
    let k = import(
        &cli,
        &["-", "--format", "wif", "--label", "wif-uncompressed"],
        Some(uncompressed.as_bytes()),
    );
    let id = id_of(&k);
    assert_eq!(k["alg"], "secp256k1", "{k}");
    assert_eq!(export_private(&cli, &id, "hex"), format!("{scalar}\n"));
    // Keyward's Bitcoin forms are the compressed ones (see the report: not the address an
    // uncompressed-key wallet used).
    let want = node("btc", &[&scalar]);
    assert_eq!(
        cli.export(&id, "btc"),
        format!("{}\n", want["address"].as_str().unwrap())
    );
    assert_eq!(
        export_private(&cli, &id, "wif"),
        format!("{}\n", want["wif"].as_str().unwrap())
    );
}

// ---------------------------------------------------------------------------------------------
// node:crypto, jose

#[test]
fn jwks_from_node_crypto_import_and_round_trip() {
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    let cases: [(&str, &[&str], &str, &str); 3] = [
        (
            "p256",
            &["ecparam", "-genkey", "-name", "prime256v1", "-noout"],
            "EC",
            "ES256",
        ),
        (
            "rsa2048",
            &[
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
            ],
            "RSA",
            "",
        ),
        (
            "ed25519",
            &["genpkey", "-algorithm", "ed25519"],
            "OKP",
            "EdDSA",
        ),
    ];
    let mut ids = Vec::new();
    let mut spkis = Vec::new();
    for (i, (alg, cmd, kty, jws_alg)) in cases.into_iter().enumerate() {
        let pem = utf8(openssl(cmd, b""));
        let pem_file = scratch_file(&cli, &format!("{alg}.pem"), &pem);
        let jwk = node("jwk-private", &[&pem_file]);
        assert_eq!(jwk["kty"], kty, "{jwk}");
        assert!(jwk["d"].is_string(), "node's private JWK: {jwk}");
        let jwk_file = scratch_file(&cli, &format!("{alg}.jwk"), jwk.to_string());
        let format = if i % 2 == 0 { "jwk" } else { "auto" };
        let k = import(&cli, &[&jwk_file, "--format", format, "--label", alg], None);
        assert_eq!(k["alg"], alg, "{k}");
        assert_eq!(k["origin"], "jwk", "{k}");
        let id = id_of(&k);
        let spki = utf8(openssl(&["pkey", "-pubout"], pem.as_bytes()));
        assert_eq!(
            cli.export(&id, "pem"),
            spki,
            "{alg}: public PEM of the JWK vs openssl pkey -pubout of the original"
        );
        assert_eq!(
            export_private(&cli, &id, "pem"),
            utf8(openssl(&["pkey"], pem.as_bytes())),
            "{alg}: private PEM of the JWK vs openssl pkey of the original"
        );

        // The public JWK: node's members, and jose's RFC 7638 thumbprint as kid.
        let want = node("jwk-public", &[&pem_file]);
        let got: Value = serde_json::from_str(&cli.export(&id, "jwk")).expect("JWK is JSON");
        assert!(got.get("d").is_none(), "{got}");
        for member in ["kty", "crv", "x", "y", "n", "e"] {
            assert_eq!(got.get(member), want.get(member), "{alg}: JWK {member}");
        }
        assert_eq!(
            got["kid"], want["thumbprint"],
            "{alg}: kid vs jose calculateJwkThumbprint"
        );
        if !jws_alg.is_empty() {
            assert_eq!(got["alg"], jws_alg, "{got}");
        }

        // The private JWK Keyward exports is the same key to node.
        let private_jwk = export_private(&cli, &id, "jwk");
        let back = node_stdin("pkcs8-pem-from-jwk", &["-"], private_jwk.as_bytes());
        assert_eq!(
            openssl(&["pkey"], back["pem"].as_str().unwrap().as_bytes()),
            openssl(&["pkey"], pem.as_bytes()),
            "{alg}: node reads Keyward's private JWK as the original key"
        );
        ids.push(id);
        spkis.push(spki);
    }

    // A JWKS of two keys: each member round-trips through node to openssl's SPKI.
    let r = cli.json(&["key", "export", &ids[0], &ids[1], "--format", "jwks"]);
    assert_eq!(r["format"], "jwks", "{r}");
    let jwks: Value = serde_json::from_str(r["text"].as_str().unwrap()).expect("JWKS is JSON");
    let keys = jwks["keys"].as_array().expect("keys");
    assert_eq!(keys.len(), 2, "{jwks}");
    for (key, spki) in keys.iter().zip(&spkis) {
        assert!(key.get("d").is_none(), "{key}");
        let pem = node_stdin("spki-pem-from-jwk", &["-"], key.to_string().as_bytes());
        assert_eq!(
            pem["pem"].as_str().unwrap(),
            spki,
            "JWKS member through node vs openssl"
        );
    }
    assert_eq!(keys[0]["kty"], "EC");
    assert_eq!(keys[1]["kty"], "RSA");
}

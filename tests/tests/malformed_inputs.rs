//! Malformed key inputs: a table of inputs `key import` must refuse, each with the error code
//! that says what is wrong, a message and a hint, without echoing the input back — and after
//! the whole table nothing was stored: the keychain items and `key list` are unchanged.
//!
//! All rows run in ONE vault, through `--json key import - ARGS` with the input on stdin (not a
//! terminal: the CLI cannot prompt, so an encrypted input without --passphrase-file must say
//! `key.passphrase_required`). Every row is checked and every failure collected, so one run
//! lists all of them.

use keyward_tests::interop::node;
use keyward_tests::{describe, exit, openssl, run_command, Cli, Keyring, PASSPHRASE};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};

/// What a row must end with.
enum Want {
    /// `{"error":{"code":CODE,…}}`, exit 5.
    Key(&'static str),
    /// A usage error: exit 2 (clap: a message on stderr, no JSON).
    Usage,
}

struct Row {
    name: &'static str,
    input: Vec<u8>,
    args: Vec<String>,
    want: Want,
    /// Text that must not appear in the message or hint (a message that is wrong about the
    /// input).
    lacks: &'static [&'static str],
}

fn row(name: &'static str, input: impl Into<Vec<u8>>, args: &[&str], code: &'static str) -> Row {
    Row {
        name,
        input: input.into(),
        args: args.iter().map(|s| s.to_string()).collect(),
        want: Want::Key(code),
        lacks: &[],
    }
}

fn usage(name: &'static str, input: impl Into<Vec<u8>>, args: &[&str]) -> Row {
    Row {
        want: Want::Usage,
        ..row(name, input, args, "")
    }
}

impl Row {
    fn lacking(mut self, lacks: &'static [&'static str]) -> Row {
        self.lacks = lacks;
        self
    }
}

// ---------------------------------------------------------------------------------------------
// Fixture helpers

/// A file of keyward-crypto's test fixtures.
fn crypto_fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../src-tauri/crates/crypto/tests/fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn utf8(b: Vec<u8>) -> String {
    String::from_utf8(b).expect("UTF-8")
}

fn scratch_file(cli: &Cli, name: &str, contents: impl AsRef<[u8]>) -> String {
    let path = cli.scratch().join(name);
    std::fs::write(&path, contents).expect("write scratch file");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    path.to_str().expect("UTF-8 path").to_string()
}

fn ssh_keygen(args: &[&str]) {
    let mut cmd = Command::new("ssh-keygen");
    cmd.args(args).stdin(Stdio::null());
    let out = run_command(cmd, None);
    assert!(
        out.status.success(),
        "ssh-keygen {args:?} failed (apt-get install openssh-client): {}",
        describe(&out)
    );
}

const BASE58: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/// Base58Check of `payload` (Bitcoin's: double SHA-256 checksum).
fn base58check(payload: &[u8]) -> String {
    let mut data = payload.to_vec();
    data.extend_from_slice(&Sha256::digest(Sha256::digest(payload))[..4]);
    let zeros = data.iter().take_while(|&&b| b == 0).count();
    // Repeated division of the big-endian number by 58.
    let mut digits: Vec<u8> = Vec::new();
    let mut num = data.clone();
    while num.iter().any(|&b| b != 0) {
        let mut rem = 0u32;
        for b in num.iter_mut() {
            let acc = (rem << 8) | u32::from(*b);
            *b = (acc / 58) as u8;
            rem = acc % 58;
        }
        digits.push(BASE58[rem as usize]);
    }
    digits.extend(std::iter::repeat_n(b'1', zeros));
    digits.reverse();
    String::from_utf8(digits).unwrap()
}

/// `s` with the character at `at` replaced by another Base58 character.
fn flip_char(s: &str, at: usize) -> String {
    let mut b = s.as_bytes().to_vec();
    b[at] = if b[at] == b'2' { b'3' } else { b'2' };
    String::from_utf8(b).unwrap()
}

/// `s` with the characters at `at` and `at + 1` swapped (they must differ).
fn swap_chars(s: &str, at: usize) -> String {
    let mut b = s.as_bytes().to_vec();
    assert_ne!(b[at], b[at + 1], "swap of equal characters in {s}");
    b.swap(at, at + 1);
    String::from_utf8(b).unwrap()
}

/// A PEM block of `label` around `der`.
fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

/// The DER of a PEM (its body lines), for re-armouring changed bytes.
fn pem_der(text: &str) -> Vec<u8> {
    keyward_tests::pem_body(text)
}

/// The keystore's crypto object ("crypto", or "Crypto" as ethers writes it).
fn crypto_mut(ks: &mut Value) -> &mut Value {
    let key = if ks.get("crypto").is_some() {
        "crypto"
    } else {
        "Crypto"
    };
    ks.get_mut(key).expect("keystore crypto")
}

fn keystore_with(ks: &Value, change: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut ks = ks.clone();
    change(&mut ks);
    ks.to_string().into_bytes()
}

fn jwk_with(jwk: &Value, change: impl FnOnce(&mut serde_json::Map<String, Value>)) -> Vec<u8> {
    let mut jwk = jwk.clone();
    change(jwk.as_object_mut().expect("JWK object"));
    jwk.to_string().into_bytes()
}

/// The 12-characters-or-longer runs of base64/hex-ish characters of `input` outside PEM armour
/// lines: none of them may come back in an error.
fn long_tokens(input: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(input);
    text.lines()
        .filter(|l| !l.starts_with("-----"))
        .flat_map(|l| {
            l.split(|c: char| !(c.is_ascii_alphanumeric() || "+/=_".contains(c)))
                .filter(|t| t.len() > 12)
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// ssh-keygen P-521 keys (`ssh-keygen -t ecdsa -b 521 -N '' -C fixture`, kept as made): one
/// whose scalar mpint is 66 bytes, one whose is 65 (a leading zero byte dropped, as OpenSSH
/// writes it for about a quarter of P-521 keys).
const SSH_P521: &str = r"-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAArAAAABNlY2RzYS
1zaGEyLW5pc3RwNTIxAAAACG5pc3RwNTIxAAAAhQQAJ+EIj7SbIIwsCh3Tzos2shkHc+dP
ccJC9koS9g2pIUuUjhapUCMQtHGR/RoSb3xfbyDuj5XrK4AMuEIe3Qvw7RUB3dpwzshLK1
ha5jNNE2PMNr5lrjYVtds+q1cgtCo4k5tasI76L6D0ZG/wzXFgNPem9MvwivSIVdPHrUMa
yHDszd8AAAEIfN+8M3zfvDMAAAATZWNkc2Etc2hhMi1uaXN0cDUyMQAAAAhuaXN0cDUyMQ
AAAIUEACfhCI+0myCMLAod086LNrIZB3PnT3HCQvZKEvYNqSFLlI4WqVAjELRxkf0aEm98
X28g7o+V6yuADLhCHt0L8O0VAd3acM7ISytYWuYzTRNjzDa+Za42FbXbPqtXILQqOJObWr
CO+i+g9GRv8M1xYDT3pvTL8Ir0iFXTx61DGshw7M3fAAAAQgFmg10OySLVypxcHli5R04d
Rcj8Ug5/DEM3YIsTu05ICvo8767nf4TGPMMVICzzqOrYvPzJ9913lW0Y0wdp9nM//wAAAA
dmaXh0dXJlAQID
-----END OPENSSH PRIVATE KEY-----
";
const SSH_P521_SHORT_SCALAR: &str = r"-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAArAAAABNlY2RzYS
1zaGEyLW5pc3RwNTIxAAAACG5pc3RwNTIxAAAAhQQAUaSqII4PxLnwwl2NMKgAOgGjOubc
bwvrR9+HpoHYr99xUFBoZs/sE4JZ/kRZZU7acEs/Z8Ah7f+fdAqHnxWyHz4B2cIGYNeBG7
AXMYMznqQhIeK00L5SoPo3BrTHNp1+5B7hNuKQm05GEhMiti9AmrkMvlX20Or37wP1usTs
0Zn9S2cAAAEIg1WdloNVnZYAAAATZWNkc2Etc2hhMi1uaXN0cDUyMQAAAAhuaXN0cDUyMQ
AAAIUEAFGkqiCOD8S58MJdjTCoADoBozrm3G8L60ffh6aB2K/fcVBQaGbP7BOCWf5EWWVO
2nBLP2fAIe3/n3QKh58Vsh8+AdnCBmDXgRuwFzGDM56kISHitNC+UqD6Nwa0xzadfuQe4T
bikJtORhITIrYvQJq5DL5V9tDq9+8D9brE7NGZ/UtnAAAAQVCVFZofju4+S5EOqe6NvnF7
ozdfkXdiv/diO09Yn5Jmvx4f62H7rwYWxJ33NclMQs9NACNawMexHrAiTl25AdikAAAAB2
ZpeHR1cmUBAgME
-----END OPENSSH PRIVATE KEY-----
";

// ---------------------------------------------------------------------------------------------
// The table

fn table(cli: &Cli) -> Vec<Row> {
    // Passphrase files.
    let wrong = scratch_file(cli, "wrong-pass", "not the passphrase\n");
    let right = scratch_file(cli, "right-pass", "input pass phrase\n");

    // openssl keys.
    let p256 = utf8(openssl(
        &["ecparam", "-genkey", "-name", "prime256v1", "-noout"],
        b"",
    ));
    let p256_file = scratch_file(cli, "p256.pem", &p256);
    let p256_pub = utf8(openssl(&["pkey", "-pubout"], p256.as_bytes()));
    let cert = openssl(
        &[
            "req",
            "-new",
            "-x509",
            "-key",
            &p256_file,
            "-subj",
            "/CN=fixture",
            "-days",
            "1",
        ],
        b"",
    );
    let p521 = utf8(openssl(
        &["ecparam", "-genkey", "-name", "secp521r1", "-noout"],
        b"",
    ));
    let p521_pkcs8 = openssl(&["pkey"], p521.as_bytes());
    let brainpool = openssl(
        &["ecparam", "-genkey", "-name", "brainpoolP256r1", "-noout"],
        b"",
    );
    let dsa = utf8(openssl(&["dsaparam", "-genkey", "1024"], b""));
    // DSA parameters, then the key as PKCS#8; and the traditional "DSA PRIVATE KEY" form.
    assert!(dsa.contains("-----BEGIN PRIVATE KEY-----"), "{dsa}");
    let dsa_traditional = utf8(openssl(&["pkey", "-traditional"], dsa.as_bytes()));
    assert!(
        dsa_traditional.starts_with("-----BEGIN DSA PRIVATE KEY-----"),
        "{dsa_traditional}"
    );
    let rsa1024 = openssl(&["genrsa", "1024"], b"");
    let x25519 = openssl(&["genpkey", "-algorithm", "x25519"], b"");
    let ed448 = openssl(&["genpkey", "-algorithm", "ed448"], b"");
    let topk8 = |pass: &str| {
        openssl(
            &[
                "pkcs8",
                "-topk8",
                "-v2",
                "aes-256-cbc",
                "-passout",
                &format!("pass:{pass}"),
            ],
            p256.as_bytes(),
        )
    };
    let enc_pkcs8 = topk8("input pass phrase");
    let enc_with_vault_pass = topk8(PASSPHRASE);
    let legacy_enc = openssl(
        &["ec", "-aes256", "-passout", "pass:input pass phrase"],
        p256.as_bytes(),
    );

    // Broken PEMs.
    let p256_lines: Vec<&str> = p256.lines().collect();
    let truncated = format!("{}\n{}\n", p256_lines[0], p256_lines[1]);
    let mut corrupt_lines = p256_lines.clone();
    let corrupted_body = format!("!!{}", &p256_lines[1][2..]);
    corrupt_lines[1] = &corrupted_body;
    let corrupt = corrupt_lines.join("\n") + "\n";
    let wrong_end = p256.replace(
        "-----END EC PRIVATE KEY-----",
        "-----END RSA PRIVATE KEY-----",
    );
    let garbage_der = pem(
        "PRIVATE KEY",
        b"this is not DER at all, just some bytes in a PEM",
    );
    let pgp = pem(
        "PGP PRIVATE KEY BLOCK",
        &[0x95, 0x03, 0x98, 0x04, 0x5d, 0x1a],
    );

    // ssh-keygen keys.
    let ssh = |name: &str, args: &[&str], pass: &str| -> (String, String) {
        let file = cli.scratch().join(name);
        let file = file.to_str().unwrap();
        let mut all = vec!["-q"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["-N", pass, "-C", "fixture", "-f", file]);
        ssh_keygen(&all);
        (
            std::fs::read_to_string(file).unwrap(),
            std::fs::read_to_string(format!("{file}.pub")).unwrap(),
        )
    };
    let (ssh_enc, _) = ssh("id_enc", &["-t", "ed25519"], "input pass phrase");
    let (ssh_plain, ssh_pub) = ssh("id_plain", &["-t", "ed25519"], "");
    let ssh_lines: Vec<&str> = ssh_plain.lines().collect();
    let ssh_truncated = ssh_lines[..ssh_lines.len() - 2].join("\n") + "\n";
    let ssh_der = pem_der(&ssh_plain);
    let ssh_short_body = pem("OPENSSH PRIVATE KEY", &ssh_der[..100]);
    let mut bad_magic = ssh_der.clone();
    bad_magic[..15].copy_from_slice(b"openssh-key-v2\0");
    let ssh_bad_magic = pem("OPENSSH PRIVATE KEY", &bad_magic);

    // WIFs (@bsv/sdk) and hand-made Base58Check payloads.
    let scalar = "0499f8239bfe10eb0f5e53d543635a423c96529dd85fa4bad42049a0b435ebdd";
    let wif = node("btc", &[scalar])["wif"].as_str().unwrap().to_string();
    let payload = |version: u8, body: &[u8]| {
        let mut p = vec![version];
        p.extend_from_slice(body);
        base58check(&p)
    };
    let mut key_flag = [0x11u8; 33];
    key_flag[32] = 0x02;
    let mut over_order = [0xffu8; 33];
    over_order[32] = 0x01;

    // EOS (eosjs-ecc).
    let eos = node("eos-from-hex", &[scalar]);
    let pvt = eos["pvt"].as_str().unwrap().to_string();

    // xprv / xpub (PROTOCOLS.md §7).
    let xprv = "xprv9s21ZrQH143K3N6qVJQAu4EP51qMcyrKYJLkLgmYXgz58xmVxVLSsbx2DfJUtjcnXK8NdvkHMKfmmg5AJT2nqqRWUrjSHX29qEJwBgBPkJQ";
    let xpub = "xpub6Mm5S4rumTw93CAg8cJJhw11WzrZHxsmHLxPCiBCKnZqdUQNEHJZ7DaGMKucRzXPHtoS2ZqsVSRjxVbibEvwmR2wXkZDd8RrTftmm42cRsf";

    // JWKs (node:crypto).
    let jwk = node("jwk-private", &[&p256_file]);
    let other = node(
        "jwk-private",
        &[&scratch_file(
            cli,
            "other.pem",
            openssl(
                &["ecparam", "-genkey", "-name", "prime256v1", "-noout"],
                b"",
            ),
        )],
    );
    let p521_jwk = node("jwk-private", &[&scratch_file(cli, "p521.pem", &p521)]);
    let rsa1024_jwk = node(
        "jwk-private",
        &[&scratch_file(cli, "rsa1024.pem", &rsa1024)],
    );
    let x25519_jwk = node("jwk-private", &[&scratch_file(cli, "x25519.pem", &x25519)]);

    // Keystore (ethers, scrypt N = 1024).
    let ks = node("keystore-write", &[scalar, "input pass phrase", "1024"]);
    let ks_bytes = ks.to_string().into_bytes();
    let flip_hex = |v: &mut Value| {
        let s = v.as_str().unwrap().to_string();
        let last = if s.ends_with('0') { "1" } else { "0" };
        *v = json!(format!("{}{last}", &s[..s.len() - 1]));
    };

    let mnemonic = "test test test test test test test test test test test junk";

    let pw = ["--passphrase-file", right.as_str()];
    let bad_pw = ["--passphrase-file", wrong.as_str()];

    vec![
        // Nothing, or nothing like a key.
        row("empty input", "", &[], "key.unknown_format"),
        row("whitespace only", "  \n\t \r\n", &[], "key.unknown_format"),
        row(
            "random text",
            "Lorem ipsum dolor sit amet, consectetur adipiscing elit.\n",
            &[],
            "key.unknown_format",
        ),
        // Debatable: a run of lower-case words is read as an attempted mnemonic.
        row(
            "random words",
            "hello this is not a key at all\n",
            &[],
            "key.unknown_format",
        ),
        row(
            "binary garbage",
            &[0x00u8, 0x01, 0xff, 0xfe, 0x80, 0x81, 0x7f, 0x0a][..],
            &[],
            "key.not_pem",
        ),
        row("JSON array", "[1,2,3]\n", &[], "key.unknown_format"),
        row(
            "JSON that is neither JWK nor keystore",
            r#"{"foo":1,"bar":"baz"}"#,
            &[],
            "key.unknown_format",
        ),
        // PEM armour.
        row("truncated PEM (no END)", truncated, &[], "key.bad_pem"),
        row("corrupt base64 in PEM", corrupt, &[], "key.bad_pem"),
        row("PEM with a wrong END label", wrong_end, &[], "key.bad_pem"),
        row("PEM of garbage DER", garbage_der, &[], "key.bad_pem"),
        row("PGP private key block", pgp, &[], "key.unsupported_alg"),
        row("PEM public key", p256_pub.clone(), &[], "key.not_private"),
        row("certificate", cert, &[], "key.not_private"),
        // Keys Keyward does not keep.
        row("P-521 SEC1", p521.clone(), &[], "key.wrong_curve"),
        row("P-521 PKCS#8", p521_pkcs8, &[], "key.wrong_curve"),
        row("brainpoolP256r1", brainpool, &[], "key.wrong_curve"),
        row("DSA key (PKCS#8)", dsa, &[], "key.unsupported_alg"),
        row(
            "DSA key (traditional)",
            dsa_traditional,
            &[],
            "key.unsupported_alg",
        ),
        row("RSA-1024", rsa1024, &[], "key.weak_key"),
        row("X25519", x25519, &[], "key.unsupported_alg"),
        row("Ed448", ed448, &[], "key.unsupported_alg"),
        row(
            "--alg secp256k1 with a P-256 PEM",
            p256.clone(),
            &["--alg", "secp256k1"],
            "key.alg_mismatch",
        )
        .lacking(&["does not support"]),
        // Encrypted inputs.
        row(
            "encrypted PKCS#8, no passphrase source",
            enc_pkcs8.clone(),
            &[],
            "key.passphrase_required",
        ),
        // The vault's passphrase (KEYWARD_PASSPHRASE_FILE) is never the key's.
        row(
            "encrypted PKCS#8 under the vault passphrase, no --passphrase-file",
            enc_with_vault_pass,
            &[],
            "key.passphrase_required",
        ),
        row(
            "encrypted PKCS#8, wrong --passphrase-file",
            enc_pkcs8,
            &bad_pw,
            "key.bad_passphrase",
        ),
        row(
            "legacy encrypted PEM, wrong passphrase",
            legacy_enc.clone(),
            &bad_pw,
            "key.bad_passphrase",
        ),
        row(
            "legacy encrypted PEM, no passphrase source",
            legacy_enc,
            &[],
            "key.passphrase_required",
        ),
        // OpenSSH.
        row(
            "OpenSSH, wrong passphrase",
            ssh_enc.clone(),
            &bad_pw,
            "key.bad_passphrase",
        ),
        row(
            "OpenSSH encrypted, no passphrase source",
            ssh_enc,
            &[],
            "key.passphrase_required",
        ),
        row(
            "OpenSSH truncated (no END)",
            ssh_truncated,
            &[],
            "key.bad_pem",
        ),
        row(
            "OpenSSH with its key data cut short",
            ssh_short_body.clone(),
            &[],
            "key.bad_openssh",
        ),
        row(
            "OpenSSH cut short, --format openssh",
            ssh_short_body,
            &["--format", "openssh"],
            "key.bad_openssh",
        ),
        row(
            "OpenSSH with a bad magic",
            ssh_bad_magic,
            &[],
            "key.bad_openssh",
        ),
        row("OpenSSH P-521", SSH_P521, &[], "key.wrong_curve"),
        // A scalar with a leading zero byte, which ssh-key 0.6.7 alone does not read.
        row(
            "OpenSSH P-521 with a 65-byte scalar",
            SSH_P521_SHORT_SCALAR,
            &[],
            "key.wrong_curve",
        ),
        row(
            "PKCS#8 PEM with --format openssh",
            p256.clone(),
            &["--format", "openssh"],
            "key.bad_openssh",
        ),
        // What users paste by mistake most: the public line.
        row("OpenSSH public key line", ssh_pub, &[], "key.not_private"),
        // Raw hex.
        row(
            "hex without --alg",
            format!("{scalar}\n"),
            &[],
            "key.alg_required",
        ),
        row(
            "hex with --format hex, without --alg",
            format!("{scalar}\n"),
            &["--format", "hex"],
            "key.alg_required",
        ),
        // The key.bad_key hint fits every format (it once named openssl pkey for all).
        row(
            "hex of the wrong length",
            "00112233445566778899\n",
            &["--format", "hex", "--alg", "p256"],
            "key.bad_key",
        ),
        row(
            "hex ed25519 seed of 31 bytes",
            format!("{}\n", &scalar[..62]),
            &["--format", "hex", "--alg", "ed25519"],
            "key.bad_key",
        ),
        row(
            "hex all-FF for p256 (out of range)",
            format!("{}\n", "ff".repeat(32)),
            &["--format", "hex", "--alg", "p256"],
            "key.bad_key",
        ),
        row(
            "hex zero scalar",
            format!("{}\n", "00".repeat(32)),
            &["--format", "hex", "--alg", "p256"],
            "key.bad_key",
        ),
        row(
            "hex = the secp256k1 group order",
            "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141\n",
            &["--format", "hex", "--alg", "secp256k1"],
            "key.bad_key",
        ),
        row(
            "odd-length hex",
            format!("{}\n", &scalar[..63]),
            &["--format", "hex", "--alg", "p256"],
            "key.bad_encoding",
        ),
        row(
            "non-hex characters with --format hex",
            format!("zz{}\n", &scalar[2..]),
            &["--format", "hex", "--alg", "p256"],
            "key.bad_encoding",
        ),
        row(
            "hex with --alg rsa2048",
            format!("{scalar}\n"),
            &["--format", "hex", "--alg", "rsa2048"],
            "key.format_not_for_alg",
        )
        .lacking(&["key export"]),
        // WIF.
        row(
            "WIF with a bad checksum",
            flip_char(&wif, 20),
            &[],
            "key.bad_checksum",
        ),
        row(
            "WIF with a bad checksum, --format wif",
            flip_char(&wif, 20),
            &["--format", "wif"],
            "key.bad_checksum",
        ),
        row(
            "WIF of the wrong length (31-byte key)",
            payload(0x80, &[0x11; 31]),
            &["--format", "wif"],
            "key.bad_key",
        ),
        row(
            "WIF with a compression flag that is not 01",
            payload(0x80, &key_flag),
            &["--format", "wif"],
            "key.bad_encoding",
        ),
        row(
            "WIF with a P2SH version byte",
            payload(0x05, &[0x11; 32]),
            &["--format", "wif"],
            "key.bad_key",
        ),
        row(
            "WIF of a scalar above the group order",
            payload(0x80, &over_order),
            &["--format", "wif"],
            "key.bad_key",
        ),
        row(
            "mnemonic given with --format wif",
            format!("{mnemonic}\n"),
            &["--format", "wif"],
            "key.bad_encoding",
        ),
        // EOS.
        row(
            "EOS legacy WIF with a bad checksum",
            flip_char("5KYZdUEo39z3FPrtuX2QbbwGnNP5zTd7yyr2SC1j299sBCnWjss", 49),
            &["--format", "eos"],
            "key.bad_checksum",
        ),
        row(
            "EOS PVT_K1_ with a bad checksum",
            swap_chars(&pvt, 20),
            &[],
            "key.bad_checksum",
        ),
        row(
            "EOS PUB_K1_ public key",
            eos["k1"].as_str().unwrap(),
            &[],
            "key.not_private",
        ),
        row(
            "EOS legacy public key, --format eos",
            eos["legacy"].as_str().unwrap(),
            &["--format", "eos"],
            "key.not_private",
        ),
        // BIP32.
        row("xpub given", xpub, &[], "key.not_private"),
        row(
            "xpub given as --format xprv",
            xpub,
            &["--format", "xprv"],
            "key.not_private",
        ),
        row(
            "xprv with a bad checksum",
            swap_chars(xprv, 50),
            &["--format", "xprv"],
            "key.bad_checksum",
        ),
        row("xprv cut short", &xprv[..100], &[], "key.bad_xprv"),
        // BIP39.
        row(
            "mnemonic with an unknown word",
            "test test test test test test test test test test test junkk\n",
            &[],
            "key.bad_mnemonic",
        ),
        row(
            "mnemonic with a bad checksum",
            "test test test test test test test test test test test test\n",
            &[],
            "key.bad_checksum",
        ),
        row(
            "mnemonic of 11 words",
            "test test test test test test test test test test junk\n",
            &[],
            "key.bad_mnemonic",
        ),
        row(
            "mnemonic with a bad --path",
            format!("{mnemonic}\n"),
            &["--path", "m/44'/60'/x"],
            "key.bad_path",
        ),
        row(
            "mnemonic with an index past 2^31-1",
            format!("{mnemonic}\n"),
            &["--path", "m/44'/60'/0'/0/2147483648"],
            "key.bad_path",
        ),
        row(
            "mnemonic with a bad preset index",
            format!("{mnemonic}\n"),
            &["--format", "mnemonic", "--path", "eth:abc"],
            "key.bad_path",
        ),
        row(
            "--path with a raw hex key",
            format!("{scalar}\n"),
            &["--alg", "secp256k1", "--path", "eth"],
            "key.bad_path",
        ),
        row(
            "mnemonic with --alg p256",
            format!("{mnemonic}\n"),
            &["--alg", "p256"],
            "key.alg_mismatch",
        )
        .lacking(&["does not support"]),
        // JWK.
        row(
            "JWK without d",
            jwk_with(&jwk, |j| {
                j.remove("d");
            }),
            &[],
            "key.not_private",
        ),
        row(
            "JWK with d not base64url",
            jwk_with(&jwk, |j| {
                j.insert("d".into(), json!("!!!not base64!!!"));
            }),
            &[],
            "key.bad_jwk",
        ),
        row(
            "JWK with an unknown kty",
            jwk_with(&jwk, |j| {
                j.insert("kty".into(), json!("XYZ"));
            }),
            &[],
            "key.unsupported_alg",
        ),
        row(
            "JWK without kty, --format jwk",
            jwk_with(&jwk, |j| {
                j.remove("kty");
            }),
            &["--format", "jwk"],
            "key.bad_jwk",
        ),
        row(
            "JWK whose x/y are another key's",
            jwk_with(&jwk, |j| {
                j.insert("x".into(), other["x"].clone());
                j.insert("y".into(), other["y"].clone());
            }),
            &[],
            "key.bad_key",
        ),
        row(
            "JWK with a d of 3 bytes",
            jwk_with(&jwk, |j| {
                j.insert("d".into(), json!("AAAA"));
            }),
            &[],
            "key.bad_key",
        ),
        row(
            "JWK EC on P-521",
            p521_jwk.to_string(),
            &[],
            "key.wrong_curve",
        ),
        row("JWK RSA-1024", rsa1024_jwk.to_string(), &[], "key.weak_key"),
        row(
            "JWK OKP X25519",
            x25519_jwk.to_string(),
            &[],
            "key.unsupported_alg",
        ),
        row(
            "PEM given with --format jwk",
            p256.clone(),
            &["--format", "jwk"],
            "key.bad_jwk",
        ),
        // Ethereum keystore.
        row(
            "keystore, wrong password",
            ks_bytes.clone(),
            &bad_pw,
            "key.bad_passphrase",
        ),
        row(
            "keystore, no passphrase source",
            ks_bytes.clone(),
            &[],
            "key.passphrase_required",
        ),
        // A changed ciphertext or MAC fails the MAC check, which is all a wrong password
        // shows too: the two cannot be told apart, so bad_passphrase is right.
        row(
            "keystore with a tampered ciphertext",
            keystore_with(&ks, |k| flip_hex(&mut crypto_mut(k)["ciphertext"])),
            &pw,
            "key.bad_passphrase",
        ),
        row(
            "keystore with a bad MAC",
            keystore_with(&ks, |k| flip_hex(&mut crypto_mut(k)["mac"])),
            &pw,
            "key.bad_passphrase",
        ),
        row(
            "keystore with an absurd scrypt n",
            keystore_with(&ks, |k| {
                crypto_mut(k)["kdfparams"]["n"] = json!(1u64 << 30);
            }),
            &pw,
            "key.kdf_too_costly",
        ),
        // Checked before the passphrase is asked for.
        row(
            "keystore with an absurd scrypt n, no passphrase",
            keystore_with(&ks, |k| {
                crypto_mut(k)["kdfparams"]["n"] = json!(1u64 << 30);
            }),
            &[],
            "key.kdf_too_costly",
        ),
        row(
            "keystore with an absurd scrypt r",
            keystore_with(&ks, |k| {
                crypto_mut(k)["kdfparams"]["r"] = json!(1_000_000);
            }),
            &pw,
            "key.kdf_too_costly",
        ),
        row(
            "keystore with an absurd pbkdf2 c",
            keystore_with(&ks, |k| {
                let c = crypto_mut(k);
                c["kdf"] = json!("pbkdf2");
                c["kdfparams"] = json!({"c": 100_000_000u64, "dklen": 32, "prf": "hmac-sha256",
                    "salt": "00112233445566778899aabbccddeeff"});
            }),
            &pw,
            "key.kdf_too_costly",
        ),
        row(
            "keystore with scrypt n not a power of two",
            keystore_with(&ks, |k| {
                crypto_mut(k)["kdfparams"]["n"] = json!(1000);
            }),
            &pw,
            "key.bad_keystore",
        ),
        row(
            "keystore version 1",
            keystore_with(&ks, |k| k["version"] = json!(1)),
            &pw,
            "key.bad_keystore",
        ),
        row(
            "keystore with an unknown kdf",
            keystore_with(&ks, |k| crypto_mut(k)["kdf"] = json!("argon2id")),
            &pw,
            "key.bad_keystore",
        ),
        row(
            "keystore with an unknown cipher",
            keystore_with(&ks, |k| crypto_mut(k)["cipher"] = json!("aes-256-gcm")),
            &pw,
            "key.bad_keystore",
        ),
        row(
            "JSON that is not a keystore, --format keystore",
            r#"{"foo":1,"bar":"baz"}"#,
            &["--format", "keystore", "--passphrase-file", &right],
            "key.bad_keystore",
        ),
        row(
            "JSON that is not a keystore, --format keystore, no passphrase",
            r#"{"foo":1,"bar":"baz"}"#,
            &["--format", "keystore"],
            "key.bad_keystore",
        ),
        // Size.
        row(
            "oversized input (> 64 KiB)",
            vec![b'a'; 70_000],
            &[],
            "key.input_too_large",
        ),
        row(
            "valid PEM padded past 64 KiB",
            {
                let mut v = p256_pub.into_bytes();
                v.extend(std::iter::repeat_n(b'\n', 66_000));
                v
            },
            &[],
            "key.input_too_large",
        ),
        // Found by fuzzing (fuzz/README.md): a key Keyward could not read back once stored,
        // and key files whose own KDF cost would hold an import for hours.
        row(
            "RSA with three primes",
            crypto_fixture("rsa-3-primes.pem"),
            &[],
            "key.unsupported_alg",
        ),
        row(
            "encrypted PKCS#8 asking 2^31-1 PBKDF2 iterations",
            crypto_fixture("hostile-pkcs8-pbkdf2-iterations.pem"),
            &["--passphrase-file", &right],
            "key.kdf_too_costly",
        ),
        row(
            "OpenSSH asking 2^32-1 bcrypt rounds",
            crypto_fixture("hostile-openssh-bcrypt-rounds"),
            &["--passphrase-file", &right],
            "key.kdf_too_costly",
        ),
        // Usage errors (clap): exit 2 before any input is read.
        usage(
            "unknown --format",
            p256_lines.join("\n"),
            &["--format", "bogus"],
        ),
        usage("unknown --alg", p256_lines.join("\n"), &["--alg", "p521"]),
        usage("--alg without a value", p256_lines.join("\n"), &["--alg"]),
    ]
}

/// Runs one row; the problems found (none when it behaves).
fn check_row(cli: &Cli, r: &Row) -> Vec<String> {
    let mut args: Vec<&str> = vec!["--json", "key", "import", "-"];
    args.extend(r.args.iter().map(String::as_str));
    let out = run_command(cli.command(&args), Some(&r.input));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let mut problems = Vec::new();
    let mut shown = format!("{stdout}\n{stderr}");

    match r.want {
        Want::Usage => {
            if out.status.code() != Some(exit::USAGE) {
                problems.push(format!(
                    "exit {:?}, want 2: {}",
                    out.status.code(),
                    describe(&out)
                ));
            }
            if stderr.trim().is_empty() {
                problems.push("a usage error with nothing on stderr".into());
            }
            if stdout.contains("\"result\"") {
                problems.push(format!("a result: {stdout}"));
            }
        }
        Want::Key(code) => {
            let doc: Value = match serde_json::from_str(&stdout) {
                Ok(v) => v,
                Err(e) => {
                    return vec![format!("no JSON on stdout ({e}): {}", describe(&out))];
                }
            };
            let err = &doc["error"];
            if doc["version"] != 1 || doc.get("result").is_some() || !err.is_object() {
                problems.push(format!("not a version-1 error document: {doc}"));
            }
            if err["code"] != code {
                problems.push(format!("code {}, want {code}", err["code"]));
            }
            if out.status.code() != Some(exit::KEY) {
                problems.push(format!("exit {:?}, want {}", out.status.code(), exit::KEY));
            }
            for field in ["message", "hint"] {
                if err[field].as_str().is_none_or(|s| s.trim().is_empty()) {
                    problems.push(format!("no {field}: {err}"));
                }
            }
            let hint = err["hint"].as_str().unwrap_or("");
            let message = err["message"].as_str().unwrap_or("");
            for bad in r.lacks {
                if message.contains(bad) || hint.contains(bad) {
                    problems.push(format!("says {bad:?}: {message} / {hint}"));
                }
            }
            // openssl is good advice only for what openssl can read.
            let is_pem = String::from_utf8_lossy(&r.input).contains("-----BEGIN");
            if !is_pem && hint.contains("openssl") {
                problems.push(format!(
                    "hint suggests openssl for an input openssl cannot read: {hint}"
                ));
            }
            shown = format!("{message}\n{hint}\n{stderr}");
        }
    }

    // The input must not come back.
    let input = String::from_utf8_lossy(&r.input);
    let trimmed = input.trim();
    if trimmed.len() > 12 && shown.contains(trimmed) {
        problems.push("the error repeats the input".into());
    }
    for token in long_tokens(&r.input) {
        if shown.contains(&token) {
            problems.push(format!("the error repeats part of the input: {token}"));
        }
    }
    problems
}

#[test]
fn malformed_inputs_are_refused_with_a_specific_error_and_store_nothing() {
    let cli = Cli::new(Keyring::unlocked());
    let vault_id = cli.init();
    let service = format!("keyward-{vault_id}");
    cli.gen("existing");
    let items_before = cli.keyring().accounts(&service);
    let list_before = cli.json(&["key", "list"]);
    assert_eq!(
        list_before.as_array().map(Vec::len),
        Some(1),
        "{list_before}"
    );
    let files_before = keyward_tests::read_tree(&cli.data_dir()).len();

    let rows = table(&cli);
    assert!(rows.len() >= 40, "{} rows", rows.len());
    let mut names = std::collections::BTreeSet::new();
    for r in &rows {
        assert!(names.insert(r.name), "two rows named {:?}", r.name);
    }

    // The echo check has something to look for in most rows.
    let with_tokens = rows
        .iter()
        .filter(|r| !long_tokens(&r.input).is_empty())
        .count();
    assert!(
        with_tokens >= 40,
        "only {with_tokens} rows have long tokens"
    );

    let mut failures = Vec::new();
    for r in &rows {
        for p in check_row(&cli, r) {
            failures.push(format!("[{}] {p}", r.name));
        }
    }

    // Nothing was stored, by any row.
    let items_after = cli.keyring().accounts(&service);
    if items_after != items_before {
        failures.push(format!(
            "keychain items changed: {items_before:?} -> {items_after:?}"
        ));
    }
    let list_after = cli.json(&["key", "list"]);
    if list_after != list_before {
        failures.push(format!("key list changed: {list_before} -> {list_after}"));
    }
    let files_after = keyward_tests::read_tree(&cli.data_dir()).len();
    if files_after != files_before {
        failures.push(format!(
            "the data dir has {files_after} files, had {files_before}"
        ));
    }

    assert!(
        failures.is_empty(),
        "{} of {} rows (or the state after them) misbehaved:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

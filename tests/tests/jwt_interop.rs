//! JWT and SIWE interop.
//!
//! - Engine mode: node `jsonwebtoken` 9 verifies Keyward's tokens exactly as thirdweb Engine does
//!   (`jwt.verify(token, pem, {algorithms: [alg]})`, PROTOCOLS.md §2.1) for ES256, ES384, RS256 and
//!   PS256, with `iss` = the key's PEM byte for byte, or `kid` = its SHA-256;
//! - generic mode: `jose` verifies ES256K and EdDSA (and ES256) tokens, by PEM and by JWK;
//! - the reverse: `keyward-cli jwt verify` accepts what `jose` minted, high-S ES256K included;
//! - `jwt inspect` never claims to have verified anything;
//! - malformed tokens, `alg: none`, HS256 algorithm confusion, oversized claims, Engine mode with a
//!   key Engine cannot use, expiry: each a `jwt.*` error with exit status 7;
//! - SIWE: `siwe build` → `siwe sign` → the `siwe` library verifies; `siwe verify` refuses a
//!   wrong domain or origin and an expired message.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use keyward_tests::interop::{node, node_fails};
use keyward_tests::{describe, exit, openssl, Cli, Keyring};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::time::Duration;

// ---------------------------------------------------------------------------------------------
// Helpers

/// An RSA-2048 key made by openssl (much faster than a debug build generating one), imported.
fn rsa_key(cli: &Cli, label: &str) -> String {
    let pem = openssl(
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
        ],
        b"",
    );
    let k = cli.json_stdin(
        &["key", "import", "-", "--format", "pem", "--label", label],
        &pem,
    );
    assert_eq!(k["alg"], "rsa2048", "{k}");
    k["id"].as_str().expect("id").to_string()
}

/// `key export K --format F`, whole (a PEM keeps its final newline).
fn export(cli: &Cli, key: &str, format: &str) -> String {
    cli.export(key, format)
}

/// `key export-private K --format jwk --yes`: the private JWK text.
fn private_jwk(cli: &Cli, key: &str) -> String {
    let r = cli.json(&["key", "export-private", key, "--format", "jwk", "--yes"]);
    assert_eq!(r["format"], "jwk", "{r}");
    r["text"].as_str().expect("text").to_string()
}

/// `jwt mint ARGS`: the token, which plain output prints alone on one line.
fn mint(cli: &Cli, args: &[&str]) -> String {
    let mut full = vec!["jwt", "mint"];
    full.extend_from_slice(args);
    let out = cli.run(&full);
    assert_eq!(out.status.code(), Some(0), "{full:?}: {}", describe(&out));
    let text = String::from_utf8(out.stdout).expect("UTF-8 token");
    let token = text.strip_suffix('\n').unwrap_or(&text);
    assert!(
        token.split('.').count() == 3 && !token.contains(char::is_whitespace),
        "{full:?} should print the token alone: {text:?}"
    );
    token.to_string()
}

/// Header, claims and signature bytes of a compact JWS, decoded here (not by Keyward).
fn decode(token: &str) -> (Value, Value, Vec<u8>) {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "{token}");
    let json = |p: &str| -> Value {
        let bytes = URL_SAFE_NO_PAD.decode(p).expect("base64url");
        serde_json::from_slice(&bytes).expect("JSON")
    };
    (
        json(parts[0]),
        json(parts[1]),
        URL_SAFE_NO_PAD
            .decode(parts[2])
            .expect("base64url signature"),
    )
}

/// `header.payload.signature` from JSON values and signature bytes.
fn compact(header: &Value, claims: &Value, sig: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        URL_SAFE_NO_PAD.encode(sig)
    )
}

/// HMAC-SHA-256 (RFC 2104), for forging the HS256 tokens of an algorithm-confusion attack.
fn hmac_sha256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut k = if key.len() > 64 {
        Sha256::digest(key).to_vec()
    } else {
        key.to_vec()
    };
    k.resize(64, 0);
    let ipad: Vec<u8> = k.iter().map(|b| b ^ 0x36).collect();
    let opad: Vec<u8> = k.iter().map(|b| b ^ 0x5c).collect();
    let inner = Sha256::new()
        .chain_update(&ipad)
        .chain_update(msg)
        .finalize();
    Sha256::new()
        .chain_update(&opad)
        .chain_update(inner)
        .finalize()
        .to_vec()
}

/// `jwt verify TOKEN ARGS` with `--json`: the result (exit 0).
fn jwt_verify(cli: &Cli, token: &str, args: &[&str]) -> Value {
    let mut full = vec!["jwt", "verify", token];
    full.extend_from_slice(args);
    let r = cli.json(&full);
    let checks = r["checks"].as_array().expect("checks");
    let sig = checks
        .iter()
        .find(|c| c["id"] == "signature")
        .unwrap_or_else(|| panic!("no signature check: {r}"));
    assert_eq!(sig["ok"], true, "{r}");
    assert!(checks.iter().all(|c| c["ok"] == true), "{r}");
    r
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs() as i64
}

// ---------------------------------------------------------------------------------------------
// Engine mode: jsonwebtoken, as thirdweb Engine verifies

#[test]
fn engine_tokens_verify_with_jsonwebtoken_as_engine_does() {
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    let p256 = cli.gen_alg("p256", "p256");
    let p384 = cli.gen_alg("p384", "p384");
    let rsa = rsa_key(&cli, "rsa");
    let _agent = cli.spawn_agent();
    // Public keys of the same types that did not sign: openssl's.
    let other_pem = |genpkey: &[&str]| -> String {
        let private = openssl(genpkey, b"");
        String::from_utf8(openssl(&["pkey", "-pubout"], &private)).expect("PEM")
    };
    let other_ec = |curve: &str| {
        other_pem(&[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            &format!("ec_paramgen_curve:{curve}"),
        ])
    };
    let others = [
        ("ES256", other_ec("P-256")),
        ("ES384", other_ec("P-384")),
        (
            "RS256",
            other_pem(&[
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
            ]),
        ),
    ];
    let other_for = |alg: &str| -> &str {
        let family = if alg == "PS256" { "RS256" } else { alg };
        &others.iter().find(|(a, _)| *a == family).expect("a key").1
    };

    // (key, --alg or the key's default, alg, signature bytes)
    let cases: [(&str, Option<&str>, &str, usize); 4] = [
        (&p256, None, "ES256", 64),
        (&p384, None, "ES384", 96),
        (&rsa, None, "RS256", 256),
        (&rsa, Some("PS256"), "PS256", 256),
    ];
    for (key, alg_arg, alg, sig_len) in cases {
        let mut args = vec!["--key", key];
        if let Some(a) = alg_arg {
            args.extend_from_slice(&["--alg", a]);
        }
        let before = now_secs();
        let token = mint(&cli, &args);
        let (header, claims, sig) = decode(&token);
        assert_eq!(header["alg"], alg, "{header}");
        assert_eq!(
            sig.len(),
            sig_len,
            "{alg}: raw signature length (r‖s or modulus)"
        );
        // iss: the SPKI PEM, trimmed, \n line breaks: byte for byte what Engine stored.
        let pem = export(&cli, key, "pem");
        assert_eq!(claims["iss"], pem.trim(), "{alg}: iss = the trimmed PEM");
        let iat = claims["iat"].as_i64().expect("iat");
        let exp = claims["exp"].as_i64().expect("exp");
        assert!(
            iat >= before - 1 && iat <= now_secs() + 1,
            "{alg}: iat {iat}"
        );
        assert_eq!(exp - iat, 15, "{alg}: default lifetime 15 s: {claims}");

        let iss_file = cli.scratch_file("iss.pem", claims["iss"].as_str().unwrap());
        let v = node("jwt-verify-engine", &[&token, &iss_file, alg]);
        assert_eq!(v["payload"], claims, "{alg}: jsonwebtoken's payload");
        assert_eq!(v["header"]["alg"], alg, "{v}");

        // The controls: Engine registered with another algorithm, or another key, refuses.
        let wrong_alg = if alg == "RS256" { "PS256" } else { "RS256" };
        let e = node_fails("jwt-verify-engine", &[&token, &iss_file, wrong_alg]);
        assert!(e.contains("invalid algorithm"), "{alg}: {e}");
        let other = cli.scratch_file("other.pem", other_for(alg));
        let e = node_fails("jwt-verify-engine", &[&token, &other, alg]);
        assert!(
            e.contains("invalid signature"),
            "{alg} with another key: {e}"
        );
    }

    // --kid: header kid = hex SHA-256 of the trimmed PEM; no iss.
    let token = mint(&cli, &["--key", &p256, "--kid"]);
    let (header, claims, _) = decode(&token);
    let pem = export(&cli, &p256, "pem");
    assert_eq!(
        header["kid"],
        hex::encode(Sha256::digest(pem.trim())),
        "{header}"
    );
    assert!(claims.get("iss").is_none(), "{claims}");
    let pem_file = cli.scratch_file("p256.pem", pem.trim());
    let v = node("jwt-verify-engine", &[&token, &pem_file, "ES256"]);
    assert_eq!(v["header"]["kid"], header["kid"], "{v}");

    // --body-file: bodyHash = SHA-256 of the body as Node re-serialises it (compact).
    let body = cli.scratch_file("body.json", "{ \"to\": \"0xabc\",\n  \"n\": [1, 2] }\n");
    let token = mint(&cli, &["--key", &p256, "--body-file", &body]);
    let (_, claims, _) = decode(&token);
    assert_eq!(
        claims["bodyHash"],
        hex::encode(Sha256::digest(r#"{"to":"0xabc","n":[1,2]}"#)),
        "{claims}"
    );
    let iss_file = cli.scratch_file("iss.pem", claims["iss"].as_str().unwrap());
    let v = node("jwt-verify-engine", &[&token, &iss_file, "ES256"]);
    assert_eq!(v["payload"]["bodyHash"], claims["bodyHash"], "{v}");
}

// ---------------------------------------------------------------------------------------------
// Generic mode: jose

#[test]
fn generic_tokens_verify_with_jose() {
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    let k1 = cli.gen_alg("secp256k1", "k1");
    let ed = cli.gen_alg("ed25519", "ed");
    let p256 = cli.gen_alg("p256", "p256");
    let _agent = cli.spawn_agent();
    for (key, alg) in [(&k1, "ES256K"), (&ed, "EdDSA"), (&p256, "ES256")] {
        let token = mint(
            &cli,
            &[
                "--key",
                key,
                "--mode",
                "generic",
                "--alg",
                alg,
                "--aud",
                "https://api.example",
                "--sub",
                "alice",
                "--claim",
                "role=admin",
                "--claim",
                "n=5",
                "--claim",
                r#"obj={"a":[1,true]}"#,
                "--exp",
                "2m",
            ],
        );
        let (header, claims, _) = decode(&token);
        assert_eq!(header["alg"], alg, "{header}");
        assert!(
            claims.get("iss").is_none(),
            "generic mode has no Engine iss: {claims}"
        );
        let pem = cli.scratch_file("pub.pem", export(&cli, key, "pem"));
        let jwk = cli.scratch_file("pub.jwk", export(&cli, key, "jwk"));
        for file in [&pem, &jwk] {
            let v = node("jose-verify", &[&token, file, alg]);
            assert_eq!(v["protectedHeader"]["alg"], alg, "{v}");
            let p = &v["payload"];
            assert_eq!(p["aud"], "https://api.example", "{v}");
            assert_eq!(p["sub"], "alice", "{v}");
            assert_eq!(p["role"], "admin", "{v}");
            assert_eq!(p["n"], 5, "a JSON value is taken as JSON: {v}");
            assert_eq!(p["obj"], json!({"a": [1, true]}), "{v}");
            assert_eq!(
                p["exp"].as_i64().unwrap() - p["iat"].as_i64().unwrap(),
                120,
                "{v}"
            );
        }
        // The control: jose refuses the token under another algorithm.
        let other = if alg == "EdDSA" { "ES256" } else { "EdDSA" };
        node_fails("jose-verify", &[&token, &jwk, other]);
    }
}

// ---------------------------------------------------------------------------------------------
// The reverse: tokens jose minted, verified by Keyward

#[test]
fn keyward_verifies_tokens_jose_minted() {
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    let k1 = cli.gen_alg("secp256k1", "k1");
    let ed = cli.gen_alg("ed25519", "ed");
    let p256 = cli.gen_alg("p256", "p256");
    let _agent = cli.spawn_agent();
    for (key, alg) in [(&k1, "ES256K"), (&ed, "EdDSA"), (&p256, "ES256")] {
        let jwk = cli.scratch_file("priv.jwk", private_jwk(&cli, key));
        let pem = cli.scratch_file("pub.pem", export(&cli, key, "pem"));
        let pub_jwk = cli.scratch_file("pub.jwk", export(&cli, key, "jwk"));
        let claims = json!({"sub": "made by jose", "n": 7}).to_string();
        let token = node("jose-mint", &[&jwk, alg, &claims])["token"]
            .as_str()
            .unwrap()
            .to_string();
        for by in [
            ["--key", key.as_str()],
            ["--pubkey-file", &pem],
            ["--pubkey-file", &pub_jwk],
        ] {
            let r = jwt_verify(&cli, &token, &[by[0], by[1], "--alg", alg]);
            assert_eq!(r["alg"], alg, "{r}");
            assert_eq!(r["claims"]["sub"], "made by jose", "{r}");
            assert_eq!(r["claims"]["n"], 7, "{r}");
        }
        // Plain output says valid and exits 0.
        let out = cli.run(&["jwt", "verify", &token, "--key", key, "--alg", alg]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.starts_with("valid"),
            "{}",
            describe(&out)
        );

        // A claim changed after signing: the signature no longer verifies.
        let (h, mut c, sig) = decode(&token);
        c["sub"] = json!("someone else");
        cli.json_err(
            &[
                "jwt",
                "verify",
                &compact(&h, &c, &sig),
                "--key",
                key,
                "--alg",
                alg,
            ],
            "jwt.bad_signature",
            exit::SIGN,
        );
    }

    // High-S: jose itself accepts (r, n − s), JWS does not require low-S; so must Keyward.
    for (key, alg) in [(&k1, "ES256K"), (&p256, "ES256")] {
        let jwk = cli.scratch_file("priv.jwk", private_jwk(&cli, key));
        let pem = cli.scratch_file("pub.pem", export(&cli, key, "pem"));
        let high = node("jose-mint-high-s", &[&jwk, alg, r#"{"sub":"high"}"#]);
        let token = high["token"].as_str().unwrap();
        let (_, _, sig) = decode(token);
        assert_eq!(hex::encode(&sig[32..]), high["s"], "{high}");
        assert!(sig[32] >= 0x7f, "s is in the upper half: {high}");
        let v = node("jose-verify", &[token, &pem, alg]);
        assert_eq!(
            v["payload"]["sub"], "high",
            "jose accepts its high-S token: {v}"
        );
        let r = jwt_verify(&cli, token, &["--key", key, "--alg", alg]);
        assert_eq!(r["claims"]["sub"], "high", "{r}");
    }

    // Signed by another key of the same type.
    let other = cli.gen_alg("secp256k1", "other");
    let jwk = cli.scratch_file("priv.jwk", private_jwk(&cli, &other));
    let token = node("jose-mint", &[&jwk, "ES256K"])["token"]
        .as_str()
        .unwrap()
        .to_string();
    cli.json_err(
        &["jwt", "verify", &token, "--key", &k1, "--alg", "ES256K"],
        "jwt.bad_signature",
        exit::SIGN,
    );
}

// ---------------------------------------------------------------------------------------------
// inspect

#[test]
fn jwt_inspect_decodes_but_says_not_verified() {
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    let p256 = cli.gen_alg("p256", "p256");
    let token = mint(&cli, &["--key", &p256, "--mode", "generic", "--sub", "bob"]);
    let (h, c, mut sig) = decode(&token);
    sig[0] ^= 1;
    // A valid token and one with a broken signature inspect alike: nothing is verified.
    for t in [token.clone(), compact(&h, &c, &sig)] {
        let out = cli.run(&["jwt", "inspect", &t]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.contains("NOT VERIFIED"),
            "{}",
            describe(&out)
        );
        assert!(
            text.contains("\"sub\": \"bob\""),
            "the claims are shown: {text}"
        );
        let r = cli.json(&["jwt", "inspect", &t]);
        assert_eq!(r["verified"], false, "{r}");
        assert_eq!(r["claims"]["sub"], "bob", "{r}");
        assert_eq!(r["header"]["alg"], "ES256", "{r}");
    }
}

// ---------------------------------------------------------------------------------------------
// Errors: jwt.* with exit 7

#[test]
fn malformed_and_dangerous_tokens_are_jwt_errors() {
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    let p256 = cli.gen_alg("p256", "p256");
    let p384 = cli.gen_alg("p384", "p384");
    let ed = cli.gen_alg("ed25519", "ed");
    let k1 = cli.gen_alg("secp256k1", "k1");
    let rsa = rsa_key(&cli, "rsa");
    let _agent = cli.spawn_agent();
    let exp = now_secs() + 600;
    let claims = json!({"sub": "admin", "exp": exp});

    let good = mint(&cli, &["--key", &p256]);
    let (gh, gc, gsig) = decode(&good);
    let b64 = |s: &str| URL_SAFE_NO_PAD.encode(s);
    let rows: Vec<(String, &str)> = vec![
        // Malformed.
        ("abc.def".into(), "jwt.malformed"),
        ("a.b.c.d".into(), "jwt.malformed"),
        (
            format!("{}.%%%.{}", b64(&gh.to_string()), b64("x")),
            "jwt.malformed",
        ),
        (
            format!("{}.{}.{}", b64("not json"), b64(&gc.to_string()), b64("x")),
            "jwt.malformed",
        ),
        (
            format!("{}.{}.{}", b64(&gh.to_string()), b64("[1,2]"), b64("x")),
            "jwt.malformed",
        ),
        // Unsigned: alg none, with and without a signature part.
        (
            compact(&json!({"alg": "none", "typ": "JWT"}), &claims, b""),
            "jwt.alg_none",
        ),
        (
            compact(&json!({"alg": "none"}), &claims, &gsig),
            "jwt.alg_none",
        ),
        // Signed with ES256 but only ES384 accepted: see below (args differ).
    ];
    for (token, code) in &rows {
        cli.json_err(
            &["jwt", "verify", token, "--key", &p256, "--alg", "ES256"],
            code,
            exit::SIGN,
        );
    }
    // A good token, but not an accepted algorithm, or not one that fits the key.
    cli.json_err(
        &["jwt", "verify", &good, "--key", &p256, "--alg", "ES384"],
        "jwt.alg_not_allowed",
        exit::SIGN,
    );
    cli.json_err(
        &["jwt", "verify", &good, "--key", &p384, "--alg", "ES256"],
        "jwt.alg_key_mismatch",
        exit::SIGN,
    );

    // Algorithm confusion: HS256 with the public PEM as the HMAC secret (the classic attack on
    // verifiers that take the algorithm from the token). First, the HMAC is a real one.
    assert_eq!(
        hex::encode(hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        "RFC 4231 test case 2"
    );
    for (key, alg) in [(&rsa, "RS256"), (&p256, "ES256")] {
        let pem = export(&cli, key, "pem");
        let pem_file = cli.scratch_file("confusion.pem", &pem);
        for secret in [pem.as_str(), pem.trim()] {
            let header = json!({"alg": "HS256", "typ": "JWT"});
            let input = format!("{}.{}", b64(&header.to_string()), b64(&claims.to_string()));
            let token = format!(
                "{input}.{}",
                URL_SAFE_NO_PAD.encode(hmac_sha256(secret.as_bytes(), input.as_bytes()))
            );
            for by in [["--key", key.as_str()], ["--pubkey-file", &pem_file]] {
                cli.json_err(
                    &["jwt", "verify", &token, by[0], by[1], "--alg", alg],
                    "jwt.alg_not_allowed",
                    exit::SIGN,
                );
            }
            // Engine's own check refuses it as well.
            let e = node_fails("jwt-verify-engine", &[&token, &pem_file, alg]);
            assert!(e.contains("invalid algorithm"), "{e}");
        }
    }

    // Minting: an oversized claim, Engine mode with keys Engine cannot use, too long a life.
    let big = format!("blob={}", "a".repeat(20_000));
    cli.json_err(
        &[
            "jwt", "mint", "--key", &p256, "--mode", "generic", "--claim", &big,
        ],
        "jwt.too_large",
        exit::SIGN,
    );
    cli.json_err(
        &["jwt", "mint", "--key", &p256, "--claim", &big],
        "jwt.too_large",
        exit::SIGN,
    );
    for (key, alg) in [
        (&ed, None),
        (&ed, Some("EdDSA")),
        (&k1, None),
        (&k1, Some("ES256K")),
    ] {
        let mut args = vec!["jwt", "mint", "--key", key, "--mode", "engine"];
        if let Some(a) = alg {
            args.extend_from_slice(&["--alg", a]);
        }
        cli.json_err(&args, "jwt.alg_not_in_mode", exit::SIGN);
    }
    cli.json_err(
        &["jwt", "mint", "--key", &p256, "--exp", "1h"],
        "jwt.exp_too_long",
        exit::SIGN,
    );

    // Expiry: exp is enforced with no leeway, by Keyward and by Engine's jsonwebtoken.
    let short = mint(&cli, &["--key", &p256, "--exp", "1s"]);
    let (_, c, _) = decode(&short);
    let iss = cli.scratch_file("iss.pem", c["iss"].as_str().unwrap());
    let exp = c["exp"].as_i64().unwrap();
    while now_secs() < exp {
        std::thread::sleep(Duration::from_millis(100));
    }
    cli.json_err(
        &["jwt", "verify", &short, "--key", &p256, "--alg", "ES256"],
        "jwt.expired",
        exit::SIGN,
    );
    let e = node_fails("jwt-verify-engine", &[&short, &iss, "ES256"]);
    assert!(e.contains("jwt expired"), "{e}");
}

// ---------------------------------------------------------------------------------------------
// SIWE

/// `siwe build ARGS`: the message, printed alone with no final newline.
fn siwe_build(cli: &Cli, args: &[&str]) -> String {
    let mut full = vec!["siwe", "build"];
    full.extend_from_slice(args);
    let out = cli.run(&full);
    assert_eq!(out.status.code(), Some(0), "{full:?}: {}", describe(&out));
    let text = String::from_utf8(out.stdout).expect("UTF-8 message");
    assert!(
        !text.ends_with('\n'),
        "EIP-4361: no final line break: {text:?}"
    );
    text
}

/// `siwe sign --key K --message-file F`: the 0x signature.
fn siwe_sign(cli: &Cli, key: &str, file: &str) -> String {
    let out = cli.run(&["siwe", "sign", "--key", key, "--message-file", file]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let sig = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(sig.starts_with("0x") && sig.len() == 132, "{sig}");
    sig
}

/// `--json siwe verify ARGS`: exit status and result.
fn siwe_verify(cli: &Cli, args: &[&str]) -> (Option<i32>, Value) {
    let mut full = vec!["siwe", "verify"];
    full.extend_from_slice(args);
    let (code, doc) = cli.json_any(&full);
    (code, doc["result"].clone())
}

/// The check `id` of a `siwe verify` result.
fn check<'a>(r: &'a Value, id: &str) -> &'a Value {
    r["checks"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["id"] == id))
        .unwrap_or_else(|| panic!("no {id} check in {r}"))
}

#[test]
fn siwe_messages_verify_with_the_siwe_library() {
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    let key = cli.gen_alg("secp256k1", "eth");
    let other = cli.gen_alg("secp256k1", "other");
    let _agent = cli.spawn_agent();
    let address = export(&cli, &key, "eth").trim().to_string();

    let message = siwe_build(
        &cli,
        &[
            "--domain",
            "app.example.com",
            "--address",
            &address,
            "--uri",
            "https://app.example.com/login",
            "--chain-id",
            "10",
            "--statement",
            "Sign in to the example app.",
            "--nonce",
            "abcDEF12345",
            "--expires-in",
            "5m",
            "--request-id",
            "req-1",
            "--resource",
            "https://app.example.com/a",
            "--resource",
            "ipfs://bafybeiemxf5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavhwq",
        ],
    );
    assert!(
        message.starts_with(&format!(
            "app.example.com wants you to sign in with your Ethereum account:\n{address}\n\n\
             Sign in to the example app.\n\nURI: https://app.example.com/login\nVersion: 1\n\
             Chain ID: 10\nNonce: abcDEF12345\nIssued At: "
        )),
        "{message}"
    );
    let file = cli.scratch_file("siwe.txt", &message);
    let sig = siwe_sign(&cli, &key, &file);

    // The siwe library parses the message, re-serialises it, and recovers the signer.
    let v = node("siwe-verify", &[&file, &sig]);
    assert_eq!(v["success"], true, "{v}");
    let d = &v["data"];
    assert_eq!(d["address"], address, "{v}");
    assert_eq!(d["domain"], "app.example.com", "{v}");
    assert_eq!(d["nonce"], "abcDEF12345", "{v}");
    assert_eq!(d["chainId"], 10, "{v}");
    assert_eq!(d["requestId"], "req-1", "{v}");
    assert_eq!(d["resources"].as_array().map(Vec::len), Some(2), "{v}");
    assert!(d["expirationTime"].is_string(), "{v}");
    let v = node(
        "siwe-verify",
        &[&file, &sig, "app.example.com", "abcDEF12345"],
    );
    assert_eq!(v["success"], true, "{v}");
    // The controls: another domain or nonce fails in the library too.
    let v = node("siwe-verify", &[&file, &sig, "evil.example"]);
    assert_eq!(v["success"], false, "{v}");

    // Keyward's verify: valid as is, with the right domain, nonce and origin…
    let (code, r) = siwe_verify(
        &cli,
        &[
            "--message-file",
            &file,
            "--signature",
            &sig,
            "--domain",
            "app.example.com",
            "--nonce",
            "abcDEF12345",
            "--origin",
            "https://app.example.com",
        ],
    );
    assert_eq!((code, &r["valid"]), (Some(0), &json!(true)), "{r}");
    assert_eq!(check(&r, "signature")["ok"], true, "{r}");
    // … and not with another domain, origin or nonce (exit 1, the failing check named).
    for (flag, value, id) in [
        ("--domain", "evil.example", "domain"),
        ("--origin", "https://evil.example", "origin"),
        ("--nonce", "zzzzzzzz1", "nonce"),
    ] {
        let (code, r) = siwe_verify(
            &cli,
            &["--message-file", &file, "--signature", &sig, flag, value],
        );
        assert_eq!(code, Some(exit::INVALID), "{flag} {value}: {r}");
        assert_eq!(r["valid"], false, "{flag} {value}: {r}");
        assert_eq!(check(&r, id)["ok"], false, "{flag} {value}: {r}");
    }
    // The signature of another key (over the same text) does not pass.
    cli.json_err(
        &["siwe", "sign", "--key", &other, "--message-file", &file],
        "siwe.address_mismatch",
        exit::SIGN,
    );

    // No statement: address LF LF LF URI, as the ABNF and the library have it.
    let bare = siwe_build(
        &cli,
        &[
            "--domain",
            "app.example.com",
            "--address",
            &address,
            "--uri",
            "https://app.example.com",
        ],
    );
    assert!(bare.contains(&format!("{address}\n\n\nURI: ")), "{bare:?}");
    let file = cli.scratch_file("bare.txt", &bare);
    let sig = siwe_sign(&cli, &key, &file);
    let v = node("siwe-verify", &[&file, &sig]);
    assert_eq!(v["success"], true, "{v}");
    // A random nonce of at least 8 letters and digits.
    let nonce = v["data"]["nonce"].as_str().unwrap();
    assert!(
        nonce.len() >= 8 && nonce.chars().all(|c| c.is_ascii_alphanumeric()),
        "{nonce}"
    );
}

#[test]
fn an_expired_siwe_message_fails_in_keyward_and_in_the_siwe_library() {
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    let key = cli.gen_alg("secp256k1", "eth");
    let address = export(&cli, &key, "eth").trim().to_string();
    let message = siwe_build(
        &cli,
        &[
            "--domain",
            "app.example.com",
            "--address",
            &address,
            "--uri",
            "https://app.example.com",
            "--expires-in",
            "1s",
        ],
    );
    let file = cli.scratch_file("siwe.txt", &message);
    let sig = siwe_sign(&cli, &key, &file);
    std::thread::sleep(Duration::from_millis(1300));
    let (code, r) = siwe_verify(&cli, &["--message-file", &file, "--signature", &sig]);
    assert_eq!(code, Some(exit::INVALID), "{r}");
    assert_eq!(r["valid"], false, "{r}");
    assert_eq!(check(&r, "signature")["ok"], true, "{r}");
    assert_eq!(check(&r, "expiration")["ok"], false, "{r}");
    let v = node("siwe-verify", &[&file, &sig]);
    assert_eq!(v["success"], false, "{v}");
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("expired"),
        "{v}"
    );
}

/// `siwe build --key K` takes the key's Ethereum address: the second line of the message.
#[test]
fn siwe_build_with_key_uses_the_keys_address() {
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    let key = cli.gen_alg("secp256k1", "eth");
    let address = export(&cli, &key, "eth").trim().to_string();
    let message = siwe_build(
        &cli,
        &[
            "--domain",
            "app.example.com",
            "--key",
            &key,
            "--uri",
            "https://app.example.com",
        ],
    );
    assert_eq!(message.lines().nth(1), Some(address.as_str()), "{message}");
    let file = cli.scratch_file("siwe.txt", &message);
    let sig = siwe_sign(&cli, &key, &file);
    let v = node("siwe-verify", &[&file, &sig]);
    assert_eq!(v["success"], true, "{v}");
}

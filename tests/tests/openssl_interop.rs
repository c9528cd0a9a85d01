//! Interop with openssl: the public PEM, fingerprint and JWK agree byte for byte with what
//! openssl derives; keys openssl made import; a P-521 key is refused and leaves nothing behind.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use keyward_tests::{exit, openssl, p256_scalar, Cli, Keyring};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Checks the fingerprint and JWK of key `id` against openssl's SPKI DER of `private_pem`.
fn check_fingerprint_and_jwk(cli: &Cli, id: &str, private_pem: &str) {
    let spki = openssl(
        &["pkey", "-pubout", "-outform", "DER"],
        private_pem.as_bytes(),
    );
    assert_eq!(spki.len(), 91, "P-256 SPKI DER");

    let fp = cli.export(id, "fingerprint");
    let want = hex::encode(Sha256::digest(&spki));
    assert_eq!(
        fp.trim_end(),
        want,
        "fingerprint = hex SHA-256 of the SPKI DER"
    );
    let shown = cli.json(&["key", "show", id]);
    assert_eq!(shown["fingerprint"], want.as_str(), "{shown}");

    let jwk: Value = serde_json::from_str(&cli.export(id, "jwk")).expect("the JWK is JSON");
    assert_eq!(jwk["kty"], "EC", "{jwk}");
    assert_eq!(jwk["crv"], "P-256", "{jwk}");
    assert!(jwk.get("d").is_none(), "a public JWK with d: {jwk}");
    // Uncompressed point at the end of the SPKI: 04 || x || y.
    let point = &spki[spki.len() - 65..];
    assert_eq!(point[0], 0x04);
    let x = URL_SAFE_NO_PAD
        .decode(jwk["x"].as_str().expect("x"))
        .expect("x is base64url");
    let y = URL_SAFE_NO_PAD
        .decode(jwk["y"].as_str().expect("y"))
        .expect("y is base64url");
    assert_eq!(x, &point[1..33], "JWK x");
    assert_eq!(y, &point[33..], "JWK y");
}

#[test]
fn generated_key_exports_what_openssl_derives() {
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    let id = cli.gen("interop")["id"].as_str().unwrap().to_string();
    let private_pem = cli.export_private(&id);
    let public_pem = cli.export(&id, "pem");
    let want = openssl(&["pkey", "-pubout"], private_pem.as_bytes());
    assert_eq!(
        public_pem.as_bytes(),
        want.as_slice(),
        "key export --format pem vs openssl pkey -pubout"
    );
    assert_eq!(
        cli.json(&["key", "show", &id])["publicPem"],
        public_pem.as_str()
    );
    check_fingerprint_and_jwk(&cli, &id, &private_pem);
}

#[test]
fn keys_made_by_openssl_import_and_export_the_same_public_key() {
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    let with_params =
        String::from_utf8(openssl(&["ecparam", "-name", "prime256v1", "-genkey"], b"")).unwrap();
    assert!(
        with_params.contains("-----BEGIN EC PARAMETERS-----"),
        "{with_params}"
    );
    assert!(with_params.contains("-----BEGIN EC PRIVATE KEY-----"));
    let no_params = String::from_utf8(openssl(
        &["ecparam", "-name", "prime256v1", "-genkey", "-noout"],
        b"",
    ))
    .unwrap();
    assert!(!no_params.contains("EC PARAMETERS"), "{no_params}");
    assert!(no_params.starts_with("-----BEGIN EC PRIVATE KEY-----"));
    let pkcs8 = String::from_utf8(openssl(
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
        ],
        b"",
    ))
    .unwrap();
    assert!(pkcs8.starts_with("-----BEGIN PRIVATE KEY-----"), "{pkcs8}");

    let file = cli.scratch().join("with-params.pem");
    std::fs::write(&file, &with_params).unwrap();
    let cases = [
        ("sec1-with-params", with_params.clone(), true),
        ("sec1-noout", no_params, false),
        ("pkcs8", pkcs8, false),
    ];
    for (label, pem, from_file) in cases {
        let k = if from_file {
            cli.json(&["key", "import", file.to_str().unwrap(), "--label", label])
        } else {
            cli.json_stdin(&["key", "import", "-", "--label", label], pem.as_bytes())
        };
        assert_eq!(k["label"], label, "{k}");
        assert_eq!(k["alg"], "p256", "{k}");
        let id = k["id"].as_str().unwrap().to_string();
        let public_pem = cli.export(&id, "pem");
        let want = openssl(&["ec", "-pubout"], pem.as_bytes());
        assert_eq!(
            public_pem,
            String::from_utf8(want).unwrap(),
            "{label}: key export --format pem vs openssl ec -pubout"
        );
        // The same private key comes back out.
        let exported = cli.export_private(&id);
        assert_eq!(
            p256_scalar(&exported),
            p256_scalar(&pem),
            "{label}: private scalar"
        );
        check_fingerprint_and_jwk(&cli, &id, &pem);
    }
    assert_eq!(cli.key_ids().len(), 3);
}

#[test]
fn p521_key_is_refused_and_stores_nothing() {
    let cli = Cli::new(Keyring::unlocked());
    let service = format!("keyward-{}", cli.init());
    cli.gen("existing");
    let items_before = cli.keyring().accounts(&service);
    let list_before = cli.json(&["key", "list"]);
    assert_eq!(
        items_before.len(),
        3,
        "the key, the vault key, the audit anchor"
    );

    let p521 = String::from_utf8(openssl(
        &["ecparam", "-name", "secp521r1", "-genkey", "-noout"],
        b"",
    ))
    .unwrap();
    cli.json_err_stdin(
        &["key", "import", "-", "--label", "p521"],
        p521.as_bytes(),
        "key.wrong_curve",
        exit::KEY,
    );
    let p521_pkcs8 = openssl(&["pkey"], p521.as_bytes());
    cli.json_err_stdin(
        &["key", "import", "-", "--label", "p521"],
        &p521_pkcs8,
        "key.wrong_curve",
        exit::KEY,
    );

    assert_eq!(
        cli.keyring().accounts(&service),
        items_before,
        "keychain items changed"
    );
    assert_eq!(cli.json(&["key", "list"]), list_before, "key list changed");
}

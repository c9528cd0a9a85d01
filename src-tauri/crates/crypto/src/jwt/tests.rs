use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine as _;
use serde_json::Map;

use super::*;
use crate::keys::{KeyAlg, PrivateKey, Public};
use crate::sign::Signer;
use crate::Coded;

const NOW: i64 = 1_800_000_000;

fn mint_with(key: &PrivateKey, opts: &MintOptions) -> Result<Minted, CryptoError> {
    mint(&Signer::new(key).unwrap(), &key.public(), opts, NOW)
}

fn allow(algs: &[JwsAlg]) -> VerifyOptions {
    VerifyOptions {
        algorithms: algs.to_vec(),
        ..Default::default()
    }
}

#[test]
fn rfc7515_a3_es256_verifies() {
    // RFC 7515 Appendix A.3 (high-S, exp 1300819380).
    let token = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
    let x = B64
        .decode("f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU")
        .unwrap();
    let y = B64
        .decode("x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0")
        .unwrap();
    let mut sec1 = vec![4u8];
    sec1.extend(x);
    sec1.extend(y);
    let key = PublicKey::from_inner(
        Public::P256(p256::PublicKey::from_sec1_bytes(&sec1).unwrap()),
        KeyAlg::P256,
    );
    let v = verify(token, &key, &allow(&[JwsAlg::ES256]), 1_300_819_379).unwrap();
    assert_eq!(v.claims["iss"], "joe");
    let e = verify(token, &key, &allow(&[JwsAlg::ES256]), 1_300_819_380).unwrap_err();
    assert_eq!(e.code(), "jwt.expired");
    let e = verify(token, &key, &allow(&[JwsAlg::ES384]), 1_300_819_379).unwrap_err();
    assert_eq!(e.code(), "jwt.alg_not_allowed");
}

#[test]
fn engine_mode_sets_iss_to_the_trimmed_pem() {
    let key = PrivateKey::generate(KeyAlg::P256).unwrap();
    let m = mint_with(&key, &MintOptions::default()).unwrap();
    let iss = m.claims["iss"].as_str().unwrap();
    assert!(iss.starts_with("-----BEGIN PUBLIC KEY-----\n"));
    assert!(iss.ends_with("\n-----END PUBLIC KEY-----"));
    assert_eq!(m.claims["iat"], NOW);
    assert_eq!(m.claims["exp"], NOW + 15);
    assert_eq!(m.header["alg"], "ES256");
    assert_eq!(m.header["typ"], "JWT");
    let v = verify(
        &m.token,
        &key.public(),
        &VerifyOptions {
            algorithms: vec![JwsAlg::ES256],
            iss: Some(iss.to_string()),
            require_exp: true,
            ..Default::default()
        },
        NOW + 14,
    )
    .unwrap();
    assert!(v.checks.iter().any(|c| c.id == "signature"));
    assert_eq!(
        verify(&m.token, &key.public(), &allow(&[JwsAlg::ES256]), NOW + 15)
            .unwrap_err()
            .code(),
        "jwt.expired"
    );
}

#[test]
fn kid_mode_and_registered_pem() {
    let key = PrivateKey::generate(KeyAlg::P384).unwrap();
    let pem = engine_pem(&key.public());
    let m = mint_with(
        &key,
        &MintOptions {
            use_kid: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(m.header["kid"], engine_key_hash(&pem));
    assert!(m.claims.get("iss").is_none());
    assert_eq!(m.header["alg"], "ES384");
    let m = mint_with(
        &key,
        &MintOptions {
            registered_pem: Some("REG".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(m.claims["iss"], "REG");
}

#[test]
fn every_algorithm_round_trips() {
    for (alg, jws) in [
        (KeyAlg::P256, JwsAlg::ES256),
        (KeyAlg::P384, JwsAlg::ES384),
        (KeyAlg::Secp256k1, JwsAlg::ES256K),
        (KeyAlg::Ed25519, JwsAlg::EdDSA),
        (KeyAlg::Rsa2048, JwsAlg::RS256),
        (KeyAlg::Rsa2048, JwsAlg::PS256),
    ] {
        let key = PrivateKey::generate(alg).unwrap();
        let opts = MintOptions {
            mode: Mode::Generic,
            alg: Some(jws),
            aud: vec!["api".into()],
            ..Default::default()
        };
        let m = mint_with(&key, &opts).unwrap();
        let v = verify(
            &m.token,
            &key.public(),
            &VerifyOptions {
                algorithms: vec![jws],
                aud: Some("api".into()),
                ..Default::default()
            },
            NOW,
        )
        .unwrap();
        assert_eq!(v.alg, jws);
        // Any change to the payload breaks the signature.
        let parts: Vec<&str> = m.token.split('.').collect();
        let forged = format!(
            "{}.{}.{}",
            parts[0],
            B64.encode(br#"{"exp":9999999999}"#),
            parts[2]
        );
        assert_eq!(
            verify(&forged, &key.public(), &allow(&[jws]), NOW)
                .unwrap_err()
                .code(),
            "jwt.bad_signature",
            "{jws}"
        );
    }
}

#[test]
fn engine_mode_refuses_eddsa_and_es256k() {
    for alg in [KeyAlg::Ed25519, KeyAlg::Secp256k1] {
        let key = PrivateKey::generate(alg).unwrap();
        let e = mint_with(&key, &MintOptions::default()).unwrap_err();
        assert_eq!(e.code(), "jwt.alg_not_in_mode");
        assert!(e.hint().contains("--mode generic"));
    }
}

#[test]
fn lifetimes_are_bounded() {
    let key = PrivateKey::generate(KeyAlg::P256).unwrap();
    let e = mint_with(
        &key,
        &MintOptions {
            exp_secs: Some(301),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(e.code(), "jwt.exp_too_long");
    assert!(mint_with(
        &key,
        &MintOptions {
            exp_secs: Some(300),
            ..Default::default()
        }
    )
    .is_ok());
    let e = mint_with(
        &key,
        &MintOptions {
            exp_secs: Some(61),
            max_exp_secs: Some(60),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(e.code(), "jwt.exp_too_long");
    assert_eq!(parse_duration("15s").unwrap(), 15);
    assert_eq!(parse_duration("2m").unwrap(), 120);
    assert_eq!(parse_duration("90").unwrap(), 90);
    assert_eq!(parse_duration("1x").unwrap_err().code(), "jwt.bad_duration");
}

#[test]
fn claims_and_body_hash() {
    let key = PrivateKey::generate(KeyAlg::P256).unwrap();
    let mut claims = Map::new();
    let (k, v) = parse_claim("role=\"admin\"").unwrap();
    claims.insert(k, v);
    let (k, v) = parse_claim("n=3").unwrap();
    claims.insert(k, v);
    let (k, v) = parse_claim("plain=hello world").unwrap();
    claims.insert(k, v);
    let m = mint_with(
        &key,
        &MintOptions {
            claims,
            body: Some(br#"{ "b": 1.0, "a": "x" }"#.to_vec()),
            sub: Some("me".into()),
            jti: Some("j1".into()),
            nbf_in_secs: Some(0),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(m.claims["role"], "admin");
    assert_eq!(m.claims["n"], 3);
    assert_eq!(m.claims["plain"], "hello world");
    assert_eq!(m.body.as_deref(), Some(r#"{"b":1,"a":"x"}"#));
    assert_eq!(
        m.claims["bodyHash"],
        hex::encode(Sha256::digest(br#"{"b":1,"a":"x"}"#))
    );
    let mut bad = Map::new();
    bad.insert("exp".into(), 1.into());
    let e = mint_with(
        &key,
        &MintOptions {
            claims: bad,
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(e.code(), "jwt.bad_claim");
    let mut big = Map::new();
    big.insert("x".into(), "y".repeat(MAX_CLAIMS_BYTES).into());
    let e = mint_with(
        &key,
        &MintOptions {
            claims: big,
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(e.code(), "jwt.too_large");
    let e = mint_with(
        &key,
        &MintOptions {
            body: Some(b"{".to_vec()),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(e.code(), "jwt.body_not_json");
}

#[test]
fn node_json_matches_json_stringify() {
    // Expected outputs are what node prints for JSON.stringify(JSON.parse(input)).
    for (input, want) in [
        (
            r#"{"b":1,"a":[1.0,2.5e0,1e21,-0]," 2":"x","10":1,"2":2}"#,
            r#"{"2":2,"10":1,"b":1,"a":[1,2.5,1e+21,0]," 2":"x"}"#,
        ),
        (
            r#"{"s":"\u00e9\u001f\n\"\\/","01":1,"4294967295":1,"4294967294":2}"#,
            "{\"4294967294\":2,\"s\":\"é\\u001f\\n\\\"\\\\/\",\"01\":1,\"4294967295\":1}",
        ),
        (
            r#"[0.1, 1e-7, 123456789012345678901234, 5e-324, 1.5e300]"#,
            "[0.1,1e-7,1.2345678901234569e+23,5e-324,1.5e+300]",
        ),
        (
            r#"{"a":1,"a":2,"b":null,"c":true}"#,
            r#"{"a":2,"b":null,"c":true}"#,
        ),
        (r#"  "text"  "#, r#""text""#),
        (r#"9007199254740993"#, "9007199254740992"),
        (r#"12345678901234567891"#, "12345678901234567000"),
    ] {
        let v: Value = serde_json::from_str(input).unwrap();
        assert_eq!(node_json(&v), want, "{input}");
    }
}

#[test]
fn bad_tokens_have_codes() {
    let key = PrivateKey::generate(KeyAlg::P256).unwrap();
    let pk = key.public();
    let a = allow(&[JwsAlg::ES256]);
    for (token, code) in [
        ("abc", "jwt.malformed"),
        ("a.b", "jwt.malformed"),
        ("!!.e30.", "jwt.malformed"),
        ("e30.e30.", "jwt.malformed"),
        ("eyJhbGciOiJub25lIn0.e30.", "jwt.alg_none"),
        ("eyJhbGciOiJOT05FIn0.e30.", "jwt.alg_none"),
        ("eyJhbGciOiJIUzI1NiJ9.e30.AAAA", "jwt.alg_not_allowed"),
        ("eyJhbGciOiJFUzI1NiJ9.W10.AAAA", "jwt.malformed"),
        ("eyJhbGciOiJFUzI1NiJ9.e30.AAAA", "jwt.bad_signature"),
    ] {
        assert_eq!(
            verify(token, &pk, &a, NOW).unwrap_err().code(),
            code,
            "{token}"
        );
    }
    let long = format!("{}.e30.", "a".repeat(MAX_TOKEN_BYTES));
    assert_eq!(
        verify(&long, &pk, &a, NOW).unwrap_err().code(),
        "jwt.too_large"
    );
    // Algorithm confusion: an RS256 token checked with an EC key, and an ES256 token
    // presented as ES384.
    let rsa = PrivateKey::generate(KeyAlg::Rsa2048).unwrap();
    let m = mint_with(&rsa, &MintOptions::default()).unwrap();
    assert_eq!(
        verify(&m.token, &pk, &allow(&[JwsAlg::RS256]), NOW)
            .unwrap_err()
            .code(),
        "jwt.alg_key_mismatch"
    );
    assert_eq!(
        verify(&m.token, &pk, &VerifyOptions::default(), NOW)
            .unwrap_err()
            .code(),
        "jwt.alg_not_allowed"
    );
    let m = mint_with(&key, &MintOptions::default()).unwrap();
    let parts: Vec<&str> = m.token.split('.').collect();
    let relabelled = format!(
        "{}.{}.{}",
        B64.encode(br#"{"alg":"ES384"}"#),
        parts[1],
        parts[2]
    );
    assert_eq!(
        verify(
            &relabelled,
            &pk,
            &allow(&[JwsAlg::ES256, JwsAlg::ES384]),
            NOW
        )
        .unwrap_err()
        .code(),
        "jwt.alg_key_mismatch"
    );
    let i = inspect(&m.token, NOW).unwrap();
    assert!(!i.verified);
    assert_eq!(i.expires_in_secs, Some(15));
    assert_eq!(
        i.engine_key_hash.as_deref(),
        Some(engine_key_hash(&engine_pem(&pk)).as_str())
    );
}

#[test]
fn high_s_es256k_from_other_libraries_is_accepted() {
    let key = PrivateKey::generate(KeyAlg::Secp256k1).unwrap();
    let m = mint_with(
        &key,
        &MintOptions {
            mode: Mode::Generic,
            ..Default::default()
        },
    )
    .unwrap();
    let parts: Vec<&str> = m.token.split('.').collect();
    let sig = k256::ecdsa::Signature::from_slice(&B64.decode(parts[2]).unwrap()).unwrap();
    let high =
        k256::ecdsa::Signature::from_scalars(sig.r().to_bytes(), (-*sig.s()).to_bytes()).unwrap();
    let token = format!("{}.{}.{}", parts[0], parts[1], B64.encode(high.to_bytes()));
    let v = verify(&token, &key.public(), &allow(&[JwsAlg::ES256K]), NOW).unwrap();
    assert!(v.checks.iter().any(|c| c.detail.contains("high-S")));
}

/// Security review #14: hostile `exp`/`nbf`/`iat` values (beyond i64) neither panic (overflow
/// checks are on in debug builds) nor wrap into "valid".
#[test]
fn hostile_time_claims_neither_panic_nor_wrap() {
    let key = PrivateKey::generate(KeyAlg::P256).unwrap();
    let signer = Signer::new(&key).unwrap();
    let mut header = Map::new();
    header.insert("alg".into(), "ES256".into());
    for (name, value, ok) in [
        ("exp", -1e19, false),
        ("exp", 1e19, true),
        ("nbf", 1e19, false),
        ("nbf", -1e19, true),
        ("iat", -1e19, true),
    ] {
        let mut claims = Map::new();
        claims.insert(name.into(), serde_json::json!(value));
        if name != "exp" {
            claims.insert("exp".into(), (NOW + 60).into());
        }
        let token = compact(&signer, JwsAlg::ES256, &header, &claims).unwrap();
        let i = inspect(&token, NOW).unwrap();
        if name == "exp" {
            assert_eq!(i.expires_in_secs.unwrap() > 0, ok, "{name} {value}");
        }
        let v = verify(&token, &key.public(), &allow(&[JwsAlg::ES256]), NOW);
        assert_eq!(
            v.is_ok(),
            ok,
            "{name} {value}: {:?}",
            v.as_ref().err().map(|e| e.to_string())
        );
    }
}

#[test]
fn a_pasted_token_loses_its_header_and_bearer() {
    for t in [
        "abc.def.ghi",
        "  abc.def.ghi\n",
        "Bearer abc.def.ghi",
        "bearer  abc.def.ghi ",
        "Authorization: Bearer abc.def.ghi",
        "authorization:Bearer abc.def.ghi",
    ] {
        assert_eq!(super::bare_token(t), "abc.def.ghi", "{t:?}");
    }
}

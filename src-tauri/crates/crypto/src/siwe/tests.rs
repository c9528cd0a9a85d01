use time::macros::datetime;

use super::abnf::check_nonce;
use super::*;
use crate::keys::{KeyAlg, PrivateKey};

const ADDR: &str = "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2";
const TOS: &str = "I accept the ServiceOrg Terms of Service: https://service.org/tos";

fn code(e: &SiweError) -> &str {
    e.code()
}

/// A message in the shape of the reference vectors, with `body` after `Issued At`.
fn message_with(head: &str, statement_block: &str, fields: &str) -> String {
    format!("{head}{HEADER_SUFFIX}\n{ADDR}\n\n{statement_block}\nURI: https://service.org/login\nVersion: 1\nChain ID: 1\nNonce: 32891757\nIssued At: 2021-09-30T16:25:24.000Z{fields}")
}

fn base() -> String {
    message_with("service.org", &format!("{TOS}\n"), "")
}

fn err_of(text: &str) -> SiweError {
    parse(text).expect_err("must be refused")
}

#[test]
fn single_faults_of_the_reference_negative_vectors_are_refused() {
    // The single faults of the spruceid/siwe parsing_negative.json vectors
    // (tests/vectors/siwe), on an otherwise valid message.
    let e = err_of(&base().replace("Version: 1", "Version: 2"));
    assert_eq!(e.to_string(), "line 7, Version: must be 1");
    let e = err_of(&base().replace(
        "2021-09-30T16:25:24.000Z",
        "Wed Oct 05 2011 16:48:00 GMT+0200 (CEST)",
    ));
    assert_eq!(
        e,
        SiweError::BadTime {
            line: Some(10),
            field: "Issued At"
        }
    );
    assert_eq!(code(&e), "siwe.bad_time");
}

#[test]
fn statement_shapes_follow_the_abnf() {
    // No statement: address LF LF LF "URI:".
    let none = message_with("service.org", "", "");
    assert!(none.contains(&format!("{ADDR}\n\n\nURI: ")));
    let m = parse(&none).unwrap();
    assert_eq!(m.statement, None);
    assert_eq!(m.to_message(), none);
    // With one: address LF LF statement LF LF "URI:".
    let m = parse(&base()).unwrap();
    assert_eq!(m.statement.as_deref(), Some(TOS));
    assert!(m
        .to_message()
        .contains(&format!("{ADDR}\n\n{TOS}\n\nURI: ")));
    // An empty statement (the ABNF allows it): four LFs; it prints back the same way.
    let empty = message_with("service.org", "\n", "");
    let m = parse(&empty).unwrap();
    assert_eq!(m.statement.as_deref(), Some(""));
    assert_eq!(m.to_message(), empty);
    // Two LFs, or five, are not the grammar.
    let two = none.replace("\n\n\nURI", "\n\nURI");
    assert!(err_of(&two)
        .to_string()
        .starts_with("line 4, URI: needs an empty line before it"));
    let five = none.replace("\n\n\nURI", "\n\n\n\n\nURI");
    assert!(err_of(&five)
        .to_string()
        .starts_with("line 6, URI: expected here, found an empty line"));
    // Statement followed by no empty line.
    let tight = base().replace(&format!("{TOS}\n\n"), &format!("{TOS}\n"));
    assert!(err_of(&tight)
        .to_string()
        .starts_with("line 4, statement: must be followed by an empty line"));
    // Characters outside reserved / unreserved / space.
    for bad in ["say \"hi\"", "50% off", "caf\u{e9}", "tab\there", "a<b>"] {
        let e = err_of(&message_with("service.org", &format!("{bad}\n"), ""));
        assert!(
            e.to_string()
                .starts_with("line 4, statement: holds a character"),
            "{bad}: {e}"
        );
    }
}

#[test]
fn line_ends_are_lf_only_and_there_is_no_trailing_lf() {
    let crlf = base().replace('\n', "\r\n");
    let e = err_of(&crlf);
    assert_eq!(code(&e), "siwe.malformed");
    assert!(
        e.to_string()
            .starts_with("line 1, message: has a carriage return"),
        "{e}"
    );
    let lone_cr = base().replace("Nonce: 32891757", "Nonce: 32891757\r");
    assert!(err_of(&lone_cr)
        .to_string()
        .starts_with("line 9, message: has a carriage return"));
    let trailing = format!("{}\n", base());
    assert_eq!(
        err_of(&trailing).to_string(),
        "line 11, message: ends with a line break (LF); the last line must not"
    );
    let trailing_res = format!(
        "{}\n",
        message_with("service.org", "", "\nResources:\n- https://a.example/x")
    );
    assert!(err_of(&trailing_res)
        .to_string()
        .contains("ends with a line break"));
    assert!(err_of("").to_string().starts_with("line 1, header:"));
}

#[test]
fn addresses_must_be_eip55() {
    let lower = base().replace(ADDR, &ADDR.to_ascii_lowercase());
    let e = err_of(&lower);
    assert_eq!(code(&e), "siwe.bad_address");
    assert!(e.to_string().contains("not in EIP-55 mixed case"));
    let upper = base().replace(ADDR, &format!("0x{}", ADDR[2..].to_ascii_uppercase()));
    assert_eq!(code(&err_of(&upper)), "siwe.bad_address");
    // One letter's case flipped: C02aaA… → c02aaA…
    let flipped = base().replace(ADDR, "0xc02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2");
    let e = err_of(&flipped);
    assert_eq!(
        e,
        SiweError::BadAddress {
            line: Some(2),
            reason: "has a wrong EIP-55 checksum (a character was mistyped)"
        }
    );
    for bad in [
        "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc",
        "C02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2",
        "0xG02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2",
    ] {
        let e = err_of(&base().replace(ADDR, bad));
        assert_eq!(
            e.to_string(),
            "line 2, address: is not 0x followed by 40 hex digits"
        );
    }
}

#[test]
fn field_rules() {
    let e = err_of(&base().replace("Nonce: 32891757", "Nonce: 1234567"));
    assert_eq!(
        e.to_string(),
        "line 9, Nonce: is shorter than 8 letters and digits"
    );
    let e = err_of(&base().replace("Nonce: 32891757", "Nonce: 3289-1757"));
    assert!(e
        .to_string()
        .starts_with("line 9, Nonce: holds a character"));
    assert!(err_of(&base().replace("Chain ID: 1", "Chain ID: 01"))
        .to_string()
        .ends_with("has a leading zero"));
    assert!(
        err_of(&base().replace("Chain ID: 1", "Chain ID: 18446744073709551616"))
            .to_string()
            .ends_with("is too large")
    );
    assert!(err_of(&base().replace("Chain ID: 1", "Chain ID: -1"))
        .to_string()
        .ends_with("is not a decimal number"));
    let m = parse(&base().replace("Chain ID: 1", "Chain ID: 18446744073709551615")).unwrap();
    assert_eq!(m.chain_id, u64::MAX);
    // URI: a scheme, no white space, RFC 3986 characters only.
    for bad in [
        "service.org/login",
        "https://service.org/a b",
        "1https://x",
        "https://exa mple.com",
        "https://x/%zz",
        "https://[::1/x",
        "",
    ] {
        let e = err_of(&base().replace("URI: https://service.org/login", &format!("URI: {bad}")));
        assert!(e.to_string().starts_with("line 6, URI: "), "{bad}: {e}");
    }
    for good in [
        "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
        "https://[::1]:8443/a?b=c#d",
        "http://user:pw@host:8080/p%20q",
        "file:///etc/hosts",
    ] {
        let m = parse(&base().replace("URI: https://service.org/login", &format!("URI: {good}")))
            .unwrap();
        assert_eq!(m.uri, good);
    }
    // Domain: host[:port], IPv6 in brackets.
    for good in [
        "[::1]",
        "[::1]:8080",
        "[2001:db8::7]",
        "localhost:3000",
        "app.example.com",
        "xn--bcher-kva.example",
    ] {
        assert_eq!(
            parse(&message_with(good, &format!("{TOS}\n"), ""))
                .unwrap()
                .domain,
            good
        );
    }
    for bad in [
        "",
        "[::1",
        "[::1]x",
        "[zz]",
        "example.com:99999",
        "example.com:",
        "exa mple.com",
        "example.com:80a",
        "b\u{fc}cher.example",
    ] {
        let e = err_of(&message_with(bad, &format!("{TOS}\n"), ""));
        assert!(e.to_string().starts_with("line 1, domain: "), "{bad}: {e}");
    }
    let e = err_of(&message_with("1ab://example.com", "", ""));
    assert!(e.to_string().starts_with("line 1, scheme: "), "{e}");
    let e = err_of(&base().replace(" wants you to sign in", " wants you to log in"));
    assert!(e
        .to_string()
        .starts_with("line 1, header: does not end with"));
    // Times: RFC 3339 only.
    for bad in [
        "2021-09-30 16:25:24Z",
        "2021-09-30T16:25:24",
        "2021-02-30T00:00:00Z",
        "2021-09-30T16:25:24+0100",
        "2021-09-30",
    ] {
        let e = err_of(&base().replace("2021-09-30T16:25:24.000Z", bad));
        assert_eq!(
            e,
            SiweError::BadTime {
                line: Some(10),
                field: "Issued At"
            },
            "{bad}"
        );
    }
    assert!(
        parse(&base().replace("2021-09-30T16:25:24.000Z", "2021-09-30t16:25:24.5+05:30")).is_ok()
    );
    // Request ID: *pchar, may be empty.
    let m = parse(&message_with("service.org", "", "\nRequest ID: ")).unwrap();
    assert_eq!(m.request_id.as_deref(), Some(""));
    assert_eq!(
        m.to_message(),
        message_with("service.org", "", "\nRequest ID: ")
    );
    let e = err_of(&message_with("service.org", "", "\nRequest ID: a/b"));
    assert!(e.to_string().starts_with("line 10, Request ID: "), "{e}");
}

#[test]
fn optional_fields_in_order_once_and_no_unknown_lines() {
    let all = "\nExpiration Time: 2021-10-30T16:25:24Z\nNot Before: 2021-09-30T16:25:24Z\nRequest ID: req-1:a@b\nResources:\n- https://a.example/x\n- urn:x:y";
    let text = message_with("https://service.org", &format!("{TOS}\n"), all);
    let m = parse(&text).unwrap();
    assert_eq!(m.scheme.as_deref(), Some("https"));
    assert_eq!(m.expiration_time.as_deref(), Some("2021-10-30T16:25:24Z"));
    assert_eq!(m.not_before.as_deref(), Some("2021-09-30T16:25:24Z"));
    assert_eq!(m.request_id.as_deref(), Some("req-1:a@b"));
    assert_eq!(m.resources, ["https://a.example/x", "urn:x:y"]);
    assert_eq!(m.to_message(), text);

    let swapped = message_with(
        "service.org",
        "",
        "\nNot Before: 2021-09-30T16:25:24Z\nExpiration Time: 2021-10-30T16:25:24Z",
    );
    assert_eq!(
        err_of(&swapped).to_string(),
        "line 11, Expiration Time: repeated or out of order"
    );
    let twice = message_with(
        "service.org",
        "",
        "\nNot Before: 2021-09-30T16:25:24Z\nNot Before: 2021-09-30T16:25:24Z",
    );
    assert_eq!(
        err_of(&twice).to_string(),
        "line 11, Not Before: repeated or out of order"
    );
    let nonce_again = message_with("service.org", "", "\nNonce: 12345678");
    assert_eq!(
        err_of(&nonce_again).to_string(),
        "line 10, Nonce: repeated or out of order"
    );
    let after_res = message_with(
        "service.org",
        "",
        "\nResources:\n- https://a.example/x\nRequest ID: 1",
    );
    assert_eq!(
        err_of(&after_res).to_string(),
        "line 12, Request ID: repeated or out of order"
    );
    // Unknown lines never have their text echoed.
    let unknown = message_with("service.org", "", "\nSecret Field: hunter2hunter2");
    let e = err_of(&unknown);
    assert_eq!(
        e.to_string(),
        "line 10, message: unknown field or text after the fields"
    );
    assert!(!format!("{e:?}").contains("hunter2"));
    let unknown_mid = base().replace("Version: 1", "Colour: blue");
    assert_eq!(
        err_of(&unknown_mid).to_string(),
        "line 7, Version: expected here, found an unknown field or text"
    );
    // Resources: at least one, each "- " URI, nothing on the "Resources:" line.
    let empty = message_with("service.org", "", "\nResources:");
    assert!(err_of(&empty)
        .to_string()
        .starts_with("line 10, Resources: must be followed"));
    let junk = message_with("service.org", "", "\nResources: x");
    assert!(err_of(&junk)
        .to_string()
        .starts_with("line 10, Resources: nothing may follow"));
    let bad_res = message_with("service.org", "", "\nResources:\n- not a uri");
    assert!(err_of(&bad_res)
        .to_string()
        .starts_with("line 11, resource: "));
    let no_dash = message_with("service.org", "", "\nResources:\nhttps://a.example/x");
    assert!(err_of(&no_dash)
        .to_string()
        .starts_with("line 11, message: unknown field"));
    // Oversized input.
    let huge = message_with(
        "service.org",
        "",
        &format!("\nRequest ID: {}", "a".repeat(MAX_MESSAGE_BYTES)),
    );
    assert_eq!(err_of(&huge).to_string(), "message: is longer than 64 KiB");
}

#[test]
fn parse_errors_never_echo_the_input() {
    let secretish = "s3cr3tV4lu3XYZ";
    let cases = [
        base().replace("Nonce: 32891757", &format!("Nonce: {secretish}!")),
        base().replace("Version: 1", &format!("Version: {secretish}")),
        base().replace(
            "URI: https://service.org/login",
            &format!("URI: {secretish} x"),
        ),
        message_with(&format!("{secretish}@host"), "", ""),
        base().replace(ADDR, &format!("0x{secretish}")),
    ];
    for text in cases {
        let e = err_of(&text);
        assert!(!e.to_string().contains(secretish), "{e}");
        assert!(!e.hint().contains(secretish));
    }
}

#[test]
fn build_round_trips_and_validates() {
    let params = SiweParams {
        scheme: Some("https".into()),
        domain: "app.example.com".into(),
        address: "0x2c7536e3605d9c16a7a3d7b1898e529396a65c23".into(),
        statement: Some("Sign in to Example".into()),
        uri: "https://app.example.com/login".into(),
        chain_id: 137,
        nonce: None,
        issued_at: Some(datetime!(2026-11-20 10:00:00.250 UTC)),
        expiration_time: Some(datetime!(2026-11-20 10:05:00 UTC)),
        not_before: Some(datetime!(2026-11-20 11:00:00 +01:00)),
        request_id: Some("r-42".into()),
        resources: vec!["https://app.example.com/terms".into()],
    };
    let m = build(params.clone()).unwrap();
    assert_eq!(m.address, "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23");
    assert_eq!(m.nonce.len(), NONCE_LEN);
    assert!(m.nonce.bytes().all(|c| c.is_ascii_alphanumeric()));
    assert_eq!(m.issued_at, "2026-11-20T10:00:00.25Z");
    assert_eq!(m.expiration_time.as_deref(), Some("2026-11-20T10:05:00Z"));
    assert_eq!(m.not_before.as_deref(), Some("2026-11-20T11:00:00+01:00"));
    assert_eq!(m.version, "1");
    let text = m.to_message();
    assert_eq!(parse(&text).unwrap(), m);
    assert_eq!(
        m.issued_at_parsed().unwrap(),
        datetime!(2026-11-20 10:00:00.250 UTC)
    );
    assert_eq!(
        m.not_before_parsed().unwrap(),
        Some(datetime!(2026-11-20 10:00:00 UTC))
    );
    assert_ne!(
        build(params.clone()).unwrap().nonce,
        m.nonce,
        "fresh nonces"
    );

    // Address forms: no 0x, upper case, already EIP-55; a wrong checksum is refused.
    for a in [
        "2c7536e3605d9c16a7a3d7b1898e529396a65c23",
        "0x2C7536E3605D9C16A7A3D7B1898E529396A65C23",
        "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23",
    ] {
        let p = SiweParams {
            address: a.into(),
            ..params.clone()
        };
        assert_eq!(
            build(p).unwrap().address,
            "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"
        );
    }
    let p = SiweParams {
        address: "0x2c7536E3605D9C16a7a3D7b1898e529396a65C23".into(),
        ..params.clone()
    };
    assert_eq!(code(&build(p).unwrap_err()), "siwe.bad_address");

    // Everything parse checks, build checks.
    let bad: Vec<SiweParams> = vec![
        SiweParams {
            statement: Some("two\nlines".into()),
            ..params.clone()
        },
        SiweParams {
            nonce: Some("short".into()),
            ..params.clone()
        },
        SiweParams {
            uri: "no scheme".into(),
            ..params.clone()
        },
        SiweParams {
            domain: "user@app.example.com".into(),
            ..params.clone()
        },
        SiweParams {
            scheme: Some("ht tps".into()),
            ..params.clone()
        },
        SiweParams {
            request_id: Some("a b".into()),
            ..params.clone()
        },
        SiweParams {
            resources: vec!["".into()],
            ..params.clone()
        },
    ];
    for p in bad {
        assert_eq!(code(&build(p).unwrap_err()), "siwe.malformed");
    }
    // An empty statement is dropped; the no-statement shape results.
    let m = build(SiweParams {
        statement: Some(String::new()),
        ..params.clone()
    })
    .unwrap();
    assert_eq!(m.statement, None);
    assert!(m.to_message().contains("\n\n\nURI: "));
    // Defaults: now, to the millisecond.
    let m = build(SiweParams {
        issued_at: None,
        ..params
    })
    .unwrap();
    let t = m.issued_at_parsed().unwrap();
    assert_eq!(t.nanosecond() % 1_000_000, 0);
    assert!((OffsetDateTime::now_utc() - t).whole_seconds().abs() < 60);
}

#[test]
fn validate_catches_hand_made_messages() {
    let mut m = parse(&base()).unwrap();
    m.version = "2".into();
    assert_eq!(m.validate().unwrap_err().to_string(), "Version: must be 1");
    let mut m = parse(&base()).unwrap();
    m.expiration_time = Some("tomorrow".into());
    assert_eq!(
        m.validate().unwrap_err(),
        SiweError::BadTime {
            line: None,
            field: "Expiration Time"
        }
    );
}

#[test]
fn serde_uses_camel_case() {
    let m = parse(&message_with(
        "https://service.org",
        "",
        "\nExpiration Time: 2021-10-30T16:25:24Z",
    ))
    .unwrap();
    let json = serde_json::to_value(&m).unwrap();
    assert_eq!(json["chainId"], 1);
    assert_eq!(json["issuedAt"], "2021-09-30T16:25:24.000Z");
    assert_eq!(json["expirationTime"], "2021-10-30T16:25:24Z");
    assert_eq!(json["scheme"], "https");
    assert!(json.get("statement").is_none());
    let back: SiweMessage = serde_json::from_value(json).unwrap();
    assert_eq!(back, m);
}

fn at_time(text_fields: &str) -> SiweMessage {
    parse(&message_with("service.org", "", text_fields)).unwrap()
}

fn check<'v>(v: &'v SiweVerdict, id: &str) -> Option<&'v Check> {
    v.checks.iter().find(|c| c.id == id)
}

#[test]
fn expiry_and_not_before_with_a_fixed_now() {
    let m = at_time("\nExpiration Time: 2021-01-05T00:00:00Z\nNot Before: 2021-01-04T00:00:00Z");
    let verdict = |now| verify(&m, &[0u8; 65], &VerifyOpts::at(now));
    let v = verdict(datetime!(2021-01-04 23:59:59 UTC));
    assert!(check(&v, "expiration").unwrap().ok);
    assert!(check(&v, "not_before").unwrap().ok);
    let v = verdict(datetime!(2021-01-05 00:00:00 UTC));
    assert!(
        !check(&v, "expiration").unwrap().ok,
        "expired at the instant itself"
    );
    assert_eq!(
        check(&v, "expiration").unwrap().detail,
        "expired at 2021-01-05T00:00:00Z"
    );
    let v = verdict(datetime!(2021-01-03 23:59:59.999 UTC));
    assert!(!check(&v, "not_before").unwrap().ok);
    let v = verdict(datetime!(2021-01-04 00:00:00 UTC));
    assert!(
        check(&v, "not_before").unwrap().ok,
        "valid from the instant itself"
    );
    assert!(!v.valid, "the zero signature fails");
    // Offsets count: 01:00+01:00 is midnight UTC.
    let m = at_time("\nExpiration Time: 2021-01-05T01:00:00+01:00");
    let v = verify(&m, &[], &VerifyOpts::at(datetime!(2021-01-05 00:00:00 UTC)));
    assert!(!check(&v, "expiration").unwrap().ok);
    // Checks not asked for are not listed.
    let m = at_time("");
    let v = verify(&m, &[], &VerifyOpts::at(datetime!(2021-01-05 00:00:00 UTC)));
    let ids: Vec<_> = v.checks.iter().map(|c| c.id).collect();
    assert_eq!(ids, ["message", "signature"]);
}

fn with(scheme: Option<&str>, domain: &str) -> SiweMessage {
    let mut m = parse(&base()).unwrap();
    m.scheme = scheme.map(str::to_owned);
    m.domain = domain.to_owned();
    m
}

#[test]
fn origin_binding() {
    let m = with(None, "app.example.com");
    for ok in [
        "https://app.example.com",
        "https://APP.Example.com",
        "https://app.example.com:443",
        "https://app.example.com/login?x=1",
        "HTTPS://app.example.com",
    ] {
        check_origin(&m, ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
    }
    for bad in [
        "https://evil.example.com",
        "https://app.example.com:8443",
        "http://app.example.com",
        "https://example.com",
        "https://app.example.com.evil.example",
    ] {
        let e = check_origin(&m, bad).unwrap_err();
        assert_eq!(code(&e), "siwe.domain_mismatch", "{bad}");
        assert_eq!(
            e.to_string(),
            format!("the message is for app.example.com, but the request came from {bad}")
        );
    }
    // Explicit port in the message.
    let m = with(None, "app.example.com:8443");
    check_origin(&m, "https://app.example.com:8443").unwrap();
    assert!(check_origin(&m, "https://app.example.com").is_err());
    // Explicit scheme: must match; default ports follow it.
    let m = with(Some("https"), "app.example.com");
    check_origin(&m, "https://app.example.com").unwrap();
    let e = check_origin(&m, "http://app.example.com:443").unwrap_err();
    assert_eq!(e.to_string(), "the message is for https://app.example.com, but the request came from http://app.example.com:443");
    let m = with(Some("http"), "example.com");
    check_origin(&m, "http://example.com").unwrap();
    check_origin(&m, "http://example.com:80").unwrap();
    assert!(check_origin(&m, "https://example.com").is_err());
    let m = with(Some("http"), "localhost:3000");
    check_origin(&m, "http://localhost:3000").unwrap();
    assert!(check_origin(&m, "https://localhost:3000").is_err());
    assert!(check_origin(&m, "http://localhost:3001").is_err());
    // IPv6 compared by value.
    let m = with(None, "[::1]:8080");
    check_origin(&m, "http://[0:0::1]:8080").unwrap();
    assert!(check_origin(&m, "http://[::2]:8080").is_err());
    // Not origins at all.
    for bad in [
        "app.example.com",
        "null",
        "https://user@app.example.com",
        "https://",
        "https://app example.com",
    ] {
        let e = check_origin(&with(None, "app.example.com"), bad).unwrap_err();
        assert_eq!(code(&e), "siwe.malformed", "{bad}");
    }
}

/// The EIP-191 key of PROTOCOLS.md §7 (web3.js `accounts.sign`).
fn eip191_key() -> PrivateKey {
    PrivateKey::from_raw(
        KeyAlg::Secp256k1,
        &hex::decode("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318").unwrap(),
    )
    .unwrap()
}

#[test]
fn sign_then_verify() {
    let key = eip191_key();
    let m = build(SiweParams {
        domain: "app.example.com".into(),
        address: "0x2c7536e3605d9c16a7a3d7b1898e529396a65c23".into(),
        statement: Some("Sign in to Example".into()),
        uri: "https://app.example.com".into(),
        chain_id: 1,
        nonce: Some("abcdEFGH1234".into()),
        issued_at: Some(datetime!(2026-11-20 10:00:00 UTC)),
        expiration_time: Some(datetime!(2026-11-20 10:05:00 UTC)),
        ..SiweParams::default()
    })
    .unwrap();
    let sig = sign(&key, &m).unwrap();
    assert!(matches!(sig[64], 27 | 28));
    assert_eq!(
        sig,
        crate::sign::eip191_sign(&key, m.to_message().as_bytes()).unwrap()
    );
    let opts = VerifyOpts {
        domain: Some("app.example.com".into()),
        nonce: Some("abcdEFGH1234".into()),
        now: datetime!(2026-11-20 10:01:00 UTC),
        origin: Some("https://app.example.com".into()),
    };
    let v = verify(&m, &sig, &opts);
    assert!(v.valid, "{:?}", v.checks);
    let ids: Vec<_> = v.checks.iter().map(|c| c.id).collect();
    assert_eq!(
        ids,
        [
            "message",
            "signature",
            "expiration",
            "domain",
            "nonce",
            "origin"
        ]
    );
    // v as 0/1 is accepted too.
    let mut sig01 = sig;
    sig01[64] -= 27;
    assert!(verify(&m, &sig01, &opts).valid);
    // Wrong origin, wrong time.
    let v = verify(
        &m,
        &sig,
        &VerifyOpts {
            origin: Some("https://evil.example".into()),
            ..opts.clone()
        },
    );
    assert!(!v.valid);
    assert!(check(&v, "origin")
        .unwrap()
        .detail
        .contains("https://evil.example"));
    assert!(
        !verify(
            &m,
            &sig,
            &VerifyOpts {
                now: datetime!(2026-11-20 10:05:00 UTC),
                ..opts.clone()
            }
        )
        .valid
    );

    // Another key, or a key of another curve, is refused before signing.
    let other = PrivateKey::from_raw(KeyAlg::Secp256k1, &[7u8; 32]).unwrap();
    let e = sign(&other, &m).unwrap_err();
    assert_eq!(code(&e), "siwe.address_mismatch");
    assert!(e
        .to_string()
        .ends_with("but the message is for 0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"));
    let ed = PrivateKey::from_raw(KeyAlg::Ed25519, &[7u8; 32]).unwrap();
    assert_eq!(code(&sign(&ed, &m).unwrap_err()), "siwe.wrong_key");
    // A message that does not validate is not signed.
    let bad = SiweMessage {
        nonce: "short".into(),
        ..m.clone()
    };
    assert_eq!(code(&sign(&key, &bad).unwrap_err()), "siwe.malformed");
    let v = verify(&bad, &sig, &opts);
    assert!(!v.valid);
    assert!(!check(&v, "message").unwrap().ok);
}

#[test]
fn nonces_are_alphanumeric() {
    for _ in 0..50 {
        let n = generate_nonce();
        assert_eq!(n.len(), NONCE_LEN);
        check_nonce(&n).unwrap();
    }
}

#[test]
fn every_error_has_a_code_and_hint() {
    let errors = [
        malformed(Some(1), "header", "x"),
        SiweError::BadAddress {
            line: None,
            reason: "x",
        },
        SiweError::BadTime {
            line: None,
            field: "Issued At",
        },
        SiweError::AddressMismatch {
            key: "a".into(),
            message: "b".into(),
        },
        SiweError::DomainMismatch {
            domain: "a".into(),
            origin: "b".into(),
        },
        SiweError::WrongKey("ed25519".into()),
        SiweError::Signature("x".into()),
    ];
    for e in errors {
        assert!(e.code().starts_with("siwe."));
        assert!(!e.hint().is_empty());
    }
    assert!(claims_siwe(&base()));
    assert!(!claims_siwe("hello"));
}

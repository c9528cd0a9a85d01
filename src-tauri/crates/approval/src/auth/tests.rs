//! Tests of the endpoint's authentication: token derivation, request MACs, the nonce book,
//! response signatures, pairing codes, and the `Host` / `Origin` rules.

use super::*;
use keyward_crypto::Coded;

const NONCE: &str = "00112233445566778899aabbccddeeff";

#[test]
fn every_auth_error_has_a_code_and_hint() {
    let all = [
        AuthError::BadMac,
        AuthError::Replay,
        AuthError::UnknownNonce,
        AuthError::ExpiredNonce,
        AuthError::ForeignHost,
        AuthError::ForeignOrigin,
        AuthError::BadResponseSignature,
        AuthError::Unpaired,
    ];
    let mut codes: Vec<&str> = all.iter().map(|e| e.code()).collect();
    for e in &all {
        assert!(e.code().starts_with("endpoint."));
        assert!(!e.hint().is_empty());
        assert!(!e.to_string().is_empty());
    }
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), all.len());
}

/// A token as pairing hands one out (a random secret, a fresh salt) and its MAC key hash.
fn issue_token() -> (Zeroizing<String>, String) {
    let token = derive_token(&random_bytes::<32>(), "app", &new_salt());
    let hash = token_hash(&token);
    (token, hash)
}

#[test]
fn derived_tokens_depend_on_secret_app_and_salt() {
    let secret = [7u8; 32];
    let t = derive_token(&secret, "app1", "00ff");
    assert_eq!(*t, *derive_token(&secret, "app1", "00ff"));
    assert_ne!(*t, *derive_token(&[8u8; 32], "app1", "00ff"));
    assert_ne!(*t, *derive_token(&secret, "app2", "00ff"));
    assert_ne!(*t, *derive_token(&secret, "app1", "00fe"));
    // Not ambiguous across the separator.
    assert_ne!(
        *derive_token(&secret, "a\nb", "c"),
        *derive_token(&secret, "a", "b\nc")
    );
    assert_eq!(new_salt().len(), 32);
}

#[test]
fn issued_token_hashes_to_stored_hash() {
    let (token, hash) = issue_token();
    assert_eq!(URL_SAFE_NO_PAD.decode(token.as_str()).unwrap().len(), 32);
    assert_eq!(hash, token_hash(&token));
    assert_eq!(hash.len(), 64);
    assert!(!hash.contains(token.as_str()));
    let (other, _) = issue_token();
    assert_ne!(*token, *other);
}

#[test]
fn mac_round_trip() {
    let (token, hash) = issue_token();
    let mac = request_mac(&token, NONCE, "POST", "/v1/requests?x=1", b"{\"a\":1}");
    assert!(!mac.contains(token.as_str()));
    verify_request_mac(
        Some(&hash),
        NONCE,
        "POST",
        "/v1/requests?x=1",
        b"{\"a\":1}",
        &mac,
    )
    .unwrap();
}

#[test]
fn mac_fails_when_anything_changes() {
    let (token, hash) = issue_token();
    let (other_token, _) = issue_token();
    let (nonce, method, path, body) = (NONCE, "POST", "/v1/requests?x=1", &b"body"[..]);
    let good = request_mac(&token, nonce, method, path, body);
    let check = |n: &str, m: &str, p: &str, b: &[u8], mac: &str| {
        verify_request_mac(Some(&hash), n, m, p, b, mac)
    };
    assert_eq!(check(nonce, method, path, body, &good), Ok(()));
    let other_nonce = "ffeeddccbbaa99887766554433221100";
    assert_eq!(
        check(other_nonce, method, path, body, &good),
        Err(AuthError::BadMac)
    );
    assert_eq!(
        check(nonce, "GET", path, body, &good),
        Err(AuthError::BadMac)
    );
    assert_eq!(
        check(nonce, method, "/v1/requests?x=2", body, &good),
        Err(AuthError::BadMac)
    );
    assert_eq!(
        check(nonce, method, "/v1/requests", body, &good),
        Err(AuthError::BadMac)
    );
    assert_eq!(
        check(nonce, method, path, b"bodz", &good),
        Err(AuthError::BadMac)
    );
    assert_eq!(
        check(nonce, method, path, b"", &good),
        Err(AuthError::BadMac)
    );
    let wrong_token = request_mac(&other_token, nonce, method, path, body);
    assert_eq!(
        check(nonce, method, path, body, &wrong_token),
        Err(AuthError::BadMac)
    );
    // The token itself is not the key: a MAC keyed by the raw token fails.
    let mut raw = <HmacSha256 as Mac>::new_from_slice(token.as_bytes()).unwrap();
    raw.update(canonical_request(nonce, method, path, body).as_bytes());
    let raw = URL_SAFE_NO_PAD.encode(raw.finalize().into_bytes());
    assert_eq!(
        check(nonce, method, path, body, &raw),
        Err(AuthError::BadMac)
    );
    // Malformed MACs and newline smuggling.
    assert_eq!(
        check(nonce, method, path, body, "!!"),
        Err(AuthError::BadMac)
    );
    assert_eq!(check(nonce, method, path, body, ""), Err(AuthError::BadMac));
    assert_eq!(
        check(nonce, method, &good[..good.len() - 1], body, &good),
        Err(AuthError::BadMac)
    );
    assert_eq!(
        check(nonce, "POST\n/x", "y", body, &good),
        Err(AuthError::BadMac)
    );
}

#[test]
fn mac_without_pairing_is_unpaired() {
    let (token, _) = issue_token();
    let mac = request_mac(&token, NONCE, "GET", "/v1/x", b"");
    assert_eq!(
        verify_request_mac(None, NONCE, "GET", "/v1/x", b"", &mac),
        Err(AuthError::Unpaired)
    );
    assert_eq!(
        verify_request_mac(Some("not hex"), NONCE, "GET", "/v1/x", b"", &mac),
        Err(AuthError::Unpaired)
    );
}

#[test]
fn canonical_strings_are_as_documented() {
    let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    assert_eq!(
        canonical_request("n", "GET", "/v1/status?a=b", b""),
        format!("KWREQ1\nn\nGET\n/v1/status?a=b\n{empty}")
    );
    assert_eq!(
        canonical_response("n", 200, b""),
        format!("KWRES1\nn\n200\n{empty}")
    );
}

#[test]
fn nonce_is_single_use() {
    let mut book = NonceBook::new(60, 16);
    let n = book.issue(1000);
    assert_eq!(n.len(), 32);
    assert!(n.chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(book.take(&n, 1001), Ok(()));
    assert_eq!(book.take(&n, 1002), Err(AuthError::Replay));
    assert_ne!(book.issue(1000), book.issue(1000));
}

#[test]
fn expired_nonce_is_refused() {
    let mut book = NonceBook::new(60, 16);
    let n = book.issue(1000);
    assert_eq!(book.take(&n, 1060), Err(AuthError::ExpiredNonce));
    // Dropped once seen expired.
    assert_eq!(book.take(&n, 1061), Err(AuthError::UnknownNonce));
    let m = book.issue(1000);
    assert_eq!(book.take(&m, 1059), Ok(()));
    // Expired nonces are purged when new ones are issued.
    let _stale = book.issue(1000);
    book.issue(2000);
    assert_eq!(book.len(), 1);
}

#[test]
fn unknown_nonce_is_refused() {
    let mut book = NonceBook::new(60, 16);
    assert!(book.is_empty());
    assert_eq!(book.take(NONCE, 0), Err(AuthError::UnknownNonce));
    assert_eq!(book.take("", 0), Err(AuthError::UnknownNonce));
    let n = book.issue(0);
    assert_eq!(
        book.take(&n.to_uppercase(), 1),
        Err(AuthError::UnknownNonce)
    );
    assert_eq!(book.take(&n, 1), Ok(()));
}

#[test]
fn nonce_book_is_bounded_and_evicts_oldest() {
    let mut book = NonceBook::new(600, 4);
    let issued: Vec<String> = (0..10).map(|i| book.issue(i)).collect();
    assert_eq!(book.len(), 4);
    for old in &issued[..6] {
        assert_eq!(book.take(old, 20), Err(AuthError::UnknownNonce));
    }
    for new in &issued[6..] {
        assert_eq!(book.take(new, 20), Ok(()));
    }
    assert!(book.is_empty());
    // The spent list is bounded too.
    for _ in 0..100 {
        let n = book.issue(30);
        book.take(&n, 31).unwrap();
    }
    assert!(book.spent.len() <= 4 && book.spent_order.len() <= 4);
    assert!(book.order.len() <= 4);
}

/// Security review #8: issuing must not rescan every live nonce per nonce. With the book
/// full (100,000 live), 1,000 more cost at most a few steps each, counted, not timed.
#[test]
fn issuing_into_a_full_book_costs_steps_per_nonce_not_per_live_nonce() {
    let mut book = NonceBook::new(120, 100_000);
    for _ in 0..100_000 {
        book.issue(1000);
    }
    assert_eq!(book.len(), 100_000);
    let before = book.steps();
    for _ in 0..1000 {
        book.issue(1001);
    }
    let spent = book.steps() - before;
    assert!(spent <= 4 * 1000, "1,000 issues looked at {spent} entries");
    assert_eq!(book.len(), 100_000);
    // Expired ones still go, in one pass over just them.
    let before = book.steps();
    book.issue(1000 + 120);
    assert_eq!(book.len(), 1000 + 1, "the first 100,000 expired at 1120");
    assert!(book.steps() - before <= 100_000 + 4);
}

#[test]
fn response_signature_verifies() {
    let key = EndpointKey::from_seed(&[7u8; 32]);
    let sig = sign_response(&key, NONCE, 200, b"{\"ok\":true}");
    verify_response(&key.public(), NONCE, 200, b"{\"ok\":true}", &sig).unwrap();
    assert_eq!(key.public(), EndpointKey::from_seed(&[7u8; 32]).public());
    assert!(!format!("{key:?}").contains(&hex::encode([7u8; 32])));
}

#[test]
fn response_signature_fails_on_any_change() {
    let key = EndpointKey::generate();
    let impostor = EndpointKey::generate();
    assert_ne!(key.public(), impostor.public());
    let pinned = key.public();
    let body = &b"{\"ok\":true}"[..];
    let sig = sign_response(&key, NONCE, 200, body);
    let bad = Err(AuthError::BadResponseSignature);
    let forged = sign_response(&impostor, NONCE, 200, body);
    assert_eq!(verify_response(&pinned, NONCE, 200, body, &forged), bad);
    assert_eq!(
        verify_response(&pinned, NONCE, 200, b"{\"ok\":false}", &sig),
        bad
    );
    assert_eq!(verify_response(&pinned, NONCE, 403, body, &sig), bad);
    assert_eq!(
        verify_response(&pinned, "ffeeddccbbaa99887766554433221100", 200, body, &sig),
        bad
    );
    assert_eq!(verify_response(&pinned, NONCE, 200, body, "garbage!"), bad);
    assert_eq!(verify_response(&pinned, NONCE, 200, body, ""), bad);
    assert_eq!(
        verify_response(&impostor.public(), NONCE, 200, body, &sig),
        bad
    );
}

#[test]
fn pairing_code_is_six_digits_and_shared() {
    let key = EndpointKey::generate();
    let offer = PairingOffer {
        app_name: "Example".into(),
        app_nonce: random_bytes::<16>().to_vec(),
    };
    let server_nonce = random_bytes::<16>();
    let app_side = pairing_code(&key.public(), &offer.app_nonce, &server_nonce);
    let keyward_side = pairing_code(&key.public(), &offer.app_nonce, &server_nonce);
    assert_eq!(app_side, keyward_side);
    assert_eq!(app_side.len(), 6);
    assert!(app_side.chars().all(|c| c.is_ascii_digit()));
    // Zero padding: some transcript gives a code with a leading zero, still 6 long.
    let padded = (0u8..=255)
        .map(|i| pairing_code(&[i; 32], b"a", b"b"))
        .find(|c| c.starts_with('0'))
        .expect("about 10% of codes start with 0");
    assert_eq!(padded.len(), 6);
    // Round trip of the offer as JSON.
    let json = serde_json::to_string(&offer).unwrap();
    assert_eq!(serde_json::from_str::<PairingOffer>(&json).unwrap(), offer);
}

#[test]
fn pairing_code_changes_with_any_transcript_byte() {
    let pubkey = [3u8; 32];
    let app = [5u8; 16];
    let srv = [9u8; 16];
    let base = pairing_code(&pubkey, &app, &srv);
    // 6 digits is 20 bits: a collision per flipped byte is ~1e-6; the inputs are fixed.
    for i in 0..32 {
        let mut p = pubkey;
        p[i] ^= 1;
        assert_ne!(pairing_code(&p, &app, &srv), base, "pub byte {i}");
    }
    for i in 0..16 {
        let mut a = app;
        a[i] ^= 1;
        assert_ne!(pairing_code(&pubkey, &a, &srv), base, "app byte {i}");
        let mut s = srv;
        s[i] ^= 1;
        assert_ne!(pairing_code(&pubkey, &app, &s), base, "server byte {i}");
    }
    // Bytes cannot move between the two nonces.
    assert_ne!(
        pairing_code(&pubkey, b"ab", b"c"),
        pairing_code(&pubkey, b"a", b"bc")
    );
    // Nor can the nonces swap.
    assert_ne!(
        pairing_code(&pubkey, &app, &srv),
        pairing_code(&pubkey, &srv, &app)
    );
}

#[test]
fn host_rules() {
    let port = 47_800;
    let table: &[(&str, bool)] = &[
        ("127.0.0.1:47800", true),
        ("localhost:47800", true),
        ("[::1]:47800", true),
        ("LOCALHOST:47800", true),
        ("LocalHost:47800", true),
        ("127.0.0.1.evil.com:47800", false),
        ("localhost.evil.com:47800", false),
        ("evil.com:47800", false),
        ("localhost:47801", false),
        ("127.0.0.1:80", false),
        ("localhost", false),
        ("127.0.0.1", false),
        ("[::1]", false),
        ("::1:47800", false),
        ("localhost.:47800", false),
        ("localhost:047800", false),
        ("localhost:+47800", false),
        ("localhost:47800 ", false),
        (" localhost:47800", false),
        ("localhost:", false),
        ("", false),
        ("127.0.0.2:47800", false),
        ("0.0.0.0:47800", false),
        ("user@localhost:47800", false),
        ("localhost:47800:47800", false),
    ];
    for &(host, ok) in table {
        let got = check_host(host, port);
        if ok {
            assert_eq!(got, Ok(()), "{host:?}");
        } else {
            assert_eq!(got, Err(AuthError::ForeignHost), "{host:?}");
        }
    }
}

#[test]
fn origin_rules() {
    let paired = Some("https://app.example.com");
    let table: &[(Option<&str>, Option<&str>, bool)] = &[
        (None, None, true),
        (None, paired, true),
        (Some("https://app.example.com"), paired, true),
        (Some("http://app.example.com"), paired, false),
        (Some("https://app.example.com:8443"), paired, false),
        (Some("https://evil.example.com"), paired, false),
        (Some("https://app.example.com.evil.com"), paired, false),
        (Some("https://app.example.com/"), paired, false),
        (Some("null"), paired, false),
        (Some("null"), Some("null"), false),
        (Some("NULL"), None, false),
        (Some("https://app.example.com"), None, false),
        (Some(""), paired, false),
        (
            Some("http://localhost:3000"),
            Some("http://localhost:3000"),
            true,
        ),
        (
            Some("http://localhost:3001"),
            Some("http://localhost:3000"),
            false,
        ),
    ];
    for &(origin, paired, ok) in table {
        let got = check_origin(origin, paired);
        if ok {
            assert_eq!(got, Ok(()), "{origin:?} vs {paired:?}");
        } else {
            assert_eq!(
                got,
                Err(AuthError::ForeignOrigin),
                "{origin:?} vs {paired:?}"
            );
        }
    }
}

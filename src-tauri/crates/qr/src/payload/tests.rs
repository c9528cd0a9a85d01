//! A table of inputs per kind, the malformed ones beside the good ones. Vectors: EIP-1328's and
//! EIP-681's examples, BIP 21's, BCR-2020-005's, ERC-4361's (the example message) and
//! spruceid/siwe's "missing mandatory field", PROTOCOLS.md §3's SimpleWallet login.

use super::*;

fn kind(s: &str) -> &'static str {
    classify(s.as_bytes()).kind()
}

fn why(s: &str) -> String {
    match classify(s.as_bytes()) {
        Payload::Text {
            malformed: Some(w), ..
        } => w,
        other => panic!("{s:?} is not malformed text: {other:?}"),
    }
}

const WC2: &str = "wc:7f6e504bfad60b485450578e05678ed3e8e8c4751d3c6160be17160d63ec90f9@2?relay-protocol=irn&symKey=587d5484ce2a2a6ee3ba1962fdd7e8588e06200c46823bd18fbd67def96ad303";
const WC1: &str = "wc:8a5e5bdc-a0e4-4702-ba63-8f1a5655744f@1?bridge=https%3A%2F%2Fbridge.walletconnect.org&key=41791102999c339c844880b23950704cc43aa840f3739e365323cda4dfa89e7a";
const SIWE: &str = "example.com wants you to sign in with your Ethereum account:\n0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2\n\nI accept the ExampleOrg Terms of Service: https://example.com/tos\n\nURI: https://example.com/login\nVersion: 1\nChain ID: 1\nNonce: 32891756\nIssued At: 2021-09-30T16:25:24Z\nResources:\n- ipfs://bafybeiemxf5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavhwq/\n- https://example.com/my-web2-claim.json";
const SIWE_NO_URI: &str = "service.org wants you to sign in with your Ethereum account:\n0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2\n\nI accept the ServiceOrg Terms of Service: https://service.org/tos\n\nVersion: 1\nNonce: 32891757\nIssued At: 2021-09-30T16:25:24Z";
const LOGIN: &str = r#"{"protocol":"SimpleWallet","version":"1.0","dappName":"Newdex","action":"login","uuID":"b2c4e0a6","loginUrl":"https://newdex.io/api/login","expired":1700000000,"loginMemo":"login","dappIcon":{"nested":true}}"#;

#[test]
fn each_kind_is_told_from_its_text() {
    for (input, want) in [
        (LOGIN, "simple-wallet"),
        (
            "simplewallet://eos.io?param=%7B%22protocol%22%3A%22SimpleWallet%22%2C%22version%22%3A%221.0%22%2C%22action%22%3A%22login%22%7D",
            "simple-wallet",
        ),
        (SIWE, "siwe"),
        (WC2, "wallet-connect"),
        (WC1, "wallet-connect"),
        ("WC:7f6e504bfad60b485450578e05678ed3e8e8c4751d3c6160be17160d63ec90f9@2?relay-protocol=irn&symKey=587d5484ce2a2a6ee3ba1962fdd7e8588e06200c46823bd18fbd67def96ad303", "wallet-connect"),
        ("keyward://sign?key=deploy&message=aGk", "keyward"),
        ("ethereum:0xfb6916095ca1df60bb79Ce92ce3ea74c37c5d359?value=2.014e18", "ethereum"),
        (
            "ethereum:0x89205a3a3b2a69de6dbf7f01ed13b2108b2c43e7/transfer?address=0x8e23ee67d1332ad560396262c48ffbb01f93d052&uint256=1",
            "ethereum",
        ),
        ("ethereum:pay-vitalik.eth@1?value=1e16", "ethereum"),
        (
            "bitcoin:175tWpb8K1S7NmH4Zx6rewF9WQrcZv245W?amount=50&label=Luke-Jr&message=Donation%20for%20project%20xyz",
            "bitcoin",
        ),
        ("BITCOIN:BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ", "bitcoin"),
        ("ur:bytes/hdcxvwskgscmfsrsroluaettbboxsnjnfptbonsstktnrnbasgbyjypaaybnjzfrfyisecmwbzrk", "ur"),
        ("UR:CRYPTO-SEED/1-13/LPADBTCFAXHDCXVWSKGSCMFS", "ur"),
        ("https://example.com/login?x=1", "url"),
        ("just some words", "text"),
        (r#"{"hello":"world"}"#, "text"),
        ("mailto:someone@example.com", "text"),
    ] {
        assert_eq!(kind(input), want, "{input}");
    }
    assert_eq!(classify(&[0xff, 0xfe, 0x00]), Payload::Binary { len: 3 });
}

#[test]
fn what_claims_a_kind_and_does_not_parse_is_text_with_the_reason() {
    assert!(why(SIWE_NO_URI).contains("Sign-In with Ethereum"));
    assert!(why(r#"{"protocol":"SimpleWallet","version":"1.0"}"#).contains("no action"));
    assert!(why(r#"{"protocol":"OtherWallet","action":"login"}"#).contains("not SimpleWallet"));
    assert!(why("simplewallet://eos.io?other=1").contains("without its param"));
    assert!(why("simplewallet://eos.io?param=%7Bnot%20json").contains("not a JSON object"));
    assert!(why("wc:abc").contains("@version"));
    assert!(why("wc:abc@3?x=1").contains("version 3"));
    assert!(why("wc:abc@2?relay-protocol=irn&symKey=00").contains("topic"));
    assert!(why(&WC2.replace("relay-protocol=irn&", "")).contains("relay-protocol"));
    assert!(why(&WC2.replace("symKey=587d", "symKey=zz7d")).contains("symKey"));
    assert!(why("wc:abc@1?key=00").contains("bridge"));
    assert!(why("ethereum:0x1234").contains("no address"));
    assert!(why("ethereum:0xfb6916095ca1df60bb79Ce92ce3ea74c37c5d359@main").contains("chain id"));
    assert!(why("bitcoin:175tWpb8K1S7NmH4Zx6rewF9WQrcZv245W?amount=fifty").contains("amount"));
    assert!(
        why("bitcoin:175tWpb8K1S7NmH4Zx6rewF9WQrcZv245W?req-somethingyoudontunderstand=50")
            .contains("req-somethingyoudontunderstand")
    );
    assert!(why("ur:bytes/1-x/abc").contains("n-m"));
    assert!(why("ur:by tes/abc").contains("type"));
    assert!(why("https://").contains("web address"));
}

#[test]
fn fields_are_parsed_for_display_and_keys_are_not_copied_out() {
    let Payload::SimpleWallet(sw) = classify(LOGIN.as_bytes()) else {
        panic!()
    };
    assert_eq!(
        (sw.protocol.as_str(), sw.action.as_str()),
        ("SimpleWallet", "login")
    );
    assert!(sw.fields.contains(&("uuID".into(), "b2c4e0a6".into())));
    assert!(sw.fields.contains(&("expired".into(), "1700000000".into())));
    assert!(
        !sw.fields.iter().any(|(k, _)| k == "dappIcon"),
        "nested values are left out"
    );

    let Payload::WalletConnect(wc) = classify(WC2.as_bytes()) else {
        panic!()
    };
    assert_eq!(wc.version, 2);
    assert_eq!(wc.relay_protocol.as_deref(), Some("irn"));
    assert!(wc.key_present);
    let shown = serde_json::to_string(&classify(WC2.as_bytes())).unwrap();
    assert!(
        !shown.contains("587d5484"),
        "the session key is shown: {shown}"
    );
    let Payload::WalletConnect(v1) = classify(WC1.as_bytes()) else {
        panic!()
    };
    assert_eq!(
        v1.bridge.as_deref(),
        Some("https://bridge.walletconnect.org")
    );

    let Payload::Ethereum(e) = classify(b"ethereum:0x89205a3a3b2a69de6dbf7f01ed13b2108b2c43e7@5/transfer?address=0x8e23ee67d1332ad560396262c48ffbb01f93d052&uint256=1") else {
        panic!()
    };
    assert_eq!(e.chain_id, Some(5));
    assert_eq!(e.function.as_deref(), Some("transfer"));
    assert_eq!(e.params.len(), 2);

    let Payload::Bitcoin(b) = classify(b"bitcoin:175tWpb8K1S7NmH4Zx6rewF9WQrcZv245W?amount=50&label=Luke-Jr&message=Donation%20for%20project%20xyz") else {
        panic!()
    };
    assert_eq!(b.amount.as_deref(), Some("50"));
    assert_eq!(b.message.as_deref(), Some("Donation for project xyz"));

    let Payload::Ur(u) = classify(b"UR:CRYPTO-SEED/1-13/LPADBTCFAXHDCXVWSKGSCMFS") else {
        panic!()
    };
    assert_eq!((u.ur_type.as_str(), u.part), ("crypto-seed", Some((1, 13))));

    let Payload::Siwe(m) = classify(SIWE.as_bytes()) else {
        panic!()
    };
    assert_eq!(m.domain, "example.com");
}

#[test]
fn a_lookalike_address_shows_its_real_host() {
    // The host is what the URL parser says, so the user sees where it really goes.
    for (input, host) in [
        ("https://example.com@evil.test/login", "evil.test"),
        ("https://example.com.evil.test/", "example.com.evil.test"),
        ("https://xn--exmple-cua.com/", "xn--exmple-cua.com"),
        ("HTTPS://EXAMPLE.COM/", "example.com"),
    ] {
        match classify(input.as_bytes()) {
            Payload::Url { host: h, .. } => assert_eq!(h, host, "{input}"),
            other => panic!("{input}: {other:?}"),
        }
    }
}

use super::*;

// BIP32 test vector 1 (bip-0032.mediawiki), seed 000102030405060708090a0b0c0d0e0f.
const TV1_SEED: &str = "000102030405060708090a0b0c0d0e0f";
const TV1_M_XPRV: &str = "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi";
const TV1_M_XPUB: &str = "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8";
const TV1_4_XPRV: &str = "xprvA2JDeKCSNNZky6uBCviVfJSKyQ1mDYahRjijr5idH2WwLsEd4Hsb2Tyh8RfQMuPh7f7RtyzTtdrbdqqsunu5Mm3wDvUAKRHSC34sJ7in334";
const TV1_4_XPUB: &str = "xpub6FHa3pjLCk84BayeJxFW2SP4XRrFd1JYnxeLeU8EqN3vDfZmbqBqaGJAyiLjTAwm6ZLRQUMv1ZACTj37sR62cfN7fe5JnJ7dh8zL4fiyLHV";
const TV1_5_XPRV: &str = "xprvA41z7zogVVwxVSgdKUHDy1SKmdb533PjDz7J6N6mV6uS3ze1ai8FHa8kmHScGpWmj4WggLyQjgPie1rFSruoUihUZREPSL39UNdE3BBDu76";
const TV1_5_XPUB: &str = "xpub6H1LXWLaKsWFhvm6RVpEL9P4KfRZSW7abD2ttkWP3SSQvnyA8FSVqNTEcYFgJS2UaFcxupHiYkro49S8yGasTvXEYBVPamhGW6cFJodrTHy";

fn tv1_seed() -> Vec<u8> {
    hex::decode(TV1_SEED).expect("hex")
}

#[test]
fn bip32_test_vector_1() {
    let m = from_seed(&tv1_seed(), "m").expect("master");
    assert_eq!(m.xprv().as_str(), TV1_M_XPRV);
    assert_eq!(m.xpub(), TV1_M_XPUB);
    let n4 = from_seed(&tv1_seed(), "m/0H/1/2H/2").expect("m/0H/1/2H/2");
    assert_eq!(n4.xprv().as_str(), TV1_4_XPRV);
    assert_eq!(n4.xpub(), TV1_4_XPUB);
    let n5 = from_seed(&tv1_seed(), "m/0H/1/2H/2/1000000000").expect("leaf");
    assert_eq!(n5.xprv().as_str(), TV1_5_XPRV);
    assert_eq!(n5.xpub(), TV1_5_XPUB);
    assert_eq!(n5.depth, 5);
    assert_eq!(n5.child_number, 1_000_000_000);
    // The same chain written with ' markers, and derived in steps from a parsed node.
    let alt = from_seed(&tv1_seed(), "m/0'/1/2'/2/1000000000").expect("alt");
    assert_eq!(alt.xprv().as_str(), TV1_5_XPRV);
    let parsed = parse_xprv(TV1_4_XPRV).expect("parse");
    let step = parsed.derive_child(1_000_000_000).expect("step");
    assert_eq!(step.xprv().as_str(), TV1_5_XPRV);
    // Parse → serialise round trip.
    let back = parse_xprv(TV1_5_XPRV).expect("parse leaf");
    assert_eq!(back.xprv().as_str(), TV1_5_XPRV);
    assert_eq!(back.xpub(), TV1_5_XPUB);
}

#[test]
fn bip39_trezor_vector() {
    // trezor/python-mnemonic vectors.json, first English entry, passphrase "TREZOR".
    let phrase = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
    let seed = mnemonic_to_seed(phrase, "TREZOR").expect("seed");
    assert_eq!(
        hex::encode(&seed[..]),
        "c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d18264c1e1c92f2cf141630c7a3c4ab7c81b2f001698e7463b04"
    );
    let m = from_mnemonic(phrase, "TREZOR", "m").expect("master");
    assert_eq!(
        m.xprv().as_str(),
        "xprv9s21ZrQH143K3h3fDYiay8mocZ3afhfULfb5GX8kCBdno77K4HiA15Tg23wpbeF1pLfs1c5SPmYHrEpTuuRhxMwvKDwqdKiGJS9XFKzUsAF"
    );
    // Case and whitespace are normalised.
    let messy = "  ABANDON abandon\tabandon abandon abandon abandon\nabandon abandon abandon abandon Abandon about ";
    assert_eq!(
        from_mnemonic(messy, "TREZOR", "m")
            .expect("messy")
            .xprv()
            .as_str(),
        m.xprv().as_str()
    );
    // Second English entry (entropy 7f…7f), passphrase "TREZOR".
    let seed = mnemonic_to_seed(
        "legal winner thank year wave sausage worth useful legal winner thank yellow",
        "TREZOR",
    )
    .expect("seed");
    assert_eq!(
        hex::encode(&seed[..]),
        "2e8905819b8723fe2c1d161860e5ee1830318dbf49a83bd451cfb8440c28bd6fa457fe1296106559a3c80937a1c1069be3a3a5bd381ee6260e8d9739fce1f607"
    );
}

#[test]
fn hardhat_mnemonic_account0() {
    // Hardhat / anvil default mnemonic; account #0 is 0xf39F…2266 with the well-known key.
    let phrase = "test test test test test test test test test test test junk";
    let node = from_mnemonic(phrase, "", &Preset::Ethereum.path(0)).expect("node");
    assert_eq!(
        hex::encode(node.secret.to_bytes()),
        "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
    );
    let point = node.public_key().to_encoded_point(false);
    let pub65: [u8; 65] = point.as_bytes().try_into().expect("65 bytes");
    assert_eq!(
        chain::eth_address(&pub65),
        "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
    );
}

#[test]
fn spv_wallet_vector() {
    // bitcoin-sv/spv-wallet-go-client internal/cryptoutil tests (PROTOCOLS.md §7): the
    // xpriv / xpub pair, then the nonce-derived child (8 non-hardened steps).
    let xprv = "xprv9s21ZrQH143K3N6qVJQAu4EP51qMcyrKYJLkLgmYXgz58xmVxVLSsbx2DfJUtjcnXK8NdvkHMKfmmg5AJT2nqqRWUrjSHX29qEJwBgBPkJQ";
    let node = parse_xprv(xprv).expect("parse");
    assert_eq!(node.depth, 0);
    assert_eq!(
        node.xpub(),
        "xpub661MyMwAqRbcFrBJbKwBGCB7d3fr2SaAuXGM95BA62X41m6eW2ehRQGW4xLi9wkEXUGnQZYxVVj4PxXnyrLk7jdqvBAs1Qq9gf6ykMvjR7J"
    );
    let mut child = node.clone();
    for index in [
        196136815u32,
        967933200,
        2099426390,
        1897997694,
        1092963872,
        23483248,
        1197704170,
        2003694612,
    ] {
        child = child.derive_child(index).expect("derive");
    }
    assert_eq!(
        child.xprv().as_str(),
        "xprvA8mj2ZL1w6Nqpi6D2amJLo4Gxy24tW9uv82nQKmamT2rkg5DgjzJZRFnW33e7QJwn65uUWSuN6YQyWrujNjZdVShPRnpNUSRVTru4cxaqfd"
    );
    assert_eq!(
        child.xpub(),
        "xpub6Mm5S4rumTw93CAg8cJJhw11WzrZHxsmHLxPCiBCKnZqdUQNEHJZ7DaGMKucRzXPHtoS2ZqsVSRjxVbibEvwmR2wXkZDd8RrTftmm42cRsf"
    );
}

#[test]
fn tprv_is_accepted() {
    // The TV1 master re-encoded with the tprv version.
    let node = parse_xprv(TV1_M_XPRV).expect("parse");
    let mut buf = [0u8; EXTENDED_KEY_LEN];
    node.serialise_head(VERSION_TPRV, &mut buf);
    buf[46..].copy_from_slice(&node.secret.to_bytes());
    let tprv = chain::b58check_encode(&buf);
    assert!(tprv.starts_with("tprv"));
    let back = parse_xprv(&tprv).expect("tprv");
    assert_eq!(back.xprv().as_str(), TV1_M_XPRV);
}

#[test]
fn meta_bytes_round_trip() {
    let node = parse_xprv(TV1_5_XPRV).expect("parse");
    let meta = node.to_meta_bytes();
    assert_eq!(meta[0], 5);
    let back = HdNode::from_meta_bytes(node.secret.clone(), &meta).expect("rebuild");
    assert_eq!(back.xprv().as_str(), TV1_5_XPRV);
    assert!(matches!(
        HdNode::from_meta_bytes(node.secret.clone(), &meta[..40]),
        Err(CryptoError::BadExtendedKey(_))
    ));
    // Depth 0 with a parent fingerprint is refused, as in parse_xprv.
    let mut bad = meta;
    bad[0] = 0;
    assert!(matches!(
        HdNode::from_meta_bytes(node.secret.clone(), &bad),
        Err(CryptoError::BadExtendedKey(_))
    ));
}

#[test]
fn debug_is_redacted() {
    let node = parse_xprv(TV1_M_XPRV).expect("parse");
    let shown = format!("{node:?}");
    assert!(shown.contains("<redacted>"));
    assert!(!shown.contains(&hex::encode(node.chain_code)));
    assert!(!shown.contains(&hex::encode(node.secret.to_bytes())));
}

fn xprv_err(s: &str) -> CryptoError {
    parse_xprv(s).expect_err("expected an error")
}

#[test]
fn parse_xprv_errors() {
    // BIP32 test vector 5, "invalid checksum" (the TV1 master with its last character
    // changed).
    let s = "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHL";
    assert!(matches!(xprv_err(s), CryptoError::BadChecksum(w) if w == "extended key"));
    // An xpub is not private.
    assert!(matches!(xprv_err(TV1_M_XPUB), CryptoError::NotPrivate));
    // BIP32 test vector 5 invalid keys, each refused as BadExtendedKey.
    for (key, why) in [
        ("xpub661MyMwAqRbcEYS8w7XLSVeEsBXy79zSzH1J8vCdxAZningWLdN3zgtU6LBpB85b3D2yc8sfvZU521AAwdZafEz7mnzBBsz4wKY5fTtTQBm", "pubkey version / prvkey mismatch"),
        ("xprv9s21ZrQH143K24Mfq5zL5MhWK9hUhhGbd45hLXo2Pq2oqzMMo63oStZzFGTQQD3dC4H2D5GBj7vWvSQaaBv5cxi9gafk7NF3pnBju6dwKvH", "prvkey version / pubkey mismatch"),
        ("xprv9s21ZrQH143K24Mfq5zL5MhWK9hUhhGbd45hLXo2Pq2oqzMMo63oStZzFGpWnsj83BHtEy5Zt8CcDr1UiRXuWCmTQLxEK9vbz5gPstX92JQ", "invalid prvkey prefix 04"),
        ("xprv9s21ZrQH143K24Mfq5zL5MhWK9hUhhGbd45hLXo2Pq2oqzMMo63oStZzFAzHGBP2UuGCqWLTAPLcMtD9y5gkZ6Eq3Rjuahrv17fEQ3Qen6J", "invalid prvkey prefix 01"),
        ("xprv9s2SPatNQ9Vc6GTbVMFPFo7jsaZySyzk7L8n2uqKXJen3KUmvQNTuLh3fhZMBoG3G4ZW1N2kZuHEPY53qmbZzCHshoQnNf4GvELZfqTUrcv", "zero depth with non-zero parent fingerprint"),
        ("xprv9s21ZrQH4r4TsiLvyLXqM9P7k1K3EYhA1kkD6xuquB5i39AU8KF42acDyL3qsDbU9NmZn6MsGSUYZEsuoePmjzsB3eFKSUEh3Gu1N3cqVUN", "zero depth with non-zero index"),
        ("DMwo58pR1QLEFihHiXPVykYB6fJmsTeHvyTp7hRThAtCX8CvYzgPcn8XnmdfHGMQzT7ayAmfo4z3gY5KfbrZWZ6St24UVf2Qgo6oujFktLHdHY4", "unknown extended key version"),
        ("xprv9s21ZrQH143K24Mfq5zL5MhWK9hUhhGbd45hLXo2Pq2oqzMMo63oStZzF93Y5wvzdUayhgkkFoicQZcP3y52uPPxFnfoLZB21Teqt1VvEHx", "private key 0 not in 1..n-1"),
        ("xprv9s21ZrQH143K24Mfq5zL5MhWK9hUhhGbd45hLXo2Pq2oqzMMo63oStZzFAzHGBP2UuGCqWLTAPLcMtD5SDKr24z3aiUvKr9bJpdrcLg1y3G", "private key n not in 1..n-1"),
    ] {
        let err = xprv_err(key);
        assert!(matches!(err, CryptoError::BadExtendedKey(_)), "{why}: {err:?}");
        assert!(!err.to_string().contains(key));
    }
    // Not Base58, wrong length, empty, absurdly long.
    assert!(matches!(
        xprv_err("xprv0OIl"),
        CryptoError::BadExtendedKey(_)
    ));
    assert!(matches!(
        xprv_err(&TV1_M_XPRV[..100]),
        CryptoError::BadExtendedKey(_)
    ));
    assert!(matches!(xprv_err(""), CryptoError::BadExtendedKey(_)));
    assert!(matches!(
        xprv_err(&"x".repeat(5000)),
        CryptoError::BadExtendedKey(_)
    ));
}

#[test]
fn parse_path_forms_and_errors() {
    let a = parse_path("m/44'/60'/0'/0/0").expect("'");
    let b = parse_path("m/44h/60h/0h/0/0").expect("h");
    let c = parse_path("44H/60H/0H/0/0").expect("no m");
    assert_eq!(a, b);
    assert_eq!(a, c);
    assert_eq!(a.to_string(), "m/44'/60'/0'/0/0");
    assert!(parse_path("m").expect("root").is_empty());
    assert_eq!(
        parse_path("m/2147483647'").expect("max").iter().next(),
        Some(ChildNumber(u32::MAX))
    );
    for bad in [
        "",
        "m/",
        "m//1",
        "m/1/",
        "m/1''",
        "m/2147483648",
        "m/-1",
        "m/+1",
        "m/1x",
        "m/ 1",
        "x/1",
        "m/4294967296",
    ] {
        assert!(
            matches!(parse_path(bad), Err(CryptoError::BadPath(_))),
            "{bad:?} was accepted"
        );
    }
    let deep = format!("m{}", "/0".repeat(256));
    assert!(matches!(parse_path(&deep), Err(CryptoError::BadPath(_))));
    let ok_deep = format!("m{}", "/0".repeat(255));
    assert_eq!(parse_path(&ok_deep).expect("255 levels").len(), 255);
}

#[test]
fn presets() {
    assert_eq!(Preset::parse("eth"), Some(Preset::Ethereum));
    assert_eq!(Preset::parse("Ethereum"), Some(Preset::Ethereum));
    assert_eq!(Preset::parse("eos"), Some(Preset::Eos));
    assert_eq!(Preset::parse("BTC"), Some(Preset::Bitcoin));
    assert_eq!(Preset::parse("bitcoin"), Some(Preset::Bitcoin));
    assert_eq!(Preset::parse("doge"), None);
    assert_eq!(Preset::Ethereum.path(0), "m/44'/60'/0'/0/0");
    assert_eq!(Preset::Eos.path(3), "m/44'/194'/0'/0/3");
    assert_eq!(Preset::Bitcoin.path(7), "m/44'/0'/0'/0/7");
    for p in [Preset::Ethereum, Preset::Eos, Preset::Bitcoin] {
        assert!(parse_path(&p.path(1)).is_ok());
    }
}

#[test]
fn mnemonic_errors() {
    // Unknown word: reported by position, never by the word itself.
    let phrase = "abandon abandon zzzsecretword abandon abandon abandon abandon abandon abandon abandon abandon about";
    let err = from_mnemonic(phrase, "", "m").expect_err("error");
    let msg = err.to_string();
    assert!(matches!(err, CryptoError::BadMnemonic(_)));
    assert!(msg.contains("word 3"), "{msg}");
    assert!(!msg.contains("zzzsecretword"), "{msg}");
    // Wrong count.
    let err = from_mnemonic("abandon abandon about", "", "m").expect_err("error");
    assert!(matches!(err, CryptoError::BadMnemonic(_)));
    assert!(matches!(
        from_mnemonic("", "", "m"),
        Err(CryptoError::BadMnemonic(_))
    ));
    // Checksum: twelve "abandon" (the valid phrase ends in "about").
    let twelve = ["abandon"; 12].join(" ");
    assert!(matches!(
        from_mnemonic(&twelve, "", "m"),
        Err(CryptoError::BadChecksum(w)) if w == "mnemonic"
    ));
    // Bad path is reported before any seed work.
    let phrase = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
    assert!(matches!(
        from_mnemonic(phrase, "", "m/x"),
        Err(CryptoError::BadPath(_))
    ));
    // Far too long.
    assert!(matches!(
        from_mnemonic(&"abandon ".repeat(1000), "", "m"),
        Err(CryptoError::TooLarge(..))
    ));
}

#[test]
fn seed_length_is_checked() {
    assert!(matches!(
        from_seed(&[1u8; 15], "m"),
        Err(CryptoError::BadKey(_))
    ));
    assert!(matches!(
        from_seed(&[1u8; 65], "m"),
        Err(CryptoError::BadKey(_))
    ));
    assert!(from_seed(&[1u8; 64], "m/0").is_ok());
}

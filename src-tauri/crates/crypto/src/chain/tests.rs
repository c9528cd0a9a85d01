use super::*;
use k256::elliptic_curve::sec1::ToEncodedPoint;

fn secret(hex_str: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    hex::decode_to_slice(hex_str, &mut out).expect("test hex");
    out
}

fn pub33(sk: &[u8; 32]) -> [u8; 33] {
    let key = k256::SecretKey::from_slice(sk).expect("test key");
    let point = key.public_key().to_encoded_point(true);
    point.as_bytes().try_into().expect("33 bytes")
}

fn pub65(sk: &[u8; 32]) -> [u8; 65] {
    let key = k256::SecretKey::from_slice(sk).expect("test key");
    let point = key.public_key().to_encoded_point(false);
    point.as_bytes().try_into().expect("65 bytes")
}

fn eip191_hash(msg: &[u8]) -> [u8; 32] {
    let mut data = format!("\x19Ethereum Signed Message:\n{}", msg.len()).into_bytes();
    data.extend_from_slice(msg);
    keccak256(&data)
}

#[test]
fn keccak256_vectors() {
    // Keccak-256("") — PROTOCOLS.md §7 (the well-known empty-input Keccak digest).
    assert_eq!(
        hex::encode(keccak256(b"")),
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    );
    // EIP-191 hashes — PROTOCOLS.md §7, web3.js docs `accounts.hashMessage` / `sign`.
    assert_eq!(
        hex::encode(eip191_hash(b"Some data")),
        "1da44b586eb0729ff70a73c326926f6ed5a25f5b056e7f47fbc6e58d86871655"
    );
    assert_eq!(
        hex::encode(eip191_hash(b"Hello World")),
        "a1de988600a42c4b4ab089b619297c17d53cffae5d5120d82d8a92d0bb3b78f2"
    );
}

#[test]
fn eth_address_eip191_vector() {
    // web3.js docs `accounts.sign` key (PROTOCOLS.md §7, EIP-191).
    let sk = secret("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");
    assert_eq!(
        eth_address(&pub65(&sk)),
        "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"
    );
}

#[test]
fn eth_address_hardhat_account0() {
    // Hardhat / anvil default account #0 (mnemonic "test … junk", m/44'/60'/0'/0/0).
    let sk = secret("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
    assert_eq!(
        eth_address(&pub65(&sk)),
        "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
    );
}

#[test]
fn eip55_published_examples() {
    // EIP-55 "Test Cases": all caps, all lower, and mixed-case examples.
    for expected in [
        "0x52908400098527886E0F7030069857D2E4169EE7",
        "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
        "0xde709f2102306220921060314715629080e2fb77",
        "0x27b1fdb04752bbc536007a920d24acb045561c26",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    ] {
        let mut addr = [0u8; 20];
        hex::decode_to_slice(expected[2..].to_ascii_lowercase(), &mut addr).expect("hex");
        assert_eq!(eip55(&addr), expected);
    }
}

#[test]
fn btc_p2pkh_bsm_vector() {
    // go-sdk compat/bsm sign_test.go (PROTOCOLS.md §7, BSM).
    let sk = secret("0499f8239bfe10eb0f5e53d543635a423c96529dd85fa4bad42049a0b435ebdd");
    assert_eq!(btc_p2pkh(&pub33(&sk)), "1KeiT9opiiEyqBjazSix8muc1JuFNNWEKe");
}

#[test]
fn wif_bitcoin_wiki_vectors() {
    // Bitcoin wiki "Wallet import format" example key, uncompressed and compressed forms;
    // the compressed P2PKH address is the one btcwallet / bitcoinj tests pair with it.
    let sk = secret("0c28fca386c7a227600b2fe50b7cae11ec86d3bf1fbe471be89827e19d72aa1d");
    let unc = "5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ";
    let comp = "KwdMAjGmerYanjeui5SHS7JkmpZvVipYvB2LJGU1ZxJwYvP98617";
    assert_eq!(wif_encode(&sk, false).as_str(), unc);
    assert_eq!(wif_encode(&sk, true).as_str(), comp);
    let (d, c) = wif_decode(unc).expect("uncompressed WIF");
    assert_eq!(*d, sk);
    assert!(!c);
    let (d, c) = wif_decode(comp).expect("compressed WIF");
    assert_eq!(*d, sk);
    assert!(c);
    assert_eq!(btc_p2pkh(&pub33(&sk)), "1LoVGDgRs9hTfTNJNuXKSpywcbdvwRXpmK");
    // Testnet compressed WIF of the same key (btclib tests).
    let (d, c) =
        wif_decode("cMzLdeGd5vEqxB8B6VFQoRopQ3sLAAvEzDAoQgvX54xwofSWj1fx").expect("testnet WIF");
    assert_eq!(*d, sk);
    assert!(c);
    // Surrounding whitespace is tolerated.
    assert!(wif_decode(&format!("  {comp}\n")).is_ok());
}

#[test]
fn eos_vectors() {
    // eosjs-ecc tests: the key is SHA-256("") (PROTOCOLS.md §7, EOS).
    let wif = "5KYZdUEo39z3FPrtuX2QbbwGnNP5zTd7yyr2SC1j299sBCnWjss";
    let d = eos_private_decode(wif).expect("EOS WIF");
    assert_eq!(
        hex::encode(*d),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    let p = pub33(&d);
    assert_eq!(
        eos_public_legacy(&p),
        "EOS859gxfnXyUriMgUeThh1fWv3oqcpLFyHa3TfFYC4PK2HqhToVM"
    );
    assert_eq!(
        eos_public(&p),
        "PUB_K1_859gxfnXyUriMgUeThh1fWv3oqcpLFyHa3TfFYC4PK2Ht7beeX"
    );
    assert_eq!(eos_private_legacy(&d).as_str(), wif);

    // eosjs tests (eosjs-jssig.test.ts): legacy WIF, PVT_K1_ form and both public forms.
    let wif = "5Juww5SS6aLWxopXBAWzwqrwadiZKz7XpKAiktXTKcfBGi1DWg8";
    let k1 = "PVT_K1_26fMPzM27mXhoSF8y56ro7pN2te7rFT6W6wXiUi5joY79NHfZf";
    let d = eos_private_decode(wif).expect("EOS WIF");
    assert_eq!(eos_private_k1(&d).as_str(), k1);
    assert_eq!(*eos_private_decode(k1).expect("PVT_K1_"), *d);
    let p = pub33(&d);
    assert_eq!(
        eos_public_legacy(&p),
        "EOS7tgwU6E7pAUQJgqEJt66Yi8cWvanTUW8ZfBjeXeJBQvhTU9ypi"
    );
    assert_eq!(
        eos_public(&p),
        "PUB_K1_7tgwU6E7pAUQJgqEJt66Yi8cWvanTUW8ZfBjeXeJBQvhYTBFvY"
    );

    // The eosio development key (EOSIO docs; abieos tests pair WIF and PVT_K1_).
    let wif = "5KQwrPbwdL6PhXujxW37FSSQZ1JiwsST4cqQzDeyXtP79zkvFD3";
    let k1 = "PVT_K1_2bfGi9rYsXQSXXTvJbDAPhHLQUojjaNLomdm3cEJ1XTzMqUt3V";
    let d = eos_private_decode(wif).expect("EOS WIF");
    assert_eq!(eos_private_k1(&d).as_str(), k1);
    let p = pub33(&d);
    assert_eq!(
        eos_public_legacy(&p),
        "EOS6MRyAjQq8ud7hVNYcfnVPJqcVpscN5So8BhtHuGYqET5GDW5CV"
    );
    assert_eq!(
        eos_public(&p),
        "PUB_K1_6MRyAjQq8ud7hVNYcfnVPJqcVpscN5So8BhtHuGYqET5BoDq63"
    );

    // A compressed WIF is accepted too (the flag is ignored).
    let comp = wif_encode(&d, true);
    assert_eq!(*eos_private_decode(&comp).expect("compressed"), *d);
}

fn is_err<T>(r: Result<T, CryptoError>, f: impl Fn(&CryptoError) -> bool) -> bool {
    match r {
        Ok(_) => false,
        Err(e) => f(&e),
    }
}

#[test]
fn wif_errors() {
    let good = "5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ";
    // Last character changed: checksum.
    let bad_check = "5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTK";
    assert!(is_err(wif_decode(bad_check), |e| matches!(
        e,
        CryptoError::BadChecksum(_)
    )));
    // '0', 'O', 'I' and 'l' are not Base58.
    let bad_b58 = good.replace('H', "0");
    let err = wif_decode(&bad_b58).expect_err("error");
    assert!(matches!(&err, CryptoError::BadEncoding(w) if w == "Base58"));
    assert!(!err.to_string().contains(&bad_b58));
    // Wrong lengths, with a valid checksum.
    let short = b58check_encode(&[0x80; 20]);
    assert!(is_err(wif_decode(&short), |e| matches!(
        e,
        CryptoError::BadKey(_)
    )));
    let long = b58check_encode(&[0x80; 40]);
    assert!(is_err(wif_decode(&long), |e| matches!(
        e,
        CryptoError::BadKey(_)
    )));
    let far_too_long = "5".repeat(10_000);
    assert!(wif_decode(&far_too_long).is_err());
    assert!(is_err(wif_decode(""), |e| matches!(
        e,
        CryptoError::BadKey(_)
    )));
    // Zero scalar and the group order n are not keys.
    let zero = wif_encode(&[0u8; 32], false);
    assert!(is_err(wif_decode(&zero), |e| matches!(
        e,
        CryptoError::BadKey(_)
    )));
    let n = secret("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
    assert!(is_err(wif_decode(&wif_encode(&n, true)), |e| matches!(
        e,
        CryptoError::BadKey(_)
    )));
    // Unknown version byte (0x00, a P2PKH address version).
    let sk = secret("0c28fca386c7a227600b2fe50b7cae11ec86d3bf1fbe471be89827e19d72aa1d");
    let other = wif_encode_version(0x00, &sk, false);
    assert!(is_err(wif_decode(&other), |e| matches!(
        e,
        CryptoError::BadKey(_)
    )));
    // A compressed-length payload whose flag is not 0x01.
    let mut payload = [0u8; 34];
    payload[0] = 0x80;
    payload[1..33].copy_from_slice(&sk);
    payload[33] = 0x02;
    let bad_flag = b58check_encode(&payload);
    assert!(is_err(wif_decode(&bad_flag), |e| matches!(
        e,
        CryptoError::BadEncoding(_)
    )));
    // No error message quotes the input.
    for input in [bad_check, bad_b58.as_str(), short.as_str(), zero.as_str()] {
        let msg = wif_decode(input).expect_err("error").to_string();
        assert!(!msg.contains(input), "message quotes its input: {msg}");
    }
}

#[test]
fn eos_errors() {
    let k1 = "PVT_K1_26fMPzM27mXhoSF8y56ro7pN2te7rFT6W6wXiUi5joY79NHfZf";
    let bad_check = k1.replace("Zf", "Zg");
    assert!(is_err(eos_private_decode(&bad_check), |e| matches!(
        e,
        CryptoError::BadChecksum(_)
    )));
    assert!(is_err(eos_private_decode("PVT_K1_0OIl"), |e| matches!(
        e,
        CryptoError::BadEncoding(_)
    )));
    assert!(is_err(eos_private_decode("PVT_K1_2bfGi9"), |e| matches!(
        e,
        CryptoError::BadKey(_)
    )));
    assert!(is_err(
        eos_private_decode("PVT_R1_GrfEfbv5at9kbeHcGagQmvbFLdm6jqEpgE1wsGbrfbZNjpVgT"),
        |e| matches!(e, CryptoError::BadKey(_))
    ));
    // Zero scalar in PVT_K1_ form.
    let zero = eos_private_k1(&[0u8; 32]);
    assert!(is_err(eos_private_decode(&zero), |e| matches!(
        e,
        CryptoError::BadKey(_)
    )));
    // Testnet WIF is not an EOS key.
    let tn = "cMzLdeGd5vEqxB8B6VFQoRopQ3sLAAvEzDAoQgvX54xwofSWj1fx";
    assert!(is_err(eos_private_decode(tn), |e| matches!(
        e,
        CryptoError::BadKey(_)
    )));
    // Bad checksum on the legacy form.
    let legacy = "5KYZdUEo39z3FPrtuX2QbbwGnNP5zTd7yyr2SC1j299sBCnWjst";
    assert!(is_err(eos_private_decode(legacy), |e| matches!(
        e,
        CryptoError::BadChecksum(_)
    )));
    let msg = eos_private_decode(&bad_check)
        .expect_err("error")
        .to_string();
    assert!(!msg.contains(&bad_check));
}

//! Vectors: PROTOCOLS.md §7 (web3.js `accounts.sign`, go-sdk compat/bsm `sign_test.go`,
//! RFC 6979 A.2.5, the bitcointalk / trezor-crypto secp256k1 RFC 6979 vector, RFC 8032 §7.1).

use sha2::Digest;

use super::bsm::write_varint;
use super::eos::eos_canonical;
use super::*;
use crate::keys::{KeyAlg, PrivateKey, Public, PublicKey};

fn k1(hex_key: &str) -> PrivateKey {
    PrivateKey::from_raw(KeyAlg::Secp256k1, &hex::decode(hex_key).unwrap()).unwrap()
}

const EIP191_KEY: &str = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
const EIP191_SIG: &str = "0xb91467e570a6466aa9e9876cbcd013baba02900b8979d43fe208a4a4f339f5fd6007e74cd82e037b800186422fc2da167c747ef045e5d18a5f5d4300f8e1a0291c";

#[test]
fn eip191_vector() {
    assert_eq!(
        hex::encode(eip191_hash(b"Some data")),
        "1da44b586eb0729ff70a73c326926f6ed5a25f5b056e7f47fbc6e58d86871655"
    );
    assert_eq!(
        hex::encode(eip191_hash(b"Hello World")),
        "a1de988600a42c4b4ab089b619297c17d53cffae5d5120d82d8a92d0bb3b78f2"
    );
    let key = k1(EIP191_KEY);
    let sig = sign(
        &key,
        Scheme::Eip191,
        Payload::Message(b"Some data"),
        Encoding::Rs,
    )
    .unwrap();
    assert_eq!(sig.signature, EIP191_SIG);
    assert_eq!(sig.signer, "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23");
    let bytes = decode_signature(Scheme::Eip191, EIP191_SIG).unwrap();
    let addr = eip191_recover(b"Some data", &bytes).unwrap();
    assert_eq!(
        crate::chain::eip55(&addr),
        "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"
    );
    let v = verify(
        Scheme::Eip191,
        Payload::Message(b"Some data"),
        &bytes,
        &VerifyWith::Address("0x2c7536e3605d9c16a7a3d7b1898e529396a65c23".into()),
    )
    .unwrap();
    assert!(v.valid, "{v:?}");
    let v = verify(
        Scheme::Eip191,
        Payload::Message(b"Some datA"),
        &bytes,
        &VerifyWith::Address("0x2c7536E3605D9C16a7a3D7b1898e529396a65c23".into()),
    )
    .unwrap();
    assert!(!v.valid);
    // v = 1 is read as 28.
    let mut v01 = bytes.clone();
    v01[64] = 1;
    assert_eq!(eip191_recover(b"Some data", &v01).unwrap(), addr);
}

#[test]
fn eip191_refuses_high_s_and_bad_v() {
    let mut bytes = decode_signature(Scheme::Eip191, EIP191_SIG).unwrap();
    bytes[64] = 29;
    assert_eq!(
        crate::Coded::code(&eip191_recover(b"Some data", &bytes).unwrap_err()),
        "sign.bad_signature"
    );
    // s' = n - s, v flipped: the same signature, non-canonical.
    let bytes = decode_signature(Scheme::Eip191, EIP191_SIG).unwrap();
    let sig = k256::ecdsa::Signature::from_slice(&bytes[..64]).unwrap();
    let high =
        k256::ecdsa::Signature::from_scalars(sig.r().to_bytes(), (-*sig.s()).to_bytes()).unwrap();
    let mut hb = high.to_bytes().to_vec();
    hb.push(27);
    assert_eq!(
        crate::Coded::code(&eip191_recover(b"Some data", &hb).unwrap_err()),
        "sign.non_canonical"
    );
    assert_eq!(
        crate::Coded::code(&eip191_recover(b"Some data", &hb[..64]).unwrap_err()),
        "sign.bad_signature"
    );
}

#[test]
fn bsm_vector() {
    let key = k1("0499f8239bfe10eb0f5e53d543635a423c96529dd85fa4bad42049a0b435ebdd");
    let sig = sign(
        &key,
        Scheme::Bsm,
        Payload::Message(b"test message"),
        Encoding::Rs,
    )
    .unwrap();
    assert_eq!(
        sig.signature,
        "IFxPx8JHsCiivB+DW/RgNpCLT6yG3j436cUNWKekV3ORBrHNChIjeVReyAco7PVmmDtVD3POs9FhDlm/nk5I6O8="
    );
    assert_eq!(sig.signer, "1KeiT9opiiEyqBjazSix8muc1JuFNNWEKe");
    let bytes = decode_signature(Scheme::Bsm, &sig.signature).unwrap();
    let v = verify(
        Scheme::Bsm,
        Payload::Message(b"test message"),
        &bytes,
        &VerifyWith::Address("1KeiT9opiiEyqBjazSix8muc1JuFNNWEKe".into()),
    )
    .unwrap();
    assert!(v.valid, "{v:?}");
    let v = verify(
        Scheme::Bsm,
        Payload::Message(b"test message"),
        &bytes,
        &VerifyWith::Key(Box::new(key.public())),
    )
    .unwrap();
    assert!(v.valid, "{v:?}");
    let v = verify(
        Scheme::Bsm,
        Payload::Message(b"other message"),
        &bytes,
        &VerifyWith::Address("1KeiT9opiiEyqBjazSix8muc1JuFNNWEKe".into()),
    )
    .unwrap();
    assert!(!v.valid);
}

#[test]
fn bsm_varint_lengths() {
    let mut b = Vec::new();
    write_varint(&mut b, 0xfc);
    write_varint(&mut b, 0xfd);
    write_varint(&mut b, 0x1_0000);
    assert_eq!(hex::encode(b), "fcfdfd00fe00000100");
}

#[test]
fn secp256k1_rfc6979_vector() {
    let mut d = [0u8; 32];
    d[31] = 1;
    let key = PrivateKey::from_raw(KeyAlg::Secp256k1, &d).unwrap();
    let sig = sign(
        &key,
        Scheme::Raw,
        Payload::Message(b"Satoshi Nakamoto"),
        Encoding::Rs,
    )
    .unwrap();
    assert_eq!(
        sig.signature,
        "934b1ea10a4b3c1757e2b0c017d0b6143ce3c9a7e6a4a49860d7a6ab210ee3d82442ce9d2b916064108014783e923ec36b49743e2ffa1c4496f01a512aafd9e5"
    );
    let der = sign(
        &key,
        Scheme::Raw,
        Payload::Message(b"Satoshi Nakamoto"),
        Encoding::Der,
    )
    .unwrap();
    assert!(der.signature.starts_with("30"));
    for s in [&sig.signature, &der.signature] {
        let v = verify(
            Scheme::Raw,
            Payload::Message(b"Satoshi Nakamoto"),
            &hex::decode(s).unwrap(),
            &VerifyWith::Key(Box::new(key.public())),
        )
        .unwrap();
        assert!(v.valid, "{v:?}");
    }
}

fn p256_vector_key() -> PublicKey {
    let mut sec1 = vec![4u8];
    sec1.extend(
        hex::decode("60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6").unwrap(),
    );
    sec1.extend(
        hex::decode("7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299").unwrap(),
    );
    PublicKey::from_inner(
        Public::P256(p256::PublicKey::from_sec1_bytes(&sec1).unwrap()),
        KeyAlg::P256,
    )
}

#[test]
fn p256_rfc6979_vectors_verify() {
    let key = p256_vector_key();
    for (msg, r, s) in [
        (
            "sample",
            "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716",
            "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8",
        ),
        (
            "test",
            "F1ABB023518351CD71D881567B1EA663ED3EFCF6C5132B354F28D3B0B7D38367",
            "019F4113742A2B14BD25926B49C649155F267E60D3814B4C0CC84250E46F0083",
        ),
    ] {
        let rs = hex::decode(format!("{r}{s}")).unwrap();
        let v = verify(
            Scheme::Raw,
            Payload::Message(msg.as_bytes()),
            &rs,
            &VerifyWith::Key(Box::new(key.clone())),
        )
        .unwrap();
        assert!(v.valid, "{msg}: {v:?}");
        let der = p256::ecdsa::Signature::from_slice(&rs)
            .unwrap()
            .to_der()
            .as_bytes()
            .to_vec();
        let v = verify(
            Scheme::Raw,
            Payload::Message(msg.as_bytes()),
            &der,
            &VerifyWith::Key(Box::new(key.clone())),
        )
        .unwrap();
        assert!(v.valid, "{msg} DER: {v:?}");
        let v = verify(
            Scheme::Raw,
            Payload::Message(b"other"),
            &der,
            &VerifyWith::Key(Box::new(key.clone())),
        )
        .unwrap();
        assert!(!v.valid);
    }
    // The RFC's private key signs (random k) what the public key verifies.
    let sk = PrivateKey::from_raw(
        KeyAlg::P256,
        &hex::decode("C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721").unwrap(),
    )
    .unwrap();
    assert_eq!(sk.public(), key);
    for enc in [Encoding::Der, Encoding::Rs] {
        let sig = sign(&sk, Scheme::Raw, Payload::Message(b"sample"), enc).unwrap();
        let v = verify(
            Scheme::Raw,
            Payload::Message(b"sample"),
            &sig.bytes,
            &VerifyWith::Key(Box::new(key.clone())),
        )
        .unwrap();
        assert!(v.valid);
        let digest: [u8; 32] = sha2::Sha256::digest(b"sample").into();
        let v = verify(
            Scheme::Raw,
            Payload::Digest(&digest),
            &sig.bytes,
            &VerifyWith::Key(Box::new(key.clone())),
        )
        .unwrap();
        assert!(v.valid);
    }
}

#[test]
fn p384_signs_sha384_and_digest_lengths_are_checked() {
    let sk = PrivateKey::generate(KeyAlg::P384).unwrap();
    let sig = sign(&sk, Scheme::Raw, Payload::Message(b"m"), Encoding::Rs).unwrap();
    assert_eq!(sig.bytes.len(), 96);
    assert_eq!(sig.digest.as_deref().map(str::len), Some(96));
    let v = verify(
        Scheme::Raw,
        Payload::Message(b"m"),
        &sig.bytes,
        &VerifyWith::Key(Box::new(sk.public())),
    )
    .unwrap();
    assert!(v.valid);
    let e = sign(&sk, Scheme::Raw, Payload::Digest(&[0u8; 32]), Encoding::Der).unwrap_err();
    assert_eq!(crate::Coded::code(&e), "sign.bad_input");
    let p = PrivateKey::generate(KeyAlg::P256).unwrap();
    let e = sign(&p, Scheme::Raw, Payload::Digest(&[0u8; 31]), Encoding::Der).unwrap_err();
    assert_eq!(crate::Coded::code(&e), "sign.bad_input");
}

#[test]
fn eos_signatures_are_canonical_deterministic_and_recover() {
    let key = PrivateKey::from_raw(
        KeyAlg::Secp256k1,
        &hex::decode("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855").unwrap(),
    )
    .unwrap();
    let mut retried = 0;
    for i in 0..64 {
        let msg = format!("message {i}");
        let a = sign(
            &key,
            Scheme::Eos,
            Payload::Message(msg.as_bytes()),
            Encoding::Rs,
        )
        .unwrap();
        let b = sign(
            &key,
            Scheme::Eos,
            Payload::Message(msg.as_bytes()),
            Encoding::Rs,
        )
        .unwrap();
        assert_eq!(a.signature, b.signature);
        assert!(a.signature.starts_with("SIG_K1_"));
        assert_eq!(
            a.signer,
            "PUB_K1_859gxfnXyUriMgUeThh1fWv3oqcpLFyHa3TfFYC4PK2Ht7beeX"
        );
        let plain = sign(
            &key,
            Scheme::Raw,
            Payload::Message(msg.as_bytes()),
            Encoding::Rs,
        )
        .unwrap();
        if plain.bytes[..] != a.bytes[1..] {
            retried += 1;
        }
        let der = k256::ecdsa::Signature::from_slice(&a.bytes[1..])
            .unwrap()
            .to_der();
        assert_eq!(der.as_bytes().len(), 70, "r and s are 32 bytes each in DER");
        let raw = decode_signature(Scheme::Eos, &a.signature).unwrap();
        for who in [
            VerifyWith::Address("EOS859gxfnXyUriMgUeThh1fWv3oqcpLFyHa3TfFYC4PK2HqhToVM".into()),
            VerifyWith::Key(Box::new(key.public())),
        ] {
            let v = verify(Scheme::Eos, Payload::Message(msg.as_bytes()), &raw, &who).unwrap();
            assert!(v.valid, "{v:?}");
        }
    }
    assert!(retried > 0, "some of 64 messages need the canonical loop");
    let mut bad = sign(&key, Scheme::Eos, Payload::Message(b"x"), Encoding::Rs)
        .unwrap()
        .signature;
    bad.pop();
    bad.push('1');
    let e = decode_signature(Scheme::Eos, &bad).unwrap_err();
    assert!(matches!(
        crate::Coded::code(&e),
        "key.bad_checksum" | "sign.bad_signature"
    ));
}

#[test]
fn ed25519_rfc8032_test1() {
    let key = PrivateKey::from_raw(
        KeyAlg::Ed25519,
        &hex::decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60").unwrap(),
    )
    .unwrap();
    let sig = sign(&key, Scheme::Ed25519, Payload::Message(b""), Encoding::Rs).unwrap();
    assert_eq!(sig.signature, "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
    assert_eq!(
        sig.signer,
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    );
    let v = verify(
        Scheme::Ed25519,
        Payload::Message(b""),
        &sig.bytes,
        &VerifyWith::Key(Box::new(key.public())),
    )
    .unwrap();
    assert!(v.valid);
    let v = verify(
        Scheme::Ed25519,
        Payload::Message(b"x"),
        &sig.bytes,
        &VerifyWith::Key(Box::new(key.public())),
    )
    .unwrap();
    assert!(!v.valid);
}

#[test]
fn schemes_outside_the_curve_or_policy_are_refused() {
    let p = PrivateKey::generate(KeyAlg::P256).unwrap();
    let e = sign(&p, Scheme::Eip191, Payload::Message(b"x"), Encoding::Rs).unwrap_err();
    assert_eq!(crate::Coded::code(&e), "sign.scheme_not_for_alg");
    let e = sign(&p, Scheme::Raw, Payload::Message(b"x"), Encoding::Rs);
    assert!(e.is_ok());
    let k = PrivateKey::generate(KeyAlg::Secp256k1).unwrap();
    let e = sign(&k, Scheme::Eip191, Payload::Digest(&[0; 32]), Encoding::Rs).unwrap_err();
    assert_eq!(crate::Coded::code(&e), "sign.bad_input");
    let policy = UsagePolicy::parse("eip191,jwt", KeyAlg::Secp256k1).unwrap();
    assert!(policy.check(Usage::Eip191).is_ok());
    assert_eq!(
        crate::Coded::code(&policy.check(Usage::Raw).unwrap_err()),
        "sign.policy_forbidden"
    );
    assert_eq!(
        crate::Coded::code(&UsagePolicy::parse("ed25519", KeyAlg::Secp256k1).unwrap_err()),
        "sign.scheme_not_for_alg"
    );
    assert_eq!(UsagePolicy::default_for(KeyAlg::Rsa2048).to_string(), "jwt");
    assert_eq!(
        UsagePolicy::default_for(KeyAlg::Secp256k1).to_stored(KeyAlg::Secp256k1),
        None
    );
    assert_eq!(
        UsagePolicy::from_stored(Some("eip191,jwt"), KeyAlg::Secp256k1),
        policy
    );
}

#[test]
fn malformed_signatures_are_errors() {
    let k = PrivateKey::generate(KeyAlg::P256).unwrap();
    for bad in ["", "zz", "0x123"] {
        assert!(
            decode_signature(Scheme::Raw, bad).is_err() || {
                let b = decode_signature(Scheme::Raw, bad).unwrap();
                verify(
                    Scheme::Raw,
                    Payload::Message(b"m"),
                    &b,
                    &VerifyWith::Key(Box::new(k.public())),
                )
                .is_err()
            }
        );
    }
    // A BER (non-minimal) length is not DER.
    let sig = sign(&k, Scheme::Raw, Payload::Message(b"m"), Encoding::Der)
        .unwrap()
        .bytes;
    let mut ber = vec![0x30, 0x81, sig[1]];
    ber.extend_from_slice(&sig[2..]);
    let e = verify(
        Scheme::Raw,
        Payload::Message(b"m"),
        &ber,
        &VerifyWith::Key(Box::new(k.public())),
    )
    .unwrap_err();
    assert_eq!(crate::Coded::code(&e), "sign.bad_signature");
}

#[test]
fn eos_canonical_is_der_lengths_of_32() {
    let key = PrivateKey::generate(KeyAlg::Secp256k1).unwrap();
    let mut seen = (0, 0);
    for i in 0..300u32 {
        let sig = sign(
            &key,
            Scheme::Raw,
            Payload::Message(&i.to_be_bytes()),
            Encoding::Rs,
        )
        .unwrap();
        let rs: [u8; 64] = sig.bytes.clone().try_into().unwrap();
        let der = k256::ecdsa::Signature::from_slice(&rs).unwrap().to_der();
        let b = der.as_bytes();
        let (lr, ls) = (b[3] as usize, b[5 + b[3] as usize] as usize);
        let want = lr == 32 && ls == 32;
        assert_eq!(eos_canonical(&rs), want, "{}", hex::encode(rs));
        if want {
            seen.0 += 1
        } else {
            seen.1 += 1
        }
    }
    assert!(seen.0 > 0 && seen.1 > 0, "{seen:?}");
}

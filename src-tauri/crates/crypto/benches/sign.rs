//! Sign and verify per scheme, JWT mint and verify per algorithm, and the two secp256k1
//! implementations side by side (libsecp256k1 through the `secp256k1` crate, which Keyward signs
//! with, and RustCrypto `k256`), plus P-256 through AWS-LC (Keyward), OpenSSL and RustCrypto
//! `p256`.
//!
//!   cargo bench -p keyward-crypto --bench sign
//!
//! scripts/bench.sh runs this and turns the times into signatures per second.

use criterion::{criterion_group, criterion_main, Criterion};
use keyward_crypto::jwt::{self, MintOptions, Mode, VerifyOptions};
use keyward_crypto::sign::{self, Encoding, JwsAlg, Payload, Scheme, Signer, VerifyWith};
use keyward_crypto::{KeyAlg, PrivateKey};
use std::hint::black_box;

const MSG: &[u8] = b"Keyward signs this message in the benchmark";
const NOW: i64 = 1_800_000_000;

fn schemes(c: &mut Criterion) {
    let cases = [
        ("raw-p256", KeyAlg::P256, Scheme::Raw),
        ("raw-p384", KeyAlg::P384, Scheme::Raw),
        ("raw-secp256k1", KeyAlg::Secp256k1, Scheme::Raw),
        ("eip191", KeyAlg::Secp256k1, Scheme::Eip191),
        ("bsm", KeyAlg::Secp256k1, Scheme::Bsm),
        ("eos", KeyAlg::Secp256k1, Scheme::Eos),
        ("ed25519", KeyAlg::Ed25519, Scheme::Ed25519),
    ];
    let mut g = c.benchmark_group("sign");
    for (name, alg, scheme) in cases {
        let key = PrivateKey::generate(alg).unwrap();
        let signer = Signer::new(&key).unwrap();
        g.bench_function(name, |b| {
            b.iter(|| {
                signer
                    .sign(scheme, Payload::Message(black_box(MSG)), Encoding::Der)
                    .unwrap()
            })
        });
    }
    g.finish();
    let mut g = c.benchmark_group("verify");
    for (name, alg, scheme) in cases {
        let key = PrivateKey::generate(alg).unwrap();
        let sig = sign::sign(&key, scheme, Payload::Message(MSG), Encoding::Der).unwrap();
        let with = VerifyWith::Key(Box::new(key.public()));
        g.bench_function(name, |b| {
            b.iter(|| {
                let v = sign::verify(scheme, Payload::Message(black_box(MSG)), &sig.bytes, &with)
                    .unwrap();
                assert!(v.valid);
            })
        });
    }
    g.finish();
}

fn jwts(c: &mut Criterion) {
    let cases = [
        (KeyAlg::P256, JwsAlg::ES256, Mode::Engine),
        (KeyAlg::P384, JwsAlg::ES384, Mode::Engine),
        (KeyAlg::Rsa2048, JwsAlg::RS256, Mode::Engine),
        (KeyAlg::Rsa2048, JwsAlg::PS256, Mode::Engine),
        (KeyAlg::Ed25519, JwsAlg::EdDSA, Mode::Generic),
        (KeyAlg::Secp256k1, JwsAlg::ES256K, Mode::Generic),
    ];
    let mut g = c.benchmark_group("jwt-mint");
    let mut tokens = Vec::new();
    for (alg, jws, mode) in cases {
        let key = PrivateKey::generate(alg).unwrap();
        let public = key.public();
        let signer = Signer::new(&key).unwrap();
        let opts = MintOptions {
            mode,
            alg: Some(jws),
            ..Default::default()
        };
        g.bench_function(jws.as_str(), |b| {
            b.iter(|| jwt::mint(&signer, &public, black_box(&opts), NOW).unwrap())
        });
        tokens.push((
            jws,
            jwt::mint(&signer, &public, &opts, NOW).unwrap().token,
            public,
        ));
    }
    g.finish();
    let mut g = c.benchmark_group("jwt-verify");
    for (jws, token, public) in &tokens {
        let opts = VerifyOptions {
            algorithms: vec![*jws],
            ..Default::default()
        };
        g.bench_function(jws.as_str(), |b| {
            b.iter(|| jwt::verify(black_box(token), public, &opts, NOW).unwrap())
        });
    }
    g.finish();
}

/// One 32-byte digest signed by each implementation.
fn implementations(c: &mut Criterion) {
    let digest = [7u8; 32];
    let mut g = c.benchmark_group("ecdsa-digest");

    let k1 = PrivateKey::generate(KeyAlg::Secp256k1).unwrap();
    let k1_signer = Signer::new(&k1).unwrap();
    g.bench_function("secp256k1/libsecp256k1-keyward", |b| {
        b.iter(|| {
            k1_signer
                .sign(
                    Scheme::Raw,
                    Payload::Digest(black_box(&digest)),
                    Encoding::Rs,
                )
                .unwrap()
        })
    });
    let rc_k1 = k256::ecdsa::SigningKey::random(&mut rand_core::OsRng);
    g.bench_function("secp256k1/k256", |b| {
        b.iter(|| rc_k1.sign_prehash_recoverable(black_box(&digest)).unwrap())
    });

    let p = PrivateKey::generate(KeyAlg::P256).unwrap();
    let p_signer = Signer::new(&p).unwrap();
    g.bench_function("p256/aws-lc-keyward", |b| {
        b.iter(|| {
            p_signer
                .sign(
                    Scheme::Raw,
                    Payload::Digest(black_box(&digest)),
                    Encoding::Rs,
                )
                .unwrap()
        })
    });
    let ossl = openssl::ec::EcKey::generate(
        &openssl::ec::EcGroup::from_curve_name(openssl::nid::Nid::X9_62_PRIME256V1).unwrap(),
    )
    .unwrap();
    g.bench_function("p256/openssl", |b| {
        b.iter(|| openssl::ecdsa::EcdsaSig::sign(black_box(&digest), &ossl).unwrap())
    });
    let rc = p256::ecdsa::SigningKey::random(&mut rand_core::OsRng);
    g.bench_function("p256/rustcrypto", |b| {
        use p256::ecdsa::signature::hazmat::PrehashSigner;
        b.iter(|| -> p256::ecdsa::Signature { rc.sign_prehash(black_box(&digest)).unwrap() })
    });
    g.finish();
}

criterion_group!(benches, schemes, jwts, implementations);
criterion_main!(benches);

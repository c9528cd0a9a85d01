//! The Sign-In with Ethereum test vectors, one file each in `tests/vectors/siwe/`, run by one
//! harness.
//!
//! A file is a header, an empty line, then the message text: everything after that empty line
//! up to the file's last line break, which is not part of the message. The header holds `#`
//! lines (where the vector comes from) and `name: value` lines:
//!
//! * `expect`: `parsed` (the text parses to exactly the fields given), `refused` (parsing
//!   fails), `verified` or `not verified` (the text parses, then the signature and the checks
//!   asked for are verified). Whatever parses must print back as the same text.
//! * The message's fields, named after its lines: `scheme`, `domain`, `address`, `statement`,
//!   `uri`, `version`, `chain-id`, `nonce`, `issued-at`, `expiration-time`, `not-before`,
//!   `request-id`, and one `resource` line per resource. A field not given is absent from the
//!   message. Required with `parsed`; with `verified`, all of them or none.
//! * `refused`: `error-prefix` (how the error reads) and, optionally, `code`.
//! * Verification: `signature` (hex), `verify-at` (RFC 3339), the checks asked for
//!   (`check-domain`, `check-nonce`, `check-origin`), `failed` (the checks that fail, in order,
//!   comma-separated; required with `not verified`), and what the signature check says: exactly
//!   (`signature-detail`), in part (`signature-detail-contains`) or at first
//!   (`signature-detail-starts`). `signature-as-given` is a published signature that is not
//!   hex; `signature` is the part of it that is checked.
//!
//! Each group of vectors (by file name prefix) is a test that also counts its files, and
//! `every_vector_belongs_to_a_group` makes sure none is left out.

use std::path::{Path, PathBuf};

use keyward_crypto::siwe::{self, SiweMessage, VerifyOpts};
use keyward_crypto::Coded;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// The groups: file name prefix, and how many vectors each holds.
const GROUPS: [(&str, usize); 7] = [
    ("spruceid-parsing-positive-", 6),
    ("spruceid-userinfo-", 2),
    ("spruceid-parsing-negative-", 6),
    ("erc-4361-example-", 3),
    ("spruceid-verification-positive-", 4),
    ("spruceid-verification-negative-", 7),
    ("keyward-verification-negative-", 2),
];

/// The header's names.
const KEYS: &[&str] = &[
    "expect",
    "scheme",
    "domain",
    "address",
    "statement",
    "uri",
    "version",
    "chain-id",
    "nonce",
    "issued-at",
    "expiration-time",
    "not-before",
    "request-id",
    "resource",
    "error-prefix",
    "code",
    "signature",
    "signature-as-given",
    "verify-at",
    "check-domain",
    "check-nonce",
    "check-origin",
    "failed",
    "signature-detail",
    "signature-detail-contains",
    "signature-detail-starts",
];

struct Vector {
    name: String,
    header: Vec<(String, String)>,
    text: String,
}

impl Vector {
    fn read(path: &Path) -> Vector {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let raw = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!raw.contains('\r'), "{name}: line ends are LF only");
        let raw = raw
            .strip_suffix('\n')
            .unwrap_or_else(|| panic!("{name}: the file ends with a line break"));
        let (head, text) = raw
            .split_once("\n\n")
            .unwrap_or_else(|| panic!("{name}: a header, an empty line, then the message"));
        let mut header = Vec::new();
        for line in head.lines().filter(|l| !l.starts_with('#')) {
            let (k, v) = line
                .split_once(':')
                .unwrap_or_else(|| panic!("{name}: not `name: value`: {line}"));
            assert!(KEYS.contains(&k), "{name}: unknown key {k}");
            header.push((k.to_owned(), v.strip_prefix(' ').unwrap_or(v).to_owned()));
        }
        Vector {
            name,
            header,
            text: text.to_owned(),
        }
    }

    /// The value of a key given at most once.
    fn get(&self, key: &str) -> Option<&str> {
        let mut values = self.all(key);
        assert!(values.len() <= 1, "{}: {key} is given twice", self.name);
        values.pop()
    }

    fn all(&self, key: &str) -> Vec<&str> {
        self.header
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    fn req(&self, key: &str) -> &str {
        self.get(key)
            .unwrap_or_else(|| panic!("{}: {key} is required", self.name))
    }

    /// The message the header's fields describe.
    fn message(&self) -> SiweMessage {
        let own = |k: &str| self.get(k).map(str::to_owned);
        SiweMessage {
            scheme: own("scheme"),
            domain: self.req("domain").into(),
            address: self.req("address").into(),
            statement: own("statement"),
            uri: self.req("uri").into(),
            version: self.req("version").into(),
            chain_id: self.req("chain-id").parse().unwrap(),
            nonce: self.req("nonce").into(),
            issued_at: self.req("issued-at").into(),
            expiration_time: own("expiration-time"),
            not_before: own("not-before"),
            request_id: own("request-id"),
            resources: self
                .all("resource")
                .into_iter()
                .map(str::to_owned)
                .collect(),
        }
    }

    /// Parses the text, which must print back as itself (and read the same through `FromStr`).
    fn parse(&self) -> SiweMessage {
        let name = &self.name;
        let m = siwe::parse(&self.text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(m.to_message(), self.text, "{name}: canonical text");
        assert_eq!(
            self.text.parse::<SiweMessage>().unwrap(),
            m,
            "{name}: FromStr"
        );
        m
    }

    fn check(&self) {
        let name = &self.name;
        match self.req("expect") {
            "parsed" => {
                let m = self.parse();
                assert_eq!(m, self.message(), "{name}");
                m.validate().unwrap_or_else(|e| panic!("{name}: {e}"));
            }
            "refused" => {
                let e = siwe::parse(&self.text).expect_err(name);
                let prefix = self.req("error-prefix");
                assert!(e.to_string().starts_with(prefix), "{name}: {e}");
                if let Some(code) = self.get("code") {
                    assert_eq!(e.code(), code, "{name}");
                }
            }
            expect @ ("verified" | "not verified") => {
                let m = self.parse();
                if self.get("domain").is_some() {
                    assert_eq!(m, self.message(), "{name}");
                }
                self.verify(&m, expect == "verified");
            }
            other => panic!("{name}: unknown expectation {other}"),
        }
    }

    fn verify(&self, m: &SiweMessage, valid: bool) {
        let name = &self.name;
        let hex_sig = self.req("signature");
        if let Some(given) = self.get("signature-as-given") {
            assert!(
                hex::decode(given).is_err(),
                "{name}: the signature as given reads"
            );
            assert!(given.starts_with(hex_sig), "{name}");
        }
        let sig = hex::decode(hex_sig).unwrap();
        let own = |k: &str| self.get(k).map(str::to_owned);
        let opts = VerifyOpts {
            domain: own("check-domain"),
            nonce: own("check-nonce"),
            now: OffsetDateTime::parse(self.req("verify-at"), &Rfc3339).unwrap(),
            origin: own("check-origin"),
        };
        let verdict = siwe::verify(m, &sig, &opts);
        let failed: Vec<&str> = verdict
            .checks
            .iter()
            .filter(|c| !c.ok)
            .map(|c| c.id)
            .collect();
        let want: Vec<&str> = match self.get("failed") {
            Some(list) => list.split(',').map(str::trim).collect(),
            None => Vec::new(),
        };
        assert_eq!(want.is_empty(), valid, "{name}: failed lists the failures");
        assert_eq!(failed, want, "{name}: {:?}", verdict.checks);
        assert_eq!(verdict.valid, valid, "{name}: {:?}", verdict.checks);
        let detail = &verdict
            .checks
            .iter()
            .find(|c| c.id == "signature")
            .expect("the signature is always checked")
            .detail;
        if let Some(d) = self.get("signature-detail") {
            assert_eq!(detail, d, "{name}");
        }
        if let Some(d) = self.get("signature-detail-contains") {
            assert!(detail.contains(d), "{name}: {detail}");
        }
        if let Some(d) = self.get("signature-detail-starts") {
            assert!(detail.starts_with(d), "{name}: {detail}");
        }
    }
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/siwe")
}

/// Every vector file, by name.
fn files() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

/// Checks every vector of a group, and that the group holds as many as it should.
fn run(prefix: &str) {
    let expected = GROUPS
        .iter()
        .find(|(p, _)| *p == prefix)
        .expect("a group")
        .1;
    let mut n = 0;
    for path in files() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with(prefix) {
            Vector::read(&path).check();
            n += 1;
        }
    }
    assert_eq!(n, expected, "vectors in {prefix}*");
}

#[test]
fn reference_positive_vectors_parse_and_round_trip() {
    run("spruceid-parsing-positive-");
}

#[test]
fn reference_userinfo_vectors_are_refused_on_purpose() {
    run("spruceid-userinfo-");
}

#[test]
fn reference_negative_vectors_are_refused() {
    run("spruceid-parsing-negative-");
}

#[test]
fn erc_4361_examples_parse_and_round_trip() {
    run("erc-4361-example-");
}

#[test]
fn reference_verification_positive_vectors() {
    run("spruceid-verification-positive-");
}

#[test]
fn reference_verification_negative_vectors() {
    run("spruceid-verification-negative-");
    run("keyward-verification-negative-");
}

#[test]
fn every_vector_belongs_to_a_group() {
    let files = files();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy();
        assert!(name.ends_with(".txt"), "{name}: vectors are .txt files");
        let groups = GROUPS.iter().filter(|(p, _)| name.starts_with(p)).count();
        assert_eq!(groups, 1, "{name}: in exactly one group");
    }
    assert_eq!(files.len(), GROUPS.iter().map(|(_, n)| n).sum::<usize>());
}

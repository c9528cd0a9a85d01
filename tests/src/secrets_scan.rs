//! `openssl`, PEM helpers, and looking for a private scalar in bytes (the leak checks).

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use base64::Engine;

use crate::*;
use std::path::{Path, PathBuf};
use std::process::Command;

// ---------------------------------------------------------------------------------------------
// openssl and private scalars

/// `openssl ARGS` with `stdin`; panics unless it succeeds. Stdout.
pub fn openssl(args: &[&str], stdin: &[u8]) -> Vec<u8> {
    require_tool("openssl");
    let mut cmd = Command::new("openssl");
    cmd.args(args);
    let out = run_command(cmd, Some(stdin));
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        describe(&out)
    );
    out.stdout
}

/// The DER inside a PEM's first block.
pub fn pem_body(pem: &str) -> Vec<u8> {
    pem_block(pem, "")
}

/// The DER inside the first PEM block whose `-----BEGIN …-----` line contains `label`.
pub fn pem_block(pem: &str, label: &str) -> Vec<u8> {
    let b64: String = pem
        .lines()
        .skip_while(|l| !(l.starts_with("-----BEGIN") && l.contains(label)))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .collect();
    assert!(!b64.is_empty(), "no PEM block {label:?} in {pem}");
    STANDARD.decode(b64.trim()).expect("PEM body is base64")
}

/// The 32-byte private scalar of a P-256 private key PEM (PKCS#8 or SEC1), read by openssl
/// (`openssl ec -text`, the `priv:` field) and cross-checked against the SEC1 `ECPrivateKey`
/// inside the DER (`02 01 01 04 20 <32 bytes>`: version 1, then the key as an OCTET STRING).
pub fn p256_scalar(pem: &str) -> [u8; 32] {
    let text = String::from_utf8(openssl(&["ec", "-text", "-noout"], pem.as_bytes()))
        .expect("openssl text is UTF-8");
    assert!(
        text.contains("P-256") || text.contains("prime256v1"),
        "not P-256: {text}"
    );
    let hex_digits: String = text
        .lines()
        .skip_while(|l| l.trim() != "priv:")
        .skip(1)
        .take_while(|l| l.starts_with(' '))
        .flat_map(|l| l.chars().filter(|c| c.is_ascii_hexdigit()))
        .collect();
    let mut bytes =
        hex::decode(&hex_digits).unwrap_or_else(|e| panic!("priv hex {hex_digits:?}: {e}"));
    // openssl prints the scalar as a number: a leading 00 when the top bit is set, none of its
    // leading zero bytes otherwise.
    while bytes.len() > 32 && bytes[0] == 0 {
        bytes.remove(0);
    }
    assert!(
        bytes.len() <= 32 && !bytes.is_empty(),
        "priv is {} bytes",
        bytes.len()
    );
    let mut scalar = [0u8; 32];
    scalar[32 - bytes.len()..].copy_from_slice(&bytes);

    let der = pem_block(pem, "PRIVATE KEY");
    let marker = [0x02, 0x01, 0x01, 0x04, 0x20];
    let at = der
        .windows(marker.len())
        .position(|w| w == marker)
        .expect("an ECPrivateKey (version 1, 32-byte key) inside the DER");
    assert_eq!(
        &der[at + marker.len()..at + marker.len() + 32],
        &scalar,
        "openssl's priv and the DER's ECPrivateKey disagree"
    );
    scalar
}

/// The encodings of a scalar a leak could take: raw, hex (both cases), base64 (padded,
/// unpadded, URL-safe as in a JWK `d`).
pub fn scalar_forms(scalar: &[u8; 32]) -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("raw bytes", scalar.to_vec()),
        ("lowercase hex", hex::encode(scalar).into_bytes()),
        ("uppercase hex", hex::encode_upper(scalar).into_bytes()),
        ("base64", STANDARD.encode(scalar).into_bytes()),
        (
            "base64 without padding",
            STANDARD_NO_PAD.encode(scalar).into_bytes(),
        ),
        ("base64url", URL_SAFE_NO_PAD.encode(scalar).into_bytes()),
    ]
}

/// The first form of `scalar` found in `haystack`.
pub fn find_scalar(haystack: &[u8], scalar: &[u8; 32]) -> Option<&'static str> {
    scalar_forms(scalar)
        .into_iter()
        .find(|(_, needle)| {
            haystack
                .windows(needle.len())
                .any(|w| w == needle.as_slice())
        })
        .map(|(form, _)| form)
}

/// Panics when any form of `scalar` occurs in `haystack`; `what` names the haystack.
pub fn assert_no_scalar(haystack: &[u8], scalar: &[u8; 32], what: &str) {
    if let Some(form) = find_scalar(haystack, scalar) {
        panic!("the private scalar ({form}) is in {what}");
    }
}

/// Every regular file under `dir`, recursively, with its contents.
pub fn read_tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in
            std::fs::read_dir(&d).unwrap_or_else(|e| panic!("read_dir {}: {e}", d.display()))
        {
            let entry = entry.expect("dir entry");
            let ty = entry.file_type().expect("file type");
            let path = entry.path();
            if ty.is_dir() {
                todo.push(path);
            } else if ty.is_file() {
                let bytes =
                    std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
                out.push((path, bytes));
            }
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The leak checks would be worthless if they could not see a leak: each form of the
    /// scalar of a real key must be found where it is.
    #[test]
    fn scalar_checks_find_the_scalar_in_every_form() {
        let pem = String::from_utf8(openssl(
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
        let scalar = p256_scalar(&pem);
        let der = pem_body(&pem);
        for (form, needle) in scalar_forms(&scalar) {
            let mut hay = b"prefix ".to_vec();
            hay.extend_from_slice(&needle);
            hay.extend_from_slice(b" suffix");
            assert!(find_scalar(&hay, &scalar).is_some(), "{form} not found");
        }
        assert_eq!(find_scalar(&der, &scalar), Some("raw bytes"));
        assert_eq!(find_scalar(b"nothing to see here", &scalar), None);
        // A SEC1 PEM with an EC PARAMETERS block first gives the same scalar.
        let params = String::from_utf8(openssl(&["ecparam", "-name", "prime256v1"], b"")).unwrap();
        let key = String::from_utf8(openssl(&["ec"], pem.as_bytes())).unwrap();
        assert!(key.starts_with("-----BEGIN EC PRIVATE KEY-----"), "{key}");
        assert_eq!(p256_scalar(&format!("{params}{key}")), scalar);
    }
}

//! PEM (RFC 7468) reading and writing. The reader is lenient about what pasting does to a key
//! (CRLF, indentation, lost line breaks, surrounding text) and strict about structure; its
//! errors name labels only, never content.

use crate::error::CryptoError;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use zeroize::Zeroizing;

/// PEM text with 64-column base64 and LF line ends, as OpenSSL writes it.
pub fn pem_encode(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = String::with_capacity(b64.len() + b64.len() / 64 + 2 * label.len() + 40);
    out.push_str("-----BEGIN ");
    out.push_str(label);
    out.push_str("-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).expect("base64 is ASCII"));
        out.push('\n');
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    out
}

pub struct PemBlock {
    pub label: String,
    /// RFC 1421 headers (`Proc-Type`, `DEK-Info`): legacy OpenSSL encryption.
    pub encrypted_headers: bool,
    pub der: Zeroizing<Vec<u8>>,
}

/// A PEM label as RFC 7468 allows it (printable, no hyphen runs); bounded so an error that
/// names it can never carry key material.
fn valid_label(l: &str) -> bool {
    !l.is_empty()
        && l.len() <= 48
        && l.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b' ')
}

/// Finds every PEM block in `text`. Lenient about surrounding text, CRLF, indentation and
/// line breaks lost in pasting (a whole key on one line); strict about matching BEGIN/END
/// labels and base64. Error messages name labels only, never content.
pub fn pem_blocks(text: &str) -> Result<Vec<PemBlock>, CryptoError> {
    const BEGIN: &str = "-----BEGIN ";
    const DASHES: &str = "-----";
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(pos) = rest.find(BEGIN) {
        let after = &rest[pos + BEGIN.len()..];
        let label_end = after
            .find(DASHES)
            .ok_or_else(|| CryptoError::BadPem("malformed BEGIN line".into()))?;
        let label = &after[..label_end];
        if !valid_label(label) {
            return Err(CryptoError::BadPem("malformed BEGIN line".into()));
        }
        let body_start = &after[label_end + DASHES.len()..];
        let end_marker = format!("-----END {label}-----");
        let Some(body_len) = body_start.find(&end_marker) else {
            return Err(CryptoError::BadPem(format!(
                "{label}: no END line (truncated?)"
            )));
        };
        let body = &body_start[..body_len];
        if body.contains(BEGIN) {
            return Err(CryptoError::BadPem(format!(
                "{label}: a BEGIN line before its END"
            )));
        }
        // RFC 1421 headers (Proc-Type, DEK-Info) mean legacy OpenSSL encryption; the body
        // starts after the blank line that ends them.
        let encrypted_headers = body.contains("Proc-Type:") || body.contains("DEK-Info:");
        let body = if encrypted_headers {
            let b = body.trim_start_matches(['\r', '\n']);
            match b.find("\n\n").or_else(|| b.find("\r\n\r\n")) {
                Some(i) => &b[i..],
                None => {
                    return Err(CryptoError::BadPem(format!(
                        "{label}: headers without a body"
                    )))
                }
            }
        } else {
            body
        };
        let compact: Zeroizing<String> =
            Zeroizing::new(body.chars().filter(|c| !c.is_whitespace()).collect());
        let der = STANDARD
            .decode(compact.as_bytes())
            .map_err(|_| CryptoError::BadPem(format!("{label}: invalid base64")))?;
        blocks.push(PemBlock {
            label: label.to_string(),
            encrypted_headers,
            der: Zeroizing::new(der),
        });
        rest = &body_start[body_len + end_marker.len()..];
    }
    Ok(blocks)
}

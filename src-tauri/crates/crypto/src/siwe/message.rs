//! The message: its canonical text (what is signed), the checks of a message made or
//! deserialized by hand, and building one from [`SiweParams`].

use std::fmt;

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::abnf::{
    address_hex_bytes, check_address, check_chars, check_domain, check_nonce, check_scheme,
    check_statement, check_uri, parse_time,
};
use super::{
    malformed, SiweError, SiweMessage, SiweParams, HEADER_SUFFIX, MAX_MESSAGE_BYTES, NONCE_LEN,
};
use crate::chain;

impl SiweMessage {
    /// The canonical EIP-4361 text: what is signed, and what [`parse`] reads back.
    pub fn to_message(&self) -> String {
        self.to_string()
    }

    /// Checks every field as [`parse`] would (useful for a message built or deserialized by
    /// hand).
    pub fn validate(&self) -> Result<(), SiweError> {
        if let Some(s) = &self.scheme {
            check_scheme(s).map_err(|r| malformed(None, "scheme", r))?;
        }
        check_domain(&self.domain).map_err(|r| malformed(None, "domain", r))?;
        check_address(&self.address)
            .map_err(|reason| SiweError::BadAddress { line: None, reason })?;
        if let Some(s) = &self.statement {
            check_statement(s).map_err(|r| malformed(None, "statement", r))?;
        }
        check_uri(&self.uri).map_err(|r| malformed(None, "URI", r))?;
        if self.version != "1" {
            return Err(malformed(None, "Version", "must be 1"));
        }
        check_nonce(&self.nonce).map_err(|r| malformed(None, "Nonce", r))?;
        self.issued_at_parsed()?;
        self.expiration_time_parsed()?;
        self.not_before_parsed()?;
        if let Some(r) = &self.request_id {
            check_chars(r, b":@").map_err(|r| malformed(None, "Request ID", r))?;
        }
        for r in &self.resources {
            check_uri(r).map_err(|r| malformed(None, "resource", r))?;
        }
        if self.to_message().len() > MAX_MESSAGE_BYTES {
            return Err(malformed(None, "message", "is longer than 64 KiB"));
        }
        Ok(())
    }

    /// `Issued At` as a time.
    pub fn issued_at_parsed(&self) -> Result<OffsetDateTime, SiweError> {
        parse_time(&self.issued_at).ok_or(SiweError::BadTime {
            line: None,
            field: "Issued At",
        })
    }

    /// `Expiration Time` as a time, if the message has one.
    pub fn expiration_time_parsed(&self) -> Result<Option<OffsetDateTime>, SiweError> {
        optional_time(self.expiration_time.as_deref(), "Expiration Time")
    }

    /// `Not Before` as a time, if the message has one.
    pub fn not_before_parsed(&self) -> Result<Option<OffsetDateTime>, SiweError> {
        optional_time(self.not_before.as_deref(), "Not Before")
    }

    /// The 20 address bytes (the checksum is checked).
    pub fn address_bytes(&self) -> Result<[u8; 20], SiweError> {
        check_address(&self.address).map_err(|reason| SiweError::BadAddress { line: None, reason })
    }

    /// `scheme://domain`, or the domain alone when the message names no scheme.
    pub fn origin_text(&self) -> String {
        match &self.scheme {
            Some(s) => format!("{s}://{}", self.domain),
            None => self.domain.clone(),
        }
    }
}

fn optional_time(
    v: Option<&str>,
    field: &'static str,
) -> Result<Option<OffsetDateTime>, SiweError> {
    match v {
        None => Ok(None),
        Some(s) => parse_time(s)
            .map(Some)
            .ok_or(SiweError::BadTime { line: None, field }),
    }
}

impl fmt::Display for SiweMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(s) = &self.scheme {
            write!(f, "{s}://")?;
        }
        write!(f, "{}{HEADER_SUFFIX}\n{}\n\n", self.domain, self.address)?;
        if let Some(s) = &self.statement {
            writeln!(f, "{s}")?;
        }
        write!(
            f,
            "\nURI: {}\nVersion: {}\nChain ID: {}\nNonce: {}\nIssued At: {}",
            self.uri, self.version, self.chain_id, self.nonce, self.issued_at
        )?;
        if let Some(t) = &self.expiration_time {
            write!(f, "\nExpiration Time: {t}")?;
        }
        if let Some(t) = &self.not_before {
            write!(f, "\nNot Before: {t}")?;
        }
        if let Some(r) = &self.request_id {
            write!(f, "\nRequest ID: {r}")?;
        }
        if !self.resources.is_empty() {
            f.write_str("\nResources:")?;
            for r in &self.resources {
                write!(f, "\n- {r}")?;
            }
        }
        Ok(())
    }
}

/// A random nonce of [`NONCE_LEN`] letters and digits (uniform over the 62).
pub fn generate_nonce() -> String {
    const ALPHABET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(NONCE_LEN);
    let mut buf = [0u8; 32];
    while out.len() < NONCE_LEN {
        crate::random_bytes(&mut buf);
        // 248 = 4 × 62: rejecting bytes above keeps the choice uniform.
        for &b in buf.iter().filter(|&&b| b < 248) {
            if out.len() == NONCE_LEN {
                break;
            }
            out.push(ALPHABET[usize::from(b % 62)] as char);
        }
    }
    out
}

/// The EIP-55 form of an address given in any case (`0x` optional). Mixed case must already
/// be a valid checksum: a wrong one means a mistyped address.
fn normalize_address(a: &str) -> Result<String, SiweError> {
    let bad = |reason| SiweError::BadAddress { line: None, reason };
    let h = a
        .strip_prefix("0x")
        .or_else(|| a.strip_prefix("0X"))
        .unwrap_or(a);
    let bytes =
        address_hex_bytes(&format!("0x{h}")).ok_or(bad("is not 0x followed by 40 hex digits"))?;
    let text = chain::eip55(&bytes);
    let mixed =
        h.bytes().any(|c| c.is_ascii_uppercase()) && h.bytes().any(|c| c.is_ascii_lowercase());
    if mixed && text[2..] != *h {
        return Err(bad(
            "has a wrong EIP-55 checksum (a character was mistyped)",
        ));
    }
    Ok(text)
}

/// Makes a message from `params`, checking every field as [`parse`] does.
pub fn build(params: SiweParams) -> Result<SiweMessage, SiweError> {
    let address = normalize_address(&params.address)?;
    let format = |t: OffsetDateTime, field: &'static str| {
        t.format(&Rfc3339)
            .map_err(|_| SiweError::BadTime { line: None, field })
    };
    let issued_at = match params.issued_at {
        Some(t) => t,
        None => {
            let now = OffsetDateTime::now_utc();
            now.replace_millisecond(now.millisecond()).unwrap_or(now)
        }
    };
    let msg = SiweMessage {
        scheme: params.scheme,
        domain: params.domain,
        address,
        statement: params.statement.filter(|s| !s.is_empty()),
        uri: params.uri,
        version: "1".into(),
        chain_id: params.chain_id,
        nonce: params.nonce.unwrap_or_else(generate_nonce),
        issued_at: format(issued_at, "Issued At")?,
        expiration_time: params
            .expiration_time
            .map(|t| format(t, "Expiration Time"))
            .transpose()?,
        not_before: params
            .not_before
            .map(|t| format(t, "Not Before"))
            .transpose()?,
        request_id: params.request_id,
        resources: params.resources,
    };
    msg.validate()?;
    Ok(msg)
}

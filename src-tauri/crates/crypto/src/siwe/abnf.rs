//! The grammar of each field: the character classes of RFC 3986 and RFC 5234, URIs and
//! authorities, and the field rules of ERC-4361 (with Keyward's stricter ones, see the module
//! notes of [`siwe`](super)). Each check says what is wrong, never what was found.

use std::net::Ipv6Addr;

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::chain;

pub(super) fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

pub(super) fn is_sub_delim(b: u8) -> bool {
    matches!(
        b,
        b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'='
    )
}

pub(super) fn is_gen_delim(b: u8) -> bool {
    matches!(b, b':' | b'/' | b'?' | b'#' | b'[' | b']' | b'@')
}

/// `*( unreserved / pct-encoded / sub-delims / extra )`.
pub(super) fn check_chars(s: &str, extra: &[u8]) -> Result<(), &'static str> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'%' {
            if !b.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                || !b.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
            {
                return Err("has a % not followed by two hex digits");
            }
            i += 3;
            continue;
        }
        if !(is_unreserved(c) || is_sub_delim(c) || extra.contains(&c)) {
            return Err("holds a character RFC 3986 does not allow there");
        }
        i += 1;
    }
    Ok(())
}

/// RFC 3986 `scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`.
pub(super) fn check_scheme(s: &str) -> Result<(), &'static str> {
    let mut it = s.bytes();
    match it.next() {
        Some(c) if c.is_ascii_alphabetic() => {}
        _ => return Err("is not a URI scheme (a letter, then letters, digits, + - .)"),
    }
    if it.all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.')) {
        Ok(())
    } else {
        Err("is not a URI scheme (a letter, then letters, digits, + - .)")
    }
}

/// RFC 3986 `IP-literal` without its brackets: IPv6address or IPvFuture.
pub(super) fn check_ip_literal(s: &str) -> Result<(), &'static str> {
    if let Some(rest) = s.strip_prefix(['v', 'V']) {
        let (ver, tail) = rest.split_once('.').ok_or("has a bad IPvFuture literal")?;
        if ver.is_empty()
            || !ver.bytes().all(|c| c.is_ascii_hexdigit())
            || tail.is_empty()
            || !tail
                .bytes()
                .all(|c| is_unreserved(c) || is_sub_delim(c) || c == b':')
        {
            return Err("has a bad IPvFuture literal");
        }
        return Ok(());
    }
    s.parse::<Ipv6Addr>()
        .map(|_| ())
        .map_err(|_| "has a bad IPv6 address in brackets")
}

/// The parts of an authority: `[userinfo "@"] host [":" port]`.
pub(super) struct Authority<'a> {
    pub(super) userinfo: Option<&'a str>,
    pub(super) host: &'a str,
    pub(super) port: Option<&'a str>,
}

/// Splits and checks an RFC 3986 authority (the host may be empty; the port `*DIGIT`).
pub(super) fn split_authority(a: &str) -> Result<Authority<'_>, &'static str> {
    let (userinfo, hostport) = match a.split_once('@') {
        Some((u, h)) => {
            check_chars(u, b":")?;
            (Some(u), h)
        }
        None => (None, a),
    };
    let (host, port) = if hostport.starts_with('[') {
        let close = hostport.find(']').ok_or("has an unclosed [ in the host")?;
        check_ip_literal(&hostport[1..close])?;
        let after = &hostport[close + 1..];
        if after.is_empty() {
            (&hostport[..=close], None)
        } else {
            let p = after
                .strip_prefix(':')
                .ok_or("has text after the bracketed address")?;
            (&hostport[..=close], Some(p))
        }
    } else {
        match hostport.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    if !host.starts_with('[') {
        // reg-name (IPv4 addresses are a subset).
        check_chars(host, b"")?;
    }
    if let Some(p) = port {
        if !p.bytes().all(|c| c.is_ascii_digit()) {
            return Err("has a port that is not a number");
        }
    }
    Ok(Authority {
        userinfo,
        host,
        port,
    })
}

/// The message's `domain`: `host[:port]`, no userinfo, a non-empty host, a port of 0..=65535.
pub(super) fn check_domain(d: &str) -> Result<(), &'static str> {
    if d.is_empty() {
        return Err("is empty");
    }
    let a = split_authority(d)?;
    if a.userinfo.is_some() {
        return Err("has userinfo (name@); Keyward accepts host[:port] only");
    }
    if a.host.is_empty() {
        return Err("has no host");
    }
    if let Some(p) = a.port {
        if p.is_empty() || p.parse::<u16>().is_err() {
            return Err("has a port that is not 0 to 65535");
        }
    }
    Ok(())
}

/// An RFC 3986 `URI`: `scheme ":" hier-part [ "?" query ] [ "#" fragment ]`.
pub(super) fn check_uri(u: &str) -> Result<(), &'static str> {
    if u.is_empty() {
        return Err("is empty");
    }
    let (scheme, rest) = u.split_once(':').ok_or("has no scheme")?;
    check_scheme(scheme).map_err(|_| "does not start with a URI scheme")?;
    let (rest, fragment) = match rest.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (rest, None),
    };
    let (hier, query) = match rest.split_once('?') {
        Some((h, q)) => (h, Some(q)),
        None => (rest, None),
    };
    let path = match hier.strip_prefix("//") {
        Some(ap) => {
            let end = ap.find('/').unwrap_or(ap.len());
            split_authority(&ap[..end])?;
            &ap[end..]
        }
        None => hier,
    };
    check_chars(path, b":@/")?;
    if let Some(q) = query {
        check_chars(q, b":@/?")?;
    }
    if let Some(f) = fragment {
        check_chars(f, b":@/?")?;
    }
    Ok(())
}

/// ABNF `statement = *( reserved / unreserved / " " )`.
pub(super) fn check_statement(s: &str) -> Result<(), &'static str> {
    if s.bytes()
        .all(|c| is_unreserved(c) || is_sub_delim(c) || is_gen_delim(c) || c == b' ')
    {
        Ok(())
    } else {
        Err("holds a character EIP-4361 does not allow (letters, digits, spaces and RFC 3986 punctuation only)")
    }
}

/// ABNF `nonce = 8*( ALPHA / DIGIT )`.
pub(super) fn check_nonce(s: &str) -> Result<(), &'static str> {
    if !s.bytes().all(|c| c.is_ascii_alphanumeric()) {
        return Err("holds a character that is not a letter or digit");
    }
    if s.len() < 8 {
        return Err("is shorter than 8 letters and digits");
    }
    Ok(())
}

/// ABNF `chain-id = 1*DIGIT`, without leading zeros, fitting in 64 bits.
pub(super) fn parse_chain_id(s: &str) -> Result<u64, &'static str> {
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
        return Err("is not a decimal number");
    }
    if s.len() > 1 && s.starts_with('0') {
        return Err("has a leading zero");
    }
    s.parse::<u64>().map_err(|_| "is too large")
}

/// RFC 3339 `date-time` (the `T` separator required; `time` alone would take any byte there).
pub(super) fn parse_time(s: &str) -> Option<OffsetDateTime> {
    let b = s.as_bytes();
    if !s.is_ascii() || b.len() < 20 || !matches!(b[10], b'T' | b't') {
        return None;
    }
    OffsetDateTime::parse(s, &Rfc3339).ok()
}

/// The 20 bytes of a `0x` + 40 hex address, any case.
pub(super) fn address_hex_bytes(s: &str) -> Option<[u8; 20]> {
    let h = s.strip_prefix("0x")?;
    if h.len() != 40 {
        return None;
    }
    let mut out = [0u8; 20];
    hex::decode_to_slice(h, &mut out).ok()?;
    Some(out)
}

/// `0x` + 40 hex digits, with a valid EIP-55 checksum.
pub(super) fn check_address(s: &str) -> Result<[u8; 20], &'static str> {
    let bytes = address_hex_bytes(s).ok_or("is not 0x followed by 40 hex digits")?;
    if chain::eip55(&bytes) == s {
        return Ok(bytes);
    }
    let h = &s[2..];
    if h.bytes().any(|c| c.is_ascii_alphabetic())
        && (!h.bytes().any(|c| c.is_ascii_uppercase())
            || !h.bytes().any(|c| c.is_ascii_lowercase()))
    {
        Err("is not in EIP-55 mixed case (EIP-4361 requires the checksummed form)")
    } else {
        Err("has a wrong EIP-55 checksum (a character was mistyped)")
    }
}

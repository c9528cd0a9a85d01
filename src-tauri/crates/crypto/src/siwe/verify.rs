//! Signing (EIP-191 `personal_sign` of the canonical text), verifying with the checks a
//! relying party asks for, and binding a message to the origin that asked for it.

use std::net::Ipv6Addr;

use super::abnf::{address_hex_bytes, check_domain, check_uri, parse_time, split_authority};
use super::{malformed, Check, SiweError, SiweMessage, SiweVerdict, VerifyOpts};
use crate::chain;
use crate::keys::{KeyAlg, PrivateKey, PublicFormat};

/// Signs the message's canonical text with EIP-191 (`personal_sign`): 65 bytes r‖s‖v,
/// v = 27/28. Refuses a message that does not validate or whose address is not the key's.
pub fn sign(key: &PrivateKey, msg: &SiweMessage) -> Result<[u8; 65], SiweError> {
    msg.validate()?;
    if key.alg() != KeyAlg::Secp256k1 {
        return Err(SiweError::WrongKey(key.alg().to_string()));
    }
    let own = key
        .public()
        .export(PublicFormat::Eth, "")
        .map_err(|e| SiweError::Signature(e.to_string()))?;
    if !own.eq_ignore_ascii_case(&msg.address) {
        return Err(SiweError::AddressMismatch {
            key: own,
            message: msg.address.clone(),
        });
    }
    crate::sign::eip191_sign(key, msg.to_message().as_bytes())
        .map_err(|e| SiweError::Signature(e.to_string()))
}

/// Verifies an EIP-191 signature of the message's canonical text and the checks `opts` asks
/// for. Always checks the message's fields (`message`), the signature, and, when the message
/// has them, `expiration` (expired when now ≥ Expiration Time) and `not_before`.
pub fn verify(msg: &SiweMessage, signature: &[u8], opts: &VerifyOpts) -> SiweVerdict {
    let mut checks = Vec::new();
    let mut push =
        |id: &'static str, ok: bool, detail: String| checks.push(Check { id, ok, detail });

    match msg.validate() {
        Ok(()) => push("message", true, "follows EIP-4361".into()),
        Err(e) => push("message", false, e.to_string()),
    }

    match (
        address_hex_bytes(&msg.address),
        crate::sign::eip191_recover(msg.to_message().as_bytes(), signature),
    ) {
        (None, _) => push(
            "signature",
            false,
            "the message's address is not 0x followed by 40 hex digits".into(),
        ),
        (_, Err(e)) => push("signature", false, format!("unreadable signature: {e}")),
        (Some(want), Ok(got)) if want == got => {
            push("signature", true, format!("signed by {}", chain::eip55(&got)))
        }
        (Some(_), Ok(got)) => push(
            "signature",
            false,
            format!(
                "signed by {}, not by the message's address {} (contract wallets, ERC-1271, are not checked)",
                chain::eip55(&got),
                msg.address
            ),
        ),
    }

    if let Some(exp) = &msg.expiration_time {
        match parse_time(exp) {
            None => push("expiration", false, "not an RFC 3339 date-time".into()),
            Some(t) if opts.now < t => push("expiration", true, format!("valid until {exp}")),
            Some(_) => push("expiration", false, format!("expired at {exp}")),
        }
    }
    if let Some(nb) = &msg.not_before {
        match parse_time(nb) {
            None => push("not_before", false, "not an RFC 3339 date-time".into()),
            Some(t) if opts.now >= t => push("not_before", true, format!("valid from {nb}")),
            Some(_) => push("not_before", false, format!("not valid before {nb}")),
        }
    }
    if let Some(d) = &opts.domain {
        if msg.domain.eq_ignore_ascii_case(d) {
            push("domain", true, format!("for {}", msg.domain));
        } else {
            push(
                "domain",
                false,
                format!("the message is for {}, not {d}", msg.domain),
            );
        }
    }
    if let Some(n) = &opts.nonce {
        if msg.nonce == *n {
            push("nonce", true, "the expected nonce".into());
        } else {
            push("nonce", false, "not the nonce that was issued".into());
        }
    }
    if let Some(o) = &opts.origin {
        match check_origin(msg, o) {
            Ok(()) => push("origin", true, format!("{o} matches {}", msg.origin_text())),
            Err(e) => push("origin", false, e.to_string()),
        }
    }

    let valid = checks.iter().all(|c| c.ok);
    SiweVerdict { valid, checks }
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "https" | "wss" => Some(443),
        "http" | "ws" => Some(80),
        _ => None,
    }
}

/// Hosts compared case-insensitively; bracketed IPv6 addresses by value. Internationalised
/// names are compared as given (ASCII): a message in `xn--` form matches only an origin in
/// `xn--` form, which is how browsers report origins; Unicode hosts cannot appear in a message.
fn same_host(a: &str, b: &str) -> bool {
    let v6 = |h: &str| {
        h.strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .and_then(|h| h.parse::<Ipv6Addr>().ok())
    };
    match (v6(a), v6(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a.eq_ignore_ascii_case(b),
    }
}

/// Checks that `origin` (`https://app.example.com`, `https://app.example.com:8443`; a path
/// after it is ignored) is the message's: same host, same port (the scheme's default port when
/// none is written: https 443, http 80; a message without scheme is taken as https, as ERC-4361
/// says), and the same scheme when the message names one.
pub fn check_origin(msg: &SiweMessage, origin: &str) -> Result<(), SiweError> {
    let bad_origin = || malformed(None, "origin", "is not an origin like https://host[:port]");
    check_uri(origin).map_err(|_| bad_origin())?;
    let (o_scheme, rest) = origin.split_once("://").ok_or_else(bad_origin)?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let o = split_authority(&rest[..end]).map_err(|_| bad_origin())?;
    if o.userinfo.is_some() || o.host.is_empty() {
        return Err(bad_origin());
    }
    let o_scheme = o_scheme.to_ascii_lowercase();
    let o_port = match o.port {
        Some("") | None => default_port(&o_scheme),
        Some(p) => Some(p.parse::<u16>().map_err(|_| bad_origin())?),
    };

    check_domain(&msg.domain).map_err(|r| malformed(None, "domain", r))?;
    let m = split_authority(&msg.domain).map_err(|r| malformed(None, "domain", r))?;
    let m_scheme = msg.scheme.as_deref().map(str::to_ascii_lowercase);
    let m_port = match m.port {
        Some(p) => p.parse::<u16>().ok(),
        None => default_port(m_scheme.as_deref().unwrap_or("https")),
    };

    let scheme_ok = m_scheme.as_deref().is_none_or(|s| s == o_scheme);
    if scheme_ok && same_host(m.host, o.host) && m_port == o_port {
        Ok(())
    } else {
        Err(SiweError::DomainMismatch {
            domain: msg.origin_text(),
            origin: origin.to_owned(),
        })
    }
}

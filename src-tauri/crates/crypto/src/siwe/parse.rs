//! Reading message text, line by line as the ABNF of ERC-4361 writes it.

use std::str::FromStr;

use super::abnf::{
    check_address, check_chars, check_domain, check_nonce, check_scheme, check_statement,
    check_uri, parse_chain_id, parse_time,
};
use super::{malformed, SiweError, SiweMessage, HEADER_SUFFIX, MAX_MESSAGE_BYTES};

/// Field labels as the message writes them, in order; the optional ones follow `Issued At`.
const MANDATORY: [(&str, &str); 5] = [
    ("URI: ", "URI"),
    ("Version: ", "Version"),
    ("Chain ID: ", "Chain ID"),
    ("Nonce: ", "Nonce"),
    ("Issued At: ", "Issued At"),
];
const OPTIONAL: [(&str, &str); 4] = [
    ("Expiration Time: ", "Expiration Time"),
    ("Not Before: ", "Not Before"),
    ("Request ID: ", "Request ID"),
    ("Resources:", "Resources"),
];

struct Lines<'a> {
    lines: Vec<&'a str>,
    next: usize,
}

impl<'a> Lines<'a> {
    /// The next line and its 1-based number, or "missing" for `field`.
    fn take(&mut self, field: &'static str) -> Result<(usize, &'a str), SiweError> {
        let n = self.next + 1;
        let l = self
            .lines
            .get(self.next)
            .copied()
            .ok_or_else(|| malformed(Some(n), field, "missing: the message ends before it"))?;
        self.next += 1;
        Ok((n, l))
    }

    fn peek(&self) -> Option<&'a str> {
        self.lines.get(self.next).copied()
    }

    fn is_last(&self, n: usize) -> bool {
        n == self.lines.len()
    }

    /// The next line, which must be empty.
    fn empty(&mut self, after: &'static str) -> Result<(), SiweError> {
        if self.peek() == Some("") {
            self.next += 1;
            Ok(())
        } else {
            // Report the line of `after` itself.
            Err(malformed(
                Some(self.next),
                after,
                "must be followed by an empty line",
            ))
        }
    }

    /// The value of the next line, which must start with `tag`.
    fn field(
        &mut self,
        tag: &'static str,
        field: &'static str,
    ) -> Result<(usize, &'a str), SiweError> {
        let (n, l) = self.take(field)?;
        match l.strip_prefix(tag) {
            Some(v) => Ok((n, v)),
            None => Err(self.misplaced(n, l, field)),
        }
    }

    /// The error for line `n` holding `l` where `expected` (a field label, or `"end"` after
    /// the last field) should be.
    fn misplaced(&self, n: usize, l: &str, expected: &'static str) -> SiweError {
        if l.is_empty() {
            if self.is_last(n) {
                return malformed(
                    Some(n),
                    "message",
                    "ends with a line break (LF); the last line must not",
                );
            }
            return malformed(Some(n), expected, "expected here, found an empty line");
        }
        let order = || MANDATORY.iter().chain(OPTIONAL.iter());
        let found = order().position(|(tag, _)| l.starts_with(tag));
        let wanted = order().position(|(_, name)| *name == expected);
        match (found, wanted) {
            (Some(f), Some(w)) if f > w => {
                malformed(Some(n), expected, "missing (a later field is in its place)")
            }
            (Some(f), _) => {
                let (_, name) = order().nth(f).copied().unwrap_or(("", "message"));
                malformed(Some(n), name, "repeated or out of order")
            }
            (None, None) => malformed(Some(n), "message", "unknown field or text after the fields"),
            (None, Some(_)) => malformed(
                Some(n),
                expected,
                "expected here, found an unknown field or text",
            ),
        }
    }
}

/// Parses EIP-4361 message text, strictly (see the module notes).
pub fn parse(text: &str) -> Result<SiweMessage, SiweError> {
    if text.len() > MAX_MESSAGE_BYTES {
        return Err(malformed(None, "message", "is longer than 64 KiB"));
    }
    let lines: Vec<&str> = text.split('\n').collect();
    if let Some(i) = lines.iter().position(|l| l.contains('\r')) {
        return Err(malformed(
            Some(i + 1),
            "message",
            "has a carriage return (CR); lines end with LF only",
        ));
    }
    let mut ls = Lines { lines, next: 0 };

    let (n, header) = ls.take("header")?;
    let prefix = header.strip_suffix(HEADER_SUFFIX).ok_or_else(|| {
        malformed(
            Some(n),
            "header",
            "does not end with \" wants you to sign in with your Ethereum account:\"",
        )
    })?;
    let (scheme, domain) = match prefix.split_once("://") {
        Some((s, d)) => {
            check_scheme(s).map_err(|r| malformed(Some(n), "scheme", r))?;
            (Some(s), d)
        }
        None => (None, prefix),
    };
    check_domain(domain).map_err(|r| malformed(Some(n), "domain", r))?;

    let (n, address) = ls.take("address")?;
    check_address(address).map_err(|reason| SiweError::BadAddress {
        line: Some(n),
        reason,
    })?;
    ls.empty("address")?;

    // `[ statement LF ] LF`: no statement leaves three LFs between address and URI; an empty
    // statement four.
    let (n, l) = ls.take("statement")?;
    let statement = if l.is_empty() {
        if ls.peek() == Some("") {
            ls.next += 1;
            Some(String::new())
        } else {
            None
        }
    } else {
        check_statement(l).map_err(|r| malformed(Some(n), "statement", r))?;
        if l.starts_with("URI: ") && ls.peek().is_some_and(|next| next.starts_with("Version: ")) {
            // Grammatically a statement, but surely a lost LF: say so.
            return Err(malformed(
                Some(n),
                "URI",
                "needs an empty line before it (with no statement, three LFs follow the address)",
            ));
        }
        ls.empty("statement")?;
        Some(l.to_owned())
    };

    let (n, uri) = ls.field("URI: ", "URI")?;
    check_uri(uri).map_err(|r| malformed(Some(n), "URI", r))?;
    let (n, version) = ls.field("Version: ", "Version")?;
    if version != "1" {
        return Err(malformed(Some(n), "Version", "must be 1"));
    }
    let (n, chain_id) = ls.field("Chain ID: ", "Chain ID")?;
    let chain_id = parse_chain_id(chain_id).map_err(|r| malformed(Some(n), "Chain ID", r))?;
    let (n, nonce) = ls.field("Nonce: ", "Nonce")?;
    check_nonce(nonce).map_err(|r| malformed(Some(n), "Nonce", r))?;
    let (n, issued_at) = ls.field("Issued At: ", "Issued At")?;
    let time_of = |n: usize, v: &str, field: &'static str| match parse_time(v) {
        Some(_) => Ok(v.to_owned()),
        None => Err(SiweError::BadTime {
            line: Some(n),
            field,
        }),
    };
    let issued_at = time_of(n, issued_at, "Issued At")?;

    let mut msg = SiweMessage {
        scheme: scheme.map(str::to_owned),
        domain: domain.to_owned(),
        address: address.to_owned(),
        statement,
        uri: uri.to_owned(),
        version: version.to_owned(),
        chain_id,
        nonce: nonce.to_owned(),
        issued_at,
        expiration_time: None,
        not_before: None,
        request_id: None,
        resources: Vec::new(),
    };

    // Optional fields, each at most once, in order; `Resources:` last.
    let mut stage = 0;
    while let Some(l) = ls.peek() {
        let n = ls.next + 1;
        let Some(idx) = OPTIONAL.iter().position(|(tag, _)| l.starts_with(tag)) else {
            return Err(ls.misplaced(n, l, "end"));
        };
        let (tag, field) = OPTIONAL[idx];
        if idx < stage {
            return Err(malformed(Some(n), field, "repeated or out of order"));
        }
        stage = idx + 1;
        ls.next += 1;
        let v = &l[tag.len()..];
        match idx {
            0 => msg.expiration_time = Some(time_of(n, v, field)?),
            1 => msg.not_before = Some(time_of(n, v, field)?),
            2 => {
                check_chars(v, b":@").map_err(|r| malformed(Some(n), field, r))?;
                msg.request_id = Some(v.to_owned());
            }
            _ => {
                if !v.is_empty() {
                    return Err(malformed(
                        Some(n),
                        field,
                        "nothing may follow \"Resources:\" on its line",
                    ));
                }
                while let Some(r) = ls.peek() {
                    let rn = ls.next + 1;
                    let Some(uri) = r.strip_prefix("- ") else {
                        return Err(ls.misplaced(rn, r, "end"));
                    };
                    check_uri(uri).map_err(|r| malformed(Some(rn), "resource", r))?;
                    msg.resources.push(uri.to_owned());
                    ls.next += 1;
                }
                if msg.resources.is_empty() {
                    return Err(malformed(
                        Some(n),
                        field,
                        "must be followed by at least one \"- URI\" line",
                    ));
                }
            }
        }
    }
    Ok(msg)
}

impl FromStr for SiweMessage {
    type Err = SiweError;

    fn from_str(s: &str) -> Result<SiweMessage, SiweError> {
        parse(s)
    }
}

//! Hosts as a human should see them: the ASCII form an origin carries, its Unicode form when
//! it holds punycode (`xn--` labels, decoded with UTS 46 by the `idna` crate), and whether a
//! label mixes scripts.

/// The host of an origin or a SIWE domain (`scheme://host:port/path`, `host:port`): lower
/// case, without port, brackets kept for IPv6 literals. `None` when there is no host.
pub fn host_of(s: &str) -> Option<String> {
    let rest = s.split_once("://").map_or(s, |(_, r)| r);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if hostport.starts_with('[') {
        &hostport[..hostport.find(']').map_or(hostport.len(), |i| i + 1)]
    } else {
        hostport.split(':').next().unwrap_or("")
    };
    (!host.is_empty()).then(|| host.to_lowercase())
}

/// Whether any label of `host` is punycode (`xn--`, ACE prefix of RFC 3490).
pub fn is_punycode(host: &str) -> bool {
    // Bytes, not str slicing: a label may start with a multi-byte character.
    host.split('.').any(|l| {
        l.as_bytes()
            .get(..4)
            .is_some_and(|p| p.eq_ignore_ascii_case(b"xn--"))
    })
}

/// The Unicode form of a punycode host, or `None` when it holds no punycode. A label that
/// does not decode is shown as `(invalid punycode)`, never dropped.
pub fn unicode_form(host: &str) -> Option<String> {
    if !is_punycode(host) {
        return None;
    }
    let (u, res) = idna::domain_to_unicode(host);
    Some(if res.is_ok() {
        u
    } else {
        format!("{u} (invalid punycode)")
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Script {
    Latin,
    Greek,
    Cyrillic,
}

fn script(c: char) -> Option<Script> {
    match c as u32 {
        0x41..=0x5A | 0x61..=0x7A | 0xC0..=0x24F | 0x1E00..=0x1EFF => Some(Script::Latin),
        0x370..=0x3FF | 0x1F00..=0x1FFF => Some(Script::Greek),
        0x400..=0x52F | 0x1C80..=0x1C8F | 0x2DE0..=0x2DFF | 0xA640..=0xA69F => {
            Some(Script::Cyrillic)
        }
        _ => None,
    }
}

/// The first label of `host` (in its Unicode form) whose letters come from more than one of
/// Latin, Greek and Cyrillic — the homograph trick (`аpple` with a Cyrillic `а`). Digits,
/// hyphens and other scripts are ignored: a label wholly in one script is fine.
pub fn mixed_script_label(host: &str) -> Option<String> {
    let unicode = unicode_form(host).unwrap_or_else(|| host.to_owned());
    unicode
        .split('.')
        .find(|label| {
            let mut seen: Option<Script> = None;
            label.chars().filter_map(script).any(|s| match seen {
                None => {
                    seen = Some(s);
                    false
                }
                Some(first) => first != s,
            })
        })
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        assert_eq!(
            host_of("https://App.Example.com:8443/x?y").as_deref(),
            Some("app.example.com")
        );
        assert_eq!(host_of("example.com").as_deref(), Some("example.com"));
        assert_eq!(host_of("http://[::1]:80").as_deref(), Some("[::1]"));
        assert_eq!(host_of("https://u@h.example").as_deref(), Some("h.example"));
        assert_eq!(host_of("https://"), None);
    }

    #[test]
    fn punycode_is_decoded() {
        assert!(is_punycode("www.xn--80ak6aa92e.com"));
        assert!(!is_punycode("example.com"));
        assert_eq!(
            unicode_form("xn--80ak6aa92e.com").as_deref(),
            Some("аррӏе.com")
        );
        assert_eq!(unicode_form("example.com"), None);
        assert!(unicode_form("xn--zz-.com")
            .unwrap()
            .ends_with("(invalid punycode)"));
    }

    #[test]
    fn mixed_scripts() {
        // Latin "p" with Cyrillic "а" (U+0430).
        assert_eq!(
            mixed_script_label("\u{430}pple.com").as_deref(),
            Some("\u{430}pple")
        );
        // The same, as punycode.
        let ace = idna::domain_to_ascii("\u{430}pple.com").unwrap();
        assert!(ace.starts_with("xn--"));
        assert!(mixed_script_label(&ace).is_some());
        // Latin with Greek omicron.
        assert!(mixed_script_label("g\u{3bf}\u{3bf}gle.com").is_some());
        // One script per label is fine, even if labels differ.
        assert_eq!(mixed_script_label("example.com"), None);
        assert_eq!(mixed_script_label("пример.рф"), None);
        assert_eq!(mixed_script_label("пример.com"), None);
        assert_eq!(mixed_script_label("xn--80ak6aa92e.com"), None);
        assert_eq!(mixed_script_label("a-1.example"), None);
    }
}

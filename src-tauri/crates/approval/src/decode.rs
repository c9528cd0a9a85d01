//! The one decoder from a request to what a human sees, and the hash that binds a decision
//! to it.
//!
//! # The rule for text
//!
//! A payload is shown as **text if and only if it is valid UTF-8 and holds no control
//! character (Unicode category Cc) other than `\n` and `\t`**. Anything else is shown as hex,
//! labelled `binary data (N bytes)`. There is no second heuristic: `\r`, NUL, ESC or a C1
//! control make a payload binary, so a terminal escape or a hidden line can never be shown as
//! harmless text.
//!
//! # Escaping
//!
//! Characters that reorder or hide text are replaced, wherever attacker-chosen text is shown
//! (payload text, app names, origins, SIWE fields, JWT claims), by a visible `\u{XXXX}`:
//! every format character (Unicode category Cf: the bidi controls, zero-width characters,
//! the BOM, the soft hyphen, invisible operators, tag characters); the separators U+2028,
//! U+2029; and the invisible characters of other categories (U+034F, the fillers U+115F,
//! U+1160, U+3164, U+FFA0, U+17B4, U+17B5, the variation selectors U+180B–U+180F,
//! U+FE00–U+FE0F, U+E0100–U+E01EF). In single-line fields every
//! control character (including `\n` and `\t`) is escaped too. A [`Block::Text`] counts its
//! escapes so the prompt can say so. The escape is plain text: a message that literally holds
//! the six characters `\u{…}` looks the same, which is harmless, because what is signed is
//! bound by the hash below, not by the text.
//!
//! A message that is not [`readable`] text (text by the rule above) is
//! blind signing at any length (the risk rules say so); 32 such bytes are labelled as a
//! possible hash. A digest ([`Kind::SignDigest`]) is always hex and always labelled blind.
//!
//! # The binding hash
//!
//! [`Rendered::canonical`] is the JSON of the blocks (fields in declaration order, JWT claims
//! sorted by name): the same request always renders to the same bytes. [`Rendered::hash`] is
//! hex SHA-256 over a domain tag and four length-prefixed (u64 big-endian) fields: the kind as
//! canonical JSON (scheme, or the whole JWT template), the key id, the exact payload bytes,
//! and the canonical rendered text. A decision carries this hash, and
//! [`crate::decision::authorize`] re-renders the request and compares, so a decision made for
//! one payload (or key, kind, or rendering) cannot release another.

use keyward_crypto::siwe;
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::host::{host_of, unicode_form};
use crate::request::{JwtTemplate, Kind, Request};

/// Domain separation for [`Rendered::hash`].
const HASH_TAG: &[u8] = b"keyward-approval/rendered/v1\0";

/// One piece of the prompt. Every string in it is already escaped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// The kind of request, as a heading.
    Title {
        /// `Sign a message: Ethereum personal_sign (EIP-191)`, …
        text: String,
    },
    /// A labelled one-line value.
    Field {
        /// What it is.
        label: String,
        /// The value.
        value: String,
    },
    /// A host or origin: the ASCII form as sent, and its decoded form when it is punycode.
    Host {
        /// What it is (`Origin`, `Domain`).
        label: String,
        /// As sent.
        ascii: String,
        /// The host decoded from punycode, when any label is punycode.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        unicode: Option<String>,
    },
    /// A payload shown as text (multi-line; `\n` and `\t` kept).
    Text {
        /// What it is, with the byte count.
        label: String,
        /// The text.
        text: String,
        /// How many characters were escaped.
        escaped: usize,
    },
    /// A payload shown as hex.
    Hex {
        /// What it is: `binary data (N bytes)`, a possible hash, a digest.
        label: String,
        /// Lower-case hex of every byte.
        hex: String,
    },
    /// Something the user must read (a payload that claims to be SIWE and is not, …).
    Notice {
        /// One line.
        text: String,
    },
}

/// What the prompt shows for one request, and the hash a decision must carry. Only
/// [`render`] makes one, so the hash always matches the blocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    blocks: Vec<Block>,
    /// Where the payload's blocks start: before it, the title and who asks with which key.
    payload_start: usize,
    canonical: String,
    hash: String,
}

impl Rendered {
    /// The index of the first block of what is signed: the blocks before it (the kind's title,
    /// the app, its executable and process, the origin, the key) say who asks and with what,
    /// which a prompt shows once in its own header. All of them are bound by the hash.
    pub fn payload_start(&self) -> usize {
        self.payload_start
    }

    /// The blocks, in display order.
    pub fn blocks(&self) -> &[Block] {
        &self.blocks
    }

    /// The canonical serialization (JSON of the blocks).
    pub fn canonical(&self) -> &str {
        &self.canonical
    }

    /// Hex SHA-256 over (kind, key id, exact payload bytes, canonical text).
    pub fn hash(&self) -> &str {
        &self.hash
    }
}

impl Serialize for Rendered {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Rendered", 2)?;
        st.serialize_field("blocks", &self.blocks)?;
        st.serialize_field("hash", &self.hash)?;
        st.end()
    }
}

/// Renders `req` for a human. Total: every request renders (a payload that is not what its
/// kind says is shown by the text rule, with a notice).
pub fn render(req: &Request) -> Rendered {
    let mut b = vec![Block::Title {
        text: req.kind.title(),
    }];
    b.push(field("App", &req.app.name));
    b.push(field(
        "Executable",
        &req.app
            .exe
            .as_ref()
            .map_or_else(|| "unknown".into(), |p| p.to_string_lossy().into_owned()),
    ));
    if let Some(pid) = req.app.pid {
        b.push(field("Process", &pid.to_string()));
    }
    match &req.origin {
        Some(o) => b.push(host_block("Origin", o)),
        None => b.push(field("Origin", "none given")),
    }
    b.push(field("Key", &format!("{} ({})", req.key_id, req.key_alg)));
    let payload_start = b.len();

    match &req.kind {
        Kind::SignMessage { .. } => b.push(message_block("Message", &req.payload)),
        Kind::SignDigest { .. } => b.push(Block::Hex {
            label: format!(
                "Digest ({} bytes): blind signing, the message it stands for is unknown",
                req.payload.len()
            ),
            hex: hex::encode(&req.payload),
        }),
        Kind::SiweLogin => siwe_blocks(&req.payload, &mut b),
        Kind::MintJwt { template } => {
            jwt_blocks(template, &mut b);
            if !req.payload.is_empty() {
                b.push(message_block("Extra data", &req.payload));
            }
        }
    }

    let canonical = serde_json::to_string(&b).expect("blocks serialize");
    let hash = binding_hash(&req.kind, &req.key_id, &req.payload, &canonical);
    Rendered {
        blocks: b,
        payload_start,
        canonical,
        hash,
    }
}

fn binding_hash(kind: &Kind, key_id: &str, payload: &[u8], canonical: &str) -> String {
    let kind_json = canonical_json(&serde_json::to_value(kind).expect("kind serializes"));
    let mut h = Sha256::new();
    h.update(HASH_TAG);
    for part in [
        kind_json.as_bytes(),
        key_id.as_bytes(),
        payload,
        canonical.as_bytes(),
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part);
    }
    hex::encode(h.finalize())
}

/// JSON with object keys sorted (serde_json keeps insertion order here), so equal values
/// always give equal text.
pub fn canonical_json(v: &Value) -> String {
    let mut out = String::new();
    write_canonical(v, &mut out);
    out
}

fn write_canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write_canonical(&m[k], out);
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(x, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// The payload as text, if the one rule allows it (valid UTF-8, no control character other
/// than `\n` and `\t`).
pub fn as_text(bytes: &[u8]) -> Option<&str> {
    std::str::from_utf8(bytes)
        .ok()
        .filter(|s| !s.chars().any(|c| c.is_control() && c != '\n' && c != '\t'))
}

/// Characters that reorder text or show as nothing: every format character (category Cf:
/// the bidi controls, zero-width spaces and joiners, the BOM, the soft hyphen, invisible
/// operators, tag characters), the line and paragraph separators, and the invisible ones of
/// other categories: the combining grapheme joiner, Hangul and halfwidth fillers, Khmer
/// inherent vowels, Mongolian and Unicode variation selectors.
fn hides_or_reorders(c: char) -> bool {
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
    c.general_category() == GeneralCategory::Format
        || matches!(
            c,
            '\u{2028}'
                | '\u{2029}'
                | '\u{034F}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FFA0}'
                | '\u{E0100}'..='\u{E01EF}'
        )
}

fn push_escape(c: char, out: &mut String) {
    out.push_str(&format!("\\u{{{:04X}}}", c as u32));
}

/// Escapes text for a multi-line block: bidi, invisible and separator characters, and any
/// control other than `\n` and `\t`. Returns the text and the number of escapes.
pub fn escape_text(s: &str) -> (String, usize) {
    let mut out = String::with_capacity(s.len());
    let mut n = 0;
    for c in s.chars() {
        if hides_or_reorders(c) || (c.is_control() && c != '\n' && c != '\t') {
            push_escape(c, &mut out);
            n += 1;
        } else {
            out.push(c);
        }
    }
    (out, n)
}

/// Escapes text for a one-line field: as [`escape_text`], and every control character too.
pub fn escape_field(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if hides_or_reorders(c) || c.is_control() {
            push_escape(c, &mut out);
        } else {
            out.push(c);
        }
    }
    out
}

fn field(label: &str, value: &str) -> Block {
    Block::Field {
        label: label.into(),
        value: escape_field(value),
    }
}

fn host_block(label: &str, ascii: &str) -> Block {
    Block::Host {
        label: label.into(),
        ascii: escape_field(ascii),
        unicode: host_of(ascii)
            .and_then(|h| unicode_form(&h))
            .map(|u| escape_field(&u)),
    }
}

/// Whether `bytes` are readable text: text by the one rule (invisible characters in it are
/// escaped and warned about on their own). Anything else signed as a message is blind
/// signing, at any length.
pub fn readable(bytes: &[u8]) -> bool {
    as_text(bytes).is_some()
}

/// A payload by the text rule; 32 bytes that are not readable text are labelled as a
/// possible hash.
fn message_block(label: &str, bytes: &[u8]) -> Block {
    let n = bytes.len();
    let blind = if n == 32 && !readable(bytes) {
        ", possibly a hash: blind signing"
    } else {
        ""
    };
    match as_text(bytes) {
        Some(s) => {
            let (text, escaped) = escape_text(s);
            Block::Text {
                label: format!("{label}: text ({n} bytes{blind})"),
                text,
                escaped,
            }
        }
        None => Block::Hex {
            label: format!("{label}: binary data ({n} bytes{blind})"),
            hex: hex::encode(bytes),
        },
    }
}

fn siwe_blocks(payload: &[u8], b: &mut Vec<Block>) {
    let parsed = std::str::from_utf8(payload)
        .map_err(|_| "it is not UTF-8 text".to_owned())
        .and_then(|s| siwe::parse(s).map_err(|e| e.to_string()));
    let m = match parsed {
        Ok(m) => m,
        Err(why) => {
            b.push(Block::Notice {
                text: escape_field(&format!(
                    "This is not a valid Sign-In with Ethereum message ({why}); it is shown as sent."
                )),
            });
            b.push(message_block("Message", payload));
            return;
        }
    };
    b.push(host_block("Domain", &m.origin_text()));
    b.push(field("Address", &m.address));
    if let Some(s) = &m.statement {
        b.push(field("Statement", s));
    }
    b.push(field("URI", &m.uri));
    b.push(field("Version", &m.version));
    b.push(field("Chain ID", &m.chain_id.to_string()));
    b.push(field("Nonce", &m.nonce));
    b.push(field("Issued at", &m.issued_at));
    if let Some(t) = &m.expiration_time {
        b.push(field("Expires", t));
    }
    if let Some(t) = &m.not_before {
        b.push(field("Not before", t));
    }
    if let Some(r) = &m.request_id {
        b.push(field("Request ID", r));
    }
    for r in &m.resources {
        b.push(field("Resource", r));
    }
}

fn jwt_blocks(t: &JwtTemplate, b: &mut Vec<Block>) {
    b.push(field("Algorithm", t.alg.as_str()));
    for a in &t.aud {
        b.push(field("Audience (aud)", a));
    }
    if let Some(s) = &t.sub {
        b.push(field("Subject (sub)", s));
    }
    let mut names: Vec<&String> = t.claims.keys().collect();
    names.sort();
    for k in names {
        b.push(field(
            &format!("Claim {}", escape_field(k)),
            &canonical_json(&t.claims[k]),
        ));
    }
    b.push(field(
        "Lifetime",
        &format!(
            "{} s from signing (iat and exp are stamped after approval)",
            t.exp_secs
        ),
    ));
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::request::tests::req;
    use keyward_crypto::sign::{JwsAlg, Scheme};

    fn msg(payload: &[u8]) -> Rendered {
        render(&req(
            Kind::SignMessage {
                scheme: Scheme::Eip191,
            },
            payload,
        ))
    }

    /// The payload block: the last one.
    fn last(r: &Rendered) -> &Block {
        r.blocks().last().unwrap()
    }

    fn find<'a>(r: &'a Rendered, label: &str) -> Option<&'a str> {
        r.blocks().iter().find_map(|b| match b {
            Block::Field { label: l, value } if l == label => Some(value.as_str()),
            _ => None,
        })
    }

    #[test]
    fn text_or_hex_by_one_rule() {
        match last(&msg(b"Hello\n\tworld")) {
            Block::Text {
                label,
                text,
                escaped,
            } => {
                assert_eq!(label, "Message: text (12 bytes)");
                assert_eq!(text, "Hello\n\tworld");
                assert_eq!(*escaped, 0);
            }
            b => panic!("{b:?}"),
        }
        // Invalid UTF-8, \r, NUL, ESC and a C1 control each make it binary.
        for p in [
            &b"\xff\xfe"[..],
            b"line\r\n",
            b"a\0b",
            b"\x1b[31mred",
            "a\u{85}b".as_bytes(),
        ] {
            match last(&msg(p)) {
                Block::Hex { label, hex } => {
                    assert_eq!(label, &format!("Message: binary data ({} bytes)", p.len()));
                    assert_eq!(hex, &hex::encode(p));
                }
                b => panic!("{p:?} gave {b:?}"),
            }
        }
        assert_eq!(as_text(b""), Some(""));
        assert_eq!(as_text("héllo ✓".as_bytes()), Some("héllo ✓"));
    }

    #[test]
    fn bidi_and_invisible_characters_are_escaped() {
        let text =
            "pay \u{202E}moc.elgoog\u{202C} \u{2066}x\u{2069}\u{200F}\u{200E}\u{61C}\u{200B}";
        match last(&msg(text.as_bytes())) {
            Block::Text { text, escaped, .. } => {
                assert_eq!(
                    text,
                    "pay \\u{202E}moc.elgoog\\u{202C} \\u{2066}x\\u{2069}\\u{200F}\\u{200E}\\u{061C}\\u{200B}"
                );
                assert_eq!(*escaped, 8);
            }
            b => panic!("{b:?}"),
        }
        // Fields escape every control too, newlines included.
        assert_eq!(
            escape_field("a\nb\t\u{7}\u{202D}"),
            "a\\u{000A}b\\u{0009}\\u{0007}\\u{202D}"
        );
        let mut r = req(
            Kind::SignMessage {
                scheme: Scheme::Eip191,
            },
            b"x",
        );
        r.app.name = "Wallet\u{202E}exe.".into();
        assert_eq!(find(&render(&r), "App"), Some("Wallet\\u{202E}exe."));
    }

    /// Security review #11: every invisible code point is escaped, not only the bidi controls
    /// and zero-width spaces: every format character (Unicode category Cf, the tag characters
    /// of "ASCII smuggling" among them), the Hangul and halfwidth fillers, variation selectors,
    /// the combining grapheme joiner and the Mongolian free variation selectors.
    #[test]
    fn every_invisible_code_point_is_escaped() {
        let one = |c: char| match last(&msg(format!("ok{c}").as_bytes())) {
            Block::Text { escaped, text, .. } => {
                assert_eq!(
                    text,
                    &format!("ok\\u{{{:04X}}}", c as u32),
                    "U+{:04X}",
                    c as u32
                );
                *escaped
            }
            b => panic!("U+{:04X}: {b:?}", c as u32),
        };
        for c in [
            '\u{00AD}',
            '\u{034F}',
            '\u{115F}',
            '\u{1160}',
            '\u{17B4}',
            '\u{17B5}',
            '\u{180B}',
            '\u{180E}',
            '\u{180F}',
            '\u{2061}',
            '\u{2064}',
            '\u{206A}',
            '\u{206F}',
            '\u{3164}',
            '\u{FE00}',
            '\u{FE0F}',
            '\u{FFA0}',
            '\u{FFF9}',
            '\u{FFFB}',
            '\u{1D173}',
            '\u{1D17A}',
            '\u{E0001}',
            '\u{E0041}',
            '\u{E007F}',
            '\u{E0100}',
            '\u{E01EF}',
            '\u{0600}',
            '\u{110BD}',
            '\u{13430}',
        ] {
            assert_eq!(one(c), 1, "U+{:04X}", c as u32);
        }
        // Fields too.
        assert_eq!(escape_field("a\u{E0041}"), "a\\u{E0041}");
        // Visible text is left alone, emoji and joined scripts included.
        for s in ["héllo ✓", "日本語", "emoji 👍🏽", "नमस्ते"] {
            assert_eq!(escape_text(s), (s.to_owned(), 0), "{s}");
        }
    }

    #[test]
    fn thirty_two_bytes_are_labelled_a_possible_hash() {
        match last(&msg(&[0xab; 32])) {
            Block::Hex { label, .. } => {
                assert_eq!(
                    label,
                    "Message: binary data (32 bytes, possibly a hash: blind signing)"
                )
            }
            b => panic!("{b:?}"),
        }
        // 32 bytes of readable text are a message, not a possible hash.
        match last(&msg(&[b'a'; 32])) {
            Block::Text { label, .. } => assert!(!label.contains("possibly a hash")),
            b => panic!("{b:?}"),
        }
        match last(&msg(&[0xab; 31])) {
            Block::Hex { label, .. } => assert!(!label.contains("hash")),
            b => panic!("{b:?}"),
        }
        let d = render(&req(
            Kind::SignDigest {
                scheme: Scheme::Raw,
            },
            &[1; 32],
        ));
        match last(&d) {
            Block::Hex { label, hex } => {
                assert!(label.starts_with("Digest (32 bytes): blind signing"));
                assert_eq!(hex, &"01".repeat(32));
            }
            b => panic!("{b:?}"),
        }
    }

    pub const SIWE: &str = "app.example.com wants you to sign in with your Ethereum account:\n0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2\n\nSign in to Example\n\nURI: https://app.example.com/login\nVersion: 1\nChain ID: 1\nNonce: 32891756abc\nIssued At: 2026-11-20T10:00:00Z\nExpiration Time: 2026-11-20T10:05:00Z";

    #[test]
    fn siwe_is_shown_field_by_field() {
        let r = render(&req(Kind::SiweLogin, SIWE.as_bytes()));
        assert!(r.blocks().contains(&Block::Host {
            label: "Domain".into(),
            ascii: "app.example.com".into(),
            unicode: None
        }));
        assert_eq!(
            find(&r, "Address"),
            Some("0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2")
        );
        assert_eq!(find(&r, "Statement"), Some("Sign in to Example"));
        assert_eq!(find(&r, "URI"), Some("https://app.example.com/login"));
        assert_eq!(find(&r, "Chain ID"), Some("1"));
        assert_eq!(find(&r, "Nonce"), Some("32891756abc"));
        assert_eq!(find(&r, "Issued at"), Some("2026-11-20T10:00:00Z"));
        assert_eq!(find(&r, "Expires"), Some("2026-11-20T10:05:00Z"));

        // A punycode domain shows both forms.
        let puny = SIWE.replace("app.example.com wants", "xn--80ak6aa92e.com wants");
        let r = render(&req(Kind::SiweLogin, puny.as_bytes()));
        assert!(r.blocks().contains(&Block::Host {
            label: "Domain".into(),
            ascii: "xn--80ak6aa92e.com".into(),
            unicode: Some("аррӏе.com".into())
        }));

        // Not SIWE: a notice, and the text rule.
        let r = render(&req(Kind::SiweLogin, b"just text"));
        assert!(
            matches!(&r.blocks()[r.blocks().len() - 2], Block::Notice { text } if text.starts_with("This is not a valid Sign-In"))
        );
        assert!(matches!(last(&r), Block::Text { text, .. } if text == "just text"));
    }

    #[test]
    fn origin_shows_punycode_decoded() {
        let mut r = req(
            Kind::SignMessage {
                scheme: Scheme::Eip191,
            },
            b"x",
        );
        r.origin = Some("https://xn--80ak6aa92e.com:8443".into());
        assert!(render(&r).blocks().contains(&Block::Host {
            label: "Origin".into(),
            ascii: "https://xn--80ak6aa92e.com:8443".into(),
            unicode: Some("аррӏе.com".into())
        }));
        r.origin = None;
        assert_eq!(find(&render(&r), "Origin"), Some("none given"));
    }

    pub fn template() -> JwtTemplate {
        let mut claims = serde_json::Map::new();
        claims.insert("scope".into(), "read".into());
        claims.insert("iss".into(), "dev-tool".into());
        JwtTemplate {
            alg: JwsAlg::ES256,
            aud: vec!["https://api.example.com".into()],
            sub: Some("user-1".into()),
            claims,
            exp_secs: 60,
        }
    }

    #[test]
    fn jwt_template_is_shown_as_claims() {
        let r = render(&req(
            Kind::MintJwt {
                template: template(),
            },
            b"",
        ));
        assert_eq!(find(&r, "Algorithm"), Some("ES256"));
        assert_eq!(find(&r, "Audience (aud)"), Some("https://api.example.com"));
        assert_eq!(find(&r, "Subject (sub)"), Some("user-1"));
        assert_eq!(find(&r, "Claim iss"), Some("\"dev-tool\""));
        assert_eq!(find(&r, "Claim scope"), Some("\"read\""));
        assert!(find(&r, "Lifetime").unwrap().starts_with("60 s"));
        // Claims in name order whatever the insertion order.
        let labels: Vec<_> = r
            .blocks()
            .iter()
            .filter_map(|b| match b {
                Block::Field { label, .. } if label.starts_with("Claim") => Some(label.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(labels, ["Claim iss", "Claim scope"]);
    }

    #[test]
    fn hash_is_stable_and_binds_every_input() {
        let base = req(
            Kind::SignMessage {
                scheme: Scheme::Eip191,
            },
            b"hello",
        );
        let h = render(&base).hash().to_owned();
        assert_eq!(h.len(), 64);
        // Same request, same rendering, same hash; the id and times play no part.
        let mut same = base.clone();
        same.id = "other".into();
        same.expires_at += 100;
        assert_eq!(render(&same).hash(), h);
        assert_eq!(render(&same).canonical(), render(&base).canonical());

        let mut other = base.clone();
        other.payload = b"hellp".to_vec();
        assert_ne!(render(&other).hash(), h);
        let mut other = base.clone();
        other.key_id = "key-2".into();
        assert_ne!(render(&other).hash(), h);
        let mut other = base.clone();
        other.kind = Kind::SignMessage {
            scheme: Scheme::Bsm,
        };
        assert_ne!(render(&other).hash(), h);
        let mut other = base.clone();
        other.origin = Some("https://evil.example".into());
        assert_ne!(render(&other).hash(), h);

        // Claim order does not change the JWT hash; a claim value does.
        let t = template();
        let mut reordered = JwtTemplate {
            claims: serde_json::Map::new(),
            ..t.clone()
        };
        reordered.claims.insert("iss".into(), "dev-tool".into());
        reordered.claims.insert("scope".into(), "read".into());
        let a = render(&req(
            Kind::MintJwt {
                template: t.clone(),
            },
            b"",
        ));
        let b = render(&req(
            Kind::MintJwt {
                template: reordered,
            },
            b"",
        ));
        assert_eq!(a.hash(), b.hash());
        let mut changed = t;
        changed.claims.insert("scope".into(), "write".into());
        assert_ne!(
            render(&req(Kind::MintJwt { template: changed }, b"")).hash(),
            a.hash()
        );

        // The serialized form carries blocks and hash.
        let j = serde_json::to_value(render(&base)).unwrap();
        assert_eq!(j["hash"], h);
        assert_eq!(j["blocks"][0]["type"], "title");
    }

    #[test]
    fn canonical_json_sorts_keys() {
        let v: Value = serde_json::from_str(r#"{"b":[{"z":1,"a":"\n"}],"a":null}"#).unwrap();
        assert_eq!(canonical_json(&v), r#"{"a":null,"b":[{"a":"\n","z":1}]}"#);
    }
}

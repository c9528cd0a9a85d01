//! `JSON.stringify(JSON.parse(body))` as Node computes it, for Engine's `bodyHash` claim.
//!
//! Engine hashes the request body *after* Fastify has parsed it and Node has serialised it again,
//! so the bytes hashed are not the bytes sent. Three JavaScript rules decide the result:
//!
//! * **Key order.** A JS object lists its integer-like keys — canonical array indices, `"0"` up to
//!   `"4294967294"` without leading zeros — first, in ascending numeric order, then every other key
//!   in insertion order. A repeated key keeps the position of its first occurrence and the value of
//!   its last (`serde_json` with `preserve_order` does the same).
//! * **Numbers.** Every number is an IEEE-754 double printed by `Number.prototype.toString`
//!   (`1.0` → `1`, `1e21` → `1e+21`, `-0` → `0`), which `ryu-js` implements.
//! * **Strings.** Only `"`, `\`, and control characters below U+0020 are escaped (`\b \f \n \r \t`,
//!   the rest as `\u00xx` with lower-case hex); everything else, `/` and non-ASCII included, is raw.

use serde_json::{Map, Value};

/// Serialises a parsed JSON value exactly as `JSON.stringify` would serialise the value
/// `JSON.parse` makes of the same text.
pub fn stringify(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value);
    out
}

fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => write_number(out, n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => write_object(out, map),
    }
}

fn write_object(out: &mut String, map: &Map<String, Value>) {
    let mut indices: Vec<(u32, &String, &Value)> = Vec::new();
    let mut others: Vec<(&String, &Value)> = Vec::new();
    for (key, value) in map {
        match array_index(key) {
            Some(index) => indices.push((index, key, value)),
            None => others.push((key, value)),
        }
    }
    indices.sort_by_key(|(index, _, _)| *index);
    out.push('{');
    let ordered = indices
        .into_iter()
        .map(|(_, key, value)| (key, value))
        .chain(others);
    for (i, (key, value)) in ordered.enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_string(out, key);
        out.push(':');
        write_value(out, value);
    }
    out.push('}');
}

/// The value of `key` if it is a canonical array index (ECMA-262: `ToString(ToUint32(key)) ==
/// key` and not 2³²−1), which JS objects order before all other keys.
fn array_index(key: &str) -> Option<u32> {
    let bytes = key.as_bytes();
    if bytes.is_empty() || bytes.len() > 10 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    if bytes.len() > 1 && bytes[0] == b'0' {
        return None;
    }
    let n: u64 = key.parse().ok()?;
    if n > u64::from(u32::MAX - 1) {
        return None;
    }
    u32::try_from(n).ok()
}

fn write_number(out: &mut String, n: f64) {
    if !n.is_finite() {
        // JSON.stringify(Infinity) and JSON.stringify(NaN) are "null"; serde_json never parses
        // either, but keep the rule.
        out.push_str("null");
    } else if n == 0.0 {
        // Covers -0, which Number.prototype.toString prints as "0".
        out.push('0');
    } else {
        let mut buffer = ryu_js::Buffer::new();
        out.push_str(buffer.format_finite(n));
    }
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn restringify(text: &str) -> String {
        stringify(&serde_json::from_str(text).expect("test JSON parses"))
    }

    #[test]
    fn integer_like_keys_first_then_insertion_order_and_js_numbers() {
        assert_eq!(
            restringify(r#"{"b":1,"a":[1.0,2.5e0,1e21,-0]," 2":"x","10":1,"2":2}"#),
            r#"{"2":2,"10":1,"b":1,"a":[1,2.5,1e+21,0]," 2":"x"}"#
        );
    }

    #[test]
    fn escapes_like_json_stringify() {
        assert_eq!(
            restringify(r#"{"s":"caf\u00e9 \u001f \/ \" \\ \b\f\n\r\t \u007f \u2028"}"#),
            "{\"s\":\"café \\u001f / \\\" \\\\ \\b\\f\\n\\r\\t \u{7f} \u{2028}\"}"
        );
    }

    #[test]
    fn array_index_boundaries() {
        assert_eq!(array_index("0"), Some(0));
        assert_eq!(array_index("4294967294"), Some(4_294_967_294));
        assert_eq!(array_index("4294967295"), None);
        assert_eq!(array_index("01"), None);
        assert_eq!(array_index("-1"), None);
        assert_eq!(array_index("+1"), None);
        assert_eq!(array_index("1.0"), None);
        assert_eq!(array_index(""), None);
        assert_eq!(
            restringify(r#"{"4294967295":1,"4294967294":2,"01":3,"1":4}"#),
            r#"{"1":4,"4294967294":2,"4294967295":1,"01":3}"#
        );
    }

    #[test]
    fn numbers_are_doubles() {
        assert_eq!(
            restringify(
                "[-0.0,0.1,1e-7,123456789012345678901,12345678901234567890,-5,1.5e300,100]"
            ),
            "[0,0.1,1e-7,123456789012345680000,12345678901234567000,-5,1.5e+300,100]"
        );
    }

    #[test]
    fn duplicate_keys_keep_first_position_and_last_value() {
        assert_eq!(restringify(r#"{"a":1,"b":2,"a":3}"#), r#"{"a":3,"b":2}"#);
    }

    #[test]
    fn whitespace_is_dropped() {
        assert_eq!(
            restringify("{ \"a\" : [ true , false , null ] ,\n \"b\" : { } }"),
            r#"{"a":[true,false,null],"b":{}}"#
        );
    }
}

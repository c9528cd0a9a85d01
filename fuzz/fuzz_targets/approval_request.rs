//! A third-party app's request as it arrives (JSON), parsed and rendered for the prompt:
//! errors only, never a panic; the rendering is deterministic (its hash binds the decision);
//! nothing that can reorder or hide text reaches the prompt unescaped; the risk rules run.
//!
//! Input: the request JSON (lossy UTF-8).
#![no_main]

use keyward_approval::decode::render;
use keyward_approval::request::Request;
use keyward_approval::risk::{assess, Context, MemoryHistory};
use keyward_crypto::sign::UsagePolicy;
use libfuzzer_sys::fuzz_target;

/// Bidi controls, isolates, marks and line/paragraph separators (what `decode` must escape).
fn dangerous(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}'
        | '\u{061C}' | '\u{2028}' | '\u{2029}')
}

fuzz_target!(|data: &[u8]| {
    let Ok(req) = serde_json::from_slice::<Request>(data) else {
        return;
    };
    let a = render(&req);
    let b = render(&req);
    assert_eq!(a.hash(), b.hash(), "rendering is deterministic");
    assert!(
        !a.canonical().chars().any(dangerous),
        "a bidi or separator character reached the prompt unescaped"
    );
    let policy = UsagePolicy::default_for(req.key_alg);
    let history = MemoryHistory::default();
    let ctx = Context {
        now: req.created_at,
        policy: &policy,
        history: &history,
    };
    let _ = assess(&req, &a, &ctx);
});

//! What a GUI test checks of a screen beyond its function: that it fits the window (the Lock
//! control visible and the one thing at its centre, nothing that scrolls sideways, no control
//! cut off at the right edge, nothing scrolled sideways after Lock takes focus), and that
//! axe-core finds no serious or critical accessibility violation in it.
//!
//! axe-core is injected through WebDriver from the UI's dev dependencies (`ui/node_modules`):
//! never bundled with the app, and the app's CSP is untouched (a WebDriver script is not a page
//! script).

use crate::gui::{artifacts, failure_screenshot, painted};
use fantoccini::Client;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::OnceLock;

/// The window sizes every screen must fit: the default and the minimum
/// (`src-tauri/tauri.conf.json`).
pub const SIZES: [(u32, u32); 2] = [(1000, 700), (720, 500)];

/// Resizes the window so its viewport is `width`×`height` (Xvfb has no window manager, so the
/// outer and inner sizes agree), and waits until the page sees it.
pub async fn resize(c: &Client, width: u32, height: u32) {
    c.set_window_size(width, height).await.unwrap();
    let deadline = std::time::Instant::now() + crate::gui::WAIT;
    loop {
        let v = c
            .execute("return [window.innerWidth, window.innerHeight]", vec![])
            .await
            .unwrap();
        if v == json!([width, height]) {
            return;
        }
        if std::time::Instant::now() > deadline {
            failure_screenshot(c).await;
            panic!("the window did not become {width}x{height}: the page sees {v}");
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Measures the page as it is: the Lock control's box and whether it is what a click at its
/// centre hits; every element that scrolls sideways (or could: its content is wider than it and
/// it may scroll); every visible control whose box reaches past the viewport's right edge; and,
/// after Lock takes focus, every element scrolled sideways.
const MEASURE: &str = r#"
const name = (el) => {
  const id = el.getAttribute('data-testid');
  if (id) return `[data-testid=${id}]`;
  const cls = typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).join('.') : '';
  return el.tagName.toLowerCase() + cls;
};
const seen = (el) => {
  if (el.closest('[hidden]')) return false;
  const cs = getComputedStyle(el);
  return cs.display !== 'none' && cs.visibility !== 'hidden' && el.getClientRects().length > 0;
};
const vw = document.documentElement.clientWidth;
const out = { viewport: [vw, document.documentElement.clientHeight], lock: null, lockHit: false, sideways: [], cut: [], scrolledSideways: [] };
const lock = document.querySelector("[data-testid='lock-button']");
if (lock && seen(lock)) {
  const r = lock.getBoundingClientRect();
  out.lock = [r.left, r.top, r.right, r.bottom];
  const hit = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2);
  out.lockHit = !!hit && lock.contains(hit);
}
for (const el of document.querySelectorAll('body *')) {
  if (!seen(el)) continue;
  const cs = getComputedStyle(el);
  if ((cs.overflowX === 'auto' || cs.overflowX === 'scroll') && el.scrollWidth > el.clientWidth + 1) {
    out.sideways.push(`${name(el)} ${el.scrollWidth}>${el.clientWidth}`);
  }
  if (el.matches('button, input:not([type=hidden]), select, textarea, a[href], [role=tab]')) {
    const r = el.getBoundingClientRect();
    if (r.width > 1 && r.right > vw + 1) out.cut.push(`${name(el)} right ${Math.round(r.right)} > ${vw}`);
  }
}
const root = document.scrollingElement;
if (root.scrollWidth > root.clientWidth + 1) out.sideways.push(`the page ${root.scrollWidth}>${root.clientWidth}`);
if (lock) {
  lock.focus();
  for (const el of [root, ...document.querySelectorAll('body *')]) {
    if (el.scrollLeft > 0) out.scrolledSideways.push(`${name(el)} scrollLeft ${el.scrollLeft}`);
  }
  lock.blur();
}
return out;
"#;

/// Checks that the page fits its window (see [`MEASURE`]) and saves a screenshot as
/// `layout-<name>-<w>x<h>.png`; `lock` says whether this page has a Lock control (the prompt
/// window and the unlock screen do not). Panics with every problem found.
pub async fn check_fits(c: &Client, name: &str, lock: bool) {
    let m = c.execute(MEASURE, vec![]).await.unwrap();
    let [w, h] = [
        m["viewport"][0].as_u64().unwrap_or(0),
        m["viewport"][1].as_u64().unwrap_or(0),
    ];
    let png = painted(c).await;
    std::fs::write(artifacts().join(format!("layout-{name}-{w}x{h}.png")), png).unwrap();
    let mut problems = Vec::new();
    if lock {
        match m["lock"].as_array() {
            None => problems.push("no visible Lock control".to_string()),
            Some(r) => {
                let r: Vec<f64> = r.iter().map(|v| v.as_f64().unwrap_or(-1.0)).collect();
                if r[0] < 0.0 || r[1] < 0.0 || r[2] > w as f64 + 0.5 || r[3] > h as f64 + 0.5 {
                    problems.push(format!("Lock is not wholly in the {w}x{h} viewport: {r:?}"));
                }
                if m["lockHit"] != json!(true) {
                    problems.push("a click at Lock's centre hits something else".into());
                }
            }
        }
    }
    for (key, what) in [
        ("sideways", "scrolls sideways"),
        ("cut", "is cut off at the right edge"),
        (
            "scrolledSideways",
            "is scrolled sideways once Lock has focus",
        ),
    ] {
        for e in m[key].as_array().into_iter().flatten() {
            problems.push(format!("{} {what}", e.as_str().unwrap_or_default()));
        }
    }
    if !problems.is_empty() {
        failure_screenshot(c).await;
        panic!("{name} at {w}x{h}:\n  {}", problems.join("\n  "));
    }
}

fn axe_source() -> &'static str {
    static SOURCE: OnceLock<String> = OnceLock::new();
    SOURCE.get_or_init(|| {
        let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "..", "ui", "node_modules", "axe-core", "axe.min.js"]
            .iter()
            .collect();
        std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "axe-core is missing ({}: {e}): run scripts/test.sh, which installs the UI's dev dependencies",
                path.display()
            )
        })
    })
}

/// Runs axe-core over the page (WCAG 2.0/2.1 A and AA rules and axe's best practices) and
/// panics with every serious or critical violation, each with up to five of its elements.
pub async fn check_axe(c: &Client, name: &str) {
    let loaded = c
        .execute("return typeof window.axe === 'object'", vec![])
        .await
        .unwrap();
    if loaded != json!(true) {
        c.execute(&format!("{};\nreturn true;", axe_source()), vec![])
            .await
            .unwrap();
    }
    let violations: Value = c
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
            window.axe
              .run(document, { resultTypes: ['violations'] })
              .then((r) => done(r.violations
                .filter((v) => v.impact === 'serious' || v.impact === 'critical')
                .map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                               nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }))),
                    (e) => done([{ id: 'axe-failed', impact: 'critical', help: String(e), nodes: [] }]));"#,
            vec![],
        )
        .await
        .unwrap();
    let list = violations.as_array().cloned().unwrap_or_default();
    if !list.is_empty() {
        failure_screenshot(c).await;
        let lines: Vec<String> = list
            .iter()
            .map(|v| {
                format!(
                    "{} ({}): {} — {}",
                    v["id"], v["impact"], v["help"], v["nodes"]
                )
            })
            .collect();
        panic!("axe on {name}:\n  {}", lines.join("\n  "));
    }
}

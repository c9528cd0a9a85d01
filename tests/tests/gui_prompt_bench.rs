//! GUI benchmark: a third-party app's request arriving at the desktop app's endpoint until its
//! prompt is painted in the prompt window.
//!
//! The clock is the wall clock (`Date.now()`-compatible epoch milliseconds) on both sides of the
//! same machine: the harness takes it right before the client sends; the prompt window's page
//! takes it (`performance.timeOrigin + performance.now()`) when the request's title is in the DOM
//! and two animation frames later (painted). The first prompt of a session creates the window
//! (measured once, on the pairing prompt); the timed runs reuse it, as the app does. Each run is
//! denied right after, so nothing is signed.
//!
//! Writes `prompt-bench.json` and `prompt-bench.md` to `$KEYWARD_ARTIFACTS_DIR` (else
//! `<temp dir>/keyward-test-artifacts`). Asserts nothing about timings. `#[ignore]`d;
//! `scripts/bench.sh` runs it (step `prompt`).

use keyward_approval::endpoint::Client;
use keyward_tests::endpoint::{ask_in_thread, sign_body};
use keyward_tests::gui::{artifacts, click, launch_with_endpoint, WAIT};
use keyward_tests::{Cli, Keyring};
use serde_json::{json, Value};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const PASSPHRASE: &str = "prompt bench passphrase 3";
const RUNS: usize = 9;

/// Resolves when an element matching `args[0]` whose text differs from `args[1]` is in the DOM
/// (`inDom`), then two frames later (`painted`), as epoch milliseconds.
const WAIT_PAINTED: &str = r#"
const args = arguments, done = arguments[arguments.length - 1];
const now = () => performance.timeOrigin + performance.now();
const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
const found = () => {
  const e = document.querySelector(args[0]);
  return e && e.dataset.promptId !== args[1] ? e : null;
};
const ready = new Promise((resolve, reject) => {
  if (found()) return resolve(now());
  const mo = new MutationObserver(() => {
    if (!found()) return;
    const t = now();
    mo.disconnect();
    resolve(t);
  });
  mo.observe(document.body, { childList: true, subtree: true, attributes: true });
  setTimeout(() => { mo.disconnect(); reject(new Error('timed out')); }, 20000);
});
ready.then(async (inDom) => { await frame(); await frame(); done({ inDom, painted: now() }); },
           (e) => done({ err: String(e) }));
"#;

fn epoch_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        * 1000.0
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: scripts/bench.sh runs it under Xvfb"]
async fn request_arrival_to_prompt_painted() {
    let mut cli = Cli::new(Keyring::unlocked());
    cli.set_passphrase(Some(PASSPHRASE));
    cli.init();
    let eth = cli.gen_alg("secp256k1", "eth");
    let (app, url) = launch_with_endpoint(&cli, PASSPHRASE).await;
    let c = &app.client;
    let main = c.window().await.unwrap();

    // The first prompt creates the window: timed from the pairing request to the code on screen.
    let sent = epoch_ms();
    let u = url.clone();
    let pairing = std::thread::spawn(move || Client::new(&u).unwrap().pair("bench", None, |_| {}));
    let deadline = Instant::now() + WAIT;
    let prompt = loop {
        if let Some(h) = c.windows().await.unwrap().into_iter().find(|h| h != &main) {
            break h;
        }
        assert!(Instant::now() < deadline, "no prompt window");
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    c.switch_to_window(prompt).await.unwrap();
    let first = c
        .execute_async(
            WAIT_PAINTED,
            vec![json!("[data-testid='pairing-code']"), json!("")],
        )
        .await
        .unwrap();
    let first_window_ms = first["painted"].as_f64().unwrap() - sent;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    click(c, "pairing-approve").await;
    let creds = tokio::task::spawn_blocking(move || pairing.join().unwrap())
        .await
        .unwrap()
        .expect("paired");

    let mut in_dom = Vec::new();
    let mut painted = Vec::new();
    let mut last_id = String::new();
    for i in 0..=RUNS {
        let script = c.execute_async(
            WAIT_PAINTED,
            vec![json!("[data-testid='prompt-title']"), json!(last_id)],
        );
        let sent = epoch_ms();
        let asked = ask_in_thread(&url, &creds, sign_body(&eth, &format!("bench {i}"), 60));
        let t = script.await.unwrap();
        assert!(t.get("err").is_none(), "{t}");
        if i > 0 {
            // Run 0 is a warm-up.
            in_dom.push(t["inDom"].as_f64().unwrap() - sent);
            painted.push(t["painted"].as_f64().unwrap() - sent);
        }
        last_id = c
            .execute(
                "const e = document.querySelector(\"[data-testid='prompt-title']\");\
                 return e ? (e.dataset.promptId || '') : '';",
                vec![],
            )
            .await
            .unwrap()
            .as_str()
            .unwrap_or_default()
            .to_owned();
        click(c, "prompt-deny").await;
        let r = tokio::task::spawn_blocking(move || asked.join().unwrap())
            .await
            .unwrap();
        assert!(r.is_err(), "denied");
    }

    let result: Value = json!({
        "runs": RUNS,
        "first_prompt_with_window_ms": first_window_ms,
        "in_dom_ms": in_dom,
        "painted_ms": painted,
    });
    let md = format!(
        "| from a request's arrival to | median | min | max |\n|---|---|---|---|\n\
         | its prompt in the DOM (window open) | {:.1} ms | {:.1} | {:.1} |\n\
         | its prompt painted (window open) | {:.1} ms | {:.1} | {:.1} |\n\
         | the first prompt painted, window created | {:.1} ms | | |\n",
        median(in_dom.clone()),
        in_dom.iter().cloned().fold(f64::MAX, f64::min),
        in_dom.iter().cloned().fold(0.0, f64::max),
        median(painted.clone()),
        painted.iter().cloned().fold(f64::MAX, f64::min),
        painted.iter().cloned().fold(0.0, f64::max),
        first_window_ms,
    );
    std::fs::write(artifacts().join("prompt-bench.json"), result.to_string()).unwrap();
    std::fs::write(artifacts().join("prompt-bench.md"), &md).unwrap();
    println!("{md}");
    app.close().await;
}

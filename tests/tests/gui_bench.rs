//! GUI benchmark: the app with a large vault (KW_BENCH_KEYS keys, default 1000, made by the CLI
//! through an agent). After the unlock, measures inside the page (`performance.now()`, in
//! `execute_async` scripts, each RUNS times after one untimed warm-up):
//!
//! - IPC: a `key_list` round trip through `window.__TAURI_INTERNALS__.invoke` (what
//!   `@tauri-apps/api/core`'s `invoke` calls);
//! - search: a query that matches one key typed into the search box (its value set and an
//!   `input` event dispatched) until one row is left in the DOM, until style and layout are
//!   done (forced right after), and until that is painted (two animation frames later);
//! - clear: the query set back to empty until every key is listed again (the count; the list is
//!   virtualised: only the rows in view are in the DOM), laid out, painted;
//! - scroll: the list's `scrollTop` set to the middle row until that row is in the DOM, painted;
//! - Keys shown again after Activity: the Keys screen stays mounted while hidden (the rows are
//!   not rendered again), so this is the cost of showing it: laid out, painted.
//!
//! Writes `gui-bench.json` and `gui-bench.md` (a markdown table, also printed) to
//! `$KEYWARD_ARTIFACTS_DIR` (else `<temp dir>/keyward-test-artifacts`). Asserts counts only,
//! never timings: the machine may be shared and noisy. `#[ignore]`d like gui.rs;
//! `scripts/bench.sh` runs it under its Xvfb and puts the table in its summary.

use keyward_tests::gui::{artifacts, by_id, click, failure_screenshot, launch, type_into};
use keyward_tests::{describe, Cli, Keyring, PASSPHRASE};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Timed runs of each measurement.
const RUNS: usize = 7;
/// CLI processes generating keys at once.
const PARALLEL: usize = 4;

/// What every in-page script starts with: `done` (the WebDriver callback), `args` (the
/// arguments), `frame()` (resolves at the next animation frame), `rows()` (key rows in the DOM),
/// `laidOut(t0)` (forces style and layout, then ms since `t0`), `until(pred)` (resolves with `performance.now()` at the first DOM change of the key list
/// after which `pred()` holds) and `run(f)` (reports `{ok: value}` or `{err: text}`).
const PRELUDE: &str = r#"
const args = arguments, done = arguments[arguments.length - 1];
const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
const rows = () => document.querySelectorAll("[data-testid='key-row']").length;
const shown = () => Number(document.querySelector("[data-testid='key-count']").dataset.shown);
// The list is virtualised: `want` keys listed (the count), the rows in view rendered.
const listed = (want) => shown() === want && (want <= 1 ? rows() === want : rows() > 1);
const laidOut = (t0) => (void document.body.offsetHeight, performance.now() - t0);
const until = (pred) => new Promise((resolve, reject) => {
  if (pred()) return resolve(performance.now());
  const mo = new MutationObserver(() => {
    if (!pred()) return;
    const t = performance.now();
    mo.disconnect();
    clearTimeout(timer);
    resolve(t);
  });
  const timer = setTimeout(() => {
    mo.disconnect();
    reject(new Error(`timed out with ${rows()} rows`));
  }, 20000);
  mo.observe(document.querySelector("[data-testid='key-list']"), { childList: true, subtree: true });
});
const run = (f) => f().then((ok) => done({ ok }), (e) => done({ err: String((e && e.stack) || e) }));
"#;

/// `key_list` over IPC: `{ms, count, bytes}`.
const IPC: &str = r#"
run(async () => {
  const t0 = performance.now();
  const keys = await window.__TAURI_INTERNALS__.invoke('key_list', { filter: null });
  const ms = performance.now() - t0;
  return { ms, count: keys.length, bytes: JSON.stringify(keys).length };
});
"#;

/// Sets the search box to `args[0]` and waits for `args[1]` rows: `{dom, layout, painted, rows,
/// shown}` (ms from the input event to the rows in the DOM, to style and layout forced right
/// after that, and to two animation frames later).
const SEARCH: &str = r#"
run(async () => {
  const [query, want] = args;
  const input = document.querySelector("[data-testid='key-search']");
  await frame();
  await frame();
  const t0 = performance.now();
  const inDom = until(() => listed(want));
  input.value = query;
  input.dispatchEvent(new Event('input', { bubbles: true }));
  const dom = (await inDom) - t0;
  const layout = laidOut(t0);
  await frame();
  await frame();
  const painted = performance.now() - t0;
  return { dom, layout, painted, rows: rows(), shown: shown() };
});
"#;

/// Scrolls the list to row `args[0]` (0-based) until that row is in the DOM (and `args[1]` rows
/// are, unless null): `{dom, layout, painted, rows, height}` (ms from the `scrollTop` write to the
/// row in the DOM, to style and layout forced right after, to two animation frames later).
const SCROLL: &str = r#"
run(async () => {
  const [to, want] = args;
  const list = document.querySelector("[data-testid='key-list']");
  const scroller = list.parentElement;
  const h = list.querySelector(':scope > li').offsetHeight;
  await frame();
  await frame();
  const t0 = performance.now();
  const inDom = until(
    () => !!list.querySelector(`:scope > li[aria-posinset='${to + 1}']`) && (want === null || rows() === want),
  );
  scroller.scrollTop = 4 + to * h;
  const dom = (await inDom) - t0;
  const layout = laidOut(t0);
  await frame();
  await frame();
  const painted = performance.now() - t0;
  return { dom, layout, painted, rows: rows(), height: h };
});
"#;

/// Activity, then Keys again: `{mounted, dom, layout, painted, rows, visible}` (`mounted`: the
/// key rows left in the DOM while Activity was shown; ms from the click on Keys to the Keys
/// screen unhidden with `want` rows in the DOM, to style and layout forced right after that, and
/// to two animation frames later).
const RESHOW: &str = r#"
run(async () => {
  const [want] = args;
  const nav = (id) => document.querySelector(`[data-testid='nav-${id}']`).click();
  nav('activity');
  const deadline = performance.now() + 20000;
  // Activity reads the log when it is shown: let it finish first.
  while (!document.querySelector("[data-testid='audit-row']")) {
    if (performance.now() > deadline) throw new Error('Activity shows no entries');
    await new Promise((r) => setTimeout(r, 20));
  }
  await frame();
  await frame();
  const mounted = rows();
  const keys = document.querySelector("[data-testid='screen-keys']");
  const t0 = performance.now();
  const inDom = until(() => rows() === want);
  nav('keys');
  await inDom;
  // The app unhides the screen in a microtask.
  for (let i = 0; i < 1000 && keys.closest('[hidden]'); i++) await null;
  if (keys.closest('[hidden]')) throw new Error('the Keys screen stays hidden');
  const dom = performance.now() - t0;
  const layout = laidOut(t0);
  await frame();
  await frame();
  const painted = performance.now() - t0;
  return { mounted, dom, layout, painted, rows: rows(), visible: keys.getClientRects().length > 0 };
});
"#;

fn keys_wanted() -> usize {
    match std::env::var("KW_BENCH_KEYS") {
        Ok(v) if !v.trim().is_empty() => {
            let n: usize = v
                .trim()
                .parse()
                .unwrap_or_else(|e| panic!("KW_BENCH_KEYS={v:?}: {e}"));
            assert!(n >= 10, "KW_BENCH_KEYS={n}: at least 10");
            n
        }
        _ => 1000,
    }
}

/// Runs `script` (after [`PRELUDE`]) with `args`; its `ok` value. Panics with its error.
async fn in_page(c: &fantoccini::Client, script: &str, args: Vec<Value>) -> Value {
    let v = c
        .execute_async(&format!("{PRELUDE}{script}"), args)
        .await
        .expect("execute_async");
    match v.get("ok") {
        Some(ok) => ok.clone(),
        None => {
            failure_screenshot(c).await;
            panic!("in-page script failed: {v}");
        }
    }
}

fn ms(v: &Value, field: &str) -> f64 {
    v[field]
        .as_f64()
        .unwrap_or_else(|| panic!("no {field} in {v}"))
}

fn count(v: &Value, field: &str) -> usize {
    v[field]
        .as_u64()
        .unwrap_or_else(|| panic!("no {field} in {v}")) as usize
}

/// One measurement: its key in the JSON, its name in the table, its samples in ms.
struct Series {
    key: &'static str,
    name: &'static str,
    samples: Vec<f64>,
}

impl Series {
    fn new(key: &'static str, name: &'static str) -> Series {
        Series {
            key,
            name,
            samples: Vec::new(),
        }
    }

    /// Median, min, max.
    fn stats(&self) -> (f64, f64, f64) {
        let mut s = self.samples.clone();
        s.sort_by(f64::total_cmp);
        let n = s.len();
        let median = if n % 2 == 1 {
            s[n / 2]
        } else {
            (s[n / 2 - 1] + s[n / 2]) / 2.0
        };
        (median, s[0], s[n - 1])
    }

    fn json(&self) -> Value {
        // performance.now() is coarse (whole ms in WebKitGTK): tenths are plenty.
        let round = |x: f64| (x * 10.0).round() / 10.0;
        let (median, min, max) = self.stats();
        json!({
            "name": self.name,
            "median_ms": round(median),
            "min_ms": round(min),
            "max_ms": round(max),
            "samples_ms": self.samples.iter().copied().map(round).collect::<Vec<_>>(),
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark; needs a display and the built app; scripts/bench.sh runs it under Xvfb"]
async fn list_1000_keys_render_and_search() {
    let n = keys_wanted();
    let cli = Cli::new(Keyring::unlocked());
    cli.init();

    // N keys through an agent (no Argon2id per call), PARALLEL CLI processes at a time.
    let agent = cli.spawn_agent();
    let started = Instant::now();
    std::thread::scope(|s| {
        for worker in 0..PARALLEL {
            let cli = &cli;
            s.spawn(move || {
                for i in (1..=n).filter(|i| i % PARALLEL == worker) {
                    let label = format!("bench-{i}");
                    let out = cli.run(&[
                        "key", "gen", "--alg", "p256", "--label", &label, "--tag", "bench",
                    ]);
                    assert!(out.status.success(), "key gen {label}: {}", describe(&out));
                }
            });
        }
    });
    let generated = started.elapsed();
    let status = agent.stop();
    assert!(status.success(), "the agent exited with {status}");
    assert_eq!(cli.key_ids().len(), n, "keys in the vault");
    eprintln!(
        "gui_bench: {n} keys generated in {:.1} s",
        generated.as_secs_f64()
    );

    let app = launch(&cli).await;
    let c = &app.client;
    let _ = c.set_window_size(1240, 780).await;

    by_id(c, "screen-unlock").await;
    type_into(c, "unlock-passphrase", PASSPHRASE).await;
    let clicked = Instant::now();
    click(c, "unlock-submit").await;
    by_id(c, "screen-keys").await;
    // Every key listed: the count says N of N and rows are in the DOM (the rows in view: the
    // list is virtualised).
    const COUNT: &str = "const e = document.querySelector(\"[data-testid='key-count']\"); \
        return e ? [Number(e.dataset.shown), Number(e.dataset.total), \
        Math.min(1, document.querySelectorAll(\"[data-testid='key-row']\").length)] : null";
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut last = Value::Null;
    loop {
        last = c.execute(COUNT, vec![]).await.unwrap_or(last);
        if last == json!([n, n, 1]) {
            break;
        }
        if Instant::now() > deadline {
            failure_screenshot(c).await;
            panic!("the list did not show {n} keys; [shown, total, rows]: {last}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let unlocked = clicked.elapsed();

    let has_invoke = c
        .execute(
            "return typeof window.__TAURI_INTERNALS__?.invoke === 'function'",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        has_invoke,
        json!(true),
        "no window.__TAURI_INTERNALS__.invoke"
    );

    // The query matches bench-K alone: K > N / 10, so no other label starts with it.
    let k = n * 7 / 9;
    let query = format!("bench-{k}");

    let mut ipc = Series::new("ipc_key_list", "IPC: `key_list` round trip");
    let mut search_dom = Series::new("search_dom", "search: 1 row left in the DOM");
    let mut search_layout = Series::new("search_layout", "search: + style and layout");
    let mut search_painted = Series::new("search_painted", "search: painted");
    let mut clear_dom = Series::new("clear_dom", "clear: all rows in the DOM");
    let mut clear_layout = Series::new("clear_layout", "clear: + style and layout");
    let mut clear_painted = Series::new("clear_painted", "clear: painted");
    let mut scroll_dom = Series::new("scroll_dom", "scroll to the middle: rows in the DOM");
    let mut scroll_painted = Series::new("scroll_painted", "scroll to the middle: painted");
    let mut rendered = 0;
    let mut reshow_layout = Series::new("reshow_layout", "Keys again: + style and layout");
    let mut reshow = Series::new("reshow_painted", "Keys again: painted");
    let mut bytes = 0;
    let mut mounted = true;
    for run in 0..=RUNS {
        // Run 0 warms up and is not counted.
        let timed = run > 0;

        let v = in_page(c, IPC, vec![]).await;
        assert_eq!(count(&v, "count"), n, "key_list over IPC: {v}");
        bytes = count(&v, "bytes");
        if timed {
            ipc.samples.push(ms(&v, "ms"));
        }

        let v = in_page(c, SEARCH, vec![json!(query), json!(1)]).await;
        assert_eq!((count(&v, "rows"), count(&v, "shown")), (1, 1), "{v}");
        if timed {
            search_dom.samples.push(ms(&v, "dom"));
            search_layout.samples.push(ms(&v, "layout"));
            search_painted.samples.push(ms(&v, "painted"));
        }

        let v = in_page(c, SEARCH, vec![json!(""), json!(n)]).await;
        assert_eq!(count(&v, "shown"), n, "{v}");
        rendered = count(&v, "rows");
        assert!(
            rendered > 1 && (n < 100 || rendered < 100),
            "rows rendered: {v}"
        );
        if timed {
            clear_dom.samples.push(ms(&v, "dom"));
            clear_layout.samples.push(ms(&v, "layout"));
            clear_painted.samples.push(ms(&v, "painted"));
        }

        let v = in_page(c, SCROLL, vec![json!(n / 2), Value::Null]).await;
        assert!(n < 100 || count(&v, "rows") < 100, "rows rendered: {v}");
        if timed {
            scroll_dom.samples.push(ms(&v, "dom"));
            scroll_painted.samples.push(ms(&v, "painted"));
        }
        let v = in_page(c, SCROLL, vec![json!(0), json!(rendered)]).await;
        assert_eq!(count(&v, "rows"), rendered, "{v}");

        let v = in_page(c, RESHOW, vec![json!(rendered)]).await;
        assert_eq!(count(&v, "rows"), rendered, "{v}");
        assert_eq!(v["visible"], true, "the Keys screen is not shown: {v}");
        mounted &= count(&v, "mounted") == rendered;
        if timed {
            reshow_layout.samples.push(ms(&v, "layout"));
            reshow.samples.push(ms(&v, "painted"));
        }
    }
    if !mounted {
        reshow.name = "Keys again: all rows painted";
    }

    let series = [
        &ipc,
        &search_dom,
        &search_layout,
        &search_painted,
        &clear_dom,
        &clear_layout,
        &clear_painted,
        &scroll_dom,
        &scroll_painted,
        &reshow_layout,
        &reshow,
    ];
    let webkit = c
        .execute("return navigator.userAgent", vec![])
        .await
        .unwrap();
    let results: serde_json::Map<String, Value> = series
        .iter()
        .map(|s| (s.key.to_string(), s.json()))
        .collect();
    let report = json!({
        "keys": n,
        "runs": RUNS,
        "warmup_runs": 1,
        "user_agent": webkit,
        "key_list_json_bytes": bytes,
        "keys_generated_s": (generated.as_secs_f64() * 10.0).round() / 10.0,
        "unlock_to_full_list_ms": unlocked.as_millis(),
        "keys_screen_mounted_while_hidden": mounted,
        "list_virtualised": true,
        "rows_rendered": rendered,
        "search_query": query,
        "results": results,
    });
    let dir = artifacts();
    std::fs::write(
        dir.join("gui-bench.json"),
        serde_json::to_string_pretty(&report).unwrap() + "\n",
    )
    .unwrap();

    let kept = if mounted {
        "The Keys screen stays mounted while Activity is shown: going back does not render its \
         rows again, so the last rows are the cost of showing them"
    } else {
        "The Keys screen is not kept while Activity is shown: going back renders every row again"
    };
    let half = n / 2;
    let mut md = format!(
        "Measured in the page with `performance.now()` ({RUNS} runs after one warm-up; ms), \
         {n} keys. IPC: `__TAURI_INTERNALS__.invoke('key_list')`, {bytes} bytes of JSON. \
         Search: the search box set to `{query}` (an `input` event) until one row is left; \
         clear: set back to empty until all {n} keys are listed again (the list is \
         virtualised: {rendered} rows in the DOM). Scroll: the list's scrollTop set to row {half} \
         until that row is in the DOM. Keys again: from Activity, a click on Keys until the \
         screen is shown. \"+ style and layout\": `document.body.offsetHeight` read right after \
         the DOM change (forces style and layout); \"painted\": two `requestAnimationFrame`s \
         after the DOM change (up to a frame later than the paint itself). {kept}. Unlock to all {n} rows \
         listed: {:.0} ms (seen from WebDriver, polled every 50 ms; Argon2id included).\n\n\
         | measurement | median | min | max |\n|---|---|---|---|\n",
        unlocked.as_secs_f64() * 1000.0
    );
    for s in series {
        let (median, min, max) = s.stats();
        md.push_str(&format!(
            "| {} | {median:.1} | {min:.1} | {max:.1} |\n",
            s.name
        ));
    }
    std::fs::write(dir.join("gui-bench.md"), &md).unwrap();
    println!("\n{md}");
    eprintln!(
        "gui_bench: results in {}",
        dir.join("gui-bench.json").display()
    );

    app.close().await;
}

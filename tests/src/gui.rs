//! The GUI tests' WebDriver side: the real app, launched by WebKitWebDriver on the display the
//! test runs on, in the environment of a [`Cli`] (its keyring and data dir), plus helpers to find,
//! fill and click elements by their `data-testid`, wait for text, take screenshots and decode a
//! QR code from one.
//!
//! ```text
//! let app = gui::launch(&cli).await;
//! let c = &app.client;
//! gui::type_into(c, "unlock-passphrase", PASSPHRASE).await;
//! gui::click(c, "unlock-submit").await;
//! gui::by_id(c, "screen-keys").await;
//! app.close().await;
//! ```
//!
//! A helper that times out first saves a screenshot, `<test>-failure.png` in [`artifacts`]
//! (`<test>`: the test's path, `::` and `_` as `-`: `gui-keys-import-and-export-failure.png`),
//! then panics.
//!
//! One app at a time: [`launch`] takes this process's one GUI slot and the [`App`] holds it
//! until it is closed, so GUI tests of the one integration binary never share the display
//! (windows, clipboard, urgency hints) and never load two cores with two WebKit apps at once.
//! A test must close one app before it launches the next.

use crate::{bin, terminate, Cli};
use fantoccini::{elements::Element, Client, ClientBuilder, Locator};
use serde_json::json;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, MutexGuard};

/// How long the helpers wait for an element or a text.
pub const WAIT: Duration = Duration::from_secs(20);

/// A WebDriver session on the app, and the WebKitWebDriver serving it (stopped on drop).
pub struct App {
    pub client: Client,
    // Dropped after the client: fields drop in declaration order.
    _driver: Driver,
    // Freed last, once the app is gone.
    _slot: MutexGuard<'static, ()>,
}

/// The process's one GUI slot (see the module's documentation).
static GUI_SLOT: Mutex<()> = Mutex::const_new(());

/// Waits for the GUI slot (an async mutex: the tests' runtimes differ, and a test that
/// panicked with it leaves nothing behind, its app having stopped when its [`App`] dropped).
async fn gui_slot() -> MutexGuard<'static, ()> {
    GUI_SLOT.lock().await
}

impl App {
    /// The pids of the app this session drives (WebKitWebDriver's descendants: the app and
    /// its WebKit helpers), to tell its X windows from those of another test's app on the
    /// same display.
    pub fn pids(&self) -> Vec<u32> {
        descendants(self._driver.child.id())
    }

    /// Ends the session (the app quits), then stops WebKitWebDriver and whatever of the app is
    /// left.
    pub async fn close(self) {
        let closed = tokio::time::timeout(WAIT, self.client.close()).await;
        drop(self._driver);
        closed.expect("the WebDriver session did not end").unwrap();
    }
}

struct Driver {
    child: Child,
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The app WebKitWebDriver started (and its WebKit helpers) normally quits when the
        // session ends. One that did not would hold the single-instance name on the test's bus
        // and turn the next launch into a hand-over: stop whatever is left, the app first.
        let left = descendants(self.child.id());
        for pid in &left {
            let _ = rustix::process::kill_process(
                rustix::process::Pid::from_raw(*pid as i32).expect("a pid"),
                rustix::process::Signal::TERM,
            );
        }
        // SIGTERM, never SIGKILL alone: a killed WebKitWebDriver orphans the app and keeps pipes
        // open.
        terminate(&mut self.child);
        let deadline = Instant::now() + Duration::from_secs(5);
        while left.iter().any(|p| alive(*p)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        for pid in left.iter().filter(|p| alive(**p)) {
            let _ = rustix::process::kill_process(
                rustix::process::Pid::from_raw(*pid as i32).expect("a pid"),
                rustix::process::Signal::KILL,
            );
        }
    }
}

/// Whether process `pid` still runs (a zombie does not).
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| {
            !s.rsplit_once(") ")
                .is_some_and(|(_, rest)| rest.starts_with('Z'))
        })
        .unwrap_or(false)
}

/// The pids of `root`'s descendants, children before grandchildren (from `/proc/*/stat`).
fn descendants(root: u32) -> Vec<u32> {
    let mut parent_of = Vec::new();
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for e in dir.flatten() {
            let Some(pid) = e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
                continue;
            };
            // `pid (comm) state ppid …`: comm may hold spaces and parentheses.
            let ppid = stat
                .rsplit_once(") ")
                .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                .and_then(|p| p.parse::<u32>().ok());
            if let Some(ppid) = ppid {
                parent_of.push((pid, ppid));
            }
        }
    }
    let mut out = Vec::new();
    let mut queue = vec![root];
    while let Some(p) = queue.pop() {
        for (pid, _) in parent_of.iter().filter(|(_, pp)| *pp == p) {
            out.push(*pid);
            queue.push(*pid);
        }
    }
    out
}

/// A free TCP port on 127.0.0.1 (free when asked; another process may take it after).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts WebKitWebDriver on a free port of `$DISPLAY`, in `cli`'s keyring environment and with
/// its data dir, and opens a session on the app, whose window it opens. The app is
/// `$KEYWARD_APP` when set (`scripts/bench.sh --release-app`), else the built `keyward` ([`bin`]).
pub async fn launch(cli: &Cli) -> App {
    launch_with(cli, &[]).await
}

/// [`launch`] with more environment for the app (`KEYWARD_ENDPOINT_PORT`, …).
pub async fn launch_with(cli: &Cli, env: &[(&str, &str)]) -> App {
    launch_with_args(cli, env, &[]).await
}

/// [`launch_with`] with arguments for the app (`--background`, a link, …).
pub async fn launch_with_args(cli: &Cli, env: &[(&str, &str)], args: &[&str]) -> App {
    let slot = gui_slot().await;
    let display = std::env::var("DISPLAY").expect("DISPLAY must be set: run under xvfb-run -a");
    let app = match std::env::var_os("KEYWARD_APP").filter(|v| !v.is_empty()) {
        Some(path) => PathBuf::from(path),
        None => bin("keyward"),
    };
    assert!(app.is_file(), "the app {} does not exist", app.display());
    let port = free_port();
    let mut cmd = cli.keyring().command("WebKitWebDriver");
    cmd.arg(format!("--port={port}"))
        .arg("--host=127.0.0.1")
        .env("DISPLAY", &display)
        .env("TAURI_WEBVIEW_AUTOMATION", "true")
        .env("KEYWARD_DATA_DIR", cli.data_dir())
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let driver = Driver {
        child: cmd
            .spawn()
            .expect("WebKitWebDriver (Debian package webkit2gtk-driver)"),
    };
    let deadline = Instant::now() + WAIT;
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "WebKitWebDriver did not listen");
        std::thread::sleep(Duration::from_millis(100));
    }
    let caps = json!({"webkitgtk:browserOptions": {"binary": app, "args": args}});
    let mut builder = ClientBuilder::native();
    builder.capabilities(caps.as_object().unwrap().clone());
    let url = format!("http://127.0.0.1:{port}");
    // An app that exits at once (a second instance handing over) leaves the session waiting.
    let client = tokio::time::timeout(2 * WAIT, builder.connect(&url))
        .await
        .expect("no WebDriver session: did the app start, or hand over to a running one?")
        .expect("WebDriver session");
    App {
        client,
        _driver: driver,
        _slot: slot,
    }
}

/// The app on a free endpoint port, unlocked with `passphrase` (the vault must exist), once its
/// endpoint answers: the session and the endpoint's URL.
pub async fn launch_with_endpoint(cli: &Cli, passphrase: &str) -> (App, String) {
    launch_with_endpoint_env(cli, passphrase, &[]).await
}

/// [`launch_with_endpoint`] with more environment for the app.
pub async fn launch_with_endpoint_env(
    cli: &Cli,
    passphrase: &str,
    env: &[(&str, &str)],
) -> (App, String) {
    let port = free_port();
    let port_text = port.to_string();
    let mut all = vec![("KEYWARD_ENDPOINT_PORT", port_text.as_str())];
    all.extend_from_slice(env);
    let app = launch_with(cli, &all).await;
    let c = &app.client;
    by_id(c, "screen-unlock").await;
    type_into(c, "unlock-passphrase", passphrase).await;
    click(c, "unlock-submit").await;
    by_id(c, "screen-keys").await;
    let deadline = Instant::now() + WAIT;
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "the app's endpoint does not listen"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (app, format!("http://127.0.0.1:{port}"))
}

/// Where screenshots and other results go: `$KEYWARD_ARTIFACTS_DIR`, else
/// `<temp dir>/keyward-test-artifacts`. Created when missing.
pub fn artifacts() -> PathBuf {
    let dir = std::env::var_os("KEYWARD_ARTIFACTS_DIR")
        .map(Into::into)
        .unwrap_or_else(|| std::env::temp_dir().join("keyward-test-artifacts"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// An async script that returns after two animation frames: the DOM as it is now is painted.
const TWO_FRAMES: &str = "const done = arguments[arguments.length - 1]; \
    requestAnimationFrame(() => requestAnimationFrame(() => done(true)))";

/// A screenshot of what is painted now: WebKit paints a little after the DOM changes, so
/// first wait for two animation frames and a moment more.
pub async fn painted(c: &Client) -> Vec<u8> {
    c.execute_async(TWO_FRAMES, vec![]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(250)).await;
    c.screenshot().await.unwrap()
}

/// Saves a painted screenshot as `name` in [`artifacts`].
pub async fn screenshot(c: &Client, name: &str) {
    let png = painted(c).await;
    assert!(png.starts_with(b"\x89PNG"), "not a PNG screenshot");
    std::fs::write(artifacts().join(name), png).unwrap();
}

/// Saves `<test>-failure.png` (see the module's documentation) before a helper panics. Best
/// effort: when the session cannot take one, says so on stderr and returns, so that the panic
/// that follows tells what went wrong.
pub async fn failure_screenshot(c: &Client) {
    // The test harness names each test's thread after the test (`gui_keys::import_and_export`).
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("gui");
    let path = artifacts().join(format!(
        "{}-failure.png",
        test.replace("::", "-").replace('_', "-")
    ));
    let _ = c.execute_async(TWO_FRAMES, vec![]).await;
    tokio::time::sleep(Duration::from_millis(250)).await;
    match c.screenshot().await {
        Ok(png) => match std::fs::write(&path, png) {
            Ok(()) => eprintln!("failure screenshot: {}", path.display()),
            Err(e) => eprintln!("failure screenshot: cannot write {}: {e}", path.display()),
        },
        Err(e) => eprintln!("failure screenshot: none taken: {e}"),
    }
}

/// The element at `css`, once there is one; a screenshot and a panic after [`WAIT`].
pub async fn wait_for(c: &Client, css: &str) -> Element {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Ok(e) = c.find(Locator::Css(css)).await {
            return e;
        }
        if Instant::now() > deadline {
            failure_screenshot(c).await;
            panic!("timed out waiting for {css}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until nothing matches `css`; a screenshot and a panic after [`WAIT`].
pub async fn wait_gone(c: &Client, css: &str) {
    let deadline = Instant::now() + WAIT;
    while c.find(Locator::Css(css)).await.is_ok() {
        if Instant::now() > deadline {
            failure_screenshot(c).await;
            panic!("timed out waiting for {css} to go");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The element whose `data-testid` is `id`, once there is one.
pub async fn by_id(c: &Client, id: &str) -> Element {
    wait_for(c, &format!("[data-testid='{id}']")).await
}

/// Replaces the text of the field `id` with `text`, typed.
pub async fn type_into(c: &Client, id: &str, text: &str) {
    let e = by_id(c, id).await;
    e.clear().await.unwrap();
    e.send_keys(text).await.unwrap();
}

pub async fn click(c: &Client, id: &str) {
    by_id(c, id).await.click().await.unwrap();
}

/// Selects the option `value` of the `<select>` `id`.
pub async fn choose(c: &Client, id: &str, value: &str) {
    by_id(c, id).await.select_by_value(value).await.unwrap();
}

/// Waits until the text of the element at `css` is `want` (the UI updates asynchronously);
/// panics with the last text seen. The DOM's textContent: WebDriver's visible text is empty for
/// some elements WebKit has not laid out yet.
pub async fn wait_text(c: &Client, css: &str, want: &str) {
    const TEXT: &str =
        "const e = document.querySelector(arguments[0]); return e ? e.textContent : null";
    let deadline = Instant::now() + WAIT;
    let mut last = None;
    while Instant::now() < deadline {
        let v = c.execute(TEXT, vec![json!(css)]).await.unwrap();
        if let Some(t) = v.as_str() {
            if t.trim() == want {
                return;
            }
            last = Some(t.to_string());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    failure_screenshot(c).await;
    panic!("{css}: want {want:?}, last saw {last:?}");
}

/// A PNG as 8-bit greys (any colour type): width, height, pixels.
pub fn png_grey(png_bytes: &[u8]) -> (usize, usize, Vec<u8>) {
    let mut reader = png::Decoder::new(std::io::Cursor::new(png_bytes))
        .read_info()
        .expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("frame");
    assert_eq!(info.bit_depth, png::BitDepth::Eight, "{info:?}");
    let channels = match info.color_type {
        png::ColorType::Grayscale => 1,
        png::ColorType::GrayscaleAlpha => 2,
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        other => panic!("unexpected PNG colour type {other:?}"),
    };
    let (w, h) = (info.width as usize, info.height as usize);
    let mut grey = Vec::with_capacity(w * h);
    for y in 0..h {
        for x in 0..w {
            let p = &buf[y * info.line_size + x * channels..];
            grey.push(if channels < 3 {
                p[0]
            } else {
                ((u32::from(p[0]) * 299 + u32::from(p[1]) * 587 + u32::from(p[2]) * 114) / 1000)
                    as u8
            });
        }
    }
    (w, h, grey)
}

/// The text of the one QR symbol inside `rect` (x, y, width, height in pixels) of a grey
/// image, decoded by rqrr; or why there is none.
pub fn decode_qr(img: &(usize, usize, Vec<u8>), rect: [usize; 4]) -> Result<String, String> {
    let (w, h, pixels) = img;
    let [x0, y0, cw, ch] = rect;
    if x0 + cw > *w || y0 + ch > *h {
        return Err(format!(
            "the QR code {rect:?} is not inside the {w}x{h} screenshot"
        ));
    }
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(cw, ch, |x, y| pixels[(y0 + y) * w + x0 + x]);
    match prepared.detect_grids().as_slice() {
        [grid] => grid
            .decode()
            .map(|(_, text)| text)
            .map_err(|e| format!("the QR symbol does not decode: {e}")),
        grids => Err(format!("{} QR symbols in {rect:?}, not one", grids.len())),
    }
}

/// Scrolls the element to the middle of its scroller and returns its box on the screenshot, in
/// device pixels.
pub async fn on_screen_rect(c: &Client, e: &Element) -> [usize; 4] {
    const RECT: &str =
        "const e = arguments[0]; e.scrollIntoView({block: 'center', inline: 'center'}); \
        const r = e.getBoundingClientRect(), d = window.devicePixelRatio || 1; \
        return [r.left * d, r.top * d, r.width * d, r.height * d]";
    let v = c.execute(RECT, vec![json!(e)]).await.unwrap();
    let n: Vec<f64> = v
        .as_array()
        .expect("a rect")
        .iter()
        .map(|x| x.as_f64().expect("a number"))
        .collect();
    [
        n[0].max(0.0).round() as usize,
        n[1].max(0.0).round() as usize,
        n[2].round() as usize,
        n[3].round() as usize,
    ]
}

/// The DOM text (textContent, trimmed) of the element at `css`, or `None` when there is none.
pub async fn text_of(c: &Client, css: &str) -> Option<String> {
    const TEXT: &str =
        "const e = document.querySelector(arguments[0]); return e ? e.textContent : null";
    let v = c.execute(TEXT, vec![json!(css)]).await.unwrap();
    v.as_str().map(|t| t.trim().to_string())
}

/// Waits until the `value` of the field at `css` is not empty and returns it; a screenshot and a
/// panic after [`WAIT`].
pub async fn wait_value(c: &Client, css: &str) -> String {
    const VALUE: &str = "const e = document.querySelector(arguments[0]); return e ? e.value : null";
    let deadline = Instant::now() + WAIT;
    loop {
        let v = c.execute(VALUE, vec![json!(css)]).await.unwrap();
        if let Some(t) = v.as_str().filter(|t| !t.is_empty()) {
            return t.to_string();
        }
        if Instant::now() > deadline {
            failure_screenshot(c).await;
            panic!("timed out waiting for a value in {css}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the text of the element at `css` satisfies `ok` and returns it; panics with the
/// last text seen (after a screenshot) after `within`.
pub async fn wait_text_where(
    c: &Client,
    css: &str,
    within: Duration,
    ok: impl Fn(&str) -> bool,
) -> String {
    let deadline = Instant::now() + within;
    let mut last = None;
    while Instant::now() < deadline {
        if let Some(t) = text_of(c, css).await {
            if ok(&t) {
                return t;
            }
            last = Some(t);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    failure_screenshot(c).await;
    panic!("{css}: the text never matched; last saw {last:?}");
}

/// Empties the field `id` the way typing would (an `input` event follows), which WebDriver's
/// Element Clear does not do in WebKit: a page listening for `input` would keep the old text.
pub async fn clear_field(c: &Client, id: &str) {
    const CLEAR: &str = "const e = document.querySelector(`[data-testid='${arguments[0]}']`); \
        e.value = ''; e.dispatchEvent(new Event('input', {bubbles: true})); return true";
    by_id(c, id).await;
    c.execute(CLEAR, vec![json!(id)]).await.unwrap();
}

/// Switches the session to the window that is not `main` (the prompt window), waiting for it
/// to exist.
pub async fn to_prompt(c: &Client, main: &fantoccini::wd::WindowHandle) {
    let deadline = Instant::now() + WAIT;
    loop {
        let handles = c.windows().await.unwrap();
        if let Some(h) = handles.into_iter().find(|h| h != main) {
            c.switch_to_window(h).await.unwrap();
            return;
        }
        assert!(Instant::now() < deadline, "no prompt window appeared");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Runs `cmd` (a `keyward-cli --json …` that uses the app's agent and is asked about: a key
/// use or a secret), approves it in the prompt window, optionally choosing the grant
/// `grant` (`until-lock`), and returns its JSON `result`; back on `main` after.
pub async fn approve_agent_command(
    c: &Client,
    main: &fantoccini::wd::WindowHandle,
    cmd: std::process::Command,
    grant: Option<&str>,
) -> serde_json::Value {
    let h = std::thread::spawn(move || crate::run_command(cmd, None));
    to_prompt(c, main).await;
    let title = by_id(c, "prompt-title").await.text().await.unwrap();
    assert!(title.contains("through the agent"), "{title}");
    if let Some(g) = grant {
        click(c, &format!("prompt-grant-{g}")).await;
    }
    enabled_after(c, "prompt-approve").await;
    click(c, "prompt-approve").await;
    let out = wait_joined(h).await;
    assert!(out.status.success(), "{}", crate::describe(&out));
    c.switch_to_window(main.clone()).await.unwrap();
    serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["result"].clone()
}

/// Whether the button `id` is disabled.
pub async fn disabled(c: &Client, id: &str) -> bool {
    let e = by_id(c, id).await;
    e.prop("disabled").await.unwrap().as_deref() == Some("true")
}

/// Waits until the button `id` is enabled; how long that took.
pub async fn enabled_after(c: &Client, id: &str) -> Duration {
    let t = Instant::now();
    while disabled(c, id).await {
        assert!(t.elapsed() < WAIT, "{id} stays disabled");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    t.elapsed()
}

/// The result of a thread (a client call), waiting at most [`WAIT`] without blocking the
/// test's runtime.
pub async fn wait_joined<T>(h: std::thread::JoinHandle<T>) -> T {
    let deadline = Instant::now() + WAIT;
    while !h.is_finished() {
        assert!(Instant::now() < deadline, "the client call did not end");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    h.join().unwrap()
}

/// Runs the app binary again in `cli`'s session (a second launch, as a desktop or a browser
/// opening a link does); its exit status. Its stderr goes to `second.log` in the scratch dir.
pub fn second_launch(cli: &Cli, args: &[&str]) -> std::process::ExitStatus {
    let mut cmd = cli.keyring().command(bin("keyward"));
    cmd.args(args)
        .env("KEYWARD_DATA_DIR", cli.data_dir())
        .env("DISPLAY", std::env::var("DISPLAY").expect("DISPLAY"))
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(cli.scratch().join("second.log")).unwrap());
    let mut child = cmd.spawn().expect("start a second keyward");
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(st) = child.try_wait().unwrap() {
            return st;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the second keyward {args:?} did not exit: a second instance ran");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

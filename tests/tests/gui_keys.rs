//! GUI end to end, the key workflow: the real app in a real window (Xvfb) on a private Secret
//! Service, driven through WebKitWebDriver. Imports the well-known Hardhat mnemonic, checks its
//! Ethereum address in the detail and in the QR code (decoded from the pixels on screen by an
//! independent decoder, rqrr), exports the public key and compares it with the CLI's, then
//! finds the import and the export in Activity and verifies the audit chain.
//! `#[ignore]`d like gui.rs: `scripts/test.sh` runs it with `--include-ignored` under Xvfb.

use fantoccini::{elements::Element, Client, ClientBuilder, Locator};
use keyward_tests::{bin, Cli, Keyring};
use serde_json::json;
use std::net::TcpListener;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

const PASSPHRASE: &str = "gui keys passphrase 7";
/// Hardhat's and Anvil's test mnemonic; account 0 is a published, well-known address.
const MNEMONIC: &str = "test test test test test test test test test test test junk";
const ADDRESS: &str = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

struct Driver {
    child: Child,
}

impl Drop for Driver {
    fn drop(&mut self) {
        // SIGTERM, never SIGKILL alone: a killed WebKitWebDriver orphans the app.
        keyward_tests::terminate(&mut self.child);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn artifacts() -> std::path::PathBuf {
    let dir = std::env::var_os("KEYWARD_ARTIFACTS_DIR")
        .map(Into::into)
        .unwrap_or_else(|| std::env::temp_dir().join("keyward-test-artifacts"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A screenshot of what is painted now: WebKit paints a little after the DOM changes, so
/// first wait for two animation frames and a moment more.
async fn painted(c: &Client) -> Vec<u8> {
    const FRAMES: &str = "const done = arguments[arguments.length - 1]; \
        requestAnimationFrame(() => requestAnimationFrame(() => done(true)))";
    c.execute_async(FRAMES, vec![]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(250)).await;
    c.screenshot().await.unwrap()
}

async fn screenshot(c: &Client, name: &str) {
    let png = painted(c).await;
    assert!(png.starts_with(b"\x89PNG"), "not a PNG screenshot");
    std::fs::write(artifacts().join(name), png).unwrap();
}

async fn wait_for(c: &Client, css: &str) -> Element {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(e) = c.find(Locator::Css(css)).await {
            return e;
        }
        if Instant::now() > deadline {
            screenshot(c, "gui-keys-failure.png").await;
            panic!("timed out waiting for {css}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn by_id(c: &Client, id: &str) -> Element {
    wait_for(c, &format!("[data-testid='{id}']")).await
}

async fn type_into(c: &Client, id: &str, text: &str) {
    let e = by_id(c, id).await;
    e.clear().await.unwrap();
    e.send_keys(text).await.unwrap();
}

async fn click(c: &Client, id: &str) {
    by_id(c, id).await.click().await.unwrap();
}

async fn choose(c: &Client, id: &str, value: &str) {
    by_id(c, id).await.select_by_value(value).await.unwrap();
}

/// Waits until the text of the element at `css` is `want` (the UI updates asynchronously);
/// panics with the last text seen. The DOM's textContent: WebDriver's visible text is empty for
/// some elements WebKit has not laid out yet.
async fn wait_text(c: &Client, css: &str, want: &str) {
    const TEXT: &str =
        "const e = document.querySelector(arguments[0]); return e ? e.textContent : null";
    let deadline = Instant::now() + Duration::from_secs(20);
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
    screenshot(c, "gui-keys-failure.png").await;
    panic!("{css}: want {want:?}, last saw {last:?}");
}

/// A PNG as 8-bit greys (any colour type): width, height, pixels.
fn png_grey(png_bytes: &[u8]) -> (usize, usize, Vec<u8>) {
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
fn decode_qr(img: &(usize, usize, Vec<u8>), rect: [usize; 4]) -> Result<String, String> {
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
async fn on_screen_rect(c: &Client, e: &Element) -> [usize; 4] {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and the built app; scripts/test.sh runs it under Xvfb"]
async fn import_mnemonic_qr_export_and_audit() {
    let started = Instant::now();
    let display = std::env::var("DISPLAY").expect("DISPLAY must be set: run under xvfb-run -a");
    let app = bin("keyward");
    let mut cli = Cli::new(Keyring::unlocked());
    cli.set_passphrase(Some(PASSPHRASE));
    // The vault is made by the CLI; the app opens on its unlock screen.
    cli.init();

    let port = free_port();
    let mut cmd = cli.keyring().command("WebKitWebDriver");
    cmd.arg(format!("--port={port}"))
        .arg("--host=127.0.0.1")
        .env("DISPLAY", &display)
        .env("TAURI_WEBVIEW_AUTOMATION", "true")
        .env("KEYWARD_DATA_DIR", cli.data_dir())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let _driver = Driver {
        child: cmd
            .spawn()
            .expect("WebKitWebDriver (Debian package webkit2gtk-driver)"),
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "WebKitWebDriver did not listen");
        std::thread::sleep(Duration::from_millis(100));
    }
    let caps = json!({"webkitgtk:browserOptions": {"binary": app, "args": []}});
    let c = ClientBuilder::native()
        .capabilities(caps.as_object().unwrap().clone())
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("WebDriver session");
    // Room for the detail pane and the QR code side by side with the list.
    let _ = c.set_window_size(1240, 780).await;

    by_id(&c, "screen-unlock").await;
    type_into(&c, "unlock-passphrase", PASSPHRASE).await;
    click(&c, "unlock-submit").await;
    by_id(&c, "screen-keys").await;

    // Import the mnemonic: format mnemonic, preset Ethereum, index 0.
    choose(&c, "import-format", "mnemonic").await;
    type_into(&c, "import-text", MNEMONIC).await;
    choose(&c, "import-preset", "eth").await;
    type_into(&c, "import-index", "0").await;
    type_into(&c, "import-label", "hardhat-0").await;
    wait_text(
        &c,
        "[data-testid='import-path-preview'] code",
        "m/44'/60'/0'/0/0",
    )
    .await;
    click(&c, "import-submit").await;

    // The new key opens in the detail pane.
    let detail = wait_for(&c, "[data-testid='key-detail']").await;
    wait_text(&c, "[data-testid='detail-label']", "hardhat-0").await;
    let key_id = detail
        .attr("data-key-id")
        .await
        .unwrap()
        .expect("data-key-id");
    let listed = cli.json(&["key", "list"]);
    let listed = listed.as_array().expect("key list");
    assert!(
        listed
            .iter()
            .any(|k| k["id"] == key_id.as_str() && k["alg"] == "secp256k1"),
        "the CLI does not see the imported key {key_id}: {listed:?}"
    );

    // The Ethereum address, exactly (EIP-55 checksum case included).
    wait_text(
        &c,
        "[data-testid='detail-export'][data-format='eth'] pre",
        ADDRESS,
    )
    .await;
    assert_eq!(cli.export(&key_id, "eth").trim(), ADDRESS);

    // Its QR code, as drawn on screen, decodes to exactly the address.
    choose(&c, "qr-format", "eth").await;
    let qr = wait_for(&c, "[data-testid='detail-qr'][data-qr-format='eth']").await;
    wait_text(&c, "[data-testid='detail-qr-payload']", ADDRESS).await;
    let src = qr.attr("src").await.unwrap().unwrap_or_default();
    assert!(src.starts_with("data:image/"), "{src:.40}");
    let rect = on_screen_rect(&c, &qr).await;
    // Painted a little after the scroll (and dimmed while another format loads): retry.
    let mut decoded = Err(String::new());
    for _ in 0..10 {
        let shot = painted(&c).await;
        std::fs::write(artifacts().join("gui-import-mnemonic.png"), &shot).unwrap();
        decoded = decode_qr(&png_grey(&shot), rect);
        if decoded.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert_eq!(
        decoded.as_deref(),
        Ok(ADDRESS),
        "the QR code on screen (see gui-import-mnemonic.png)"
    );

    // Export the public key as PEM: the text area holds exactly what the CLI prints.
    choose(&c, "export-format", "pem").await;
    click(&c, "export-button").await;
    let area = wait_for(&c, "[data-testid='export-text'][data-format='pem']").await;
    let exported = area.prop("value").await.unwrap().unwrap_or_default();
    let cli_pem = cli.export(&key_id, "pem");
    assert!(
        exported.starts_with("-----BEGIN PUBLIC KEY-----"),
        "{exported}"
    );
    assert_eq!(exported, cli_pem);

    // Activity: the app's import and export are logged (actor app), and the chain verifies.
    click(&c, "nav-activity").await;
    let nav = by_id(&c, "nav-activity").await;
    assert_eq!(
        nav.attr("aria-current").await.unwrap().as_deref(),
        Some("page")
    );
    by_id(&c, "screen-activity").await;
    for action in ["key.import", "key.export"] {
        let row = wait_for(
            &c,
            &format!(
                "[data-testid='audit-row'][data-action='{action}'][data-actor='app'][data-key-id='{key_id}']"
            ),
        )
        .await;
        let summary = row
            .find(Locator::Css("[data-testid='audit-summary']"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!summary.trim().is_empty(), "{action} row has no summary");
    }
    click(&c, "audit-verify").await;
    let status = by_id(&c, "audit-status").await;
    let ok = status.attr("data-ok").await.unwrap();
    let text = status.text().await.unwrap();
    assert_eq!(ok.as_deref(), Some("true"), "audit verify: {text}");
    assert!(text.starts_with("Intact:"), "{text}");
    screenshot(&c, "gui-activity.png").await;

    // The CLI reads the same chain and agrees.
    let report = cli.json(&["audit", "verify"]);
    assert_eq!(report["ok"], true, "{report}");

    c.close().await.unwrap();
    eprintln!(
        "gui_keys: passed in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

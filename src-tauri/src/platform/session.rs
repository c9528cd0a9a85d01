//! Locking by itself: after the idle time the user set (`idle-lock-minutes`; the
//! `KEYWARD_IDLE_LOCK_SECS` environment variable overrides it, for tests and kiosks), when
//! the screen locks, and when the machine suspends (logind, where a system bus exists). Locking drops "until lock" grants and the keys the broker kept unsealed,
//! and the windows show the unlock screen. And the app's life beside its window: a second
//! launch, background mode, what starts after the first screen.

use std::time::Duration;

use keyward_vault::LockReason;
use tauri::{AppHandle, Manager};

use crate::events::MAIN_WINDOW;
use crate::platform::endpoint;
use crate::platform::links;
use crate::platform::prompt_window::show_main;
use crate::platform::tray;
use crate::state::{lock, now, AppState};

/// The idle limit in seconds (0 = never).
fn idle_limit(state: &AppState) -> i64 {
    if let Some(secs) = std::env::var("KEYWARD_IDLE_LOCK_SECS")
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
    {
        return secs;
    }
    state
        .settings_now()
        .map(|s| i64::from(s.idle_lock_minutes) * 60)
        .unwrap_or(0)
}

/// Starts the idle timer and the screen-lock watch.
pub fn start(app: &AppHandle) {
    let state = app.state::<AppState>();
    state.idle.touch(now());
    let handle = app.clone();
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_secs(1));
        let state = handle.state::<AppState>();
        let limit = idle_limit(&state);
        if state.idle.expired(now(), limit) {
            lock(&handle, LockReason::Idle);
            state.idle.touch(now());
        }
    });
    // The D-Bus subscriptions take round trips: off the thread that brings up the window.
    let handle = app.clone();
    std::thread::spawn(move || {
        let h = handle.clone();
        // No session bus or no screen saver: idle locking still works.
        let _ = keyward_vault::session::watch_screen_lock(move || lock(&h, LockReason::ScreenLock));
        // No system bus (containers): the other two still work.
        let _ = keyward_vault::session::watch_suspend(move || lock(&handle, LockReason::Suspend));
    });
}

/// A second `keyward` was started: `--quit` ends this one; a `keyward://` (or
/// `simplewallet://`) link goes to the broker; anything else shows and focuses the main window
/// (the second process exits).
pub fn second_launch(app: &AppHandle, argv: &[String]) {
    if argv.iter().any(|a| a == "--quit") {
        app.exit(0);
        return;
    }
    let found = links::links_in(argv);
    if found.is_empty() {
        show_main(app);
    } else {
        // A link opens its prompt, not the main window.
        links::open_links(app, found);
    }
}

/// `--background` (how the autostart entry starts the app): the main window starts hidden, and
/// closing it hides it again, while the agent socket and the endpoint keep serving. Launching
/// `keyward` shows it; `keyward --quit` ends the app.
pub fn background_mode(app: &AppHandle, background: bool) {
    if !background {
        return;
    }
    let Some(w) = app.get_webview_window(MAIN_WINDOW) else {
        return;
    };
    let _ = w.hide();
    let window = w.clone();
    w.on_window_event(move |ev| {
        if let tauri::WindowEvent::CloseRequested { api, .. } = ev {
            api.prevent_close();
            let _ = window.hide();
        }
    });
}

/// Starts what the app runs beside its window (once): the endpoint and the agent socket, the
/// `keyward://` / `simplewallet://` registration, and the tray. Called when the main window's
/// page has loaded; a moment later, so the first screen's own calls go first.
pub fn after_first_load(app: &AppHandle) {
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        let handle = app.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            endpoint::ensure_started(&handle);
            let h = handle.clone();
            let _ = handle.run_on_main_thread(move || {
                if let Some(tray) = tray::build(&h) {
                    h.manage(tray);
                }
            });
            links::apply_settings(&handle);
            links::follow_settings(&handle);
        });
    });
}

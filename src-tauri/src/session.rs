//! Locking by itself: after the idle time the user set (`idle-lock-minutes`; the
//! `KEYWARD_IDLE_LOCK_SECS` environment variable overrides it, for tests and kiosks), when
//! the screen locks, and when the machine suspends (logind, where a system bus exists). Locking drops "until lock" grants and the keys the broker kept unsealed,
//! and the windows show the unlock screen.

use std::time::Duration;

use tauri::{AppHandle, Emitter, Manager};

use crate::approvals::{broker, VAULT_CHANGED};
use crate::commands::AppState;

/// Unix seconds.
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Locks the vault if it is unlocked (logged as `vault.lock`). Reaches the vault without
/// counting as use.
pub(crate) fn lock(app: &AppHandle) {
    let state = app.state::<AppState>();
    let locked = {
        let Ok(mut guard) = state.vault.lock() else {
            return;
        };
        match guard.as_mut() {
            Some(v) if !v.is_locked() => {
                v.lock_now();
                true
            }
            _ => false,
        }
    };
    if locked {
        if let Ok(b) = broker(&state) {
            b.locked_now();
        }
        let _ = app.emit(VAULT_CHANGED, ());
    }
}

/// After a lock or an unlock (by a button, the agent, anything) the broker follows at once:
/// a lock drops the keys it holds unsealed and its "until lock" grants; an unlock gives it
/// what it needs to authenticate apps.
pub(crate) fn broker_follows_vault(app: &AppHandle) {
    let state = app.state::<AppState>();
    if let Ok(b) = broker(&state) {
        b.vault_changed();
    }
}

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
            lock(&handle);
            state.idle.touch(now());
        }
    });
    // The D-Bus subscriptions take round trips: off the thread that brings up the window.
    let handle = app.clone();
    std::thread::spawn(move || {
        let h = handle.clone();
        // No session bus or no screen saver: idle locking still works.
        let _ = keyward_vault::session::watch_screen_lock(move || lock(&h));
        // No system bus (containers): the other two still work.
        let _ = keyward_vault::session::watch_suspend(move || lock(&handle));
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
    let links = crate::links::links_in(argv);
    if links.is_empty() {
        show_main(app);
    } else {
        // A link opens its prompt, not the main window.
        crate::links::open_links(app, links);
    }
}

/// Shows and focuses the main window.
pub(crate) fn show_main(app: &AppHandle) {
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.show();
        let _ = w.unminimize();
        let _ = w.set_focus();
    }
}

/// `--background` (how the autostart entry starts the app): the main window starts hidden, and
/// closing it hides it again, while the agent socket and the endpoint keep serving. Launching
/// `keyward` shows it; `keyward --quit` ends the app.
pub fn background_mode(app: &AppHandle, background: bool) {
    if !background {
        return;
    }
    let Some(w) = app.get_webview_window("main") else {
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
            crate::approvals::ensure_started(&handle);
            let h = handle.clone();
            let _ = handle.run_on_main_thread(move || {
                if let Some(tray) = crate::tray::build(&h) {
                    h.manage(tray);
                }
            });
            crate::links::apply_settings(&handle);
        });
    });
}

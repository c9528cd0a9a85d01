//! Reaching the user through the desktop's notification server (the freedesktop
//! `org.freedesktop.Notifications` API, through notify-rust: the Tauri notification plugin has
//! no click callback on Linux).
//!
//! A request that arrives while the main window is hidden raises a notification whose default
//! action (a click on it) opens the prompt window. A click never approves anything: the
//! decision is made in the prompt. Refused deep links are told in one notification that each
//! new refusal replaces, so a flood of links does not become a flood of notifications.

use std::sync::Mutex;

use notify_rust::{Hint, Notification, Timeout};
use tauri::AppHandle;

const APP_NAME: &str = "Keyward";

/// The refusal notification on screen (replaced by the next refusal).
static REFUSAL_ID: Mutex<Option<u32>> = Mutex::new(None);

fn base(summary: &str, body: &str) -> Notification {
    let mut n = Notification::new();
    n.appname(APP_NAME)
        .summary(summary)
        .body(body)
        .icon("keyward")
        .hint(Hint::DesktopEntry("keyward".into()));
    n
}

/// A request waits for the user. Returns `false` when no notification could be shown (no
/// notification server): the caller then opens the prompt itself.
pub fn request(app: &AppHandle, title: &str, from: &str) -> bool {
    let mut n = base(
        &format!("{from} asks: {title}"),
        "Click to review it in Keyward.",
    );
    n.action("default", "Review")
        .hint(Hint::Category("im.received".into()))
        .hint(Hint::Resident(true))
        .timeout(Timeout::Never);
    let handle = match n.show() {
        Ok(h) => h,
        Err(_) => return false,
    };
    let app = app.clone();
    std::thread::spawn(move || {
        handle.wait_for_action(|action| {
            if action == "default" {
                crate::approvals::show_prompt_window(&app);
            }
        });
    });
    true
}

/// Something the user did not ask for was refused (a deep link). Best effort.
pub fn refusal(_app: &AppHandle, summary: &str, why: &str) {
    let mut n = base(summary, why);
    let mut last = REFUSAL_ID.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(id) = *last {
        n.id(id);
    }
    if let Ok(h) = n.show() {
        *last = Some(h.id());
    }
}

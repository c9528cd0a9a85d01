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
/// The request notifications on screen: prompt id → notification id.
static OPEN: Mutex<Vec<(String, u32)>> = Mutex::new(Vec::new());

fn take_open(prompt: &str) -> Option<u32> {
    let mut open = OPEN.lock().unwrap_or_else(|p| p.into_inner());
    let i = open.iter().position(|(p, _)| p == prompt)?;
    Some(open.remove(i).1)
}

fn base(summary: &str, body: &str) -> Notification {
    let mut n = Notification::new();
    n.appname(APP_NAME)
        .summary(summary)
        .body(body)
        .icon("keyward")
        .hint(Hint::DesktopEntry("keyward".into()));
    n
}

/// Prompt `prompt` waits for the user; a click on the notification runs `on_click` (which
/// opens the prompt). Returns `false` when no notification could be shown (no notification
/// server): the caller then opens the prompt itself.
pub fn request(
    prompt: &str,
    title: &str,
    from: &str,
    on_click: impl Fn() + Send + 'static,
) -> bool {
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
    OPEN.lock()
        .unwrap_or_else(|p| p.into_inner())
        .push((prompt.to_owned(), handle.id()));
    let prompt = prompt.to_owned();
    // Until it is clicked or closed (by the user, the server, or `withdraw`).
    std::thread::spawn(move || {
        let mut closed = false;
        handle.wait_for_action(|action| match action {
            "default" => on_click(),
            "__closed" => closed = true,
            _ => {}
        });
        // Clicked, it stays (resident) until the request ends: `withdraw` closes it then.
        if closed {
            take_open(&prompt);
        }
    });
    true
}

/// Prompt `prompt` closed (decided, expired, withdrawn): its notification goes too, so none
/// asks for what no longer waits.
pub fn withdraw(prompt: &str) {
    let Some(id) = take_open(prompt) else { return };
    let close = || -> zbus::Result<()> {
        zbus::blocking::Connection::session()?.call_method(
            Some("org.freedesktop.Notifications"),
            "/org/freedesktop/Notifications",
            Some("org.freedesktop.Notifications"),
            "CloseNotification",
            &(id,),
        )?;
        Ok(())
    };
    let _ = close();
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

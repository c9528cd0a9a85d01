//! The tray icon, where the desktop has a tray (a StatusNotifier host: KDE, XFCE, Cinnamon,
//! MATE, GNOME with the AppIndicator extension). Its label shows how many requests wait; its
//! menu opens the window or the prompt, locks, and quits.
//!
//! Where there is no tray (GNOME without the extension) nothing shows: waiting requests reach
//! the user through the prompt window and notifications, and launching `keyward` again brings
//! the window forward (README, "Living on the desktop").

use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Listener, Manager, Wry};

use crate::events::APPROVALS_CHANGED;
use crate::platform::prompt_window::{show_main, show_prompt_window};
use crate::state::{self, AppState};

/// The tray and the menu item that counts requests.
pub struct Tray {
    icon: TrayIcon,
    review: MenuItem<Wry>,
}

fn review_text(n: usize) -> String {
    match n {
        0 => "No requests waiting".into(),
        1 => "Review 1 request…".into(),
        n => format!("Review {n} requests…"),
    }
}

/// Builds the tray, whose count then follows the approvals; `None` when the platform has
/// none.
pub fn build(app: &AppHandle) -> Option<Tray> {
    let open = MenuItem::with_id(app, "open", "Open Keyward", true, None::<&str>).ok()?;
    let review = MenuItem::with_id(app, "review", review_text(0), false, None::<&str>).ok()?;
    let lock = MenuItem::with_id(app, "lock", "Lock", true, None::<&str>).ok()?;
    let quit = MenuItem::with_id(app, "quit", "Quit Keyward", true, None::<&str>).ok()?;
    let sep = PredefinedMenuItem::separator(app).ok()?;
    let menu = Menu::with_items(app, &[&open, &review, &sep, &lock, &quit]).ok()?;
    let mut b = TrayIconBuilder::with_id("keyward")
        .menu(&menu)
        .tooltip("Keyward")
        .on_menu_event(|app, ev| match ev.id().as_ref() {
            "open" => show_main(app),
            "review" => show_prompt_window(app),
            "lock" => state::lock(app, keyward_vault::LockReason::Tray),
            "quit" => app.exit(0),
            _ => {}
        });
    if let Some(icon) = app.default_window_icon() {
        b = b.icon(icon.clone());
    }
    let icon = b.build(app).ok()?;
    let handle = app.clone();
    app.listen(APPROVALS_CHANGED, move |_| {
        let h = handle.clone();
        // Off the emitter's call: the broker may hold its state lock.
        std::thread::spawn(move || update(&h));
    });
    Some(Tray { icon, review })
}

/// Shows the number of waiting requests (pairings included) in the tray.
pub fn update(app: &AppHandle) {
    let state = app.state::<AppState>();
    let n = state.broker().map(|b| b.prompts().len()).unwrap_or(0);
    let Some(tray) = app.try_state::<Tray>() else {
        return;
    };
    let label = (n > 0).then(|| n.to_string());
    let _ = tray.icon.set_title(label.as_deref());
    let _ = tray.icon.set_tooltip(Some(if n == 0 {
        "Keyward".to_owned()
    } else {
        format!("Keyward — {n} waiting")
    }));
    let _ = tray.review.set_text(review_text(n));
    let _ = tray.review.set_enabled(n > 0);
}

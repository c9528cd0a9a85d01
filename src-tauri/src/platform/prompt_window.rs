//! The windows as the approvals need them: the broker's prompts open in the `prompt` window
//! (the only window whose capability may send a decision), through [`WindowApprover`]; closing
//! it says no to what it holds; the main window comes forward when the user is needed there.

use keyward_approval::endpoint::{Approver, Closed, PromptItem};
use tauri::{AppHandle, Emitter, Manager, UserAttentionType, WebviewUrl, WebviewWindowBuilder};

use crate::events::{APPROVALS_CHANGED, MAIN_WINDOW, PROMPT_WINDOW};
use crate::platform::notify;
use crate::state::AppState;

/// Opens prompts in the prompt window and tells both windows something changed.
pub(crate) struct WindowApprover(pub(crate) AppHandle);

/// Shows the prompt window (creating it the first time), focused and asking for attention
/// (the urgency hint on X11; Wayland's focus rules may leave it behind other windows).
pub(crate) fn show_prompt_window(app: &AppHandle) {
    if let Some(w) = app.get_webview_window(PROMPT_WINDOW) {
        let _ = w.show();
        let _ = w.set_focus();
        let _ = w.request_user_attention(Some(UserAttentionType::Critical));
        return;
    }
    let built =
        WebviewWindowBuilder::new(app, PROMPT_WINDOW, WebviewUrl::App("prompt.html".into()))
            .title("Keyward — approval")
            .inner_size(520.0, 640.0)
            .always_on_top(true)
            .focused(true)
            .build();
    if let Ok(w) = built {
        let _ = w.request_user_attention(Some(UserAttentionType::Critical));
        // Closing the prompt is a "no" to everything it holds; the window stays for the next.
        let handle = app.clone();
        let window = w.clone();
        w.on_window_event(move |ev| {
            if let tauri::WindowEvent::CloseRequested { api, .. } = ev {
                api.prevent_close();
                let _ = window.hide();
                let h = handle.clone();
                std::thread::spawn(move || deny_all(&h));
            }
        });
    }
}

/// Shows and focuses the main window.
pub(crate) fn show_main(app: &AppHandle) {
    if let Some(w) = app.get_webview_window(MAIN_WINDOW) {
        let _ = w.show();
        let _ = w.unminimize();
        let _ = w.set_focus();
    }
}

/// Denies every open prompt (the prompt window was closed).
fn deny_all(app: &AppHandle) {
    let state = app.state::<AppState>();
    if let Ok(b) = state.broker() {
        b.deny_all();
    }
    let _ = app.emit(APPROVALS_CHANGED, ());
}

/// Hides the prompt window once nothing waits.
fn hide_when_idle(app: &AppHandle) {
    let state = app.state::<AppState>();
    let idle = state
        .broker()
        .map(|b| b.prompts().is_empty())
        .unwrap_or(true);
    if idle {
        if let Some(w) = app.get_webview_window(PROMPT_WINDOW) {
            // Nothing waits: no attention asked either (set again by the next prompt).
            let _ = w.request_user_attention(None);
            let _ = w.hide();
        }
    }
}

/// Whether the user sees the main window.
fn main_visible(app: &AppHandle) -> bool {
    app.get_webview_window(MAIN_WINDOW)
        .map(|w| w.is_visible().unwrap_or(false) && !w.is_minimized().unwrap_or(false))
        .unwrap_or(false)
}

impl Approver for WindowApprover {
    /// While the main window shows, the prompt window opens at once. While it is hidden
    /// (background mode), a notification asks the user first and its click opens the prompt;
    /// with no notification server, the prompt opens at once. A deep link's prompt opens at
    /// once too: the user just followed the link.
    fn open(&self, item: &PromptItem) {
        let (title, from) = item.summary();
        let app = self.0.clone();
        if item.from_link()
            || main_visible(&self.0)
            || !notify::request(item.id(), &title, &from, move || show_prompt_window(&app))
        {
            show_prompt_window(&self.0);
        }
        // The tray's count follows this event (off the broker's call: it may hold its state
        // lock).
        let _ = self.0.emit(APPROVALS_CHANGED, ());
    }

    /// An app waits for the first unlock of this run (before it, nobody can be
    /// authenticated): the main window comes forward on its unlock screen, and a notification
    /// says why when the window was hidden.
    fn unlock_needed(&self) {
        let app = self.0.clone();
        std::thread::spawn(move || {
            let hidden = !main_visible(&app);
            show_main(&app);
            if hidden {
                notify::refusal(
                    &app,
                    "An app is waiting for Keyward",
                    "Unlock Keyward so it can check which app is asking.",
                );
            }
        });
    }

    fn close(&self, id: &str, _why: Closed) {
        let _ = self.0.emit(APPROVALS_CHANGED, ());
        let app = self.0.clone();
        let id = id.to_owned();
        // Off the broker's call: it may hold its state lock.
        std::thread::spawn(move || {
            notify::withdraw(&id);
            hide_when_idle(&app);
        });
    }
}

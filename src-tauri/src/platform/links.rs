//! Deep links reach the app as a command-line argument: of the first launch, or of a second
//! launch the single-instance plugin hands over. Every link goes to the broker, which parses it
//! strictly, rate-limits it and prompts for it as an unknown app (keyward-approval's
//! `endpoint::link`); a refusal is shown as a notification and counted in the audit log.
//!
//! `keyward://` is the bundle's scheme (the .deb's desktop entry declares it); a run from the
//! source tree registers it for the user at start. `simplewallet://` is registered only while
//! the `simplewallet-links` setting is on, and unregistered when it goes off.

use std::sync::Mutex;

use keyward_approval::endpoint::link;
use tauri::{AppHandle, Listener, Manager};
use tauri_plugin_deep_link::DeepLinkExt;

use crate::events::VAULT_CHANGED;
use crate::platform::endpoint::ensure_started;
use crate::platform::notify;
use crate::state::AppState;

/// The link arguments among `argv` (the program name excluded): those with a link scheme.
pub fn links_in(argv: &[String]) -> Vec<String> {
    argv.iter()
        .skip(1)
        .filter(|a| {
            a.split_once(':')
                .is_some_and(|(scheme, _)| link::SCHEMES.contains(&scheme))
        })
        .cloned()
        .collect()
}

/// Hands each link to the broker, off the caller's thread.
pub fn open_links(app: &AppHandle, links: Vec<String>) {
    for raw in links {
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            let a = app.clone();
            let _ = tauri::async_runtime::spawn_blocking(move || ensure_started(&a)).await;
            let state = app.state::<AppState>();
            let Ok(b) = state.broker() else { return };
            match b.open_link(&raw).await {
                Ok(out) => {
                    if let Some(why) = out.delivery_error {
                        notify::refusal(
                            &app,
                            "Keyward signed, but the app's callback did not take the answer",
                            &link::notice_text(&why),
                        );
                    }
                }
                // The user's own "no" (or the prompt expiring) needs no notice.
                Err(e) if e.is_users_answer() => {}
                Err(e) => {
                    notify::refusal(&app, "Keyward refused a link", &link::refusal_notice(&e))
                }
            }
        });
    }
}

/// Whether no program handles `scheme://` for this user (an installed package's handler is
/// left alone). `false` when `xdg-mime` cannot tell.
fn no_handler(scheme: &str) -> bool {
    std::process::Command::new("xdg-mime")
        .args(["query", "default", &format!("x-scheme-handler/{scheme}")])
        .output()
        .map(|o| o.status.success() && o.stdout.iter().all(u8::is_ascii_whitespace))
        .unwrap_or(false)
}

/// Whether `simplewallet://` is registered, as last set by this run.
#[derive(Default)]
pub struct Registered(Mutex<Option<bool>>);

/// Registers `keyward://` when no program handles it yet (a run from the source tree; the
/// .deb's desktop entry handles it once installed), and
/// `simplewallet://` as the setting says. Errors (no `xdg-mime`) are ignored: links then
/// reach Keyward only as arguments.
pub fn apply_settings(app: &AppHandle) {
    let dl = app.deep_link();
    let state = app.state::<AppState>();
    let want = state.settings_now().is_some_and(|s| s.simplewallet_links);
    let reg = app.state::<Registered>();
    let mut last = reg.0.lock().unwrap_or_else(|p| p.into_inner());
    if last.is_none() && no_handler("keyward") {
        let _ = dl.register("keyward");
    }
    if *last == Some(want) {
        return;
    }
    let _ = if want {
        dl.register("simplewallet")
    } else if dl.is_registered("simplewallet").unwrap_or(false) {
        dl.unregister("simplewallet")
    } else {
        Ok(())
    };
    *last = Some(want);
}

/// Applies the setting again whenever the vault changed outside the windows: a `config set
/// simplewallet-links` through the agent socket (re)registers the scheme.
pub fn follow_settings(app: &AppHandle) {
    let handle = app.clone();
    app.listen(VAULT_CHANGED, move |_| {
        let h = handle.clone();
        // Off the emitter's call (the agent serving a request, a lock).
        std::thread::spawn(move || apply_settings(&h));
    });
}

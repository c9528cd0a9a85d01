//! The names the shell shares with its windows: the events they listen for, and the window
//! labels (`tauri.conf.json` and the capability files name the windows too).

/// Something the Approvals screen or the prompt window shows changed: a prompt opened or
/// closed, a decision, an app unpaired, a grant revoked. The tray's count follows it too.
pub const APPROVALS_CHANGED: &str = "approvals://changed";
/// The vault changed outside the windows: the CLI changed it through the app's agent
/// socket, or it locked by itself. The windows re-read what they show.
pub const VAULT_CHANGED: &str = "vault://changed";

/// The main window.
pub const MAIN_WINDOW: &str = "main";
/// The prompt window, the only window whose capability may send a decision.
pub const PROMPT_WINDOW: &str = "prompt";

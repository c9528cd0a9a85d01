//! The OS glue: windows, notifications, the tray, deep links, the session (idle, screen lock,
//! suspend, a second launch), the clipboard, native dialogs, and the endpoint and agent
//! socket the app serves. Besides `state` and `events`, each module uses only those below it
//! in this order, so that they form no cycle (the shape test checks it): notify, clipboard
//! and dialog use none; prompt_window uses notify; endpoint and tray use prompt_window; links
//! uses endpoint and notify; session uses them all. Where a lower module must reach a higher
//! one it emits an event the higher one follows (the tray's count, the scheme registration).

pub mod clipboard;
pub mod dialog;
pub mod endpoint;
pub mod links;
pub mod notify;
pub mod prompt_window;
pub mod session;
pub mod tray;

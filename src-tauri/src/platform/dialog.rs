//! Native dialogs: a confirmation the webview cannot script or skip (a reveal), and the save
//! and open dialogs of exports and backups. Each waits for the user on the blocking pool;
//! a cancel is the `ui.cancelled` error.
//!
//! In debug builds only, `KEYWARD_E2E_FILE_DIALOG=PATH` answers every save and open dialog
//! with PATH without showing it: the GUI end-to-end tests run under Xvfb, where no one can
//! click a GTK file chooser. A release build has no such door.

use std::path::PathBuf;

use tauri::{AppHandle, Manager};
use tauri_plugin_dialog::{DialogExt, FileDialogBuilder, MessageDialogButtons, MessageDialogKind};

use crate::state::{blocking, cancelled, io_error, CmdResult};

/// A file filter: its name and the extensions it shows.
pub type Filter = (&'static str, &'static [&'static str]);

/// Asks the user, in a native dialog the webview cannot script or skip; whether they chose
/// `ok`.
pub async fn confirm(app: &AppHandle, title: String, message: String, ok: &str) -> CmdResult<bool> {
    let (app, ok) = (app.clone(), ok.to_string());
    blocking(move || -> CmdResult<bool> {
        Ok(app
            .dialog()
            .message(message)
            .title(title)
            .kind(MessageDialogKind::Warning)
            .buttons(MessageDialogButtons::OkCancelCustom(
                ok,
                "Cancel".to_string(),
            ))
            .blocking_show())
    })
    .await
}

fn with_filter<R: tauri::Runtime>(
    b: FileDialogBuilder<R>,
    filter: Option<Filter>,
) -> FileDialogBuilder<R> {
    match filter {
        Some((name, extensions)) => b.add_filter(name, extensions),
        None => b,
    }
}

/// A file to write, picked in a native save dialog (`name` proposed).
pub async fn save_file(
    app: &AppHandle,
    name: &'static str,
    filter: Option<Filter>,
) -> CmdResult<PathBuf> {
    save_file_in(app, name.to_string(), None, filter).await
}

/// A file to write, picked in a native save dialog that starts in `dir` (else where the
/// dialog likes) with `name` proposed.
pub async fn save_file_in(
    app: &AppHandle,
    name: String,
    dir: Option<PathBuf>,
    filter: Option<Filter>,
) -> CmdResult<PathBuf> {
    if let Some(path) = e2e_answer() {
        return Ok(path);
    }
    let app = app.clone();
    blocking(move || {
        let mut b = app.dialog().file().set_file_name(name);
        if let Some(dir) = dir {
            b = b.set_directory(dir);
        }
        with_filter(b, filter)
            .blocking_save_file()
            .ok_or_else(cancelled)?
            .into_path()
            .map_err(|e| io_error(e.to_string()))
    })
    .await
}

/// Where the user keeps their files: the Documents dir, else the home dir (never the
/// process's working directory, which for an app started from a menu is `/`).
pub fn documents_dir(app: &AppHandle) -> Option<PathBuf> {
    let paths = app.path();
    paths
        .document_dir()
        .ok()
        .filter(|d| d.is_dir())
        .or_else(|| paths.home_dir().ok())
}

/// A file to read, picked in a native open dialog (starting in [`documents_dir`]).
pub async fn open_file(app: &AppHandle, filter: Filter) -> CmdResult<PathBuf> {
    if let Some(path) = e2e_answer() {
        return Ok(path);
    }
    let app = app.clone();
    blocking(move || {
        let mut b = app.dialog().file();
        if let Some(dir) = documents_dir(&app) {
            b = b.set_directory(dir);
        }
        with_filter(b, Some(filter))
            .blocking_pick_file()
            .ok_or_else(cancelled)?
            .into_path()
            .map_err(|e| io_error(e.to_string()))
    })
    .await
}

/// The tests' answer to a file dialog (see the module's documentation): debug builds only.
fn e2e_answer() -> Option<PathBuf> {
    if cfg!(debug_assertions) {
        std::env::var_os("KEYWARD_E2E_FILE_DIALOG")
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
    } else {
        None
    }
}

//! Clipboard hygiene: what Keyward copies (signatures, tokens, keys, secrets) is marked for
//! clipboard managers to leave out of their history (arboard's `exclude_from_history`, the
//! password-manager hint) and cleared after 30 s if it is still there
//! (`KEYWARD_CLIPBOARD_CLEAR_SECS` changes the delay, for tests).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use keyward_vault::{ErrorBody, VaultError};
use zeroize::Zeroizing;

use crate::state::{io_error, AppError, CmdResult};

const CLEAR_AFTER_SECS: u64 = 30;

/// The app's clipboard: kept alive, since on X11 the owner serves the copied text. What the
/// app copied, and its pending clear (managed by the app).
#[derive(Default)]
pub struct Clip {
    board: Mutex<Option<arboard::Clipboard>>,
    /// Bumped by each copy: a pending clear only clears its own copy.
    generation: Mutex<u64>,
}

fn clip_error(e: arboard::Error) -> AppError {
    let mut b = ErrorBody::from(&VaultError::Io(format!("clipboard: {e}")));
    b.code = "ui.clipboard".into();
    b.hint = "Select the text and copy it by hand.".into();
    AppError(b)
}

fn clear_after() -> Duration {
    Duration::from_secs(
        std::env::var("KEYWARD_CLIPBOARD_CLEAR_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(CLEAR_AFTER_SECS),
    )
}

/// Copies `text`, out of clipboard-manager history, and clears it after the delay unless the
/// clipboard holds something else by then. Answers the seconds until the clear. Blocking: run
/// it on the blocking pool.
pub fn copy(clip: &Arc<Clip>, text: Zeroizing<String>) -> CmdResult<u64> {
    let delay = clear_after();
    let generation = {
        let mut board = clip
            .board
            .lock()
            .map_err(|_| io_error("clipboard poisoned"))?;
        if board.is_none() {
            *board = Some(arboard::Clipboard::new().map_err(clip_error)?);
        }
        let b = board.as_mut().expect("made above");
        #[cfg(target_os = "linux")]
        {
            use arboard::SetExtLinux;
            b.set()
                .exclude_from_history()
                .text(text.as_str())
                .map_err(clip_error)?;
        }
        #[cfg(not(target_os = "linux"))]
        b.set_text(text.as_str()).map_err(clip_error)?;
        let mut g = clip
            .generation
            .lock()
            .map_err(|_| io_error("clipboard poisoned"))?;
        *g += 1;
        *g
    };
    let clip = clip.clone();
    std::thread::spawn(move || {
        std::thread::sleep(delay);
        let Ok(mut board) = clip.board.lock() else {
            return;
        };
        let current = clip.generation.lock().map(|g| *g).unwrap_or(0);
        if current != generation {
            return;
        }
        if let Some(b) = board.as_mut() {
            let still = b.get_text().map(Zeroizing::new).ok();
            if still.as_deref().map(String::as_str) == Some(text.as_str()) {
                let _ = b.clear();
            }
        }
    });
    Ok(delay.as_secs())
}

//! Copying from the windows: through `platform::clipboard`, which keeps what Keyward copies
//! out of clipboard-manager history and clears it after a while.

use std::sync::Arc;

use zeroize::Zeroizing;

use crate::platform::clipboard::{self, Clip};
use crate::state::{blocking, CmdResult};

/// Copies `text`, out of clipboard-manager history, and clears it after the delay unless the
/// clipboard holds something else by then. Answers the seconds until the clear.
#[tauri::command]
pub async fn clipboard_copy(clip: tauri::State<'_, Arc<Clip>>, text: String) -> CmdResult<u64> {
    let text = Zeroizing::new(text);
    let clip = Arc::clone(&clip);
    blocking(move || clipboard::copy(&clip, text)).await
}

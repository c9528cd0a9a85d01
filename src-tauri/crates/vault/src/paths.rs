//! Where Keyward keeps its files.

use crate::error::{Result, VaultError};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The data directory: `KEYWARD_DATA_DIR`, else the platform data dir. Debug builds use
/// their own directory (and so their own vault) so development never touches real keys.
pub fn data_dir() -> Result<PathBuf> {
    if let Some(d) = std::env::var_os("KEYWARD_DATA_DIR").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(d));
    }
    let base = dirs::data_dir().ok_or_else(|| {
        VaultError::Io("no platform data directory (set HOME or KEYWARD_DATA_DIR)".into())
    })?;
    Ok(base.join(if cfg!(debug_assertions) {
        "keyward-dev"
    } else {
        "keyward"
    }))
}

/// Creates `dir` (and parents) with mode 0700 when missing.
pub fn ensure_private_dir(dir: &Path) -> Result<()> {
    if !dir.exists() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
    }
    Ok(())
}

/// The per-user runtime directory for sockets: `$XDG_RUNTIME_DIR/keyward`, or a 0700
/// `keyward-<uid>` folder under the temp dir. Refused when someone else could reach it.
pub fn runtime_dir() -> Result<PathBuf> {
    let uid = rustix::process::getuid().as_raw();
    let dir = match std::env::var_os("XDG_RUNTIME_DIR").filter(|v| !v.is_empty()) {
        Some(d) => PathBuf::from(d).join("keyward"),
        None => std::env::temp_dir().join(format!("keyward-{uid}")),
    };
    ensure_private_dir(&dir)?;
    let meta = std::fs::metadata(&dir)?;
    if meta.uid() != uid || meta.mode() & 0o077 != 0 {
        return Err(VaultError::UnsafeRuntimeDir(dir.display().to_string()));
    }
    Ok(dir)
}

/// The agent socket of a vault.
pub fn socket_path(vault_id: &str) -> Result<PathBuf> {
    Ok(runtime_dir()?.join(format!("{vault_id}.sock")))
}

/// The loopback endpoint's Unix socket of vault `vault_id` (the same API as its TCP port).
pub fn endpoint_socket_path(vault_id: &str) -> Result<PathBuf> {
    Ok(runtime_dir()?.join(format!("{vault_id}-endpoint.sock")))
}

/// Restricts a file to its owner.
pub fn make_private(path: &Path) -> Result<()> {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    Ok(())
}

/// Writes `bytes` to `path` readable by the owner only, through a temporary file renamed
/// into place, so a crash never leaves half a file under the name.
pub fn write_private_file(path: &std::path::Path, bytes: &[u8]) -> crate::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let io = |e: std::io::Error| VaultError::Io(format!("cannot write {}: {e}", path.display()));
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("backup"),
        std::process::id()
    ));
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(io)?;
    let written = f.write_all(bytes).and_then(|_| f.sync_all());
    if let Err(e) = written.and_then(|_| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(io(e));
    }
    Ok(())
}

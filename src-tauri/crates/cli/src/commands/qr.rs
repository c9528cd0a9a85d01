//! `qr encode`: text or a file's bytes as a QR code.

use std::process::ExitCode;

use crate::cli::QrCmd;
use crate::context::CliContext;
use crate::error::Result;
use crate::secrets;

pub fn run(ctx: &CliContext, cmd: QrCmd) -> Result<ExitCode> {
    let QrCmd::Encode { text, file, render } = cmd;
    let data = match (text, file) {
        (Some(t), _) => t.into_bytes(),
        (None, f) => secrets::read_bounded(f.as_deref(), keyward_crypto::qr::MAX_QR_BYTES + 1)?,
    };
    ctx.out.qr_code(&data, &render)?;
    Ok(ExitCode::SUCCESS)
}

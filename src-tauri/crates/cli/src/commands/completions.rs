//! `completions`: a shell completion script for the whole command tree.

use std::process::ExitCode;

use clap::CommandFactory;

use crate::cli::Cli;
use crate::error::Result;

pub fn run(shell: clap_complete::Shell) -> Result<ExitCode> {
    clap_complete::generate(
        shell,
        &mut Cli::command(),
        "keyward-cli",
        &mut std::io::stdout(),
    );
    Ok(ExitCode::SUCCESS)
}

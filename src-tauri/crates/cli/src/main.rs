//! `keyward-cli`: the command-line twin of the Keyward desktop app.
//!
//! Thin shell: parses arguments, builds one context (the agent or the local vault), hands the
//! command to its module under `commands/`, prints. Domain logic lives in `keyward-vault` and
//! `keyward-crypto`.

mod args;
mod cli;
mod commands;
mod context;
mod error;
mod output;
mod secrets;

use std::process::ExitCode;

use clap::Parser;
use keyward_vault::Coded;

use cli::{Cli, Cmd};
use context::CliContext;

/// A reader that closed the pipe (`keyward-cli … | head`) ends the process quietly, as a
/// SIGPIPE would (Rust ignores SIGPIPE, so a write into the closed pipe panics; restoring the
/// signal would need `unsafe`). Every other panic keeps the default report.
fn quiet_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let msg = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if msg.contains("Broken pipe") || msg.contains("BrokenPipe") {
            std::process::exit(141);
        }
        default(info);
    }));
}

fn main() -> ExitCode {
    keyward_vault::harden_process();
    quiet_broken_pipe();
    let cli = Cli::parse();
    let ctx = CliContext::new(cli.json);
    let r: keyward_services::Result<ExitCode> = match cli.cmd {
        Cmd::Init { no_passphrase } => commands::vault::init(&ctx, no_passphrase),
        Cmd::Unlock => commands::vault::unlock(&ctx),
        Cmd::Lock => commands::vault::lock(&ctx),
        Cmd::Status => commands::vault::status(&ctx),
        Cmd::Agent => commands::agent::run(&ctx).map_err(Into::into),
        Cmd::Key(c) => commands::key::run(&ctx, c).map_err(Into::into),
        Cmd::Doctor { repair, yes } => commands::doctor::run(&ctx, repair, yes).map_err(Into::into),
        Cmd::Sign(a) => commands::sign::run(&ctx, a).map_err(Into::into),
        Cmd::Verify(a) => commands::verify::run(&ctx, a).map_err(Into::into),
        Cmd::Siwe(c) => commands::siwe::run(&ctx, c).map_err(Into::into),
        Cmd::Jwt(c) => commands::jwt::run(&ctx, c),
        Cmd::Service(c) => commands::service::run(&ctx, c),
        Cmd::Engine(c) => commands::engine::run(&ctx, c),
        Cmd::Playground(c) => commands::playground::run(c),
        // These print their own errors (the endpoint's).
        Cmd::Endpoint(c) => return commands::endpoint::run(&ctx, c),
        Cmd::Apps(c) => return commands::apps::run(&ctx, c),
        Cmd::Grants(c) => return commands::grants::run(&ctx, c),
        Cmd::Request(c) => return commands::request::run(&ctx, c),
        Cmd::Config(c) => commands::config::run(&ctx, c).map_err(Into::into),
        Cmd::Qr(c) => commands::qr::run(&ctx, c).map_err(Into::into),
        Cmd::Audit(c) => commands::audit::run(&ctx, c).map_err(Into::into),
        Cmd::Backup(c) => commands::backup::run(&ctx, c).map_err(Into::into),
        Cmd::Completions { shell } => Ok(commands::completions::run(shell)),
    };
    match r {
        Ok(code) => code,
        Err(e) => {
            ctx.out.error(&e);
            ExitCode::from(exit_code(e.code()))
        }
    }
}

pub(crate) fn exit_code(code: &str) -> u8 {
    match code.split('.').next() {
        Some("vault") => 3,
        Some("keychain") => 4,
        Some("key") => 5,
        Some("agent") => 6,
        Some("usage") => 2,
        Some("backup") => 3,
        Some("sign" | "jwt" | "siwe") => 7,
        Some("service" | "clock") => 8,
        Some("endpoint" | "approval" | "app" | "grant" | "link") => 9,
        _ => 1,
    }
}

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
use cli::{Cli, Cmd, EngineCmd, PassphraseCmd, ServiceCmd};
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
    let r = match cli.cmd {
        Cmd::Init { no_passphrase } => commands::vault::init(&ctx, no_passphrase),
        Cmd::Unlock => commands::vault::unlock(&ctx),
        Cmd::Lock => commands::vault::lock(&ctx),
        Cmd::Status => commands::vault::status(&ctx),
        Cmd::Passphrase(PassphraseCmd::Change) => commands::vault::change_passphrase(&ctx),
        Cmd::Agent => commands::agent::run(&ctx),
        Cmd::Key(c) => commands::key::run(&ctx, c),
        Cmd::Doctor { repair, yes } => commands::doctor::run(&ctx, repair, yes),
        Cmd::Sign(a) => commands::sign::run(&ctx, a),
        Cmd::Verify(a) => commands::verify::run(&ctx, a),
        Cmd::Siwe(c) => commands::siwe::run(&ctx, c),
        Cmd::Jwt(c) => commands::jwt::run(&ctx, c),
        Cmd::Service(ServiceCmd::Key(c)) | Cmd::Engine(EngineCmd::Token(c)) => {
            commands::remote_keys::run(&ctx, c)
        }
        Cmd::Service(c) => commands::service::run(&ctx, c),
        Cmd::Engine(c) => commands::engine::run(&ctx, c),
        Cmd::Playground(c) => commands::playground::run(c),
        Cmd::Endpoint(c) => commands::endpoint::run(&ctx, c),
        Cmd::Apps(c) => commands::apps::run(&ctx, c),
        Cmd::Grants(c) => commands::grants::run(&ctx, c),
        Cmd::Request(c) => commands::request::run(&ctx, c),
        Cmd::Config(c) => commands::config::run(&ctx, c),
        Cmd::Qr(c) => commands::qr::run(&ctx, c),
        Cmd::Audit(c) => commands::audit::run(&ctx, c),
        Cmd::Backup(c) => commands::backup::run(&ctx, c),
        Cmd::Completions { shell } => commands::completions::run(shell),
    };
    r.unwrap_or_else(|e| {
        ctx.out.error(&e);
        e.exit_code()
    })
}

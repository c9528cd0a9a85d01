//! `audit list|verify|export`: the tamper-evident audit log.

use std::process::ExitCode;

use keyward_vault::{AuditFilter, VaultError};

use crate::cli::AuditCmd;
use crate::context::{CliContext, Need};
use crate::error::Result;

pub fn run(ctx: &CliContext, cmd: AuditCmd) -> Result<ExitCode> {
    let out = &ctx.out;
    match cmd {
        AuditCmd::List { limit, action, key } => {
            let entries = ctx.with_backend(Need::Index, |b| {
                // A live key by id, prefix or label; else the id as given (a deleted key).
                let key_id = key.map(|k| b.key_show(&k).map(|d| d.info.id).unwrap_or(k));
                b.audit_list(&AuditFilter {
                    action,
                    key_id,
                    limit,
                })
            })?;
            out.audit_list(&entries);
        }
        AuditCmd::Verify => {
            let report = ctx.with_backend(Need::Key, |b| b.audit_verify())?;
            out.audit_report(&report);
            if !report.ok {
                return Ok(ExitCode::from(3));
            }
        }
        AuditCmd::Export { format, out: path } => {
            let entries =
                ctx.with_backend(Need::Index, |b| b.audit_list(&AuditFilter::default()))?;
            let (name, text) = (format.as_str(), format.render(&entries));
            match path {
                Some(p) => {
                    std::fs::write(&p, text.as_bytes()).map_err(|e| {
                        VaultError::Io(format!("cannot write {}: {e}", p.display()))
                    })?;
                    out.note(&format!(
                        "wrote {} entries to {}",
                        entries.len(),
                        p.display()
                    ));
                }
                None => out.export(name, &text),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

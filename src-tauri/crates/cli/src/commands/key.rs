//! `key …`: generate, import, list, show, export, QR, rename, tag, delete, usage policy.

use std::process::ExitCode;

use keyward_vault::{Coded, GenerateRequest, ImportRequest, ListFilter, PrivateFormat, VaultError};

use crate::cli::KeyCmd;
use crate::context::{CliContext, Need};
use crate::error::Result;
use crate::secrets;

pub fn run(ctx: &CliContext, cmd: KeyCmd) -> Result<ExitCode> {
    let out = &ctx.out;
    match cmd {
        KeyCmd::Gen { alg, label, tags } => {
            if let Some(bits) = alg.rsa_bits() {
                out.note(&format!(
                    "generating an RSA-{bits} key (this takes a few seconds)"
                ));
            }
            let req = GenerateRequest { alg, label, tags };
            let k = ctx.with_backend(Need::Key, |b| b.key_generate(req))?;
            out.key_info(&k, "Generated");
        }
        KeyCmd::Import {
            file,
            format,
            alg,
            path,
            passphrase_file,
            label,
            tags,
        } => {
            let text = secrets::read_input(file.as_deref())?;
            let req = ImportRequest {
                text,
                format,
                alg,
                path,
                passphrase: secrets::input_passphrase(passphrase_file.as_deref())?,
                label,
                tags,
            };
            let k = ctx.with_backend(Need::Key, |b| match b.key_import(clone_import(&req)) {
                // Ask for the input's passphrase only when it turns out to need one.
                Err(e) if e.code() == "key.passphrase_required" => {
                    let mut again = clone_import(&req);
                    again.passphrase = secrets::prompt_input_passphrase("Passphrase of the key: ")?;
                    if again.passphrase.is_none() {
                        return Err(e);
                    }
                    b.key_import(again)
                }
                r => r,
            })?;
            out.key_info(&k, "Imported");
        }
        KeyCmd::List { alg, tag } => {
            let filter = ListFilter { alg, tag };
            let keys = ctx.with_backend(Need::Index, |b| b.key_list(&filter))?;
            out.key_list(&keys);
        }
        KeyCmd::Show { key } => {
            let d = ctx.with_backend(Need::Index, |b| b.key_show(&key))?;
            out.key_detail(&d);
        }
        KeyCmd::Export { keys, format } => {
            let f = format;
            let text = ctx.with_backend(Need::Index, |b| b.key_export_many(&keys, f))?;
            out.export(f.as_str(), &text);
        }
        KeyCmd::ExportPrivate {
            key,
            format,
            passphrase_file,
            yes,
        } => {
            if !yes {
                return Err(
                    VaultError::ConfirmationRequired("exporting a private key".into()).into(),
                );
            }
            let f = format;
            let passphrase = match (f, secrets::input_passphrase(passphrase_file.as_deref())?) {
                (PrivateFormat::Pkcs8Enc, None) => secrets::prompt_new_input_passphrase()?,
                (_, p) => p,
            };
            let text =
                ctx.with_backend(Need::Key, |b| b.key_export_private(&key, f, passphrase))?;
            out.export(f.as_str(), text.expose());
        }
        KeyCmd::Qr { key, of, render } => {
            let view = ctx.with_backend(Need::Index, |b| b.key_qr(&key, of))?;
            out.qr_code(view.payload.as_bytes(), &render)?;
        }
        KeyCmd::Rename { key, label } => {
            let k = ctx.with_backend(Need::Key, |b| b.key_rename(&key, &label))?;
            out.key_info(&k, "Renamed");
        }
        KeyCmd::Tag { key, add, remove } => {
            let k = ctx.with_backend(Need::Key, |b| b.key_tag(&key, &add, &remove))?;
            out.key_info(&k, "Tagged");
        }
        KeyCmd::Delete { key, yes } => {
            if !yes {
                return Err(VaultError::ConfirmationRequired("deleting a key".into()).into());
            }
            let k = ctx.with_backend(Need::Key, |b| b.key_delete(&key))?;
            out.key_info(&k, "Deleted");
        }
        KeyCmd::Policy { key, allow, reset } => {
            let k = match (allow, reset) {
                (Some(list), _) => {
                    let usages = list
                        .split(',')
                        .map(str::trim)
                        .filter(|u| !u.is_empty())
                        .map(keyward_crypto::sign::Usage::parse)
                        .collect::<std::result::Result<Vec<_>, _>>()?;
                    ctx.with_backend(Need::Key, |b| b.key_policy(&key, Some(usages)))?
                }
                (None, true) => ctx.with_backend(Need::Key, |b| b.key_policy(&key, None))?,
                (None, false) => {
                    ctx.with_backend(Need::Index, |b| b.key_show(&key).map(|d| d.info))?
                }
            };
            out.key_info(&k, "Usage of");
            if !out.json {
                println!("  may sign: {}", k.usage.join(", "));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A copy of an import request for a retry (it holds secrets, so it is not `Clone`).
fn clone_import(req: &ImportRequest) -> ImportRequest {
    ImportRequest {
        text: req.text.clone(),
        format: req.format,
        alg: req.alg,
        path: req.path.clone(),
        passphrase: req.passphrase.clone(),
        label: req.label.clone(),
        tags: req.tags.clone(),
    }
}

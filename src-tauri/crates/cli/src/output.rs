//! Human and `--json` output. JSON is versioned: `{"version":1,"result":…}` on success,
//! `{"version":1,"error":{code,message,hint}}` on failure, both on standard output.

use std::path::Path;

use keyward_vault::backup::{BackupSummary, MergeReport, SkipReason};
use keyward_vault::{
    AuditEntry, AuditProblem, AuditReport, BackupFile, DoctorReport, KeyDetail, KeyInfo, Problem,
    PublicFormat, Repair, RepairReport, RestoreReport, Result, Status, VaultError,
};
use serde::Serialize;
use serde_json::json;

use crate::args::{QrFmt, QrRender};
use crate::error::CliError;

pub struct Out {
    pub json: bool,
}

const JSON_VERSION: u32 = 1;

impl Out {
    pub fn result<T: Serialize>(&self, v: &T) {
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({"version": JSON_VERSION, "result": v}))
                .expect("output serialises")
        );
    }

    /// A failed command's error: `{"version":1,"error":{code,message,hint}}` on standard
    /// output with --json, else three lines on standard error.
    pub fn error(&self, e: &CliError) {
        let body = e.body();
        if self.json {
            println!(
                "{}",
                serde_json::to_string_pretty(&json!({"version": JSON_VERSION, "error": body}))
                    .expect("output serialises")
            );
        } else {
            eprintln!(
                "error: {}\n  code: {}\n  hint: {}",
                body.message, body.code, body.hint
            );
        }
    }

    /// `--json`: the value; else what `human` prints.
    pub fn print<T: Serialize>(&self, v: &T, human: impl FnOnce(&T)) {
        if self.json {
            self.result(v);
        } else {
            human(v);
        }
    }

    pub fn note(&self, msg: &str) {
        if !self.json {
            eprintln!("{msg}");
        }
    }

    pub fn init(&self, st: &Status) {
        if self.json {
            return self.result(st);
        }
        let id = st.vault_id.as_deref().unwrap_or("?");
        println!("Created vault {id} in {}", st.data_dir);
        if st.mode.as_deref() == Some("none") {
            println!("NO PASSPHRASE: the vault key is stored unwrapped in the OS keychain.");
            println!(
                "Anyone who can read your keychain can use these keys. Meant for automation only."
            );
        } else {
            println!("The vault key is wrapped by your passphrase (Argon2id).");
        }
    }

    pub fn passphrase_changed(&self, st: &Status) {
        if self.json {
            return self.result(st);
        }
        println!("Passphrase changed: only the new passphrase unlocks the vault from now on.");
        if !st.locked {
            println!("The vault stays unlocked.");
        }
    }

    pub fn status(&self, st: &Status) {
        if self.json {
            return self.result(st);
        }
        if !st.initialized {
            println!("no vault in {} (create one: keyward-cli init)", st.data_dir);
            return;
        }
        let mode = match st.mode.as_deref() {
            Some("none") => "NO PASSPHRASE (vault key unwrapped in the OS keychain)",
            _ => "passphrase",
        };
        println!("vault     {}", st.vault_id.as_deref().unwrap_or("?"));
        println!("mode      {mode}");
        println!("data dir  {}", st.data_dir);
        if st.agent {
            println!(
                "agent     running, {}",
                if st.locked { "locked" } else { "unlocked" }
            );
        } else {
            println!("agent     not running (commands unlock the vault for one call)");
        }
        if let Some(n) = st.key_count {
            println!("keys      {n}");
        }
    }

    pub fn agent_ready(&self, vault_id: &str, socket: &Path) {
        if self.json {
            println!(
                "{}",
                json!({"version": JSON_VERSION, "result": {"agent": "ready", "vaultId": vault_id, "socket": socket}})
            );
        } else {
            eprintln!(
                "Keyward agent serving vault {vault_id} at {} (SIGTERM or Ctrl-C to stop)",
                socket.display()
            );
        }
    }

    pub fn key_info(&self, k: &KeyInfo, verb: &str) {
        if self.json {
            return self.result(k);
        }
        println!(
            "{verb} {} {} ({}, {})",
            k.alg,
            k.id,
            k.label,
            &k.fingerprint[..16]
        );
    }

    pub fn key_list(&self, keys: &[KeyInfo]) {
        if self.json {
            return self.result(&keys);
        }
        if keys.is_empty() {
            println!("no keys (create one: keyward-cli key gen --alg p256)");
            return;
        }
        let w = keys
            .iter()
            .map(|k| k.label.chars().count())
            .max()
            .unwrap_or(5)
            .max(5);
        println!(
            "{:<16}  {:<w$}  {:<9}  {:<16}  {:<20}  TAGS",
            "ID", "LABEL", "ALG", "FINGERPRINT", "CREATED"
        );
        for k in keys {
            println!(
                "{:<16}  {:<w$}  {:<9}  {:<16}  {:<20}  {}",
                k.id,
                k.label,
                k.alg,
                &k.fingerprint[..16],
                k.created_at,
                k.tags.join(",")
            );
        }
    }

    pub fn key_detail(&self, d: &KeyDetail) {
        if self.json {
            return self.result(d);
        }
        println!("id           {}", d.info.id);
        println!("label        {}", d.info.label);
        println!("algorithm    {}", d.info.alg);
        println!("fingerprint  {}", d.info.fingerprint);
        println!("created      {}", d.info.created_at);
        println!("origin       {}", d.info.origin);
        println!("tags         {}", d.info.tags.join(", "));
        println!("jwk kid      {}", d.jwk.kid);
        for v in &d.exports {
            if matches!(
                v.format,
                PublicFormat::Pem | PublicFormat::Jwk | PublicFormat::Fingerprint
            ) {
                continue;
            }
            println!("{:<12} {}", v.format.as_str(), v.value.trim_end());
        }
        print!("{}", d.public_pem);
    }

    pub fn export(&self, format: &str, text: &str) {
        if self.json {
            return self.result(&json!({"format": format, "text": text}));
        }
        print!("{text}");
    }

    /// After a QR code was written: JSON carries the symbol's facts (and the data when it
    /// went nowhere else); humans writing to a file get a one-line summary.
    pub fn qr(
        &self,
        qr: &keyward_crypto::qr::Qr,
        format: keyward_crypto::qr::QrFormat,
        bytes: &[u8],
        file: Option<&Path>,
    ) {
        use base64::Engine;
        use keyward_crypto::qr::QrFormat;
        let name = match format {
            QrFormat::Svg => "svg",
            QrFormat::Png => "png",
            QrFormat::Term => "term",
        };
        if self.json {
            let mut v = json!({
                "format": name,
                "ecLevel": qr.ec_level().to_string(),
                "version": qr.version(),
                "modules": qr.modules(),
            });
            match file {
                Some(f) => v["out"] = json!(f),
                None if format == QrFormat::Png => {
                    v["base64"] = json!(base64::engine::general_purpose::STANDARD.encode(bytes))
                }
                None => v["text"] = json!(String::from_utf8_lossy(bytes)),
            }
            return self.result(&v);
        }
        if let Some(f) = file {
            eprintln!(
                "Wrote {} ({name}, version {}, level {}, {}×{} modules)",
                f.display(),
                qr.version(),
                qr.ec_level(),
                qr.modules(),
                qr.modules()
            );
        }
    }

    /// Renders `data` as a QR code to `render.out` or standard output, then says what was written.
    pub fn qr_code(&self, data: &[u8], render: &QrRender) -> Result<()> {
        use keyward_crypto::qr::{Qr, QrFormat};
        use std::io::{IsTerminal, Write};
        let qr = Qr::encode(data)?;
        let scale = render.scale as usize;
        let (format, bytes) = match render.format {
            QrFmt::Svg => (QrFormat::Svg, qr.svg(scale).into_bytes()),
            QrFmt::Png => (QrFormat::Png, qr.png(scale)),
            QrFmt::Term => (QrFormat::Term, qr.term().into_bytes()),
        };
        match &render.out {
            Some(path) => std::fs::write(path, &bytes)
                .map_err(|e| VaultError::Io(format!("cannot write {}: {e}", path.display())))?,
            None if format == QrFormat::Png && self.json => {}
            None if format == QrFormat::Png && std::io::stdout().is_terminal() => {
                return Err(VaultError::Remote(keyward_vault::ErrorBody {
                    code: "qr.binary_to_terminal".into(),
                    message: "a PNG would be written to the terminal".into(),
                    hint: "Add --out FILE, or redirect standard output to a file.".into(),
                    candidates: None,
                }))
            }
            None if !self.json => std::io::stdout().write_all(&bytes)?,
            None => {}
        }
        self.qr(&qr, format, &bytes, render.out.as_deref());
        Ok(())
    }

    pub fn audit_list(&self, entries: &[AuditEntry]) {
        if self.json {
            return self.result(&entries);
        }
        if entries.is_empty() {
            println!("no audit entries");
            return;
        }
        println!(
            "{:>6}  {:<20}  {:<5}  {:<18}  {:<16}  SUMMARY",
            "SEQ", "AT", "ACTOR", "ACTION", "KEY"
        );
        for e in entries {
            println!(
                "{:>6}  {:<20}  {:<5}  {:<18}  {:<16}  {}",
                e.seq,
                e.at,
                e.actor,
                e.action,
                e.key_id.as_deref().unwrap_or("-"),
                e.summary
            );
        }
    }

    pub fn audit_report(&self, r: &AuditReport) {
        if self.json {
            return self.result(r);
        }
        if r.ok {
            println!(
                "audit log intact: {} entries, anchored through #{}, {} unanchored{}",
                r.rows,
                r.anchored_through,
                r.unanchored,
                if r.anchor_checked {
                    ""
                } else {
                    " (anchor not checked: vault locked)"
                }
            );
        } else {
            println!("audit log ALTERED ({} entries):", r.rows);
            for p in &r.problems {
                let line = match p {
                    AuditProblem::Edited { seq } => format!("entry #{seq} was edited"),
                    AuditProblem::Broken { seq } => format!("entry #{seq} does not follow the one before it"),
                    AuditProblem::Gap { after, next } => format!("entries between #{after} and #{next} were deleted"),
                    AuditProblem::Truncated { anchored, last } => format!("the newest entries were deleted: the anchor vouches for #{anchored}, the log ends at #{last}"),
                    AuditProblem::Rewritten { seq } => format!("the chain was rewritten: entry #{seq} differs from the anchored one"),
                    AuditProblem::AnchorInvalid => "the keychain anchor does not open with this vault's key".to_string(),
                    AuditProblem::AnchorMissing => "the keychain anchor is missing".to_string(),
                };
                println!("  - {line}");
            }
        }
    }

    pub fn backup_created(&self, b: &BackupFile, path: &Path, bytes: usize) {
        if self.json {
            return self.result(&json!({
                "file": path.display().to_string(),
                "bytes": bytes,
                "keys": b.keys,
                "createdAt": b.created_at,
            }));
        }
        println!(
            "Backed up {} keys to {} ({bytes} bytes, encrypted)",
            b.keys,
            path.display()
        );
    }

    pub fn restored(&self, r: &RestoreReport) {
        if self.json {
            return self.result(r);
        }
        println!(
            "Restored {} keys into new vault {} (from vault {}, backup of {})",
            r.keys, r.vault_id, r.source_vault_id, r.backup_created_at
        );
        if r.profiles > 0 {
            println!(
                "  and {} service profiles with {} credentials",
                r.profiles, r.credentials
            );
        }
    }

    pub fn backup_summary(&self, s: &BackupSummary) {
        if self.json {
            return self.result(s);
        }
        println!(
            "A Keyward backup of vault {} made {} ({} mode): it opens and every key checks",
            s.source_vault_id, s.created_at, s.source_mode
        );
        println!(
            "{} keys, {} service profiles, {} credentials",
            s.keys, s.profiles, s.credentials
        );
        for k in &s.key_list {
            let fp = &k.fingerprint[..16.min(k.fingerprint.len())];
            println!("  key      {:<9}  {fp}  {}", k.alg, k.label);
        }
        for p in &s.profile_list {
            println!(
                "  service  {} ({}, {} credentials)",
                p.name, p.kind, p.credentials
            );
        }
    }

    pub fn merged(&self, r: &MergeReport) {
        if self.json {
            return self.result(r);
        }
        println!(
            "Merged a backup of vault {} (made {}): added {} keys, {} service profiles, {} credentials",
            r.source_vault_id,
            r.backup_created_at,
            r.keys_added,
            r.profiles_added,
            r.credentials_added
        );
        for k in &r.skipped_keys {
            let why = match k.reason {
                SkipReason::SameId => "this vault has a key with its id",
                SkipReason::SameFingerprint => "this vault has the same key",
            };
            println!("  skipped key {} ({}): {why}", k.label, k.id);
        }
        for p in &r.skipped_profiles {
            println!("  skipped service {p}: this vault has a service of that name (kept as it is, with its credentials)");
        }
    }

    pub fn repair(&self, r: &RepairReport) {
        if self.json {
            return self.result(r);
        }
        for d in &r.done {
            match d {
                Repair::RowRecovered { id } => println!(
                    "recovered the row of key {id} (label recovered-{})",
                    &id[..6.min(id.len())]
                ),
                Repair::DeleteFinished { id } => println!("finished deleting key {id}"),
                Repair::OrphanDeleted { account } => {
                    println!("deleted keychain item {account} (not a key of this vault)")
                }
                Repair::DeadRowRemoved { id } => {
                    println!("removed the row of key {id} (its secret was gone)")
                }
            }
        }
        if !r.needs_confirmation.is_empty() {
            println!(
                "{} destructive repairs need confirmation: run keyward-cli doctor --repair --yes",
                r.needs_confirmation.len()
            );
        }
        self.doctor(&r.after);
    }

    pub fn doctor(&self, r: &DoctorReport) {
        if self.json {
            return self.result(r);
        }
        println!(
            "vault {}: {} index rows, {} keychain items",
            r.vault_id, r.rows, r.items
        );
        if r.healthy {
            println!("healthy");
            return;
        }
        for p in &r.problems {
            match p {
                Problem::RowWithoutItem { id, label } => {
                    println!("row without keychain item: {id} ({label})")
                }
                Problem::ItemWithoutRow { account } => {
                    println!("keychain item without index row: {account}")
                }
                Problem::Tombstone { id, label } => println!("unfinished delete: {id} ({label})"),
                Problem::VaultKeyMissing => {
                    println!("the vault key item is missing from the keychain")
                }
            }
        }
        println!(
            "{} problem(s); repair comes in a later version",
            r.problems.len()
        );
    }
}

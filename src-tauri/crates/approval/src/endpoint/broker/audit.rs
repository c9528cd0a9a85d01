//! The audit queue: what the broker does is queued in memory and written to the vault's log
//! in one transaction per batch ([`Broker::flush_audit`], which the server calls every
//! `Config::audit_flush`); refused calls are counted per app and error code and written as one
//! row per app.

use std::collections::BTreeMap;

use keyward_vault::access::on_vault;

use super::Broker;
use crate::endpoint::error::EndpointError;

#[derive(Default)]
pub(super) struct AuditQueue {
    entries: Vec<(String, Option<String>, String)>,
    /// app name → error code → count.
    refusals: BTreeMap<String, BTreeMap<String, u64>>,
}

impl Broker {
    pub(super) fn queue(&self, action: &str, key_id: Option<String>, summary: String) {
        self.audit
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entries
            .push((action.to_owned(), key_id, summary));
    }

    /// Counts a refused call against `app` (an app name, or `unauthenticated`).
    pub(crate) fn count_refusal(&self, app: &str, code: &str) {
        let mut q = self.audit.lock().unwrap_or_else(|p| p.into_inner());
        *q.refusals
            .entry(app.to_owned())
            .or_default()
            .entry(code.to_owned())
            .or_default() += 1;
    }

    /// Writes the queued audit entries in one transaction; with `refusals`, also one row
    /// per app that had calls refused since the last such flush.
    pub fn flush_audit(&self, refusals: bool) -> Result<(), EndpointError> {
        let mut batch = {
            let mut q = self.audit.lock().unwrap_or_else(|p| p.into_inner());
            let mut batch = std::mem::take(&mut q.entries);
            if refusals {
                for (app, codes) in std::mem::take(&mut q.refusals) {
                    let total: u64 = codes.values().sum();
                    let detail: Vec<String> =
                        codes.iter().map(|(c, n)| format!("{c} ×{n}")).collect();
                    batch.push((
                        "approval.refusals".to_owned(),
                        None,
                        format!("refused {total} calls from {app}: {}", detail.join(", ")),
                    ));
                }
            }
            batch
        };
        if batch.is_empty() {
            return Ok(());
        }
        let result = on_vault(self.vault.as_ref(), |v| v.log_batch(&batch));
        if result.is_err() {
            // Keep them for the next flush rather than lose them.
            let mut q = self.audit.lock().unwrap_or_else(|p| p.into_inner());
            batch.append(&mut q.entries);
            q.entries = batch;
        }
        Ok(result?)
    }
}

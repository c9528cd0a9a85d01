// The audit log: its entries, its verification and its export.
import type { AuditEntry } from '../bindings/AuditEntry';
import type { AuditFilter } from '../bindings/AuditFilter';
import type { AuditProblem } from '../bindings/AuditProblem';
import type { AuditReport } from '../bindings/AuditReport';
import type { ExportFormat } from '../bindings/ExportFormat';
import { call } from './core';

export type { AuditEntry, AuditFilter, AuditProblem, AuditReport, ExportFormat };

/** Every action the audit log records, in the order the Activity filter offers them. */
export { AUDIT_ACTIONS } from '../bindings/tables';

/** Audit entries, newest first. */
export const auditList = (filter?: AuditFilter | null): Promise<AuditEntry[]> =>
  call('audit_list', { filter: filter ?? null });

export const auditVerify = (): Promise<AuditReport> => call('audit_verify');

/** What `audit_export` wrote (a JSON object the desktop shell builds, so typed here). */
export interface AuditExport {
  path: string;
  /** How many entries. */
  count: number;
}

/**
 * Writes the entries `filter` selects (all without one; a `limit` in it is honoured), oldest
 * first, to a file picked in a native Save dialog (it starts in Documents, else home, with
 * `keyward-activity-YYYY-MM-DD.csv|jsonl` proposed): the same text `keyward-cli audit export`
 * writes. `ui.cancelled` when the dialog is closed.
 */
export const auditExport = (format: ExportFormat, filter?: AuditFilter | null): Promise<AuditExport> =>
  call('audit_export', { format, filter: filter ?? null });

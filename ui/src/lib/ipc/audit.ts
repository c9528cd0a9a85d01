// The audit log: its entries and its verification.
import type { AuditEntry } from '../bindings/AuditEntry';
import type { AuditFilter } from '../bindings/AuditFilter';
import type { AuditProblem } from '../bindings/AuditProblem';
import type { AuditReport } from '../bindings/AuditReport';
import { call } from './core';

export type { AuditEntry, AuditFilter, AuditProblem, AuditReport };

/** Every action the audit log records, in the order the Activity filter offers them. */
export { AUDIT_ACTIONS } from '../bindings/tables';

/** Audit entries, newest first. */
export const auditList = (filter?: AuditFilter | null): Promise<AuditEntry[]> =>
  call('audit_list', { filter: filter ?? null });

export const auditVerify = (): Promise<AuditReport> => call('audit_verify');

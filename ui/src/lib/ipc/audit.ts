// The audit log: its entries and its verification.
import type { AuditEntry } from '../bindings/AuditEntry';
import type { AuditFilter } from '../bindings/AuditFilter';
import type { AuditProblem } from '../bindings/AuditProblem';
import type { AuditReport } from '../bindings/AuditReport';
import { call } from './core';

export type { AuditEntry, AuditFilter, AuditProblem, AuditReport };

/** Every action the audit log records, in the order the Activity filter offers them. */
export const AUDIT_ACTIONS = [
  'vault.init',
  'vault.unlock',
  'vault.unlock_failed',
  'vault.lock',
  'key.generate',
  'key.import',
  'key.export',
  'key.export_private',
  'key.reveal',
  'key.rename',
  'key.tag',
  'key.delete',
  'backup.create',
  'backup.restore',
  'doctor.repair',
  'key.sign',
  'key.policy',
  'jwt.mint',
  'siwe.sign',
  'service.add',
  'service.update',
  'service.remove',
  'credential.store',
  'credential.delete',
  'approval.asked',
  'approval.shown',
  'approval.approved',
  'approval.denied',
  'approval.expired',
  'approval.withdrawn',
  'approval.refused',
  'approval.refusals',
  'approval.signed',
  'approval.pair_asked',
  'approval.pair_denied',
  'approval.pair_expired',
  'app.pair',
  'app.unpair',
  'grant.add',
  'grant.revoke',
  'grant.drop',
  'endpoint.key',
  'link.delivered',
  'link.delivery_failed',
] as const;

/** Audit entries, newest first. */
export const auditList = (filter?: AuditFilter | null): Promise<AuditEntry[]> =>
  call('audit_list', { filter: filter ?? null });

export const auditVerify = (): Promise<AuditReport> => call('audit_verify');

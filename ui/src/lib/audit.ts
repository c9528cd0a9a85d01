// Wording of the Activity screen: action names, filters, and the verify report in plain words.
import { AUDIT_ACTIONS, type AuditEntry, type AuditProblem, type AuditReport } from './ipc';

/** What each action means, for the filter and the rows. */
export const ACTION_LABELS: Record<(typeof AUDIT_ACTIONS)[number], string> = {
  'vault.init': 'Vault created',
  'vault.unlock': 'Unlocked',
  'vault.unlock_failed': 'Unlock failed',
  'vault.lock': 'Locked',
  'key.generate': 'Key generated',
  'key.import': 'Key imported',
  'key.export': 'Public key exported',
  'key.export_private': 'Private key exported',
  'key.reveal': 'Private key revealed',
  'key.rename': 'Key renamed',
  'key.tag': 'Tags changed',
  'key.delete': 'Key deleted',
  'backup.create': 'Backup created',
  'backup.restore': 'Backup restored',
  'doctor.repair': 'Repaired by doctor',
  'key.sign': 'Signed',
  'key.policy': 'Usage policy changed',
  'jwt.mint': 'Token minted',
  'siwe.sign': 'Signed in (SIWE)',
  'service.add': 'Service added',
  'service.update': 'Service updated',
  'service.remove': 'Service removed',
  'credential.store': 'Credential stored',
  'credential.delete': 'Credential deleted',
  'approval.asked': 'App asked',
  'approval.shown': 'Prompt shown',
  'approval.approved': 'Approved',
  'approval.denied': 'Denied',
  'approval.expired': 'Request expired',
  'approval.withdrawn': 'Request withdrawn',
  'approval.refused': 'Refused without a prompt',
  'approval.refusals': 'Calls refused',
  'approval.signed': 'Signed for an app',
  'approval.pair_asked': 'App asked to pair',
  'approval.pair_denied': 'Pairing refused',
  'approval.pair_expired': 'Pairing expired',
  'app.pair': 'App paired',
  'app.unpair': 'App unpaired',
  'grant.add': 'Grant made',
  'grant.revoke': 'Grant revoked',
  'grant.drop': 'Grants ended by lock',
  'endpoint.key': 'Endpoint key created',
  'link.delivered': 'Answer sent to a link',
  'link.delivery_failed': 'Answer to a link not delivered',
};

export function actionLabel(action: string): string {
  return (ACTION_LABELS as Record<string, string>)[action] ?? action;
}

/** Families first (prefix filters the back end understands), then every exact action. */
export const ACTION_FAMILIES: readonly { value: string; label: string }[] = [
  { value: 'key.', label: 'Keys' },
  { value: 'vault.', label: 'Vault' },
  { value: 'backup.', label: 'Backups' },
  { value: 'jwt.', label: 'Tokens' },
  { value: 'service.', label: 'Services' },
  { value: 'credential.', label: 'Credentials' },
  { value: 'approval.', label: 'Approvals' },
  { value: 'app.', label: 'Paired apps' },
  { value: 'grant.', label: 'Grants' },
  { value: 'link.', label: 'Deep links' },
];

/** Actions that put a private key in front of someone: shown with a warning colour. */
export function isSensitive(action: string): boolean {
  return action === 'key.reveal' || action === 'key.export_private';
}

/** The start of a hex hash, for tooltips. */
export function shortHash(hash: string): string {
  return hash.slice(0, 16);
}

/** The tooltip of a row: its hash and the one it links to. */
export function rowTitle(e: AuditEntry): string {
  return `#${e.seq} hash ${shortHash(e.hash)}… (follows ${shortHash(e.prev)}…)`;
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** RFC 3339 → "YYYY-MM-DD HH:MM:SS" in local time; unparsable input is shown as is. */
export function formatTime(rfc3339: string): string {
  const d = new Date(rfc3339);
  if (Number.isNaN(d.getTime())) return rfc3339;
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  );
}

/** Entries whose summary contains every word of `query` (case-insensitive). */
export function searchEntries(entries: AuditEntry[], query: string): AuditEntry[] {
  const words = query.toLowerCase().split(/\s+/).filter((w) => w !== '');
  if (words.length === 0) return entries;
  return entries.filter((e) => {
    const s = e.summary.toLowerCase();
    return words.every((w) => s.includes(w));
  });
}

/** One verify problem in plain words. */
export function describeProblem(p: AuditProblem): string {
  switch (p.kind) {
    case 'edited':
      return `Edited entry #${p.seq}: its contents no longer match its hash.`;
    case 'broken':
      return `Entry #${p.seq} does not follow the one before it: entries were deleted or reordered.`;
    case 'gap':
      return `Entries deleted between #${p.after} and #${p.next}.`;
    case 'truncated':
      return `Newest entries deleted (anchor vouches for #${p.anchored}, log ends at #${p.last}).`;
    case 'rewritten':
      return `Chain rewritten: entry #${p.seq} is not the one the keychain anchor vouches for.`;
    case 'anchor_invalid':
      return 'Anchor invalid: the keychain anchor does not open with this vault’s key.';
    case 'anchor_missing':
      return 'Anchor missing: the keychain item that vouches for the log is gone.';
    default:
      return `Unknown problem: ${JSON.stringify(p)}`;
  }
}

/** The headline of a verify report. */
export function verifySummary(r: AuditReport): string {
  if (!r.ok) {
    const n = r.problems.length;
    return `Tampering detected: ${n} ${n === 1 ? 'problem' : 'problems'} in ${r.rows} ${r.rows === 1 ? 'entry' : 'entries'}.`;
  }
  let s = `Intact: ${r.rows} ${r.rows === 1 ? 'entry' : 'entries'}, anchored through #${r.anchoredThrough}, ${r.unanchored} not yet anchored`;
  if (!r.anchorChecked) s += ' (the keychain anchor was not checked)';
  return s;
}

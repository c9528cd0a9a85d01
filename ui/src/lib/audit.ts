// Wording of the Activity screen: action names, filters, and the verify report in plain words.
import type { AuditEntry, AuditProblem, AuditReport } from './ipc';

/**
 * What each action means, for the filter and the rows. Every action of `AUDIT_ACTIONS` has one
 * (a unit test checks); a few the back end logs outside that list have one too.
 */
export const ACTION_LABELS: Readonly<Record<string, string>> = {
  'vault.init': 'Vault created',
  'vault.unlock': 'Unlocked',
  'vault.unlock_failed': 'Unlock failed',
  'vault.lock': 'Locked',
  'vault.passphrase_change': 'Passphrase changed',
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
  'backup.merge': 'Backup restored into this vault',
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
  'settings.set': 'Setting changed',
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

/** A label for an action the app has no words for yet: its words, not its code. */
function fallbackLabel(action: string): string {
  const words = action.replace(/[._]+/g, ' ').trim();
  return words === '' ? action : words.charAt(0).toUpperCase() + words.slice(1);
}

export function actionLabel(action: string): string {
  return ACTION_LABELS[action] ?? fallbackLabel(action);
}

/** Who wrote an entry (`app`, `cli`, `agent`), for people. */
export function actorLabel(actor: string): string {
  return ACTOR_LABELS[actor] ?? actor;
}

const ACTOR_LABELS: Readonly<Record<string, string>> = {
  app: 'App',
  cli: 'CLI',
  agent: 'Agent',
};

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

/** The tooltip of a row: its code, its hash and the one it links to (for a bug report or the CLI). */
export function rowTitle(e: AuditEntry): string {
  return `#${e.seq} ${e.action} · hash ${shortHash(e.hash)}… (follows ${shortHash(e.prev)}…)`;
}

// ---------------------------------------------------------------------------------------------
// Summaries in plain words. The back end writes one line per entry for the CLI's `audit list`;
// the window shows it without internal names (a request's kind, a scheme's id), without the
// hash of what a prompt showed (that hash groups a request's entries instead), and with its
// grammar mended.

/** What an app asked for, after "asked" (`“App” asked: sign_message`). */
const ASKED: Readonly<Record<string, string>> = {
  sign_message: 'to sign a message',
  sign_digest: 'to sign a digest',
  siwe_login: 'to sign in with Ethereum',
  mint_jwt: 'for a token (JWT)',
};

/** A request's kind anywhere else (`“App”'s mint_jwt expired unanswered`). */
const KIND_NOUNS: Readonly<Record<string, string>> = {
  sign_message: 'request to sign a message',
  sign_digest: 'request to sign a digest',
  siwe_login: 'Sign-In with Ethereum request',
  mint_jwt: 'token request',
};

const SCHEME_NAMES: Readonly<Record<string, string>> = {
  raw: 'raw ECDSA',
  eip191: 'EIP-191',
  bsm: 'Bitcoin signed message',
  eos: 'EOS',
  ed25519: 'Ed25519',
};

const PUBLIC_FORMAT_NAMES: Readonly<Record<string, string>> = {
  pem: 'PEM',
  jwk: 'JWK',
  jwks: 'a JWK Set',
  openssh: 'OpenSSH',
  eth: 'an Ethereum address',
  eos: 'an EOS key',
  'eos-legacy': 'a legacy EOS key',
  btc: 'a Bitcoin address',
  xpub: 'an xpub',
  fingerprint: 'a fingerprint',
};

const PRIVATE_FORMAT_NAMES: Readonly<Record<string, string>> = {
  pem: 'PEM (PKCS#8)',
  'pkcs8-enc': 'encrypted PEM (PKCS#8)',
  jwk: 'JWK',
  wif: 'WIF',
  hex: 'hex',
  xprv: 'an xprv',
};

/** "a" or "an" before `word` as it is read aloud ("an ES256", "an RS256", "a PS256"). */
export function article(word: string): 'a' | 'an' {
  if (/^[aeiou]/i.test(word)) return 'an';
  // An initialism whose first letter's name starts with a vowel sound (F, H, L, M, N, R, S, X).
  if (/^[FHLMNRSX][A-Z0-9]/.test(word)) return 'an';
  return 'a';
}

const KIND = /\b(sign_message|sign_digest|siwe_login|mint_jwt)\b/g;
const SHOWN = /\s*\(shown ([0-9a-f]{6,})…?\)/;

/** A summary in plain words, and the hash of what the prompt showed (null: none). */
export interface ReadableSummary {
  text: string;
  /** The start of the hash of the request the entry belongs to. */
  request: string | null;
}

export function readableSummary(summary: string): ReadableSummary {
  let text = summary;
  let request: string | null = null;
  const shown = SHOWN.exec(text);
  if (shown) {
    request = shown[1];
    text = text.replace(SHOWN, '');
  }
  text = text
    .replace(/\basked: (sign_message|sign_digest|siwe_login|mint_jwt)\b/, (_, k: string) => `asked ${ASKED[k]}`)
    .replace(KIND, (k: string) => KIND_NOUNS[k] ?? k)
    // "approved (and granted 5 min) “App”'s …" → "approved “App”'s …, and granted 5 min"
    .replace(/^(approved|denied) \((and granted [^)]*)\) (.+)$/, '$1 $3, $2')
    .replace(/\bminted a engine /, 'minted a thirdweb Engine ')
    .replace(/\bminted a generic /, 'minted a ')
    .replace(/\bminted a (\S+)/, (_, w: string) => `minted ${article(w)} ${w}`)
    .replace(/\bsigned with (raw|eip191|bsm|eos|ed25519)\b/, (_, s: string) => `signed with ${SCHEME_NAMES[s]}`)
    .replace(/\bpublic key as ([a-z0-9-]+)$/, (m, f: string) =>
      PUBLIC_FORMAT_NAMES[f] ? `public key as ${PUBLIC_FORMAT_NAMES[f]}` : m,
    )
    .replace(/\bprivate key as ([a-z0-9-]+)$/, (m, f: string) =>
      PRIVATE_FORMAT_NAMES[f] ? `private key as ${PRIVATE_FORMAT_NAMES[f]}` : m,
    )
    .replace(/^vault created \(mode passphrase\)$/, 'vault created, protected by a passphrase')
    .replace(/^vault created \(mode none\)$/, 'vault created without a passphrase')
    // Internal ids of apps and grants (the app is named beside them).
    .replace(/ \((?:grant )?[0-9a-f]{16}\)/g, '')
    .replace(/\brevoked grant [0-9a-f]{16} of /, 'revoked a grant of ')
    // The error codes of refused calls: their count says enough here.
    .replace(/^(refused \d+ calls? from .+?): \S+ ×\d+.*$/, '$1')
    .replace(/ {2,}/g, ' ');
  text = text.charAt(0).toUpperCase() + text.slice(1);
  return { text, request };
}

/**
 * Entries shown as one row: an app's request writes several entries (asked, shown, approved,
 * signed) that share the hash of what the prompt showed. The newest of them heads the group;
 * the others are its steps, newest first.
 */
export interface EntryGroup {
  head: AuditEntry;
  steps: AuditEntry[];
}

/** `entries` (newest first) grouped by request, in the order of their newest entry. */
export function groupEntries(entries: readonly AuditEntry[]): EntryGroup[] {
  const groups: EntryGroup[] = [];
  const byRequest = new Map<string, EntryGroup>();
  for (const e of entries) {
    const request = readableSummary(e.summary).request;
    const group = request === null ? undefined : byRequest.get(request);
    if (group) {
      group.steps.push(e);
      continue;
    }
    const g: EntryGroup = { head: e, steps: [] };
    groups.push(g);
    if (request !== null) byRequest.set(request, g);
  }
  return groups;
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

/**
 * Entries whose words contain every word of `query` (case-insensitive): the summary as shown
 * and as logged, and the action's label.
 */
export function searchEntries(entries: AuditEntry[], query: string): AuditEntry[] {
  const words = query.toLowerCase().split(/\s+/).filter((w) => w !== '');
  if (words.length === 0) return entries;
  return entries.filter((e) => {
    const s = `${readableSummary(e.summary).text} ${e.summary} ${actionLabel(e.action)}`.toLowerCase();
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

/** The headline of a verify report ("Intact: …" or "Tampering detected: …"). */
export function verifySummary(r: AuditReport): string {
  if (!r.ok) {
    const n = r.problems.length;
    return `Tampering detected: ${n} ${n === 1 ? 'problem' : 'problems'} in ${r.rows} ${r.rows === 1 ? 'entry' : 'entries'}.`;
  }
  if (r.rows === 0) return 'Intact: the log is empty.';
  return r.rows === 1
    ? 'Intact: the 1 entry is as it was written.'
    : `Intact: all ${r.rows} entries are as they were written, none removed or reordered.`;
}

/** What an intact report's anchor covers, in plain words. */
export function verifyDetail(r: AuditReport): string {
  if (!r.anchorChecked) {
    return 'The keychain anchor was not checked (it needs the vault unlocked), so the newest entries could have been removed unseen.';
  }
  if (r.unanchored === 0) {
    return r.rows === 0
      ? 'Nothing has been logged yet.'
      : `The keychain anchor vouches for every entry up to #${r.anchoredThrough}, so even removing the newest ones would show.`;
  }
  const newer = r.unanchored === 1 ? 'the 1 newer entry is' : `the ${r.unanchored} newer entries are`;
  return r.anchoredThrough === 0
    ? `No entry is anchored in the keychain yet: ${newer} checked by their chain only, until the next anchor.`
    : `The keychain anchor vouches for entries up to #${r.anchoredThrough}; ${newer} checked by their chain only, until the next anchor.`;
}

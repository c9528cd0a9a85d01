import type { KeyAlg } from './ipc';

/** A short, recognisable prefix of a key fingerprint for lists. */
export function shortFingerprint(fp: string): string {
  const m = /^([A-Za-z0-9-]+):(.*)$/.exec(fp);
  const body = m ? m[2] : fp;
  const short = body.length > 16 ? `${body.slice(0, 16)}…` : body;
  return m ? `${m[1]}:${short}` : short;
}

/** An address shortened in the middle, so both ends (what people compare) stay. */
export function shortAddress(a: string): string {
  return a.length > 22 ? `${a.slice(0, 10)}…${a.slice(-8)}` : a;
}

/** What a key goes by in a list: its address (wallet keys) or its fingerprint. */
export function keyIdentity(key: {
  fingerprint: string;
  address?: { title: string; value: string };
}): { title: string; short: string; full: string } {
  if (key.address) {
    return { title: key.address.title, short: shortAddress(key.address.value), full: key.address.value };
  }
  return { title: 'Fingerprint (SHA-256)', short: shortFingerprint(key.fingerprint), full: key.fingerprint };
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** RFC 3339 → "YYYY-MM-DD HH:MM" in local time; unparsable input is shown as is. */
export function formatDate(rfc3339: string): string {
  const d = new Date(rfc3339);
  if (Number.isNaN(d.getTime())) return rfc3339;
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}`
  );
}

/** Short names, used on badges and in progress text. */
export const ALG_NAMES: Record<KeyAlg, string> = {
  p256: 'P-256',
  p384: 'P-384',
  secp256k1: 'secp256k1',
  ed25519: 'Ed25519',
  rsa2048: 'RSA-2048',
  rsa3072: 'RSA-3072',
  rsa4096: 'RSA-4096',
};

/** Longer names for pickers: what each algorithm is typically used for. */
export const ALG_OPTION_LABELS: Record<KeyAlg, string> = {
  p256: 'P-256 (ES256)',
  p384: 'P-384 (ES384)',
  secp256k1: 'secp256k1 (Ethereum, Bitcoin, EOS)',
  ed25519: 'Ed25519 (EdDSA, SSH)',
  rsa2048: 'RSA 2048',
  rsa3072: 'RSA 3072',
  rsa4096: 'RSA 4096',
};

export function algName(alg: string): string {
  return (ALG_NAMES as Record<string, string>)[alg] ?? alg;
}

/** The signature scheme family of an algorithm. */
export function algFamily(alg: string): string {
  if (alg.startsWith('rsa')) return 'RSA';
  if (alg === 'ed25519') return 'EdDSA';
  return 'ECDSA';
}

/** RSA generation takes seconds; EC keys are instant. */
export function isSlowAlg(alg: string): boolean {
  return alg.startsWith('rsa');
}

/** Trimmed text, or null when empty (optional labels). */
export function optional(text: string): string | null {
  const t = text.trim();
  return t === '' ? null : t;
}

/** The tag rule of the vault: lower case, 1 to 32 of `a-z 0-9 - _ . :`. */
const TAG_RE = /^[a-z0-9_.:-]{1,32}$/;

export interface ParsedTags {
  tags: string[];
  /** Entries that break the tag rule, as typed (lower-cased). */
  invalid: string[];
}

/** Splits "a, b c" into tags: comma or whitespace separated, lower-cased, de-duplicated. */
export function parseTags(text: string): ParsedTags {
  const tags: string[] = [];
  const invalid: string[] = [];
  for (const raw of text.split(/[\s,]+/)) {
    const t = raw.trim().toLowerCase();
    if (t === '') continue;
    if (!TAG_RE.test(t)) {
      if (!invalid.includes(t)) invalid.push(t);
    } else if (!tags.includes(t)) {
      tags.push(t);
    }
  }
  return { tags, invalid };
}

/** The inline message for tags that break the rule, or '' when all are fine. */
export function tagProblem(invalid: string[]): string {
  if (invalid.length === 0) return '';
  const list = invalid.map((t) => `“${t.length > 40 ? `${t.slice(0, 40)}…` : t}”`).join(', ');
  return `Invalid tag ${list}: use 1 to 32 of a–z, 0–9, -, _, . and :`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return n === 1 ? one : many;
}

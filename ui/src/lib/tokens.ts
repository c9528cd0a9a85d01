// The Tokens screen's pure parts: which JOSE algorithms a key and a mode allow, the expiry
// countdown, custom claim rows, and the header and curl command a minted token is copied as.
import { DEFAULT_JWS_ALG, ENGINE_ALGS, JWS_ALGS, JWS_FITS } from './bindings/tables';
import type { JwsAlg, JwtMode, KeyAlg } from './ipc';

/**
 * Every algorithm, in the order the pickers list them (keyward_crypto::sign::JwsAlg::ALL), and
 * what thirdweb Engine accepts for keypair tokens (keyward_crypto::jwt::ENGINE_ALGS).
 */
export { ENGINE_ALGS, JWS_ALGS };

/** Whether a key of `alg` signs with `jws` (keyward_crypto::sign::JwsAlg::fits). */
export function jwsFits(jws: JwsAlg, alg: KeyAlg | string): boolean {
  return (JWS_FITS[jws] as readonly string[]).includes(alg);
}

/** The algorithm a key mints with when none is chosen (keyward_crypto::sign::JwsAlg::default_for). */
export function defaultJwsAlg(alg: KeyAlg | string): JwsAlg {
  return (DEFAULT_JWS_ALG as Readonly<Record<string, JwsAlg>>)[alg] ?? 'RS256';
}

/** The algorithms a key may mint with in `mode` (Engine: its four only). */
export function mintAlgs(alg: KeyAlg | string, mode: JwtMode): JwsAlg[] {
  const list = mode === 'engine' ? ENGINE_ALGS : JWS_ALGS;
  return list.filter((j) => jwsFits(j, alg));
}

/** Whether Engine can register a key of `alg` (P-256, P-384, RSA). */
export function engineKeyAlg(alg: KeyAlg | string): boolean {
  return mintAlgs(alg, 'engine').length > 0;
}

/** The two ways to mint, as the Type picker names them (a standard JWT first: it is the default). */
export const MINT_MODES: readonly { id: JwtMode; title: string }[] = [
  { id: 'generic', title: 'Standard JWT' },
  { id: 'engine', title: 'thirdweb Engine' },
];

/**
 * Why `secs` is not an acceptable lifetime ('' when it is): whole seconds, at least 1, and at
 * most `max` (the longest lifetime set in Settings) when known.
 */
export function lifetimeProblem(secs: number, max: number | null): string {
  if (!Number.isInteger(secs) || secs < 1) return 'Give the lifetime in whole seconds, at least 1.';
  if (max !== null && secs > max) return `At most ${max} s: that is the longest lifetime set in Settings.`;
  return '';
}

export interface Countdown {
  /** Whole seconds left (0 or less: expired). */
  secs: number;
  expired: boolean;
  text: string;
}

/** `expires in 12 s`, `expires in 4 m 05 s`, or `expired` once `expiresAt` (Unix s) is reached. */
export function countdown(expiresAt: number, nowMs: number): Countdown {
  const secs = Math.ceil(expiresAt - nowMs / 1000);
  if (secs <= 0) return { secs: 0, expired: true, text: 'expired' };
  if (secs < 60) return { secs, expired: false, text: `expires in ${secs} s` };
  const m = Math.floor(secs / 60);
  const s = secs % 60;
  return { secs, expired: false, text: `expires in ${m} m ${String(s).padStart(2, '0')} s` };
}

export interface ClaimRow {
  name: string;
  value: string;
}

export type ClaimsResult =
  | { ok: true; claims: Record<string, unknown> }
  | { ok: false; error: string; row: number };

/** Claims Keyward sets itself (from the expiry). */
const STAMPED = ['iat', 'exp'];

/**
 * Custom claim rows → a claims object. A value that is JSON is taken as JSON (`42`, `true`,
 * `["a"]`, `"quoted"`), anything else as a string, as `keyward-cli jwt mint --claim` does.
 * Blank rows are skipped; a name twice, `iat`/`exp`, and `iss` in Engine mode are refused.
 */
export function parseClaimRows(rows: readonly ClaimRow[], mode: JwtMode = 'generic'): ClaimsResult {
  const claims: Record<string, unknown> = {};
  for (let i = 0; i < rows.length; i++) {
    const name = rows[i].name.trim();
    const raw = rows[i].value;
    if (name === '' && raw.trim() === '') continue;
    if (name === '') return { ok: false, error: 'A claim has a value but no name.', row: i };
    if (STAMPED.includes(name)) {
      return { ok: false, error: `${name} is set by Keyward from the expiry.`, row: i };
    }
    if (mode === 'engine' && name === 'iss') {
      return { ok: false, error: 'In Engine mode iss is the key’s PEM.', row: i };
    }
    if (Object.prototype.hasOwnProperty.call(claims, name)) {
      return { ok: false, error: `The claim ${name} is given twice.`, row: i };
    }
    claims[name] = claimValue(raw);
  }
  return { ok: true, claims };
}

/** A claim value: JSON when it parses as JSON, else the text itself. */
export function claimValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** Audience text (comma-separated for several) → the `aud` list. */
export function parseAudience(text: string): string[] {
  return text
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
}

/** Why a JSON body is not usable for `bodyHash` (empty string: it is, or there is none). */
export function bodyProblem(text: string): string {
  if (text.trim() === '') return '';
  try {
    JSON.parse(text);
    return '';
  } catch (err) {
    return `The body is not JSON (${err instanceof Error ? err.message : String(err)}).`;
  }
}

/** `Authorization: Bearer …` */
export function bearerHeader(token: string): string {
  return `Authorization: Bearer ${token}`;
}

/**
 * One word for a POSIX shell: single-quoted, a `'` inside written `'\''`. Words made only of
 * characters no shell treats specially are left bare.
 */
export function shellQuote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `base` and `path` joined by exactly one slash. */
export function joinUrl(base: string, path: string): string {
  const b = base.trim().replace(/\/+$/, '');
  const p = path.trim();
  if (p === '') return b;
  return `${b}/${p.replace(/^\/+/, '')}`;
}

export interface CurlRequest {
  method: string;
  url: string;
  token: string;
  /** Sent as is: for a bound body, exactly the compact body the mint returned. */
  body?: string | null;
}

/** A curl command line sending the token (and body), every argument quoted for a POSIX shell. */
export function curlCommand(r: CurlRequest): string {
  const method = r.method.trim().toUpperCase() || 'GET';
  const parts = ['curl', '-sS'];
  if (method !== 'GET' || r.body) parts.push('-X', shellQuote(method));
  parts.push(shellQuote(r.url));
  parts.push('-H', shellQuote(bearerHeader(r.token)));
  if (r.body) {
    parts.push('-H', shellQuote('Content-Type: application/json'));
    parts.push('--data-raw', shellQuote(r.body));
  }
  return parts.join(' ');
}

/** A JSON value pretty-printed for display. */
export function pretty(v: unknown): string {
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v, null, 2) ?? String(v);
  } catch {
    return String(v);
  }
}

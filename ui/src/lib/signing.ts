// What the Sign screen offers for a key: the schemes its algorithm fits and its usage policy
// allows, the inputs each scheme takes, and whom a signature can be checked against. The Rust
// side enforces all of it again; this only keeps the pickers honest.
import { DIGEST_SCHEMES, SCHEME_FITS, USAGE_FITS } from './bindings/tables';
import type { KeyAlg, KeyInfo, Scheme, SignInput, Usage } from './ipc';

export interface SchemeChoice {
  id: Scheme;
  title: string;
}

/** Every scheme, in the order the pickers list them. */
export const SCHEMES: readonly SchemeChoice[] = [
  { id: 'eip191', title: 'Ethereum personal_sign (EIP-191)' },
  { id: 'raw', title: 'Raw ECDSA' },
  { id: 'bsm', title: 'Bitcoin Signed Message' },
  { id: 'eos', title: 'EOS (SIG_K1_)' },
  { id: 'ed25519', title: 'Ed25519' },
];

export function schemeTitle(s: Scheme): string {
  return SCHEMES.find((c) => c.id === s)?.title ?? s;
}

/** Whether a key of `alg` can sign with `scheme` at all (keyward_crypto::sign::Scheme::fits). */
export function schemeFits(scheme: Scheme, alg: KeyAlg | string): boolean {
  return (SCHEME_FITS[scheme] as readonly string[]).includes(alg);
}

/** Every usage, in the order the policy editor lists them. */
export const USAGES: readonly { id: Usage; title: string }[] = [
  { id: 'raw', title: 'Raw ECDSA' },
  { id: 'eip191', title: 'EIP-191' },
  { id: 'siwe', title: 'Sign-In with Ethereum' },
  { id: 'bsm', title: 'Bitcoin Signed Message' },
  { id: 'eos', title: 'EOS' },
  { id: 'ed25519', title: 'Ed25519' },
  { id: 'jwt', title: 'JWT' },
];

/** Whether a key of `alg` can do `usage` at all (keyward_crypto::sign::Usage::fits). */
export function usageFits(usage: Usage, alg: KeyAlg | string): boolean {
  return (USAGE_FITS[usage] as readonly string[]).includes(alg);
}

/** A key's algorithm and usage policy; a key without a policy may use nothing. */
export type PolicyKey = Pick<KeyInfo, 'alg'> & Partial<Pick<KeyInfo, 'usage'>>;

/** The schemes `key` may sign with: its algorithm fits them and its usage policy allows them. */
export function schemesFor(key: PolicyKey): Scheme[] {
  const usage = key.usage ?? [];
  return SCHEMES.map((s) => s.id).filter((s) => usage.includes(s) && schemeFits(s, key.alg));
}

/** Keys whose usage policy allows at least one signature scheme. */
export function signableKeys<K extends PolicyKey>(keys: readonly K[]): K[] {
  return keys.filter((k) => schemesFor(k).length > 0);
}

/** Keys whose usage policy allows JWTs. */
export function jwtKeys<K extends Partial<Pick<KeyInfo, 'usage'>>>(keys: readonly K[]): K[] {
  return keys.filter((k) => (k.usage ?? []).includes('jwt'));
}

export type InputKind = SignInput['kind'];

export const INPUT_KIND_LABELS: Record<InputKind, string> = {
  message: 'Text',
  hex: 'Hex bytes',
  digest: 'Digest (hex)',
};

/** The inputs a scheme takes: a precomputed digest only for raw and eos (Scheme::takes_digest). */
export function inputKinds(scheme: Scheme): InputKind[] {
  return DIGEST_SCHEMES.includes(scheme) ? ['message', 'hex', 'digest'] : ['message', 'hex'];
}

/** Whether the scheme's signature has a choice of encoding (DER or r‖s). */
export function hasEncoding(scheme: Scheme): boolean {
  return scheme === 'raw';
}

/**
 * Why `text` is not acceptable hex for `kind` (empty string: it is, or it is text). A digest
 * is 32 bytes (48 for P-384).
 */
export function hexProblem(kind: InputKind, text: string): string {
  if (kind === 'message') return '';
  const t = text.trim().replace(/^0x/, '');
  if (t === '') return kind === 'digest' ? 'Give the digest as hex.' : 'Give the bytes as hex.';
  if (!/^[0-9a-fA-F]*$/.test(t) || t.length % 2 !== 0) {
    return 'Hex is an even number of 0-9 a-f digits (0x optional).';
  }
  if (kind === 'digest' && t.length !== 64 && t.length !== 96) {
    return `A digest is 32 bytes (48 for P-384); this is ${t.length / 2}.`;
  }
  return '';
}

export type VerifyTarget = 'key' | 'address' | 'pubkey';

/** Whom a signature of `scheme` can be checked against: an address only where it recovers one. */
export function verifyTargets(scheme: Scheme): VerifyTarget[] {
  return scheme === 'eip191' || scheme === 'bsm' || scheme === 'eos'
    ? ['key', 'address', 'pubkey']
    : ['key', 'pubkey'];
}

/** What "address" means for a scheme. */
export function addressLabel(scheme: Scheme): string {
  switch (scheme) {
    case 'eip191':
      return 'Ethereum address (0x…)';
    case 'bsm':
      return 'Bitcoin address (P2PKH)';
    case 'eos':
      return 'EOS public key (PUB_K1_… or EOS…)';
    default:
      return 'Address';
  }
}

/** Placeholder of the signature field. */
export function signaturePlaceholder(scheme: Scheme): string {
  switch (scheme) {
    case 'eip191':
      return '0x… (65 bytes r‖s‖v)';
    case 'bsm':
      return 'base64 (65 bytes)';
    case 'eos':
      return 'SIG_K1_…';
    case 'ed25519':
      return 'hex (64 bytes)';
    default:
      return 'hex: DER or r‖s';
  }
}

/**
 * Whether `recovered` (the address or public key a signature recovers to) is one of a key's
 * public forms `forms`; 0x-hex compares without regard to case (EIP-55 checksums).
 */
export function isSigner(recovered: string, forms: readonly string[]): boolean {
  const norm = (s: string) => {
    const t = s.trim();
    return /^0x[0-9a-f]+$/i.test(t) ? t.toLowerCase() : t;
  };
  const r = norm(recovered);
  return r !== '' && forms.some((f) => norm(f) === r);
}

/** `text` as a sentence: a capital first letter and a full stop. */
export function sentence(text: string): string {
  const t = text.trim();
  if (t === '') return '';
  const s = t[0].toUpperCase() + t.slice(1);
  return /[.!?]$/.test(s) ? s : `${s}.`;
}

/**
 * What a verdict's reason says besides "signed by <recovered>" (the signer is shown once, on its
 * own line), as a sentence, or '' when it says nothing more.
 */
export function verdictRest(reason: string, recovered: string): string {
  const r = reason.trim();
  const head = `signed by ${recovered}`;
  if (r === head || r === `signed by this key (${recovered})`) return '';
  if (r.startsWith(`${head}, not `)) return `The signature is not from ${r.slice(head.length + ', not '.length)}.`;
  if (r === `${head}, another key`) return 'The signature is not from the key you gave.';
  return sentence(r);
}

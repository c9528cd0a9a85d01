// What the import panel knows about input formats, without any secret handling of its own.
import type { ImportFormat, KeyAlg } from './ipc';

export interface FormatOption {
  value: ImportFormat;
  label: string;
  /** One line shown under the picker. */
  help: string;
  placeholder: string;
}

export const IMPORT_FORMATS: readonly FormatOption[] = [
  {
    value: 'auto',
    label: 'Detect automatically',
    help: 'Paste any supported key; Keyward recognises PEM, JSON, WIF, EOS, xprv, hex and recovery phrases.',
    placeholder: 'Paste a private key, keystore JSON or recovery phrase…',
  },
  {
    value: 'pem',
    label: 'PEM',
    help: 'PKCS#8, SEC1 (EC) or PKCS#1 (RSA) PEM, plain or encrypted.',
    placeholder: '-----BEGIN PRIVATE KEY-----\n…',
  },
  {
    value: 'openssh',
    label: 'OpenSSH',
    help: 'An OpenSSH private key as ssh-keygen writes it, plain or passphrase-protected.',
    placeholder: '-----BEGIN OPENSSH PRIVATE KEY-----\n…',
  },
  {
    value: 'hex',
    label: 'Raw hex',
    help: 'A raw private scalar or Ed25519 seed in hex (0x optional); choose its curve.',
    placeholder: '0x4c0883a69102937d6231471b5dbb6204fe512961708279…',
  },
  {
    value: 'wif',
    label: 'Bitcoin WIF',
    help: 'Wallet Import Format (starts with 5, K or L); a secp256k1 key.',
    placeholder: 'L1aW4aubDFB7yfras2S1mN3bqg9nwySY8nkoLmJebSLD5BWv3ENZ',
  },
  {
    value: 'eos',
    label: 'EOS private key',
    help: 'PVT_K1_… or a legacy EOS WIF key (5…); a secp256k1 key.',
    placeholder: 'PVT_K1_…',
  },
  {
    value: 'jwk',
    label: 'JWK',
    help: 'A private JSON Web Key (with "d") of kty EC, OKP or RSA.',
    placeholder: '{"kty":"EC","crv":"P-256","d":"…",…}',
  },
  {
    value: 'keystore',
    label: 'Ethereum keystore',
    help: 'An Ethereum keystore v3 JSON file (UTC--…); it needs its password.',
    placeholder: '{"version":3,"crypto":{…},…}',
  },
  {
    value: 'xprv',
    label: 'BIP32 xprv',
    help: 'A BIP32 extended private key (xprv… or tprv…); the node itself is imported.',
    placeholder: 'xprv9s21ZrQH143K…',
  },
  {
    value: 'mnemonic',
    label: 'Recovery phrase (BIP39)',
    help: 'A 12 to 24 word BIP39 recovery phrase; choose the derivation path below.',
    placeholder: 'twelve or twenty-four words separated by spaces…',
  },
];

export function formatOption(f: ImportFormat): FormatOption {
  return IMPORT_FORMATS.find((o) => o.value === f) ?? IMPORT_FORMATS[0];
}

/** Curves a raw hex key can be on (RSA keys are never raw). */
export const HEX_ALGS: readonly KeyAlg[] = ['p256', 'p384', 'secp256k1', 'ed25519'];

export type PathPreset = 'eth' | 'eos' | 'btc' | 'custom';

export interface PresetOption {
  value: PathPreset;
  label: string;
  coinType: number | null;
}

export const PATH_PRESETS: readonly PresetOption[] = [
  { value: 'eth', label: "Ethereum — m/44'/60'/0'/0/i", coinType: 60 },
  { value: 'eos', label: "EOS — m/44'/194'/0'/0/i", coinType: 194 },
  { value: 'btc', label: "Bitcoin — m/44'/0'/0'/0/i", coinType: 0 },
  { value: 'custom', label: 'Custom path', coinType: null },
];

export const MAX_INDEX = 0x7fffffff;

/** The path to send: `eth:0` style for presets, the trimmed custom path otherwise. */
export function mnemonicPath(preset: PathPreset, index: number, custom: string): string | null {
  if (preset === 'custom') {
    const p = custom.trim();
    return p === '' ? null : p;
  }
  return `${preset}:${index}`;
}

/** The full BIP44 path a preset stands for, shown to the user. */
export function presetPath(preset: PathPreset, index: number): string | null {
  const coin = PATH_PRESETS.find((p) => p.value === preset)?.coinType;
  return coin === null || coin === undefined ? null : `m/44'/${coin}'/0'/0/${index}`;
}

/** A valid account index (0 to 2^31 − 1), or null. */
export function parseIndex(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const s = typeof v === 'number' ? null : String(v).trim();
  if (s === '') return null;
  const n = s === null ? (v as number) : Number(s);
  return Number.isInteger(n) && n >= 0 && n <= MAX_INDEX ? n : null;
}

/** The largest input the back end accepts (and the largest file the panel reads). */
export const MAX_IMPORT_BYTES = 64 * 1024;

// Cheap, local guesses used only to show the right fields; the back end decides for real.

/** Twelve or more words of letters only. */
export function looksLikeMnemonic(text: string): boolean {
  const t = text.trim();
  if (t === '' || t.length > 1000) return false;
  const words = t.split(/\s+/);
  return words.length >= 12 && words.every((w) => /^\p{L}+$/u.test(w));
}

/** JSON with a `crypto` member: an Ethereum keystore. */
export function looksLikeKeystore(text: string): boolean {
  const t = text.trimStart();
  return t.startsWith('{') && /"crypto"\s*:/i.test(t);
}

/** Even-length hex (0x optional) of a plausible raw key size. */
export function looksLikeHex(text: string): boolean {
  const h = text.trim().replace(/^0x/i, '');
  return h.length >= 32 && h.length <= 130 && h.length % 2 === 0 && /^[0-9a-f]+$/i.test(h);
}

/** An encrypted PEM (PKCS#8 or legacy OpenSSL). */
export function looksEncryptedPem(text: string): boolean {
  return text.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----') || text.includes('Proc-Type: 4,ENCRYPTED');
}

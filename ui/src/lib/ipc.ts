// The one place where the UI talks to the Rust side. Every command name and
// argument name used by Keyward's front end is in this file.
import { invoke } from '@tauri-apps/api/core';

export type VaultMode = 'passphrase' | 'none';
export type KeyAlg = 'p256' | 'p384' | 'secp256k1' | 'ed25519' | 'rsa2048' | 'rsa3072' | 'rsa4096';

/** Every algorithm a key can have, in the order the UI offers them. */
export const KEY_ALGS: readonly KeyAlg[] = [
  'p256',
  'p384',
  'secp256k1',
  'ed25519',
  'rsa2048',
  'rsa3072',
  'rsa4096',
];

/** Public forms of a key (`key_export`, `key_qr`, `KeyDetail.exports`). */
export type PublicFormat =
  | 'pem'
  | 'jwk'
  | 'jwks'
  | 'openssh'
  | 'eth'
  | 'eos'
  | 'eos-legacy'
  | 'btc'
  | 'xpub'
  | 'fingerprint';

/** Input formats `key_import` understands; `auto` detects the others. */
export type ImportFormat =
  | 'auto'
  | 'pem'
  | 'hex'
  | 'wif'
  | 'eos'
  | 'jwk'
  | 'keystore'
  | 'xprv'
  | 'mnemonic'
  | 'openssh';

export interface Status {
  initialized: boolean;
  locked: boolean;
  mode: VaultMode | null;
  vaultId: string | null;
  dataDir: string;
  keyCount: number | null;
}

export interface KeyInfo {
  id: string;
  label: string;
  alg: KeyAlg;
  fingerprint: string;
  /** RFC 3339 timestamp */
  createdAt: string;
  /** Lower-case tags, sorted. */
  tags: string[];
  /** `generated`, or the import format (`pem`, `mnemonic m/44'/60'/0'/0/0`, …). */
  origin: string;
}

/** One public form of a key. */
export interface PublicView {
  format: PublicFormat;
  title: string;
  value: string;
}

export interface KeyDetail extends KeyInfo {
  publicPem: string;
  /** Public JWK, including `kid`. */
  jwk: Record<string, string>;
  /** Every public form of this key (PEM, JWK, addresses, OpenSSH line, fingerprint, …). */
  exports: PublicView[];
  /** The format a QR code of this key shows unless another is asked for. */
  qrDefault: PublicFormat;
}

export interface ListFilter {
  alg?: KeyAlg | null;
  tag?: string | null;
}

export interface GenerateRequest {
  alg: KeyAlg;
  label: string | null;
  tags: string[];
}

/** Carries secrets (`text`, `passphrase`): build it at submit time and drop it afterwards. */
export interface ImportRequest {
  text: string;
  format: ImportFormat;
  /** The curve of a raw hex key. */
  alg: KeyAlg | null;
  /** A mnemonic's derivation path or preset (`eth:0`, `eos:2`, `m/44'/0'/0'/0/0`). */
  path: string | null;
  /** The input's own passphrase (never the vault's); a mnemonic's BIP39 passphrase. */
  passphrase: string | null;
  label: string | null;
  tags: string[];
}

/** A QR code of a key's public data. */
export interface QrView {
  /** The text the symbol carries. */
  payload: string;
  /** A standalone SVG document. */
  svg: string;
  ecLevel: 'L' | 'M' | 'Q' | 'H';
  version: number;
  modules: number;
}

/** Shape of every rejection coming out of this module. */
export interface ErrorInfo {
  code: string;
  message: string;
  hint: string;
}

export const UNEXPECTED = 'ui.unexpected';

/** Thrown by every command wrapper; always carries `code`, `message` and `hint`. */
export class IpcError extends Error implements ErrorInfo {
  readonly code: string;
  readonly hint: string;

  constructor(info: ErrorInfo) {
    super(info.message);
    this.name = 'IpcError';
    this.code = info.code;
    this.hint = info.hint;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** Turn any rejection value into `{code, message, hint}`. */
export function normaliseError(err: unknown): IpcError {
  if (err instanceof IpcError) return err;
  if (isRecord(err) && typeof err.code === 'string' && err.code !== '') {
    return new IpcError({
      code: err.code,
      message: typeof err.message === 'string' ? err.message : String(err.message ?? ''),
      hint: typeof err.hint === 'string' ? err.hint : '',
    });
  }
  let message: string;
  if (typeof err === 'string') message = err;
  else if (err instanceof Error) message = err.message;
  else if (isRecord(err) && typeof err.message === 'string') message = err.message;
  else {
    try {
      message = JSON.stringify(err) ?? String(err);
    } catch {
      message = String(err);
    }
  }
  return new IpcError({
    code: UNEXPECTED,
    message: message || 'Unknown error',
    hint: 'The Keyward back end returned an unexpected error. Restarting the app may help.',
  });
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (err) {
    throw normaliseError(err);
  }
}

export const vaultStatus = (): Promise<Status> => call('vault_status');

/** `passphrase: null` explicitly selects "no passphrase" mode. */
export const vaultInit = (passphrase: string | null): Promise<Status> =>
  call('vault_init', { passphrase });

export const vaultUnlock = (passphrase: string): Promise<Status> =>
  call('vault_unlock', { passphrase });

export const vaultLock = (): Promise<Status> => call('vault_lock');

export const keyList = (filter?: ListFilter | null): Promise<KeyInfo[]> =>
  call('key_list', { filter: filter ?? null });

/** RSA keys take seconds to generate; the call runs off the UI thread on the Rust side. */
export const keyGenerate = (req: GenerateRequest): Promise<KeyInfo> =>
  call('key_generate', { req });

export const keyImport = (req: ImportRequest): Promise<KeyInfo> => call('key_import', { req });

export const keyDetail = (key: string): Promise<KeyDetail> => call('key_detail', { key });

/** `format: null` asks for the key's `qrDefault`. */
export const keyQr = (key: string, format?: PublicFormat | null): Promise<QrView> =>
  call('key_qr', { key, format: format ?? null });

/** The text of one public form (`jwks` may take several keys). */
export const keyExport = (keys: string[], format: PublicFormat): Promise<string> =>
  call('key_export', { keys, format });

export const keyTag = (key: string, add: string[], remove: string[]): Promise<KeyInfo> =>
  call('key_tag', { key, add, remove });

/** The SVG as an image URL (img-src allows data:; the SVG is never inserted as markup). */
export const svgDataUrl = (svg: string): string =>
  `data:image/svg+xml;base64,${btoa(unescape(encodeURIComponent(svg)))}`;

export const keyRename = (key: string, label: string): Promise<KeyInfo> =>
  call('key_rename', { key, label });

export const keyDelete = (key: string): Promise<null> => call('key_delete', { key });

// ---------------------------------------------------------------------------------------------
// Audit log, private reveal, files, backups

/** The error code of a native dialog the user closed: not an error, nothing was done. */
export const CANCELLED = 'ui.cancelled';

/** Whether a rejection only says the user cancelled a native dialog. */
export function isCancelled(err: unknown): boolean {
  return normaliseError(err).code === CANCELLED;
}

export type AuditActor = 'cli' | 'agent' | 'app';

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
] as const;

export interface AuditEntry {
  seq: number;
  /** RFC 3339, UTC. */
  at: string;
  actor: AuditActor | string;
  action: string;
  keyId: string | null;
  summary: string;
  /** Hex SHA-256 of the entry before. */
  prev: string;
  /** Hex SHA-256 of this entry. */
  hash: string;
}

export interface AuditFilter {
  /** An action, or a family prefix ending in `.` (`key.`). */
  action?: string | null;
  keyId?: string | null;
  limit?: number | null;
}

export type AuditProblem =
  | { kind: 'edited' | 'broken' | 'rewritten'; seq: number }
  | { kind: 'gap'; after: number; next: number }
  | { kind: 'truncated'; anchored: number; last: number }
  | { kind: 'anchor_invalid' }
  | { kind: 'anchor_missing' };

export interface AuditReport {
  /** No problems (entries not yet anchored are not a problem). */
  ok: boolean;
  rows: number;
  /** The newest entry the keychain anchor vouches for (0: none). */
  anchoredThrough: number;
  unanchored: number;
  anchorChecked: boolean;
  head: string;
  problems: AuditProblem[];
}

/** Private forms `key_reveal` shows (`pkcs8-enc` exists but is never offered by the app). */
export type PrivateFormat = 'pem' | 'pkcs8-enc' | 'jwk' | 'wif' | 'hex' | 'xprv';

export interface BackupResult {
  path: string;
  keys: number;
  createdAt: string;
}

export interface RestoreReport {
  vaultId: string;
  sourceVaultId: string;
  backupCreatedAt: string;
  keys: number;
}

/** Audit entries, newest first. */
export const auditList = (filter?: AuditFilter | null): Promise<AuditEntry[]> =>
  call('audit_list', { filter: filter ?? null });

export const auditVerify = (): Promise<AuditReport> => call('audit_verify');

/**
 * A private key as text. The Rust side asks first in a native dialog the page cannot skip
 * (rejects with `ui.cancelled` when the user says no) and logs `key.reveal`.
 */
export const keyReveal = (
  key: string,
  format: PrivateFormat,
  passphrase: string | null = null,
): Promise<string> => call('key_reveal', { key, format, passphrase });

/** Writes a public form to a file picked in a native Save dialog: the path written. */
export const keyExportFile = (keys: string[], format: PublicFormat): Promise<string> =>
  call('key_export_file', { keys, format });

/** Backs up every key to a file picked in a native Save dialog. */
export const backupCreate = (passphrase: string): Promise<BackupResult> =>
  call('backup_create', { passphrase });

/** Restores a backup picked in a native Open dialog (only while no vault exists). */
export const backupRestore = (passphrase: string): Promise<RestoreReport> =>
  call('backup_restore', { passphrase });

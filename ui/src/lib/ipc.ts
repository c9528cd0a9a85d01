// The one place where the UI talks to the Rust side. Every command name and
// argument name used by Keyward's front end is in this file.
import { invoke } from '@tauri-apps/api/core';

export type VaultMode = 'passphrase' | 'none';
export type KeyAlg = 'p256';

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
}

export interface KeyDetail extends KeyInfo {
  publicPem: string;
  /** Public JWK, including `kid`. */
  jwk: Record<string, string>;
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

export const keyList = (): Promise<KeyInfo[]> => call('key_list');

export const keyGenerate = (label: string | null, alg: KeyAlg = 'p256'): Promise<KeyInfo> =>
  call('key_generate', { alg, label });

export const keyImport = (text: string, label: string | null): Promise<KeyInfo> =>
  call('key_import', { text, label });

export const keyDetail = (key: string): Promise<KeyDetail> => call('key_detail', { key });

export const keyQr = (key: string): Promise<QrView> => call('key_qr', { key });

/** The SVG as an image URL (img-src allows data:; the SVG is never inserted as markup). */
export const svgDataUrl = (svg: string): string =>
  `data:image/svg+xml;base64,${btoa(unescape(encodeURIComponent(svg)))}`;

export const keyRename = (key: string, label: string): Promise<KeyInfo> =>
  call('key_rename', { key, label });

export const keyDelete = (key: string): Promise<null> => call('key_delete', { key });

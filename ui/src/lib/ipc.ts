// The one place where the UI talks to the Rust side. Every command name and
// argument name used by Keyward's front end is in this file, except the approval prompt's and
// the Approvals screen's, which are in approvals.ts (the prompt window imports only those).
import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
// Generated from the Rust types (tests/tests/bindings.rs); never edited by hand.
import type { Check } from './bindings/Check';
import type { RemoteKey as RemoteKeyBase } from './bindings/RemoteKey';
import type { Settings } from './bindings/Settings';

export type { AgentApproval } from './bindings/AgentApproval';
export type { Check, Settings };

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
  /** What the key may sign (its usage policy). Absent from an older back end: treat as none. */
  usage?: Usage[];
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

/** Invokes a command; every rejection comes out as an `IpcError`. */
export async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
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

export type AuditActor = 'cli' | 'agent' | 'app' | 'endpoint';

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

// ---------------------------------------------------------------------------------------------
// Signing, JWTs

/** Signature schemes (`key_sign`, `key_verify`). */
export type Scheme = 'raw' | 'eip191' | 'bsm' | 'eos' | 'ed25519';
/** A key's usage policy entries: every scheme, plus SIWE sign-ins and JWTs. */
export type Usage = Scheme | 'siwe' | 'jwt';
/** How a raw ECDSA signature is written: ASN.1 DER or fixed-size r‖s. */
export type Encoding = 'der' | 'rs';
/** JOSE algorithms Keyward mints and verifies. */
export type JwsAlg = 'ES256' | 'ES384' | 'ES256K' | 'RS256' | 'PS256' | 'EdDSA';
export type JwtMode = 'engine' | 'generic';

/** What is signed: text (its UTF-8 bytes), bytes as hex, or a precomputed digest (raw, eos). */
export type SignInput =
  | { kind: 'message'; value: string }
  | { kind: 'hex'; value: string }
  | { kind: 'digest'; value: string };

export interface SignRequest {
  key: string;
  scheme: Scheme;
  input: SignInput;
  encoding: Encoding;
}

export interface Signature {
  scheme: Scheme;
  /** The scheme's own text form (hex, 0x-hex, base64 or `SIG_K1_…`). */
  signature: string;
  /** Hex of the digest that was signed (absent for Ed25519). */
  digest?: string;
  /** The signer's address or public key in the scheme's form. */
  signer: string;
}

/** Exactly one of `key`, `address`, `pubkey`. */
export interface VerifyRequest {
  scheme: Scheme;
  input: SignInput;
  signature: string;
  key?: string | null;
  address?: string | null;
  pubkey?: string | null;
  /** The curve of a hex public key where its length leaves it open. */
  pubkeyAlg?: KeyAlg | null;
}

export interface Verdict {
  valid: boolean;
  reason: string;
  /** The address or public key the signature recovers to, where the scheme allows. */
  recovered?: string;
}

export interface MintOptions {
  mode: JwtMode;
  /** `null`: the key's own (ES256 p256, ES384 p384, RS256 RSA, EdDSA ed25519, ES256K secp256k1). */
  alg: JwsAlg | null;
  expSecs: number | null;
  maxExpSecs?: number | null;
  /** Engine mode: the PEM's SHA-256 in the header `kid` instead of the PEM in `iss`. */
  useKid: boolean;
  aud: string[];
  sub: string | null;
  nbfInSecs?: number | null;
  jti?: string | null;
  claims: Record<string, unknown>;
}

export interface Minted {
  token: string;
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  /** Unix seconds. */
  expiresAt: number;
  /** The compact body whose hash is in `bodyHash`: send exactly these bytes. */
  body?: string;
}

export interface VerifyOptions {
  /** Required: `none` is never accepted. */
  algorithms: JwsAlg[];
  iss?: string | null;
  aud?: string | null;
  leewaySecs?: number;
  requireExp?: boolean;
}

/** Exactly one of `key`, `pubkey` (PEM or JWK text). */
export interface JwtVerifyRequest {
  token: string;
  key?: string | null;
  pubkey?: string | null;
  options: VerifyOptions;
}

export interface JwtCheck {
  id: string;
  ok: boolean;
  detail: string;
}

export interface Verified {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  alg: JwsAlg;
  checks: JwtCheck[];
  /** What was not checked, spelled out. */
  notChecked: string[];
}

/** A token decoded WITHOUT verifying it. */
export interface Inspected {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  alg: string;
  signatureBytes: number;
  verified: false;
  note: string;
  expiresInSecs?: number;
  /** The hash Engine would look the key up by (from `iss` or `kid`). */
  engineKeyHash?: string;
}

export const keySign = (req: SignRequest): Promise<Signature> => call('key_sign', { req });

export const keyVerify = (req: VerifyRequest): Promise<Verdict> => call('key_verify', { req });

/** `allow: null` resets the key to every usage its algorithm fits. */
export const keyPolicy = (key: string, allow: Usage[] | null): Promise<KeyInfo> =>
  call('key_policy', { key, allow });

/**
 * Mints a JWT. `body` (JSON text) is bound by `bodyHash`; `profile` (an Engine profile) names
 * the key by the PEM Engine stored when it was registered.
 */
export const jwtMint = (
  key: string,
  options: MintOptions,
  body: string | null = null,
  profile: string | null = null,
): Promise<Minted> => call('jwt_mint', { key, options, body, profile });

export const jwtVerify = (req: JwtVerifyRequest): Promise<Verified> => call('jwt_verify', { req });

/** Decodes without verifying. */
export const jwtInspect = (token: string): Promise<Inspected> => call('jwt_inspect', { token });

// ---------------------------------------------------------------------------------------------
// Services (thirdweb Engine) and the local playground

export interface CredentialInfo {
  name: string;
  createdAt: string;
}

/** A service profile: public data only (credentials by name and age, never their values). */
export interface Profile {
  name: string;
  kind: string;
  baseUrl: string;
  settings: Record<string, unknown>;
  credentials: CredentialInfo[];
  createdAt: string;
  updatedAt: string;
}

export interface EngineHealth {
  engineVersion?: string | null;
  engineTier?: string | null;
  features: string[];
  keypairAuth: boolean;
  /** Service clock minus ours, in seconds. */
  clockOffsetSecs?: number | null;
}

export interface EngineKeypair {
  hash: string;
  publicKey: string;
  algorithm: string;
  label?: string | null;
  createdAt?: string | null;
  updatedAt?: string | null;
  /** The vault key this keypair is, when Keyward registered it. */
  vaultKey?: string;
}

/**
 * A key a service holds for the user (an Engine access token, …): public data only, and the
 * kind's own fields under their names (Engine: `tokenMask`, `walletAddress`).
 */
export type RemoteKey = RemoteKeyBase & { tokenMask?: string; walletAddress?: string | null };

/**
 * A created remote key: sealed in the keychain (`credential`), or — only when the keychain
 * refused it — `unsaved.secret`, the secret itself, to show once with a NOT SAVED warning.
 */
export interface CreatedKey {
  key: RemoteKey;
  /** What the kind calls its keys ("access token"). */
  noun: string;
  credential?: CredentialInfo;
  unsaved?: { secret: string; error: ErrorInfo };
}



export interface CallResult {
  method: string;
  path: string;
  status: number;
  /** The response as JSON when it is JSON, else its text. */
  body: unknown;
  /** The claims of the token sent (never the token). */
  tokenClaims: Record<string, unknown>;
  tokenExpiresAt: number;
  clockOffsetSecs?: number;
  warning?: string;
}

export interface PlaygroundInfo {
  url: string;
  profile: string;
}

export interface EngineCall {
  method: string;
  path: string;
  /** A JSON body (sent compact, bound by `bodyHash`). */
  data: string | null;
  expSecs: number | null;
  useKid: boolean;
}

export const serviceList = (): Promise<Profile[]> => call('service_list');

/** The admin token goes to the keychain and never comes back. */
export const serviceAddEngine = (name: string, url: string, adminToken: string | null): Promise<Profile> =>
  call('service_add_engine', { name, url, adminToken });

export const serviceRemove = (name: string): Promise<Profile> => call('service_remove', { name });

export const engineHealth = (profile: string): Promise<EngineHealth> => call('engine_health', { profile });

export const engineKeypairAdd = (
  profile: string,
  key: string,
  label: string | null = null,
  alg: JwsAlg | null = null,
): Promise<EngineKeypair> => call('engine_keypair_add', { profile, key, label, alg });

export const engineKeypairList = (profile: string): Promise<EngineKeypair[]> =>
  call('engine_keypair_list', { profile });

/** By hash or by vault key: the hash removed. */
export const engineKeypairRemove = (profile: string, target: string): Promise<string> =>
  call('engine_keypair_remove', { profile, target });

// A service's remote keys, for any kind that has them (Engine: access tokens).

export const serviceKeyCreate = (service: string, label: string | null): Promise<CreatedKey> =>
  call('service_key_create', { service, label });

export const serviceKeyList = (service: string): Promise<RemoteKey[]> =>
  call('service_key_list', { service });

export const serviceKeyRename = (service: string, id: string, label: string | null): Promise<null> =>
  call('service_key_rename', { service, id, label });

export const serviceKeyRevoke = (service: string, id: string): Promise<null> =>
  call('service_key_revoke', { service, id });

export const serviceKeyCheck = (service: string, id: string): Promise<Check> =>
  call('service_key_check', { service, id });

/** Calls an endpoint with a fresh keypair JWT from `key`. */
export const engineCall = (profile: string, key: string, c: EngineCall): Promise<CallResult> =>
  call('engine_call', {
    profile,
    key,
    method: c.method,
    path: c.path,
    data: c.data,
    expSecs: c.expSecs,
    useKid: c.useKid,
  });

/** Starts the local Engine playground and points the `playground` profile at it. */
export const playgroundStart = (): Promise<PlaygroundInfo> => call('playground_start');

/** False when none was running. */
export const playgroundStop = (): Promise<boolean> => call('playground_stop');

/** The URL of the playground this app runs, or null. */
export const playgroundStatus = (): Promise<string | null> => call('playground_status');

/** Emitted when the CLI changed the vault through the app's agent socket (no payload). */
export const VAULT_CHANGED = 'vault://changed';

/**
 * Calls `handler` on each `event` from the Rust side; returns the function that stops listening
 * (safe to call before the listener is in place). A failure to listen goes to `onerror`.
 */
export function watchEvent(
  event: string,
  handler: () => void,
  onerror: (err: unknown) => void,
): () => void {
  let stop: (() => unknown) | null = null;
  let stopped = false;
  const quietly = (fn: () => unknown) => {
    try {
      void Promise.resolve(fn()).catch(() => {});
    } catch {
      // The window is going away; nothing to do.
    }
  };
  listen(event, () => handler()).then(
    (unlisten) => {
      if (stopped) quietly(unlisten);
      else stop = unlisten;
    },
    (err: unknown) => {
      if (!stopped) onerror(normaliseError(err));
    },
  );
  return () => {
    stopped = true;
    if (stop) quietly(stop);
  };
}


/** Setting names as `settings_set` (and `keyward-cli config set`) spells them. */
export type SettingName =
  | 'idle-lock-minutes'
  | 'endpoint-port'
  | 'jwt-default-exp'
  | 'jwt-max-exp'
  | 'simplewallet-links'
  | 'start-at-login'
  | 'agent-approval';

export function settingsGet(): Promise<Settings> {
  return call<Settings>('settings_get');
}

export function settingsSet(name: SettingName, value: string): Promise<Settings> {
  return call<Settings>('settings_set', { name, value });
}

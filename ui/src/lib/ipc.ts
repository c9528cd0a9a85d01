// The one place where the UI talks to the Rust side. Every command name and
// argument name used by Keyward's front end is in this file, except the approval prompt's and
// the Approvals screen's, which are in approvals.ts (the prompt window imports only those).
import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
// Generated from the Rust types (tests/tests/bindings.rs); never edited by hand. The few types
// the desktop shell defines itself are typed here, next to their commands.
import type { AuditEntry } from './bindings/AuditEntry';
import type { AuditFilter } from './bindings/AuditFilter';
import type { AuditReport } from './bindings/AuditReport';
import type { CallResult } from './bindings/CallResult';
import type { Check } from './bindings/Check';
import type { CredentialInfo } from './bindings/CredentialInfo';
import type { GenerateRequest } from './bindings/GenerateRequest';
import type { Health } from './bindings/Health';
import type { ImportRequest } from './bindings/ImportRequest';
import type { Inspected } from './bindings/Inspected';
import type { JwsAlg } from './bindings/JwsAlg';
import type { JwtVerifyRequest } from './bindings/JwtVerifyRequest';
import type { KeyAlg } from './bindings/KeyAlg';
import type { KeyDetail } from './bindings/KeyDetail';
import type { KeyInfo } from './bindings/KeyInfo';
import type { Keypair } from './bindings/Keypair';
import type { ListFilter } from './bindings/ListFilter';
import type { MintOptions } from './bindings/MintOptions';
import type { Minted } from './bindings/Minted';
import type { PrivateFormat } from './bindings/PrivateFormat';
import type { Profile } from './bindings/Profile';
import type { PublicFormat } from './bindings/PublicFormat';
import type { QrView } from './bindings/QrView';
import type { RemoteKey as RemoteKeyBase } from './bindings/RemoteKey';
import type { RestoreReport } from './bindings/RestoreReport';
import type { Settings } from './bindings/Settings';
import type { SignRequest } from './bindings/SignRequest';
import type { Signature } from './bindings/Signature';
import type { Status } from './bindings/Status';
import type { Usage } from './bindings/Usage';
import type { Verdict } from './bindings/Verdict';
import type { Verified } from './bindings/Verified';
import type { VerifyRequest } from './bindings/VerifyRequest';

export type { AgentApproval } from './bindings/AgentApproval';
export type { AuditProblem } from './bindings/AuditProblem';
export type { Encoding } from './bindings/Encoding';
export type { ImportFormat } from './bindings/ImportFormat';
export type { Jwk } from './bindings/Jwk';
export type { JwtCheck } from './bindings/JwtCheck';
export type { JwtMode } from './bindings/JwtMode';
export type { PublicView } from './bindings/PublicView';
export type { Scheme } from './bindings/Scheme';
export type { SignInput } from './bindings/SignInput';
export type { VerifyOptions } from './bindings/VerifyOptions';
export type {
  AuditEntry,
  AuditFilter,
  AuditReport,
  CallResult,
  Check,
  CredentialInfo,
  GenerateRequest,
  ImportRequest,
  Inspected,
  JwsAlg,
  JwtVerifyRequest,
  KeyAlg,
  KeyDetail,
  KeyInfo,
  ListFilter,
  MintOptions,
  Minted,
  PrivateFormat,
  Profile,
  PublicFormat,
  QrView,
  RestoreReport,
  Settings,
  SignRequest,
  Signature,
  Status,
  Usage,
  Verdict,
  Verified,
  VerifyRequest,
};
export type { Health as EngineHealth, Keypair as EngineKeypair };

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

/** Carries secrets (`text`, `passphrase`): build the request at submit time and drop it afterwards. */
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

/** What `backup_create` answers (a JSON object the desktop shell builds, so typed here). */
export interface BackupResult {
  path: string;
  keys: number;
  createdAt: string;
}

/** Audit entries, newest first. */
export const auditList = (filter?: AuditFilter | null): Promise<AuditEntry[]> =>
  call('audit_list', { filter: filter ?? null });

export const auditVerify = (): Promise<AuditReport> => call('audit_verify');

/**
 * A private key as text. The Rust side asks first in a native dialog the page cannot skip
 * (rejects with `ui.cancelled` when the user says no) and logs `key.reveal`.
 * (`pkcs8-enc` exists but is never offered by the app.)
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

export const keySign = (req: SignRequest): Promise<Signature> => call('key_sign', { req });

/** Exactly one of `key`, `address`, `pubkey`. */
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

/** Exactly one of `key`, `pubkey` (PEM or JWK text). */
export const jwtVerify = (req: JwtVerifyRequest): Promise<Verified> => call('jwt_verify', { req });

/** Decodes without verifying. */
export const jwtInspect = (token: string): Promise<Inspected> => call('jwt_inspect', { token });

// ---------------------------------------------------------------------------------------------
// Services (thirdweb Engine) and the local playground

/**
 * A key a service holds for the user (an Engine access token, …): public data only, and the
 * kind's own fields under their names (Engine: `tokenMask`, `walletAddress`). Rust keeps those
 * in a flattened map the generated type cannot name, so they are typed here.
 */
export type RemoteKey = RemoteKeyBase & { tokenMask?: string; walletAddress?: string | null };

/**
 * A created remote key: sealed in the keychain (`credential`), or — only when the keychain
 * refused it — `unsaved.secret`, the secret itself, to show once with a NOT SAVED warning.
 * (Defined by the desktop shell, so typed here.)
 */
export interface CreatedKey {
  key: RemoteKey;
  /** What the kind calls its keys ("access token"). */
  noun: string;
  credential?: CredentialInfo;
  unsaved?: { secret: string; error: ErrorInfo };
}

/** Where the started playground listens (defined by the desktop shell, so typed here). */
export interface PlaygroundInfo {
  url: string;
  profile: string;
}

/** The arguments of `engine_call` besides the profile and the key. */
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

export const engineHealth = (profile: string): Promise<Health> => call('engine_health', { profile });

export const engineKeypairAdd = (
  profile: string,
  key: string,
  label: string | null = null,
  alg: JwsAlg | null = null,
): Promise<Keypair> => call('engine_keypair_add', { profile, key, label, alg });

export const engineKeypairList = (profile: string): Promise<Keypair[]> =>
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

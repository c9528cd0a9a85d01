// Services (thirdweb Engine) and the local playground.
import type { CallResult } from '../bindings/CallResult';
import type { Check } from '../bindings/Check';
import type { CredentialInfo } from '../bindings/CredentialInfo';
import type { Health } from '../bindings/Health';
import type { JwsAlg } from '../bindings/JwsAlg';
import type { Keypair } from '../bindings/Keypair';
import type { Profile } from '../bindings/Profile';
import type { RemoteKey as RemoteKeyBase } from '../bindings/RemoteKey';
import { call, type ErrorInfo } from './core';

export type { CallResult, Check, CredentialInfo, Profile };
export type { Health as EngineHealth, Keypair as EngineKeypair };

/**
 * A key a service holds for the user (an Engine access token, …): public data only, and the
 * kind's own fields under their names (Engine: `tokenMask`, `walletAddress`). Rust keeps those
 * in a flattened map the generated type cannot name, so they are typed here.
 */
export type RemoteKey = RemoteKeyBase & { tokenMask?: string; walletAddress?: string | null };

/**
 * A created remote key, with its secret, which the service shows only this once: sealed in the
 * keychain (`credential`, and `secret` to show once with a "stored in keychain" tick), or —
 * only when the keychain refused it — `unsaved.secret`, the only copy, to show once with a NOT
 * SAVED warning. Exactly one of `credential` and `unsaved` is present. Show the secret right
 * away, clear it on navigation or after 60 s, never log it. (Defined by the desktop shell, so
 * typed here.)
 */
export interface CreatedKey {
  key: RemoteKey;
  /** What the kind calls its keys ("access token"). */
  noun: string;
  credential?: CredentialInfo;
  /** The secret just sealed as `credential`. */
  secret?: string;
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

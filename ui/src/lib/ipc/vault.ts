// The vault's lock (the first screen: create, unlock; the lock button) and its backups.
import type { RestoreReport } from '../bindings/RestoreReport';
import type { Status } from '../bindings/Status';
import { call } from './core';

export type { RestoreReport, Status };

export const vaultStatus = (): Promise<Status> => call('vault_status');

/** `passphrase: null` explicitly selects "no passphrase" mode. */
export const vaultInit = (passphrase: string | null): Promise<Status> =>
  call('vault_init', { passphrase });

export const vaultUnlock = (passphrase: string): Promise<Status> =>
  call('vault_unlock', { passphrase });

export const vaultLock = (): Promise<Status> => call('vault_lock');

/**
 * Changes the vault passphrase while the vault is unlocked (it stays unlocked). `old: null`
 * for a vault in "no passphrase" mode, which then gets `newPassphrase` and leaves that mode.
 * Errors: `vault.bad_passphrase` (old), `vault.weak_passphrase` (new), `vault.locked`.
 */
export const vaultChangePassphrase = (old: string | null, newPassphrase: string): Promise<Status> =>
  call('vault_change_passphrase', { old, new: newPassphrase });

/** What `backup_create` answers (a JSON object the desktop shell builds, so typed here). */
export interface BackupResult {
  path: string;
  keys: number;
  createdAt: string;
}

/** Backs up every key to a file picked in a native Save dialog. */
export const backupCreate = (passphrase: string): Promise<BackupResult> =>
  call('backup_create', { passphrase });

/** Restores a backup picked in a native Open dialog (only while no vault exists). */
export const backupRestore = (passphrase: string): Promise<RestoreReport> =>
  call('backup_restore', { passphrase });

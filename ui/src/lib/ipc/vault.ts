// The vault's lock (the first screen: create, unlock; the lock button), its passphrase and its
// backups.
import type { BackupKeyView } from '../bindings/BackupKeyView';
import type { BackupProfileView } from '../bindings/BackupProfileView';
import type { BackupSummary } from '../bindings/BackupSummary';
import type { MergeReport } from '../bindings/MergeReport';
import type { RestoreReport } from '../bindings/RestoreReport';
import type { SkippedKey } from '../bindings/SkippedKey';
import type { SkipReason } from '../bindings/SkipReason';
import type { Status } from '../bindings/Status';
import { call } from './core';

export type {
  BackupKeyView,
  BackupProfileView,
  BackupSummary,
  MergeReport,
  RestoreReport,
  SkippedKey,
  SkipReason,
  Status,
};
export { BACKUP_EXCLUDES, BACKUP_INCLUDES } from '../bindings/tables';

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

/**
 * Backs up every key to a file picked in a native Save dialog (it starts in Documents, else
 * home, with `keyward-YYYY-MM-DD.kwbackup` proposed). What a backup holds and leaves out:
 * `BACKUP_INCLUDES`, `BACKUP_EXCLUDES`.
 */
export const backupCreate = (passphrase: string): Promise<BackupResult> =>
  call('backup_create', { passphrase });

/** Restores a backup picked in a native Open dialog (only while no vault exists). */
export const backupRestore = (passphrase: string): Promise<RestoreReport> =>
  call('backup_restore', { passphrase });

/**
 * Opens a backup picked in a native Open dialog with its passphrase and says what it holds
 * (public data only); writes nothing. Works while locked and before a vault exists. Errors:
 * `backup.bad_passphrase`, `backup.corrupt`, `backup.truncated`, `backup.not_a_backup`, …;
 * `ui.cancelled` when the dialog is closed.
 */
export const backupInspect = (passphrase: string): Promise<BackupSummary> =>
  call('backup_inspect', { passphrase });

/**
 * Merges a backup picked in a native Open dialog into this unlocked vault: adds its keys,
 * service profiles and credentials; skips (and lists) keys the vault has (same id or same
 * fingerprint) and profiles whose name it has, with their credentials. All or nothing.
 */
export const backupMerge = (passphrase: string): Promise<MergeReport> =>
  call('backup_merge', { passphrase });

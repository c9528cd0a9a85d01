// How a form runs what it asks the back end to do, and where its error goes: beside the form
// that failed (an <ErrorNote> bound to `action.error`), cleared when the next run starts or the
// user edits what failed, never in a banner far away. A locked vault is not a form's error: it
// goes to the app, which shows the Unlock screen.
import { CANCELLED, normaliseError, type ErrorInfo } from '../ipc/core';

let onLocked: ((err: ErrorInfo) => void) | null = null;

/** The app's handler for `vault.locked` from any form (set once by App.svelte). */
export function routeLockedTo(handler: ((err: ErrorInfo) => void) | null): void {
  onLocked = handler;
}

/** One thing a form does: whether it runs, and the error of its last run. */
export class Action {
  busy = $state(false);
  error = $state<ErrorInfo | null>(null);

  /**
   * Runs `fn` unless a run is under way; its result, or `undefined` when it failed (the error
   * is then in `error`, except a closed native dialog, which is not an error, and a locked vault,
   * which goes to the app).
   */
  async run<T>(fn: () => Promise<T>): Promise<T | undefined> {
    if (this.busy) return undefined;
    this.busy = true;
    this.error = null;
    try {
      return await fn();
    } catch (err) {
      this.fail(err);
      return undefined;
    } finally {
      this.busy = false;
    }
  }

  /** Shows `err` beside the form (or routes it as `run` does). */
  fail(err: unknown): void {
    const e = normaliseError(err);
    if (e.code === CANCELLED) return;
    if (e.code === 'vault.locked' && onLocked) {
      onLocked({ code: e.code, message: e.message, hint: e.hint });
      return;
    }
    this.error = { code: e.code, message: e.message, hint: e.hint };
  }

  /** The user changed what failed: the error no longer describes what is on screen. */
  clear(): void {
    this.error = null;
  }
}

// The IPC core every area's commands go through: `call` (every rejection as an `IpcError`),
// error normalising, and listening to events from the Rust side.
import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';

/** Shape of every rejection coming out of the IPC modules. */
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

/** The error code of a native dialog the user closed: not an error, nothing was done. */
export const CANCELLED = 'ui.cancelled';

/** Whether a rejection only says the user cancelled a native dialog. */
export function isCancelled(err: unknown): boolean {
  return normaliseError(err).code === CANCELLED;
}

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

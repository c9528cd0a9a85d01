// Approvals: the prompt window's commands and the main window's Approvals screen. Every command,
// argument and event name of either is in this file. The prompt window imports this module (and
// ./ipc for the shared helpers), never the main app.
import { call, watchEvent, type ErrorInfo } from './ipc';
// Generated from the Rust types (tests/tests/bindings.rs); never edited by hand.
import type { Block } from './bindings/Block';
import type { GrantView } from './bindings/GrantView';
import type { Level } from './bindings/Level';
import type { PairedApp } from './bindings/PairedApp';
import type { PairingView } from './bindings/PairingView';
import type { PromptItem } from './bindings/PromptItem';
import type { PromptView } from './bindings/PromptView';
import type { RiskVerdict } from './bindings/RiskVerdict';
import type { StoredGrant } from './bindings/StoredGrant';

export type { AppIdentity } from './bindings/AppIdentity';
export type { KeyView } from './bindings/KeyView';
export type { Block, GrantView, Level, PairedApp, PairingView, PromptItem, PromptView, RiskVerdict, StoredGrant };

/** The endpoint as the Approvals screen shows it (defined by the desktop shell, so typed here). */
export interface EndpointInfo {
  /** Null: not running. */
  url: string | null;
  keyFingerprint: string | null;
  error: ErrorInfo | null;
}

/** What `approvals_state` answers (defined by the desktop shell, so typed here). */
export interface ApprovalsState {
  endpoint: EndpointInfo;
  pending: PromptView[];
  pairings: PairingView[];
  apps: PairedApp[];
  grants: GrantView[];
}

/** The grant a decision asks for, as `approval_decide` spells it (the shell parses the text). */
export type Grant = 'once' | 'for_minutes' | 'until_lock';

/** What `approval_decide` takes: the request, the hash of what was shown, and the answer. */
export interface Decision {
  requestId: string;
  renderedHash: string;
  approved: boolean;
  /** Null when denying or when the request is not grantable. */
  grant: Grant | null;
  /** Only with `for_minutes`. */
  minutes: number | null;
  /** Only when the vault is locked and the user approves. */
  passphrase: string | null;
}

// ---------------------------------------------------------------------------------------------
// Commands of the prompt window

/** The request or pairing the prompt window shows now, or null. */
export const promptCurrent = (): Promise<PromptItem | null> => call('prompt_current');

export const approvalDecide = (d: Decision): Promise<null> =>
  call('approval_decide', {
    requestId: d.requestId,
    renderedHash: d.renderedHash,
    approved: d.approved,
    grant: d.grant,
    minutes: d.minutes,
    passphrase: d.passphrase,
  });

/** `keys`: the key ids the user allows (null: any key, or when denying). */
export const pairingDecide = (id: string, approved: boolean, keys: string[] | null): Promise<null> =>
  call('pairing_decide', { id, approved, keys });

// ---------------------------------------------------------------------------------------------
// Commands of the main window

export const approvalsState = (): Promise<ApprovalsState> => call('approvals_state');

export const appUnpair = (app: string): Promise<PairedApp> => call('app_unpair', { app });

/** The grant as it was stored. */
export const grantRevoke = (id: string): Promise<StoredGrant> => call('grant_revoke', { id });

/** Brings the prompt window forward. */
export const promptFocus = (): Promise<null> => call('prompt_focus');

/** Emitted to both windows (no payload) whenever a request, pairing, app or grant changes. */
export const APPROVALS_CHANGED = 'approvals://changed';

/** Calls `handler` on each `approvals://changed`; returns the function that stops listening. */
export function watchApprovals(handler: () => void, onerror: (err: unknown) => void): () => void {
  return watchEvent(APPROVALS_CHANGED, handler, onerror);
}

// ---------------------------------------------------------------------------------------------
// Wording and small rules shared by the prompt and the screen

/** Verdicts in the order they are listed: the worst first. */
export const LEVELS: readonly Level[] = ['forbidden', 'danger', 'warning', 'safe'];

export const LEVEL_WORDS: Record<Level, string> = {
  forbidden: 'Forbidden',
  danger: 'Danger',
  warning: 'Warning',
  safe: 'Safe',
};

function levelRank(level: string): number {
  const i = LEVELS.indexOf(level as Level);
  return i < 0 ? 1 : i; // an unknown level is treated as danger
}

/** Worst first; the back end's order within a level is kept. */
export function sortVerdicts<T extends { level: string }>(verdicts: readonly T[]): T[] {
  return verdicts
    .map((v, i) => ({ v, i }))
    .sort((a, b) => levelRank(a.v.level) - levelRank(b.v.level) || a.i - b.i)
    .map((x) => x.v);
}

/** Whole seconds until `expiresAt` (unix seconds), never below 0. */
export function secondsLeft(expiresAt: number, nowMs: number): number {
  return Math.max(0, Math.ceil(expiresAt - nowMs / 1000));
}

/** "23 s", "4 min 05 s", "2 h 03 min". */
export function formatLeft(secs: number): string {
  if (secs < 60) return `${secs} s`;
  if (secs < 3600) return `${Math.floor(secs / 60)} min ${pad(secs % 60)} s`;
  return `${Math.floor(secs / 3600)} h ${pad(Math.floor((secs % 3600) / 60))} min`;
}

/** The pairing code in two groups of three ("123 456"). */
export function groupCode(code: string): string {
  return code.length === 6 ? `${code.slice(0, 3)} ${code.slice(3)}` : code;
}

/** The start of an id, for tight spaces (the whole id goes in a tooltip). */
export function shortId(id: string): string {
  return id.length > 12 ? `${id.slice(0, 12)}…` : id;
}

/** The grant choices of a grantable request, the first one the default. */
export const GRANT_CHOICES: readonly {
  value: string;
  label: string;
  grant: Grant;
  minutes: number | null;
}[] = [
  { value: 'once', label: 'this request only', grant: 'once', minutes: null },
  { value: 'minutes-5', label: 'for 5 minutes', grant: 'for_minutes', minutes: 5 },
  { value: 'minutes-60', label: 'for 60 minutes', grant: 'for_minutes', minutes: 60 },
  { value: 'until-lock', label: 'until Keyward locks', grant: 'until_lock', minutes: null },
];

/** `grant` and `minutes` of a decision from the choice made (null when none is offered). */
export function grantOf(choice: string | null): { grant: Grant | null; minutes: number | null } {
  if (choice === null) return { grant: null, minutes: null };
  const c = GRANT_CHOICES.find((x) => x.value === choice) ?? GRANT_CHOICES[0];
  return { grant: c.grant, minutes: c.minutes };
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Unix seconds → "HH:MM" in local time. */
export function formatClock(unixSecs: number): string {
  const d = new Date(unixSecs * 1000);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Unix seconds → "YYYY-MM-DD HH:MM" in local time. */
export function formatUnix(unixSecs: number): string {
  const d = new Date(unixSecs * 1000);
  if (Number.isNaN(d.getTime())) return String(unixSecs);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${formatClock(unixSecs)}`;
}

/** Audit action families the Approvals screen's history shows. */
export const HISTORY_FAMILIES: readonly string[] = ['approval.', 'app.', 'grant.'];

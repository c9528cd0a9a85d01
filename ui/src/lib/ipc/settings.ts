// The Settings screen.
import type { Settings } from '../bindings/Settings';
import { call } from './core';

export type { AgentApproval } from '../bindings/AgentApproval';
export type { Settings };

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

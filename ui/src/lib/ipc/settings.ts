// The Settings screen.
import type { Settings } from '../bindings/Settings';
import type { SETTING_NAMES } from '../bindings/tables';
import { call } from './core';

export type { AgentApproval } from '../bindings/AgentApproval';
export type { Settings };

/** Setting names as `settings_set` (and `keyward-cli config set`) spells them. */
export type SettingName = (typeof SETTING_NAMES)[number];

export function settingsGet(): Promise<Settings> {
  return call<Settings>('settings_get');
}

export function settingsSet(name: SettingName, value: string): Promise<Settings> {
  return call<Settings>('settings_set', { name, value });
}

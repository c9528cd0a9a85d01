import { describe, expect, it } from 'vitest';
import { mockIPC } from '@tauri-apps/api/mocks';
import {
  appUnpair,
  approvalDecide,
  approvalsState,
  formatLeft,
  grantOf,
  grantRevoke,
  groupCode,
  pairingDecide,
  promptCurrent,
  promptFocus,
  secondsLeft,
  shortId,
  sortVerdicts,
} from './approvals';
import { IpcError } from './ipc';

describe('approval commands', () => {
  it('use the names and arguments the Rust side expects', async () => {
    const seen: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      seen.push([cmd, args ?? {}]);
      return null;
    });
    await promptCurrent();
    await approvalDecide({
      requestId: 'r',
      renderedHash: 'h',
      approved: true,
      grant: 'for_minutes',
      minutes: 5,
      passphrase: null,
    });
    await pairingDecide('p', true, ['k']);
    await approvalsState();
    await appUnpair('a');
    await grantRevoke('g');
    await promptFocus();
    expect(seen).toEqual([
      ['prompt_current', {}],
      [
        'approval_decide',
        { requestId: 'r', renderedHash: 'h', approved: true, grant: 'for_minutes', minutes: 5, passphrase: null },
      ],
      ['pairing_decide', { id: 'p', approved: true, keys: ['k'] }],
      ['approvals_state', {}],
      ['app_unpair', { app: 'a' }],
      ['grant_revoke', { id: 'g' }],
      ['prompt_focus', {}],
    ]);
  });

  it('reject with {code, message, hint}', async () => {
    mockIPC(() => {
      throw { code: 'vault.bad_passphrase', message: 'Wrong passphrase.', hint: 'Try again.' };
    });
    const err = await promptCurrent().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IpcError);
    expect(err).toMatchObject({ code: 'vault.bad_passphrase', message: 'Wrong passphrase.', hint: 'Try again.' });
  });
});

describe('approval wording', () => {
  it('sorts verdicts worst first and keeps the order within a level', () => {
    const v = [
      { id: 'a', level: 'safe' },
      { id: 'b', level: 'warning' },
      { id: 'c', level: 'danger' },
      { id: 'd', level: 'warning' },
      { id: 'e', level: 'forbidden' },
    ];
    expect(sortVerdicts(v).map((x) => x.id)).toEqual(['e', 'c', 'b', 'd', 'a']);
  });

  it('counts whole seconds down to 0', () => {
    expect(secondsLeft(100, 77_000)).toBe(23);
    expect(secondsLeft(100, 77_001)).toBe(23);
    expect(secondsLeft(100, 99_999)).toBe(1);
    expect(secondsLeft(100, 100_000)).toBe(0);
    expect(secondsLeft(100, 200_000)).toBe(0);
  });

  it('formats what is left', () => {
    expect(formatLeft(23)).toBe('23 s');
    expect(formatLeft(65)).toBe('1 min 05 s');
    expect(formatLeft(3720)).toBe('1 h 02 min');
  });

  it('groups the pairing code and shortens ids', () => {
    expect(groupCode('123456')).toBe('123 456');
    expect(groupCode('12345')).toBe('12345');
    expect(shortId('kid-1')).toBe('kid-1');
    expect(shortId('kid-0123456789abcdef')).toBe('kid-01234567…');
  });

  it('maps grant choices to grant and minutes', () => {
    expect(grantOf(null)).toEqual({ grant: null, minutes: null });
    expect(grantOf('once')).toEqual({ grant: 'once', minutes: null });
    expect(grantOf('minutes-5')).toEqual({ grant: 'for_minutes', minutes: 5 });
    expect(grantOf('minutes-60')).toEqual({ grant: 'for_minutes', minutes: 60 });
    expect(grantOf('until-lock')).toEqual({ grant: 'until_lock', minutes: null });
    expect(grantOf('nonsense')).toEqual({ grant: 'once', minutes: null });
  });
});

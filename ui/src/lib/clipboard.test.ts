import { afterEach, describe, expect, it, vi } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { copyText } from './clipboard';

afterEach(() => clearMocks());

describe('copyText', () => {
  it('copies through the app, which keeps it out of history and clears it later', async () => {
    const seen: unknown[] = [];
    mockIPC((cmd, payload) => {
      seen.push([cmd, payload]);
      if (cmd === 'clipboard_copy') return 30;
      throw `unknown command ${cmd}`;
    });
    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    await expect(copyText('eyJ.token', undefined)).resolves.toBe('copied');
    expect(seen).toEqual([['clipboard_copy', { text: 'eyJ.token' }]]);
    expect(writeText).not.toHaveBeenCalled();
  });

  it('falls back to the web clipboard when the app cannot copy', async () => {
    mockIPC(() => {
      throw { code: 'ui.clipboard', message: 'no display', hint: '' };
    });
    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    await expect(copyText('0xabc', undefined)).resolves.toBe('copied');
    expect(writeText).toHaveBeenCalledWith('0xabc');
  });
});

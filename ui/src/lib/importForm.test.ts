import { describe, expect, it } from 'vitest';
import {
  formatOption,
  looksEncryptedPem,
  looksLikeHex,
  looksLikeKeystore,
  looksLikeMnemonic,
  mnemonicPath,
  parseIndex,
  presetPath,
} from './importForm';

describe('import form helpers', () => {
  it('builds the path to send', () => {
    expect(mnemonicPath('eth', 0, '')).toBe('eth:0');
    expect(mnemonicPath('eos', 2, 'ignored')).toBe('eos:2');
    expect(mnemonicPath('btc', 7, '')).toBe('btc:7');
    expect(mnemonicPath('custom', 3, "  m/44'/1'/0'/0/0 ")).toBe("m/44'/1'/0'/0/0");
    expect(mnemonicPath('custom', 0, '  ')).toBeNull();
  });

  it('shows the full path of a preset', () => {
    expect(presetPath('eth', 0)).toBe("m/44'/60'/0'/0/0");
    expect(presetPath('eos', 2)).toBe("m/44'/194'/0'/0/2");
    expect(presetPath('btc', 1)).toBe("m/44'/0'/0'/0/1");
    expect(presetPath('custom', 1)).toBeNull();
  });

  it('accepts account indexes from 0 to 2^31-1', () => {
    expect(parseIndex(0)).toBe(0);
    expect(parseIndex('12')).toBe(12);
    expect(parseIndex(2147483647)).toBe(2147483647);
    expect(parseIndex(2147483648)).toBeNull();
    expect(parseIndex(-1)).toBeNull();
    expect(parseIndex(1.5)).toBeNull();
    expect(parseIndex(null)).toBeNull();
    expect(parseIndex('')).toBeNull();
  });

  it('guesses inputs to show the right fields', () => {
    const twelve = Array(12).fill('abandon').join(' ');
    expect(looksLikeMnemonic(twelve)).toBe(true);
    expect(looksLikeMnemonic(Array(11).fill('abandon').join(' '))).toBe(false);
    expect(looksLikeMnemonic(`${twelve} 42`)).toBe(false);
    expect(looksLikeKeystore('{"version":3,"Crypto":{}}')).toBe(true);
    expect(looksLikeKeystore('{"kty":"EC"}')).toBe(false);
    expect(looksLikeHex(`0x${'ab'.repeat(32)}`)).toBe(true);
    expect(looksLikeHex('abc')).toBe(false);
    expect(looksEncryptedPem('-----BEGIN ENCRYPTED PRIVATE KEY-----')).toBe(true);
    expect(looksEncryptedPem('-----BEGIN PRIVATE KEY-----')).toBe(false);
  });

  it('has help for every format', () => {
    expect(formatOption('keystore').help).toMatch(/keystore/i);
    expect(formatOption('auto').value).toBe('auto');
  });
});

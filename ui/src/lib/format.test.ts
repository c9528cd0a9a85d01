import { describe, expect, it } from 'vitest';
import { algName, optional, shortFingerprint } from './format';

describe('format', () => {
  it('shortens fingerprints and keeps a scheme prefix', () => {
    expect(shortFingerprint('SHA256:abcdefghijklmnopqrstuvwxyz')).toBe('SHA256:abcdefghijklmnop…');
    expect(shortFingerprint('abcd')).toBe('abcd');
  });
  it('names algorithms', () => {
    expect(algName('p256')).toBe('P-256');
  });
  it('maps blank labels to null', () => {
    expect(optional('   ')).toBeNull();
    expect(optional(' ci ')).toBe('ci');
  });
});

import { describe, expect, it } from 'vitest';
import { algFamily, algName, optional, parseTags, plural, shortFingerprint, tagProblem } from './format';

describe('format', () => {
  it('shortens fingerprints and keeps a scheme prefix', () => {
    expect(shortFingerprint('SHA256:abcdefghijklmnopqrstuvwxyz')).toBe('SHA256:abcdefghijklmnop…');
    expect(shortFingerprint('abcd')).toBe('abcd');
  });
  it('names algorithms', () => {
    expect(algName('p256')).toBe('P-256');
    expect(algName('rsa4096')).toBe('RSA-4096');
    expect(algName('secp256k1')).toBe('secp256k1');
    expect(algName('future')).toBe('future');
    expect(algFamily('ed25519')).toBe('EdDSA');
    expect(algFamily('rsa2048')).toBe('RSA');
    expect(algFamily('p384')).toBe('ECDSA');
  });
  it('maps blank labels to null', () => {
    expect(optional('   ')).toBeNull();
    expect(optional(' ci ')).toBe('ci');
  });
  it('parses tags separated by commas or spaces', () => {
    expect(parseTags('')).toEqual({ tags: [], invalid: [] });
    expect(parseTags(' CI, prod  env:eu-1,ci ,')).toEqual({ tags: ['ci', 'prod', 'env:eu-1'], invalid: [] });
    expect(parseTags('ok bad/tag ünï')).toEqual({ tags: ['ok'], invalid: ['bad/tag', 'ünï'] });
    expect(parseTags('x'.repeat(33)).invalid).toHaveLength(1);
    expect(tagProblem([])).toBe('');
    expect(tagProblem(['a/b'])).toContain('“a/b”');
  });
  it('pluralises', () => {
    expect(plural(1, 'key')).toBe('key');
    expect(plural(0, 'key')).toBe('keys');
  });
});

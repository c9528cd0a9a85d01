import { describe, expect, it } from 'vitest';
import type { KeyInfo, Usage } from './ipc';
import {
  hasEncoding,
  hexProblem,
  inputKinds,
  jwtKeys,
  type PolicyKey,
  schemesFor,
  signableKeys,
  usageFits,
  verifyTargets,
} from './signing';

function key(alg: KeyInfo['alg'], usage: Usage[] | undefined): PolicyKey {
  return { alg, usage };
}

describe('scheme filtering by usage', () => {
  it('offers what the policy allows, in the pickers’ order', () => {
    expect(schemesFor(key('secp256k1', ['raw', 'eip191', 'siwe', 'bsm', 'eos', 'jwt']))).toEqual([
      'eip191',
      'raw',
      'bsm',
      'eos',
    ]);
    expect(schemesFor(key('secp256k1', ['eip191', 'jwt']))).toEqual(['eip191']);
    expect(schemesFor(key('p256', ['raw', 'jwt']))).toEqual(['raw']);
    expect(schemesFor(key('ed25519', ['ed25519', 'jwt']))).toEqual(['ed25519']);
  });
  it('never offers what the algorithm cannot do, whatever the policy says', () => {
    expect(schemesFor(key('p256', ['eip191', 'ed25519']))).toEqual([]);
    expect(schemesFor(key('rsa2048', ['raw', 'jwt']))).toEqual([]);
  });
  it('treats a missing policy as none', () => {
    expect(schemesFor(key('secp256k1', undefined))).toEqual([]);
  });
  it('picks keys that can sign something, and keys that can mint', () => {
    const keys = [
      { id: 'a', ...key('secp256k1', ['eip191']) },
      { id: 'b', ...key('rsa2048', ['jwt']) },
      { id: 'c', ...key('p256', ['jwt']) },
      { id: 'd', ...key('p256', ['raw']) },
    ];
    expect(signableKeys(keys).map((k) => k.id)).toEqual(['a', 'd']);
    expect(jwtKeys(keys).map((k) => k.id)).toEqual(['b', 'c']);
  });
  it('knows which usages fit which algorithm', () => {
    expect(usageFits('siwe', 'secp256k1')).toBe(true);
    expect(usageFits('siwe', 'p256')).toBe(false);
    expect(usageFits('jwt', 'rsa4096')).toBe(true);
    expect(usageFits('raw', 'p384')).toBe(true);
    expect(usageFits('raw', 'ed25519')).toBe(false);
  });
});

describe('inputs', () => {
  it('takes a digest only for raw and eos', () => {
    expect(inputKinds('raw')).toContain('digest');
    expect(inputKinds('eos')).toContain('digest');
    expect(inputKinds('eip191')).toEqual(['message', 'hex']);
    expect(inputKinds('bsm')).toEqual(['message', 'hex']);
    expect(inputKinds('ed25519')).toEqual(['message', 'hex']);
  });
  it('has an encoding choice for raw only', () => {
    expect(hasEncoding('raw')).toBe(true);
    expect(hasEncoding('eip191')).toBe(false);
  });
  it('checks hex and digest lengths', () => {
    expect(hexProblem('message', 'anything')).toBe('');
    expect(hexProblem('hex', '0xdeadbeef')).toBe('');
    expect(hexProblem('hex', 'abc')).not.toBe('');
    expect(hexProblem('hex', 'zz')).not.toBe('');
    expect(hexProblem('digest', 'ab'.repeat(32))).toBe('');
    expect(hexProblem('digest', 'ab'.repeat(48))).toBe('');
    expect(hexProblem('digest', 'ab'.repeat(20))).toBe('A digest is 32 bytes (48 for P-384); this is 20.');
  });
  it('offers an address only for recoverable schemes', () => {
    expect(verifyTargets('eip191')).toContain('address');
    expect(verifyTargets('raw')).toEqual(['key', 'pubkey']);
  });
});

import { describe, expect, it } from 'vitest';
import type { KeyInfo, Usage } from './ipc';
import {
  hasEncoding,
  hexProblem,
  inputKinds,
  isSigner,
  jwtKeys,
  type PolicyKey,
  schemesFor,
  signableKeys,
  sentence,
  usageFits,
  verdictRest,
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

describe('who signed', () => {
  it('matches a recovered signer to a key\'s public forms, 0x-hex without case', () => {
    const forms = ['-----BEGIN PUBLIC KEY-----\n…', '0x2c7536E3605D9C16a7a3D7b1898e529396a65c23', 'PUB_K1_abc'];
    expect(isSigner('0x2c7536e3605d9c16a7a3d7b1898e529396a65c23', forms)).toBe(true);
    expect(isSigner('PUB_K1_abc', forms)).toBe(true);
    expect(isSigner('pub_k1_abc', forms)).toBe(false);
    expect(isSigner('', forms)).toBe(false);
  });

  it('says what a reason adds to the signer, once', () => {
    const a = '0xAAA';
    expect(verdictRest(`signed by ${a}`, a)).toBe('');
    expect(verdictRest(`signed by this key (${a})`, a)).toBe('');
    expect(verdictRest(`signed by ${a}, not 0xBBB`, a)).toBe('The signature is not from 0xBBB.');
    expect(verdictRest(`signed by ${a}, another key`, a)).toBe('The signature is not from the key you gave.');
    expect(verdictRest('the header says a SegWit address', a)).toBe('The header says a SegWit address.');
    expect(sentence('valid Ed25519 signature')).toBe('Valid Ed25519 signature.');
    expect(sentence('')).toBe('');
  });
});

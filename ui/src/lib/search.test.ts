import { describe, expect, it } from 'vitest';
import { keyInfo } from '../tests/fake-backend';
import { buildIndex, filterKeys, queryTerms } from './search';

const keys = [
  keyInfo(1, 'Deploy Bot', { tags: ['ci', 'prod'] }),
  keyInfo(2, 'Signing', { alg: 'ed25519', fingerprint: 'SHA256:Zebra' }),
  keyInfo(3, 'cold wallet', { alg: 'secp256k1', tags: ['eth'] }),
  { ...keyInfo(4, 'backup', { alg: 'rsa3072' }), id: 'ABC123' },
];
const index = buildIndex(keys);
const find = (q: string) => filterKeys(index, q).map((k) => k.label);

describe('search', () => {
  it('splits queries into lower-case terms', () => {
    expect(queryTerms('  Foo   BAR ')).toEqual(['foo', 'bar']);
    expect(queryTerms('')).toEqual([]);
  });

  it('matches everything for an empty query, in order', () => {
    expect(find('')).toEqual(['Deploy Bot', 'Signing', 'cold wallet', 'backup']);
    expect(find('   ')).toHaveLength(4);
  });

  it('matches labels anywhere, case-insensitively', () => {
    expect(find('BOT')).toEqual(['Deploy Bot']);
    expect(find('wall')).toEqual(['cold wallet']);
  });

  it('matches ids, algorithms, tags and fingerprints by prefix', () => {
    expect(find('abc')).toEqual(['backup']);
    expect(find('bc1')).toEqual([]);
    expect(find('rsa')).toEqual(['backup']);
    expect(find('RSA-3072')).toEqual(['backup']);
    expect(find('secp')).toEqual(['cold wallet']);
    expect(find('pro')).toEqual(['Deploy Bot']);
    expect(find('zeb')).toEqual(['Signing']);
    expect(find('sha256:zeb')).toEqual(['Signing']);
    expect(find('ebra')).toEqual([]);
  });

  it('needs every term to match', () => {
    expect(find('ci bot')).toEqual(['Deploy Bot']);
    expect(find('ci wallet')).toEqual([]);
  });

  it('handles keys without tags', () => {
    const legacy = { ...keyInfo(9, 'old'), tags: undefined as unknown as string[] };
    expect(filterKeys(buildIndex([legacy]), 'old')).toHaveLength(1);
  });
});

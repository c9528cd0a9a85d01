import { describe, expect, it } from 'vitest';
import { keyInfo } from '../tests/fake-backend';
import { buildIndex, filterKeys, queryTerms, sortKeys } from './search';

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

describe('order', () => {
  const keys = [
    keyInfo(1, 'key 10', { createdAt: '2025-01-01T00:00:00Z' }),
    keyInfo(2, 'Key 2', { alg: 'secp256k1', createdAt: '2025-01-02T00:00:00Z' }),
    keyInfo(3, 'alpha', { alg: 'ed25519', createdAt: '2025-01-03T00:00:00Z' }),
  ];
  const labels = (ks: { label: string }[]) => ks.map((k) => k.label);

  it('keeps the vault order, reverses it, or sorts by label (numbers as numbers) or algorithm', () => {
    expect(labels(sortKeys(keys, 'created'))).toEqual(['key 10', 'Key 2', 'alpha']);
    expect(labels(sortKeys(keys, 'newest'))).toEqual(['alpha', 'Key 2', 'key 10']);
    expect(labels(sortKeys(keys, 'label'))).toEqual(['alpha', 'Key 2', 'key 10']);
    expect(labels(sortKeys(keys, 'alg'))).toEqual(['alpha', 'key 10', 'Key 2']);
    // A new array: the vault's list is left as it was.
    expect(labels(keys)).toEqual(['key 10', 'Key 2', 'alpha']);
  });

  it('finds a wallet key by its address', () => {
    const index = buildIndex(keys);
    expect(labels(filterKeys(index, '0xethkid-2'))).toEqual(['Key 2']);
  });
});

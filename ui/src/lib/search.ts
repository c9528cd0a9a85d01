// Key list search: a precomputed, lower-cased index so that filtering 1,000 keys per keystroke
// is a handful of string comparisons per key.
import { algName } from './format';
import type { KeyInfo } from './ipc';

export interface SearchEntry {
  key: KeyInfo;
  label: string;
  id: string;
  alg: string;
  algName: string;
  tags: string[];
  fingerprint: string;
  /** The fingerprint without its `SHA256:` style prefix. */
  fingerprintBody: string;
  /** A wallet key's address, lower-cased ('' for other keys). */
  address: string;
}

export function searchEntry(key: KeyInfo): SearchEntry {
  const fingerprint = key.fingerprint.toLowerCase();
  const colon = fingerprint.indexOf(':');
  return {
    key,
    label: key.label.toLowerCase(),
    id: key.id.toLowerCase(),
    alg: key.alg.toLowerCase(),
    algName: algName(key.alg).toLowerCase(),
    tags: (key.tags ?? []).map((t) => t.toLowerCase()),
    fingerprint,
    fingerprintBody: colon >= 0 ? fingerprint.slice(colon + 1) : fingerprint,
    address: key.address?.value.toLowerCase() ?? '',
  };
}

export function buildIndex(keys: readonly KeyInfo[]): SearchEntry[] {
  return keys.map(searchEntry);
}

/** Whitespace-separated, lower-cased terms of a query. */
export function queryTerms(query: string): string[] {
  return query.toLowerCase().split(/\s+/).filter((t) => t !== '');
}

function termMatches(e: SearchEntry, term: string): boolean {
  return (
    e.label.includes(term) ||
    e.id.startsWith(term) ||
    e.alg.startsWith(term) ||
    e.algName.startsWith(term) ||
    e.tags.some((t) => t.startsWith(term)) ||
    e.fingerprint.startsWith(term) ||
    e.fingerprintBody.startsWith(term) ||
    (e.address !== '' && e.address.startsWith(term))
  );
}

/**
 * Keys matching every term of `query`: a term matches a label anywhere, and an id, algorithm,
 * tag, fingerprint or address by prefix. Case-insensitive; an empty query matches everything.
 */
export function filterKeys(index: readonly SearchEntry[], query: string): KeyInfo[] {
  const terms = queryTerms(query);
  if (terms.length === 0) return index.map((e) => e.key);
  const out: KeyInfo[] = [];
  for (const e of index) {
    if (terms.every((t) => termMatches(e, t))) out.push(e.key);
  }
  return out;
}

/** How the list is ordered: as created (the vault's order), newest first, by label, by algorithm. */
export type SortOrder = 'created' | 'newest' | 'label' | 'alg';

export const SORT_ORDERS: readonly { value: SortOrder; label: string }[] = [
  { value: 'created', label: 'Oldest first' },
  { value: 'newest', label: 'Newest first' },
  { value: 'label', label: 'Label A–Z' },
  { value: 'alg', label: 'Algorithm' },
];

const byLabel = (a: KeyInfo, b: KeyInfo) =>
  a.label.localeCompare(b.label, undefined, { numeric: true, sensitivity: 'base' });

/** `keys` in `order` (a new array; stable, so equal keys keep the vault's order). */
export function sortKeys(keys: readonly KeyInfo[], order: SortOrder): KeyInfo[] {
  const out = [...keys];
  switch (order) {
    case 'created':
      return out;
    case 'newest':
      return out.reverse();
    case 'label':
      return out.sort(byLabel);
    case 'alg':
      return out.sort((a, b) => algName(a.alg).localeCompare(algName(b.alg)) || byLabel(a, b));
  }
}

import { describe, expect, it } from 'vitest';
import {
  bearerHeader,
  bodyProblem,
  claimValue,
  countdown,
  curlCommand,
  defaultJwsAlg,
  engineKeyAlg,
  joinUrl,
  lifetimeProblem,
  mintAlgs,
  parseAudience,
  parseClaimRows,
  shellQuote,
} from './tokens';

// The curl command is checked against a real POSIX shell (sh), not against a copy of the
// quoting rules. Node's child_process, imported by name so the app's types stay DOM-only.
type ExecFileSync = (file: string, args: string[], options: { encoding: 'utf8' }) => string;
const { execFileSync } = (await import(/* @vite-ignore */ 'node:child_process' as string)) as {
  execFileSync: ExecFileSync;
};

/** What a POSIX shell makes of `line`: its words after `printf '%s\0'`. */
function shellWords(line: string): string[] {
  const out = execFileSync('sh', ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

describe('countdown', () => {
  const at = 1_700_000_015;
  it('counts whole seconds down', () => {
    expect(countdown(at, (at - 15) * 1000)).toEqual({ secs: 15, expired: false, text: 'expires in 15 s' });
    expect(countdown(at, (at - 14.2) * 1000).text).toBe('expires in 15 s');
    expect(countdown(at, (at - 1) * 1000).text).toBe('expires in 1 s');
  });
  it('writes minutes for long lifetimes', () => {
    expect(countdown(at, (at - 65) * 1000).text).toBe('expires in 1 m 05 s');
    expect(countdown(at, (at - 300) * 1000).text).toBe('expires in 5 m 00 s');
  });
  it('turns to expired at exp and stays there', () => {
    expect(countdown(at, at * 1000)).toEqual({ secs: 0, expired: true, text: 'expired' });
    expect(countdown(at, (at + 3600) * 1000).text).toBe('expired');
  });
});

describe('claim rows', () => {
  it('takes JSON values as JSON and anything else as text', () => {
    const r = parseClaimRows([
      { name: 'n', value: '42' },
      { name: 'b', value: 'true' },
      { name: 'list', value: '["a", 1]' },
      { name: 'obj', value: '{"x": {"y": null}}' },
      { name: 'quoted', value: '"42"' },
      { name: 'word', value: 'hello world' },
      { name: ' spaced ', value: '' },
    ]);
    expect(r).toEqual({
      ok: true,
      claims: {
        n: 42,
        b: true,
        list: ['a', 1],
        obj: { x: { y: null } },
        quoted: '42',
        word: 'hello world',
        spaced: '',
      },
    });
  });
  it('skips blank rows', () => {
    expect(parseClaimRows([{ name: '', value: '' }, { name: ' ', value: ' ' }])).toEqual({ ok: true, claims: {} });
  });
  it('refuses a value without a name, a name twice, and stamped claims', () => {
    expect(parseClaimRows([{ name: '', value: 'x' }])).toMatchObject({ ok: false, row: 0 });
    expect(parseClaimRows([{ name: 'a', value: '1' }, { name: 'a', value: '2' }])).toMatchObject({
      ok: false,
      row: 1,
      error: 'The claim a is given twice.',
    });
    expect(parseClaimRows([{ name: 'exp', value: '1' }])).toMatchObject({ ok: false, row: 0 });
    expect(parseClaimRows([{ name: 'iat', value: '1' }])).toMatchObject({ ok: false, row: 0 });
  });
  it('refuses iss in Engine mode only', () => {
    expect(parseClaimRows([{ name: 'iss', value: 'me' }], 'engine')).toMatchObject({ ok: false });
    expect(parseClaimRows([{ name: 'iss', value: 'me' }], 'generic')).toEqual({ ok: true, claims: { iss: 'me' } });
  });
  it('keeps a near-JSON value as text', () => {
    expect(claimValue('{not json')).toBe('{not json');
    expect(claimValue("'single'")).toBe("'single'");
  });
});

describe('audience and body', () => {
  it('splits a comma-separated audience', () => {
    expect(parseAudience(' a , b,,c ')).toEqual(['a', 'b', 'c']);
    expect(parseAudience('  ')).toEqual([]);
  });
  it('checks a body is JSON', () => {
    expect(bodyProblem('')).toBe('');
    expect(bodyProblem('{"a": 1}')).toBe('');
    expect(bodyProblem('{a: 1}')).toMatch(/^The body is not JSON/);
  });
});

describe('algorithms', () => {
  it('lists what a key may mint with, Engine mode limited to its four', () => {
    expect(mintAlgs('p256', 'engine')).toEqual(['ES256']);
    expect(mintAlgs('rsa2048', 'engine')).toEqual(['RS256', 'PS256']);
    expect(mintAlgs('secp256k1', 'engine')).toEqual([]);
    expect(mintAlgs('ed25519', 'engine')).toEqual([]);
    expect(mintAlgs('secp256k1', 'generic')).toEqual(['ES256K']);
    expect(mintAlgs('ed25519', 'generic')).toEqual(['EdDSA']);
    expect(mintAlgs('p384', 'generic')).toEqual(['ES384']);
  });
  it('defaults to the key’s own', () => {
    expect(defaultJwsAlg('p256')).toBe('ES256');
    expect(defaultJwsAlg('rsa4096')).toBe('RS256');
    expect(defaultJwsAlg('secp256k1')).toBe('ES256K');
    expect(engineKeyAlg('p384')).toBe(true);
    expect(engineKeyAlg('ed25519')).toBe(false);
  });
});

describe('copying a token', () => {
  const token = 'eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln-_';
  it('builds the header', () => {
    expect(bearerHeader(token)).toBe(`Authorization: Bearer ${token}`);
  });
  it('joins URL and path with one slash', () => {
    expect(joinUrl('http://127.0.0.1:3005/', '/backend-wallet/get-all')).toBe(
      'http://127.0.0.1:3005/backend-wallet/get-all',
    );
    expect(joinUrl('https://e.example', 'x')).toBe('https://e.example/x');
    expect(joinUrl('https://e.example/', '')).toBe('https://e.example');
  });
  it('quotes words for a POSIX shell', () => {
    expect(shellQuote('plain/path-1.2')).toBe('plain/path-1.2');
    expect(shellQuote('')).toBe("''");
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
  });
  it('builds a GET curl command', () => {
    expect(curlCommand({ method: 'get', url: 'http://h/p', token })).toBe(
      `curl -sS http://h/p -H 'Authorization: Bearer ${token}'`,
    );
  });
  it('builds a POST with a body a shell hands over byte for byte', () => {
    const body = `{"label":"it's $HOME \`x\` \\"q\\" ; rm -rf /","n":[1,2]}`;
    const url = 'http://127.0.0.1:3005/backend-wallet/create?x=1&y=2';
    const cmd = curlCommand({ method: 'POST', url, token, body });
    expect(shellWords(cmd)).toEqual([
      'curl',
      '-sS',
      '-X',
      'POST',
      url,
      '-H',
      `Authorization: Bearer ${token}`,
      '-H',
      'Content-Type: application/json',
      '--data-raw',
      body,
    ]);
  });
  it('quotes every odd character the shell could read', () => {
    for (const word of ['*', '~', '!x', '#c', 'a\nb', '$(id)', '\\', "'", '"', '{a,b}', 'é']) {
      expect(shellWords(shellQuote(word))).toEqual([word]);
    }
  });
});

describe('lifetime', () => {
  it('is whole seconds from 1 to the ceiling set in Settings', () => {
    expect(lifetimeProblem(15, 300)).toBe('');
    expect(lifetimeProblem(300, 300)).toBe('');
    expect(lifetimeProblem(301, 300)).toMatch(/^At most 300 s/);
    expect(lifetimeProblem(0, 300)).toMatch(/at least 1/);
    expect(lifetimeProblem(1.5, null)).toMatch(/whole seconds/);
    expect(lifetimeProblem(100000, null)).toBe('');
  });
});

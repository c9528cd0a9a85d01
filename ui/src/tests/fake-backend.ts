// An in-memory stand-in for the Rust commands, driven through @tauri-apps/api/mocks.
import { mockIPC } from '@tauri-apps/api/mocks';
import type { KeyDetail, KeyInfo, Status } from '../lib/ipc';

export interface Call {
  cmd: string;
  args: Record<string, unknown>;
}

export interface FakeOptions {
  initialized?: boolean;
  locked?: boolean;
  mode?: 'passphrase' | 'none' | null;
  passphrase?: string;
  keys?: KeyInfo[];
  /** Make a command reject with this value. */
  fail?: Record<string, unknown>;
}

export function keyInfo(n: number, label = `key ${n}`): KeyInfo {
  return {
    id: `kid-${n}`,
    label,
    alg: 'p256',
    fingerprint: `SHA256:fingerprint${n}abcdefghijklmnop`,
    createdAt: '2025-01-02T03:04:05Z',
  };
}

export function detailOf(k: KeyInfo): KeyDetail {
  return {
    ...k,
    publicPem: `-----BEGIN PUBLIC KEY-----\nPEM-${k.id}\n-----END PUBLIC KEY-----\n`,
    jwk: { kty: 'EC', crv: 'P-256', x: `x-${k.id}`, y: `y-${k.id}`, kid: k.id },
  };
}

const locked = { code: 'vault.locked', message: 'The vault is locked.', hint: 'Unlock it first.' };

export function fakeBackend(opts: FakeOptions = {}) {
  const state = {
    initialized: opts.initialized ?? true,
    locked: opts.locked ?? false,
    mode: opts.mode === undefined ? ('passphrase' as Status['mode']) : opts.mode,
    passphrase: opts.passphrase ?? 'correct horse',
    keys: [...(opts.keys ?? [])],
    fail: { ...(opts.fail ?? {}) } as Record<string, unknown>,
    next: 100,
  };
  const calls: Call[] = [];

  const status = (): Status => ({
    initialized: state.initialized,
    locked: state.locked,
    mode: state.initialized ? state.mode : null,
    vaultId: state.initialized ? 'vault-0001' : null,
    dataDir: '/data',
    keyCount: state.locked || !state.initialized ? null : state.keys.length,
  });
  const find = (id: unknown) => {
    const k = state.keys.find((x) => x.id === id);
    if (!k) throw { code: 'key.not_found', message: `No key ${String(id)}`, hint: 'Refresh.' };
    return k;
  };

  mockIPC((cmd, payload) => {
    const args = (payload ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args });
    if (cmd in state.fail) throw state.fail[cmd];
    if (cmd.startsWith('key_') && state.locked) throw locked;
    switch (cmd) {
      case 'vault_status':
        return status();
      case 'vault_init':
        state.initialized = true;
        state.locked = false;
        state.mode = args.passphrase === null ? 'none' : 'passphrase';
        return status();
      case 'vault_unlock':
        if (state.mode === 'passphrase' && args.passphrase !== state.passphrase) {
          throw {
            code: 'vault.bad_passphrase',
            message: 'Wrong passphrase.',
            hint: 'Check Caps Lock and try again.',
          };
        }
        state.locked = false;
        return status();
      case 'vault_lock':
        state.locked = true;
        return status();
      case 'key_list':
        return state.keys.map((k) => ({ ...k }));
      case 'key_generate': {
        const k = keyInfo(state.next++, (args.label as string | null) ?? 'generated');
        state.keys.push(k);
        return k;
      }
      case 'key_import': {
        const k = keyInfo(state.next++, (args.label as string | null) ?? 'imported');
        state.keys.push(k);
        return k;
      }
      case 'key_detail':
        return detailOf(find(args.key));
      case 'key_qr': {
        const k = find(args.key);
        return {
          payload: detailOf(k).publicPem,
          svg: `<svg xmlns="http://www.w3.org/2000/svg" data-key="${k.id}"></svg>`,
          ecLevel: 'Q',
          version: 7,
          modules: 45,
        };
      }
      case 'key_rename': {
        const k = find(args.key);
        k.label = args.label as string;
        return { ...k };
      }
      case 'key_delete':
        find(args.key);
        state.keys = state.keys.filter((k) => k.id !== args.key);
        return null;
      default:
        throw `unknown command ${cmd}`;
    }
  });

  return {
    state,
    calls,
    callsTo: (cmd: string) => calls.filter((c) => c.cmd === cmd),
  };
}

import { describe, expect, it } from 'vitest';
import { mockIPC } from '@tauri-apps/api/mocks';
import * as ipc from './ipc';
import { IpcError, normaliseError, UNEXPECTED } from './ipc';

function record(result: unknown = null) {
  const calls: { cmd: string; args: unknown }[] = [];
  mockIPC((cmd, args) => {
    calls.push({ cmd, args });
    return result;
  });
  return calls;
}

function rejectWith(value: unknown) {
  mockIPC(() => {
    throw value;
  });
}

async function rejection(p: Promise<unknown>): Promise<IpcError> {
  try {
    await p;
  } catch (err) {
    return err as IpcError;
  }
  throw new Error('expected the call to reject');
}

describe('command names and arguments', () => {
  const cases: [string, () => Promise<unknown>, string, Record<string, unknown>][] = [
    ['vaultStatus', () => ipc.vaultStatus(), 'vault_status', {}],
    ['vaultInit(passphrase)', () => ipc.vaultInit('long enough'), 'vault_init', { passphrase: 'long enough' }],
    ['vaultInit(null)', () => ipc.vaultInit(null), 'vault_init', { passphrase: null }],
    ['vaultUnlock', () => ipc.vaultUnlock('pw'), 'vault_unlock', { passphrase: 'pw' }],
    ['vaultLock', () => ipc.vaultLock(), 'vault_lock', {}],
    ['keyList', () => ipc.keyList(), 'key_list', { filter: null }],
    [
      'keyList(filter)',
      () => ipc.keyList({ alg: 'secp256k1', tag: 'prod' }),
      'key_list',
      { filter: { alg: 'secp256k1', tag: 'prod' } },
    ],
    [
      'keyGenerate',
      () => ipc.keyGenerate({ alg: 'rsa3072', label: 'ci', tags: ['a', 'b'] }),
      'key_generate',
      { req: { alg: 'rsa3072', label: 'ci', tags: ['a', 'b'] } },
    ],
    [
      'keyImport',
      () =>
        ipc.keyImport({
          text: 'words',
          format: 'mnemonic',
          alg: null,
          path: 'eos:2',
          passphrase: null,
          label: 'x',
          tags: [],
        }),
      'key_import',
      {
        req: {
          text: 'words',
          format: 'mnemonic',
          alg: null,
          path: 'eos:2',
          passphrase: null,
          label: 'x',
          tags: [],
        },
      },
    ],
    ['keyQr', () => ipc.keyQr('k1'), 'key_qr', { key: 'k1', format: null }],
    ['keyQr(format)', () => ipc.keyQr('k1', 'eth'), 'key_qr', { key: 'k1', format: 'eth' }],
    ['keyExport', () => ipc.keyExport(['k1'], 'openssh'), 'key_export', { keys: ['k1'], format: 'openssh' }],
    [
      'keyExport(jwks)',
      () => ipc.keyExport(['k1', 'k2'], 'jwks'),
      'key_export',
      { keys: ['k1', 'k2'], format: 'jwks' },
    ],
    ['keyTag', () => ipc.keyTag('k1', ['a'], ['b']), 'key_tag', { key: 'k1', add: ['a'], remove: ['b'] }],
    ['keyDetail', () => ipc.keyDetail('k1'), 'key_detail', { key: 'k1' }],
    ['keyRename', () => ipc.keyRename('k1', 'new'), 'key_rename', { key: 'k1', label: 'new' }],
    ['keyDelete', () => ipc.keyDelete('k1'), 'key_delete', { key: 'k1' }],
    ['auditList', () => ipc.auditList(), 'audit_list', { filter: null }],
    [
      'auditList(filter)',
      () => ipc.auditList({ action: 'key.', keyId: 'k1', limit: 50 }),
      'audit_list',
      { filter: { action: 'key.', keyId: 'k1', limit: 50 } },
    ],
    ['auditVerify', () => ipc.auditVerify(), 'audit_verify', {}],
    ['keyReveal', () => ipc.keyReveal('k1', 'wif'), 'key_reveal', { key: 'k1', format: 'wif', passphrase: null }],
    [
      'keyExportFile',
      () => ipc.keyExportFile(['k1'], 'pem'),
      'key_export_file',
      { keys: ['k1'], format: 'pem' },
    ],
    ['backupCreate', () => ipc.backupCreate('pw pw pw'), 'backup_create', { passphrase: 'pw pw pw' }],
    ['backupRestore', () => ipc.backupRestore('pw pw pw'), 'backup_restore', { passphrase: 'pw pw pw' }],
    ['backupInspect', () => ipc.backupInspect('pw pw pw'), 'backup_inspect', { passphrase: 'pw pw pw' }],
    ['backupMerge', () => ipc.backupMerge('pw pw pw'), 'backup_merge', { passphrase: 'pw pw pw' }],
    [
      'vaultChangePassphrase',
      () => ipc.vaultChangePassphrase('old pass', 'new pass'),
      'vault_change_passphrase',
      { old: 'old pass', new: 'new pass' },
    ],
    [
      'vaultChangePassphrase(no passphrase yet)',
      () => ipc.vaultChangePassphrase(null, 'new pass'),
      'vault_change_passphrase',
      { old: null, new: 'new pass' },
    ],
    ['auditExport', () => ipc.auditExport('csv'), 'audit_export', { format: 'csv', filter: null }],
    [
      'auditExport(filtered)',
      () => ipc.auditExport('jsonl', { action: 'key.', keyId: null, limit: null }),
      'audit_export',
      { format: 'jsonl', filter: { action: 'key.', keyId: null, limit: null } },
    ],
    [
      'keySign',
      () => ipc.keySign({ key: 'k1', scheme: 'eip191', input: { kind: 'message', value: 'hi' }, encoding: 'der' }),
      'key_sign',
      { req: { key: 'k1', scheme: 'eip191', input: { kind: 'message', value: 'hi' }, encoding: 'der' } },
    ],
    [
      'keyVerify',
      () =>
        ipc.keyVerify({
          scheme: 'raw',
          input: { kind: 'digest', value: 'ab' },
          signature: '30',
          pubkey: 'PEM',
          pubkeyAlg: 'p256',
        }),
      'key_verify',
      {
        req: { scheme: 'raw', input: { kind: 'digest', value: 'ab' }, signature: '30', pubkey: 'PEM', pubkeyAlg: 'p256' },
      },
    ],
    ['keyPolicy', () => ipc.keyPolicy('k1', ['jwt']), 'key_policy', { key: 'k1', allow: ['jwt'] }],
    ['keyPolicy(reset)', () => ipc.keyPolicy('k1', null), 'key_policy', { key: 'k1', allow: null }],
    [
      'jwtMint',
      () =>
        ipc.jwtMint(
          'k1',
          { mode: 'engine', alg: null, expSecs: 15, useKid: false, aud: [], sub: null, claims: {} },
          '{"a":1}',
          'eng',
        ),
      'jwt_mint',
      {
        key: 'k1',
        options: { mode: 'engine', alg: null, expSecs: 15, useKid: false, aud: [], sub: null, claims: {} },
        body: '{"a":1}',
        profile: 'eng',
      },
    ],
    [
      'jwtVerify',
      () => ipc.jwtVerify({ token: 't', key: 'k1', options: { algorithms: ['ES256'] } }),
      'jwt_verify',
      { req: { token: 't', key: 'k1', options: { algorithms: ['ES256'] } } },
    ],
    ['jwtInspect', () => ipc.jwtInspect('t'), 'jwt_inspect', { token: 't' }],
    ['serviceList', () => ipc.serviceList(), 'service_list', {}],
    [
      'serviceAddEngine',
      () => ipc.serviceAddEngine('eng', 'http://x', 'adm'),
      'service_add_engine',
      { name: 'eng', url: 'http://x', adminToken: 'adm' },
    ],
    ['serviceRemove', () => ipc.serviceRemove('eng'), 'service_remove', { name: 'eng' }],
    ['engineHealth', () => ipc.engineHealth('eng'), 'engine_health', { profile: 'eng' }],
    [
      'engineKeypairAdd',
      () => ipc.engineKeypairAdd('eng', 'k1'),
      'engine_keypair_add',
      { profile: 'eng', key: 'k1', label: null, alg: null },
    ],
    ['engineKeypairList', () => ipc.engineKeypairList('eng'), 'engine_keypair_list', { profile: 'eng' }],
    [
      'engineKeypairRemove',
      () => ipc.engineKeypairRemove('eng', 'h'),
      'engine_keypair_remove',
      { profile: 'eng', target: 'h' },
    ],
    ['serviceKeyCreate', () => ipc.serviceKeyCreate('eng', 'ci'), 'service_key_create', { service: 'eng', label: 'ci' }],
    ['serviceKeyList', () => ipc.serviceKeyList('eng'), 'service_key_list', { service: 'eng' }],
    [
      'serviceKeyRename',
      () => ipc.serviceKeyRename('eng', 'id1', null),
      'service_key_rename',
      { service: 'eng', id: 'id1', label: null },
    ],
    ['serviceKeyRevoke', () => ipc.serviceKeyRevoke('eng', 'id1'), 'service_key_revoke', { service: 'eng', id: 'id1' }],
    ['serviceKeyCheck', () => ipc.serviceKeyCheck('eng', 'id1'), 'service_key_check', { service: 'eng', id: 'id1' }],
    [
      'engineCall',
      () => ipc.engineCall('eng', 'k1', { method: 'POST', path: '/p', data: '{}', expSecs: 15, useKid: true }),
      'engine_call',
      { profile: 'eng', key: 'k1', method: 'POST', path: '/p', data: '{}', expSecs: 15, useKid: true },
    ],
    ['playgroundStart', () => ipc.playgroundStart(), 'playground_start', {}],
    ['playgroundStop', () => ipc.playgroundStop(), 'playground_stop', {}],
    ['playgroundStatus', () => ipc.playgroundStatus(), 'playground_status', {}],
  ];

  it.each(cases)('%s', async (_name, run, cmd, args) => {
    const calls = record();
    await run();
    expect(calls).toHaveLength(1);
    expect(calls[0].cmd).toBe(cmd);
    expect(calls[0].args ?? {}).toEqual(args);
  });

  it('returns the command result', async () => {
    const status = {
      initialized: true,
      locked: false,
      mode: 'none',
      vaultId: 'v',
      dataDir: '/d',
      keyCount: 0,
    };
    record(status);
    await expect(ipc.vaultStatus()).resolves.toEqual(status);
  });
});

describe('error normalisation', () => {
  it('keeps a structured error from the back end', async () => {
    rejectWith({ code: 'vault.bad_passphrase', message: 'Wrong passphrase.', hint: 'Try again.' });
    const err = await rejection(ipc.vaultUnlock('nope'));
    expect(err).toBeInstanceOf(IpcError);
    expect(err.code).toBe('vault.bad_passphrase');
    expect(err.message).toBe('Wrong passphrase.');
    expect(err.hint).toBe('Try again.');
  });

  it('fills in a missing hint', async () => {
    rejectWith({ code: 'key.not_found', message: 'gone' });
    const err = await rejection(ipc.keyDetail('x'));
    expect(err.code).toBe('key.not_found');
    expect(err.hint).toBe('');
  });

  it('wraps a plain string rejection', async () => {
    rejectWith('command key_list not found');
    const err = await rejection(ipc.keyList());
    expect(err).toBeInstanceOf(IpcError);
    expect(err.code).toBe(UNEXPECTED);
    expect(err.message).toBe('command key_list not found');
    expect(typeof err.hint).toBe('string');
    expect(err.hint).not.toBe('');
  });

  it('wraps an Error', async () => {
    rejectWith(new TypeError('boom'));
    const err = await rejection(ipc.vaultLock());
    expect(err.code).toBe(UNEXPECTED);
    expect(err.message).toBe('boom');
  });

  it.each([[null], [undefined], [42], [{ message: 'no code' }], [{ code: 7, message: 'x' }]])(
    'wraps odd value %j',
    (value) => {
      const err = normaliseError(value);
      expect(err.code).toBe(UNEXPECTED);
      expect(typeof err.message).toBe('string');
      expect(err.message).not.toBe('');
      expect(typeof err.hint).toBe('string');
    },
  );

  it('tells a cancelled native dialog from an error', () => {
    expect(ipc.isCancelled({ code: 'ui.cancelled', message: 'cancelled', hint: '' })).toBe(true);
    expect(ipc.isCancelled({ code: 'key.not_found', message: 'x', hint: '' })).toBe(false);
    expect(ipc.isCancelled('ui.cancelled')).toBe(false);
  });

  it('fails with ui.unexpected when Tauri is absent', async () => {
    // No mockIPC: there is no Tauri runtime in jsdom.
    const err = await rejection(ipc.vaultStatus());
    expect(err.code).toBe(UNEXPECTED);
  });
});

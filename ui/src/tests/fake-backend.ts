// An in-memory stand-in for the Rust commands, driven through @tauri-apps/api/mocks.
import { mockIPC } from '@tauri-apps/api/mocks';
import type {
  AuditEntry,
  AuditFilter,
  AuditReport,
  BackupSummary,
  EngineKeypair,
  GenerateRequest,
  ImportRequest,
  Jwk,
  KeyAlg,
  KeyDetail,
  KeyInfo,
  MergeReport,
  PublicFormat,
  Profile,
  PublicView,
  RemoteKey,
  Settings,
  SignRequest,
  Status,
} from '../lib/ipc';
import type { ApprovalsState, GrantView, PairedApp, PromptItem, StoredGrant } from '../lib/approvals';
import { USAGES, usageFits } from '../lib/signing';

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
  /** Audit entries already in the log, oldest first (their seq numbers are kept). */
  audit?: AuditEntry[];
  /** What `audit_verify` answers (default: intact, everything anchored). */
  verify?: AuditReport;
  /** The passphrase `backup_restore` accepts, and the keys the backup holds. */
  backup?: { passphrase: string; keys: KeyInfo[]; createdAt?: string };
  /** Service profiles that exist already. */
  profiles?: Profile[];
  /** `service_key_create` answers as if the keychain refused the new token. */
  tokenUnsaved?: boolean;
  /** `service_key_create` answers as a shell that does not return the secret of a sealed token. */
  tokenSecretWithheld?: boolean;
  /** Requests and pairings waiting, the first one the prompt's current item. */
  prompts?: PromptItem[];
  /** The endpoint, paired apps and grants `approvals_state` reports (pending ones come from `prompts`). */
  approvals?: Partial<Pick<ApprovalsState, 'endpoint' | 'apps' | 'grants'>>;
}

/** A signature the fake's `key_sign` makes: deterministic, recognisable. */
export function fakeSignature(key: string, scheme: string, value: string): string {
  return `sig:${key}:${scheme}:${value}`;
}

/** The access token the fake's Engine creates (returned once by `service_key_create`). */
export const FAKE_ACCESS_TOKEN = 'eyJ0eXAiOiJKV1QifQ.SECRET-ACCESS-TOKEN.sig';

/** A three-part token whose header and claims the fake's `jwt_inspect` decodes. */
export function fakeToken(header: object, claims: object): string {
  const b64 = (o: object) => btoa(JSON.stringify(o)).replace(/=+$/, '');
  return `${b64(header)}.${b64(claims)}.c2ln`;
}

/** The error of a native dialog the user closed. */
export const CANCELLED = { code: 'ui.cancelled', message: 'cancelled', hint: 'Nothing was done.' };

/** An audit entry as the back end sends it (hashes made up, but 64 hex digits). */
export function auditEntry(
  seq: number,
  action: string,
  keyId: string | null = null,
  summary = `${action} summary`,
  actor = 'app',
): AuditEntry {
  const hex = (n: number) => n.toString(16).padStart(4, '0').repeat(16);
  return {
    seq,
    at: `2025-03-04T05:06:${String(seq % 60).padStart(2, '0')}Z`,
    actor,
    action,
    keyId,
    summary,
    prev: seq === 1 ? '0'.repeat(64) : hex(seq - 1),
    hash: hex(seq),
  };
}

/** The secret the fake's `key_reveal` answers for a key and format. */
export function revealedText(id: string, format: string): string {
  return `-----BEGIN PRIVATE KEY-----\nSECRET-${id}-${format}\n-----END PRIVATE KEY-----\n`;
}

/** The passphrase the fake's encrypted keys open with. */
export const KEY_PASSPHRASE = 'key pass';

export function keyInfo(n: number, label = `key ${n}`, extra: Partial<KeyInfo> = {}): KeyInfo {
  const alg = extra.alg ?? 'p256';
  return {
    id: `kid-${n}`,
    label,
    alg,
    fingerprint: `SHA256:fingerprint${n}abcdefghijklmnop`,
    createdAt: '2025-01-02T03:04:05Z',
    tags: [],
    origin: 'generated',
    // No policy stored: every usage the algorithm fits, as the vault answers.
    usage: USAGES.map((u) => u.id).filter((u) => usageFits(u, alg)),
    // A wallet key goes by its address, as the vault answers (its value as `exports` has it).
    ...(alg === 'secp256k1'
      ? { address: { format: 'eth' as const, title: 'Ethereum address', value: `0xEthkid-${n}` } }
      : {}),
    ...extra,
  };
}

const TITLES: Record<PublicFormat, string> = {
  pem: 'Public key (PEM)',
  jwk: 'JWK',
  jwks: 'JWK Set',
  openssh: 'OpenSSH',
  eth: 'Ethereum address',
  eos: 'EOS public key',
  'eos-legacy': 'EOS public key (legacy)',
  btc: 'Bitcoin address (P2PKH)',
  xpub: 'xpub',
  fingerprint: 'SHA-256 fingerprint',
};

function exportValue(k: KeyInfo, format: PublicFormat): string {
  switch (format) {
    case 'pem':
      return `-----BEGIN PUBLIC KEY-----\nPEM-${k.id}\n-----END PUBLIC KEY-----\n`;
    case 'jwk':
      return JSON.stringify(jwkOf(k));
    case 'jwks':
      return JSON.stringify({ keys: [jwkOf(k)] });
    case 'openssh':
      return `ecdsa-sha2-nistp256 AAAA${k.id} ${k.label}`;
    case 'eth':
      return `0xEth${k.id}`;
    case 'eos':
      return `PUB_K1_${k.id}`;
    case 'eos-legacy':
      return `EOS${k.id}`;
    case 'btc':
      return `1Btc${k.id}`;
    case 'xpub':
      return `xpub${k.id}`;
    case 'fingerprint':
      return k.fingerprint;
  }
}

function jwkOf(k: KeyInfo): Jwk {
  return { kty: 'EC', crv: 'P-256', x: `x-${k.id}`, y: `y-${k.id}`, kid: k.id };
}

export function formatsOf(k: KeyInfo): PublicFormat[] {
  if (k.alg === 'secp256k1') {
    const hd = k.origin.startsWith('mnemonic') || k.origin === 'xprv';
    return ['pem', 'jwk', 'eth', 'eos', 'eos-legacy', 'btc', ...(hd ? ['xpub' as const] : []), 'fingerprint'];
  }
  return ['pem', 'jwk', 'openssh', 'fingerprint'];
}

export function qrDefaultOf(k: KeyInfo): PublicFormat {
  return k.alg === 'secp256k1' ? 'eth' : 'pem';
}

export function detailOf(k: KeyInfo): KeyDetail {
  const exports: PublicView[] = formatsOf(k).map((format) => ({
    format,
    title: TITLES[format],
    value: exportValue(k, format),
  }));
  return {
    ...k,
    publicPem: exportValue(k, 'pem'),
    jwk: jwkOf(k),
    exports,
    qrDefault: qrDefaultOf(k),
  };
}

const locked = { code: 'vault.locked', message: 'The vault is locked.', hint: 'Unlock it first.' };

function keyError(code: string, message: string) {
  return { code, message, hint: `hint for ${code}` };
}

function presetPath(path: string | null): string {
  if (path === null) return "m/44'/60'/0'/0/0";
  const m = /^(eth|eos|btc):(\d+)$/.exec(path);
  if (!m) return path;
  const coin = { eth: 60, eos: 194, btc: 0 }[m[1] as 'eth' | 'eos' | 'btc'];
  return `m/44'/${coin}'/0'/0/${m[2]}`;
}

/** What the fake's import does with a request (mirrors the errors the real one returns). */
function importKey(req: ImportRequest, n: number): KeyInfo {
  const text = req.text.trim();
  if (text === 'not a key') throw keyError('key.unknown_format', 'The format was not recognised.');
  if (text.includes('ENCRYPTED') || text.includes('"crypto"')) {
    if ((req.passphrase ?? null) === null) {
      throw keyError('key.passphrase_required', 'The key is encrypted and no passphrase was given.');
    }
    if (req.passphrase !== KEY_PASSPHRASE) {
      throw keyError('key.bad_passphrase', 'The passphrase does not open this key.');
    }
  }
  const hex = /^(0x)?[0-9a-f]{64}$/i.test(text);
  if ((req.format === 'hex' || (req.format === 'auto' && hex)) && (req.alg ?? null) === null) {
    throw keyError('key.alg_required', 'A raw key needs its algorithm named.');
  }
  const words = text.split(/\s+/).length;
  const mnemonic = req.format === 'mnemonic' || (req.format === 'auto' && words >= 12);
  const alg: KeyAlg = mnemonic || req.format === 'keystore' ? 'secp256k1' : (req.alg ?? 'p256');
  const origin = mnemonic ? `mnemonic ${presetPath(req.path ?? null)}` : req.format === 'auto' ? 'pem' : req.format;
  return keyInfo(n, req.label ?? 'imported', { alg, origin, tags: [...req.tags].sort() });
}

export function fakeBackend(opts: FakeOptions = {}) {
  const state = {
    initialized: opts.initialized ?? true,
    locked: opts.locked ?? false,
    /** Why it locked, as the vault says while locked. */
    lockedBy: undefined as Status['lockedBy'],
    mode: opts.mode === undefined ? ('passphrase' as Status['mode']) : opts.mode,
    passphrase: opts.passphrase ?? 'correct horse',
    keys: [...(opts.keys ?? [])],
    fail: { ...(opts.fail ?? {}) } as Record<string, unknown>,
    /** A command listed here waits for its promise before answering. */
    hold: {} as Record<string, Promise<unknown>>,
    next: 100,
    audit: [...(opts.audit ?? [])] as AuditEntry[],
    verify: opts.verify ?? null,
    backup: opts.backup ?? null,
    profiles: [...(opts.profiles ?? [])] as Profile[],
    keypairs: [] as EngineKeypair[],
    tokens: [] as RemoteKey[],
    playground: null as string | null,
    prompts: structuredClone(opts.prompts ?? []) as PromptItem[],
    endpoint: opts.approvals?.endpoint ?? {
      url: 'http://127.0.0.1:47110',
      keyFingerprint: 'SHA256:endpointkeyfingerprint',
      error: null,
    },
    apps: structuredClone(opts.approvals?.apps ?? []) as PairedApp[],
    grants: structuredClone(opts.approvals?.grants ?? []) as GrantView[],
    settings: {
      idleLockMinutes: 15,
      endpointPort: 47800,
      jwtDefaultExpSecs: 15,
      jwtMaxExpSecs: 300,
      simplewalletLinks: false,
      startAtLogin: false,
      agentApproval: null,
    } as Settings,
  };
  const profileOf = (name: unknown) => {
    const p = state.profiles.find((x) => x.name === name);
    if (!p) throw { code: 'service.not_found', message: `No profile ${String(name)}`, hint: 'Add it.' };
    return p;
  };
  const engineProfile = (name: string, url: string, admin: boolean): Profile => ({
    name,
    kind: 'engine',
    baseUrl: url,
    settings: {},
    credentials: admin ? [{ name: 'admin-token', createdAt: '2025-01-01T00:00:00Z' }] : [],
    createdAt: '2025-01-01T00:00:00Z',
    updatedAt: '2025-01-01T00:00:00Z',
  });
  const log = (action: string, keyId: string | null, summary: string) => {
    const seq = (state.audit[state.audit.length - 1]?.seq ?? 0) + 1;
    state.audit.push(auditEntry(seq, action, keyId, summary));
  };
  const calls: Call[] = [];

  const status = (): Status => ({
    initialized: state.initialized,
    locked: state.locked,
    mode: state.initialized ? state.mode : null,
    vaultId: state.initialized ? 'vault-0001' : null,
    dataDir: '/data',
    keyCount: state.locked || !state.initialized ? null : state.keys.length,
    agent: false,
    ...(state.locked && state.lockedBy ? { lockedBy: state.lockedBy } : {}),
  });
  const find = (id: unknown) => {
    const k = state.keys.find((x) => x.id === id);
    if (!k) throw { code: 'key.not_found', message: `No key ${String(id)}`, hint: 'Refresh.' };
    return k;
  };

  const promptOf = (type: PromptItem['type'], id: unknown) => {
    const p = state.prompts.find((x) => x.type === type && x.id === id);
    if (!p) throw { code: 'endpoint.not_found', message: `No ${type} ${String(id)}`, hint: 'It expired or was answered.' };
    return p;
  };

  mockIPC(async (cmd, payload) => {
    const args = (payload ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args: structuredClone(args) });
    if (cmd in state.hold) await state.hold[cmd];
    if (cmd in state.fail) throw state.fail[cmd];
    if ((cmd.startsWith('key_') || cmd.startsWith('audit_') || cmd === 'backup_create') && state.locked) {
      throw locked;
    }
    switch (cmd) {
      case 'settings_get':
        return { ...state.settings };
      case 'settings_set': {
        const { name, value } = payload as { name: string; value: string };
        const s = state.settings;
        const num = Number(value);
        const bad = { code: 'usage.invalid', message: `${name}: bad value`, hint: '' };
        if (name === 'idle-lock-minutes') {
          if (!Number.isInteger(num) || num < 0 || num > 1440) throw bad;
          s.idleLockMinutes = num;
        } else if (name === 'start-at-login') {
          s.startAtLogin = value === 'true';
        } else if (name === 'simplewallet-links') {
          s.simplewalletLinks = value === 'true';
        } else if (name === 'endpoint-port') {
          if (!Number.isInteger(num) || num < 1024 || num > 65535) throw bad;
          s.endpointPort = num;
        } else if (name === 'jwt-default-exp' || name === 'jwt-max-exp') {
          const m = /^(\d+)([smh]?)$/.exec(value.trim());
          if (!m) throw bad;
          const secs = Number(m[1]) * ({ s: 1, m: 60, h: 3600 }[m[2]] ?? 1);
          const next = { ...s, [name === 'jwt-max-exp' ? 'jwtMaxExpSecs' : 'jwtDefaultExpSecs']: secs };
          if (next.jwtDefaultExpSecs === 0 || next.jwtDefaultExpSecs > next.jwtMaxExpSecs) throw bad;
          Object.assign(s, next);
        } else {
          throw bad;
        }
        return { ...s };
      }
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
      case 'vault_change_passphrase': {
        if (state.locked) throw locked;
        if (state.mode === 'passphrase' && args.old !== state.passphrase) {
          throw { code: 'vault.bad_passphrase', message: 'Wrong passphrase.', hint: 'Check Caps Lock and try again.' };
        }
        if (typeof args.new !== 'string' || [...args.new].length < 8) {
          throw { code: 'vault.weak_passphrase', message: 'The passphrase is too short.', hint: 'Use at least 8 characters.' };
        }
        const was = state.mode;
        state.mode = 'passphrase';
        state.passphrase = args.new;
        log('vault.passphrase_change', null, was === 'none' ? 'passphrase set (the vault leaves "no passphrase" mode)' : 'passphrase changed');
        return status();
      }
      case 'vault_lock':
        state.locked = true;
        state.lockedBy = 'window';
        log('vault.lock', null, 'locked');
        return status();
      case 'key_list': {
        const filter = (args.filter ?? null) as { alg?: string | null; tag?: string | null } | null;
        return state.keys
          .filter((k) => !filter?.alg || k.alg === filter.alg)
          .filter((k) => !filter?.tag || k.tags.includes(filter.tag))
          .map((k) => ({ ...k, tags: [...k.tags] }));
      }
      case 'key_generate': {
        const req = args.req as GenerateRequest;
        const k = keyInfo(state.next++, req.label ?? 'generated', {
          alg: req.alg,
          tags: [...req.tags].sort(),
        });
        state.keys.push(k);
        log('key.generate', k.id, `generated a ${k.alg} key`);
        return { ...k };
      }
      case 'key_import_preview': {
        const req = args.req as ImportRequest;
        if (req.text.includes('zoo')) {
          throw keyError('key.bad_checksum', 'The recovery phrase\'s checksum does not match');
        }
        return {
          alg: 'secp256k1',
          fingerprint: 'fp-preview',
          origin: `mnemonic ${req.path}`,
          address: { format: 'eth', title: 'Ethereum address', value: `0xPreview${req.path}` },
        };
      }
      case 'key_import': {
        const k = importKey(args.req as ImportRequest, state.next);
        state.next++;
        state.keys.push(k);
        log('key.import', k.id, `imported a ${k.alg} key`);
        return { ...k };
      }
      case 'key_detail':
        return detailOf(find(args.key));
      case 'key_qr': {
        const k = find(args.key);
        const format = (args.format as PublicFormat | null) ?? qrDefaultOf(k);
        if (!formatsOf(k).includes(format)) {
          throw keyError('key.format_not_for_alg', `format ${format} is not available`);
        }
        return {
          payload: exportValue(k, format),
          svg: `<svg xmlns="http://www.w3.org/2000/svg" data-key="${k.id}" data-format="${format}"></svg>`,
          ecLevel: format === 'pem' ? 'Q' : 'M',
          version: 7,
          modules: 45,
        };
      }
      case 'key_export': {
        const keys = (args.keys as string[]).map(find);
        const format = args.format as PublicFormat;
        for (const k of keys) log('key.export', k.id, `exported the public key as ${format}`);
        if (format === 'jwks') return JSON.stringify({ keys: keys.map(jwkOf) });
        return exportValue(keys[0], format);
      }
      case 'key_qr_file': {
        const k = find(args.key);
        return `/home/user/keyward-qr-${k.id}.svg`;
      }
      case 'key_export_file': {
        const keys = (args.keys as string[]).map(find);
        const format = args.format as PublicFormat;
        for (const k of keys) log('key.export', k.id, `saved the public key as ${format}`);
        return `/home/user/${keys[0].id}.${format}`;
      }
      case 'key_reveal': {
        const k = find(args.key);
        if (args.format === 'pkcs8-enc' && !args.passphrase) {
          throw { code: 'key.passphrase_required', message: 'no passphrase', hint: 'Give one.' };
        }
        log('key.reveal', k.id, `revealed the private key as ${String(args.format)}`);
        return revealedText(k.id, String(args.format));
      }
      case 'audit_list': {
        const f = (args.filter ?? null) as AuditFilter | null;
        const action = f?.action ?? null;
        const matches = (a: string) =>
          action === null || (action.endsWith('.') ? a.startsWith(action) : a === action);
        const list = [...state.audit]
          .reverse()
          .filter((e) => matches(e.action))
          .filter((e) => !f?.keyId || e.keyId === f.keyId);
        return f?.limit ? list.slice(0, f.limit) : list;
      }
      case 'audit_verify': {
        if (state.verify) return state.verify;
        const rows = state.audit.length;
        return {
          ok: true,
          rows,
          anchoredThrough: rows,
          unanchored: 0,
          anchorChecked: true,
          head: state.audit[state.audit.length - 1]?.hash ?? '0'.repeat(64),
          problems: [],
        } satisfies AuditReport;
      }
      case 'backup_create': {
        const n = state.keys.length;
        log('backup.create', null, `backed up ${n} keys`);
        return { path: '/home/user/keyward.kwbackup', keys: n, createdAt: '2025-05-06T07:08:09Z' };
      }
      case 'backup_restore': {
        if (state.initialized) {
          throw keyError('vault.already_initialized', 'A vault exists.');
        }
        const b = state.backup;
        if (!b || args.passphrase !== b.passphrase) {
          throw keyError('backup.bad_passphrase', 'The passphrase does not open this backup.');
        }
        state.initialized = true;
        state.locked = false;
        state.mode = 'passphrase';
        state.passphrase = b.passphrase;
        state.keys = b.keys.map((k) => ({ ...k }));
        log('backup.restore', null, `restored ${b.keys.length} keys`);
        return {
          vaultId: 'vault-0001',
          sourceVaultId: 'vault-old',
          backupCreatedAt: b.createdAt ?? '2025-01-01T00:00:00Z',
          keys: b.keys.length,
        };
      }
      case 'backup_inspect': {
        const b = state.backup;
        if (!b || args.passphrase !== b.passphrase) {
          throw keyError('backup.bad_passphrase', 'The passphrase does not open this backup.');
        }
        return {
          createdAt: b.createdAt ?? '2025-01-01T00:00:00Z',
          sourceVaultId: 'vault-old',
          sourceMode: 'passphrase',
          keys: b.keys.length,
          profiles: 0,
          credentials: 0,
          keyList: b.keys.map(({ id, label, alg, fingerprint, createdAt }) => ({ id, label, alg, fingerprint, createdAt })),
          profileList: [],
        } satisfies BackupSummary;
      }
      case 'backup_merge': {
        if (state.locked) throw locked;
        const b = state.backup;
        if (!b || args.passphrase !== b.passphrase) {
          throw keyError('backup.bad_passphrase', 'The passphrase does not open this backup.');
        }
        const skippedKeys: MergeReport['skippedKeys'] = [];
        let added = 0;
        for (const k of b.keys) {
          const reason = state.keys.some((h) => h.id === k.id)
            ? 'sameId'
            : state.keys.some((h) => h.fingerprint === k.fingerprint)
              ? 'sameFingerprint'
              : null;
          if (reason) {
            skippedKeys.push({ id: k.id, label: k.label, reason });
          } else {
            state.keys.push({ ...k });
            added += 1;
          }
        }
        log('backup.merge', null, `merged a backup: added ${added} keys, skipped ${skippedKeys.length}`);
        return {
          sourceVaultId: 'vault-old',
          backupCreatedAt: b.createdAt ?? '2025-01-01T00:00:00Z',
          keysAdded: added,
          keysSkipped: skippedKeys.length,
          profilesAdded: 0,
          profilesSkipped: 0,
          credentialsAdded: 0,
          credentialsSkipped: 0,
          skippedKeys,
          skippedProfiles: [],
        } satisfies MergeReport;
      }
      case 'audit_export': {
        if (state.locked) throw locked;
        const filter = (args.filter ?? null) as AuditFilter | null;
        const count = state.audit.filter((e) => !filter?.action || e.action.startsWith(filter.action)).length;
        return { path: `/home/user/Documents/keyward-activity-2025-05-06.${args.format}`, count };
      }
      case 'key_tag': {
        const k = find(args.key);
        const remove = args.remove as string[];
        const tags = new Set(k.tags.filter((t) => !remove.includes(t)));
        for (const t of args.add as string[]) tags.add(t);
        k.tags = [...tags].sort();
        return { ...k, tags: [...k.tags] };
      }
      case 'key_rename': {
        const k = find(args.key);
        k.label = args.label as string;
        log('key.rename', k.id, `renamed to ${k.label}`);
        return { ...k };
      }
      case 'key_delete':
        find(args.key);
        state.keys = state.keys.filter((k) => k.id !== args.key);
        log('key.delete', String(args.key), 'deleted the key');
        return null;
      case 'key_sign': {
        const req = args.req as SignRequest;
        const k = find(req.key);
        if (!(k.usage ?? []).includes(req.scheme)) {
          throw keyError('sign.policy_forbidden', `the usage policy of ${k.label} forbids ${req.scheme}`);
        }
        log('key.sign', k.id, `signed with ${req.scheme}`);
        return {
          scheme: req.scheme,
          signature: fakeSignature(k.id, req.scheme, req.input.value),
          digest: req.scheme === 'ed25519' ? undefined : 'ab'.repeat(32),
          signer: `signer-of-${k.id}`,
        };
      }
      case 'key_verify': {
        const req = args.req as { signature: string; address?: string | null; key?: string | null };
        const valid = req.signature.startsWith('sig:');
        return {
          valid,
          reason: valid ? 'signed by the fake' : 'the signature does not match',
          recovered: req.address ?? undefined,
        };
      }
      case 'key_policy': {
        const k = find(args.key);
        k.usage = (args.allow as KeyInfo['usage']) ?? ['jwt'];
        return { ...k };
      }
      case 'jwt_mint': {
        const k = find(args.key);
        const o = args.options as { mode: string; alg: string | null; expSecs: number | null; aud: string[]; claims: object };
        const iat = Math.floor(Date.now() / 1000);
        const exp = iat + (o.expSecs ?? 15);
        const header = { alg: o.alg ?? 'ES256', typ: 'JWT' };
        const claims = { ...(o.mode === 'engine' ? { iss: `PEM-${k.id}` } : {}), iat, exp, ...o.claims };
        log('jwt.mint', k.id, `minted a ${o.mode} token`);
        return { token: fakeToken(header, claims), header, claims, expiresAt: exp };
      }
      case 'jwt_inspect': {
        const parts = String(args.token).trim().split('.');
        if (parts.length !== 3) throw keyError('jwt.malformed', 'not a JWT');
        const dec = (p: string) => JSON.parse(atob(p)) as Record<string, unknown>;
        const header = dec(parts[0]);
        const claims = dec(parts[1]);
        return {
          header,
          claims,
          alg: String(header.alg),
          signatureBytes: 3,
          verified: false,
          note: 'decoded only: the signature, the expiry and the claims were NOT verified',
          expiresInSecs: typeof claims.exp === 'number' ? claims.exp - Math.floor(Date.now() / 1000) : undefined,
        };
      }
      case 'jwt_verify': {
        const req = args.req as { options: { algorithms: string[] } };
        return {
          header: {},
          claims: {},
          alg: req.options.algorithms[0],
          checks: [{ id: 'signature', ok: true, detail: 'valid signature' }],
          notChecked: ['iss: present but not compared (no issuer required)'],
        };
      }
      case 'service_list':
        return state.profiles.map((p) => ({ ...p }));
      case 'service_add_engine': {
        const p = engineProfile(String(args.name), String(args.url), args.adminToken !== null);
        state.profiles.push(p);
        return { ...p };
      }
      case 'service_remove': {
        const p = profileOf(args.name);
        state.profiles = state.profiles.filter((x) => x !== p);
        return { ...p };
      }
      case 'playground_start': {
        state.playground = 'http://127.0.0.1:45678';
        state.profiles = state.profiles.filter((p) => p.name !== 'playground');
        state.profiles.push(engineProfile('playground', state.playground, true));
        return { url: state.playground, profile: 'playground' };
      }
      case 'playground_stop': {
        const was = state.playground !== null;
        state.playground = null;
        return was;
      }
      case 'playground_status':
        return state.playground;
      case 'engine_health':
        profileOf(args.profile);
        return { engineVersion: 'fake', engineTier: 'test', features: ['KEYPAIR_AUTH'], keypairAuth: true, clockOffsetSecs: 0 };
      case 'engine_keypair_add': {
        profileOf(args.profile);
        const k = find(args.key);
        const kp: EngineKeypair = {
          hash: `hash-${k.id}`.padEnd(64, '0'),
          publicKey: `PEM-${k.id}`,
          algorithm: 'ES256',
          label: null,
          createdAt: null,
          updatedAt: null,
          vaultKey: k.id,
        };
        state.keypairs.push(kp);
        return kp;
      }
      case 'engine_keypair_list':
        profileOf(args.profile);
        return state.keypairs.map((k) => ({ ...k }));
      case 'engine_keypair_remove':
        state.keypairs = state.keypairs.filter((k) => k.hash !== args.target);
        return args.target;
      case 'service_key_create': {
        profileOf(args.service);
        const id = `tok-${state.next++}`;
        const t: RemoteKey = {
          id,
          tokenMask: 'eyJ0...mask',
          label: (args.label as string | null) ?? null,
          createdAt: null,
          expiresAt: null,
          stored: !opts.tokenUnsaved,
        };
        state.tokens.push(t);
        if (opts.tokenUnsaved) {
          return {
            key: { ...t },
            noun: 'access token',
            unsaved: {
              secret: FAKE_ACCESS_TOKEN,
              error: { code: 'keychain.locked', message: 'the keychain is locked', hint: 'Unlock it.' },
            },
          };
        }
        return {
          key: { ...t },
          noun: 'access token',
          credential: { name: `access-token:${id}`, createdAt: '2025-01-01T00:00:00Z' },
          ...(opts.tokenSecretWithheld ? {} : { secret: FAKE_ACCESS_TOKEN }),
        };
      }
      case 'service_key_list':
        profileOf(args.service);
        return state.tokens.map((t) => ({ ...t }));
      case 'service_key_rename':
        return null;
      case 'service_key_revoke':
        state.tokens = state.tokens.filter((t) => t.id !== args.id);
        return null;
      case 'service_key_check': {
        const t = state.tokens.find((x) => x.id === args.id);
        return { id: args.id, works: !!t?.stored, status: t?.stored ? 200 : 401 };
      }
      case 'engine_call': {
        const registered = state.keypairs.some((k) => k.vaultKey === args.key);
        return {
          method: args.method,
          path: args.path,
          status: registered ? 200 : 401,
          body: registered ? { result: [] } : { error: 'Unauthorized' },
          tokenClaims: { iss: 'PEM' },
          tokenExpiresAt: Math.floor(Date.now() / 1000) + 15,
        };
      }
      case 'prompt_current':
        return state.prompts.length > 0 ? structuredClone(state.prompts[0]) : null;
      case 'approval_decide': {
        const p = promptOf('request', args.requestId);
        if (p.type !== 'request') throw new Error('unreachable');
        if (args.renderedHash !== p.renderedHash) {
          throw { code: 'approval.payload_mismatch', message: 'What was shown is not what would be signed.', hint: 'Look again.' };
        }
        if (args.approved && p.locked && args.passphrase !== state.passphrase) {
          throw { code: 'vault.bad_passphrase', message: 'Wrong passphrase.', hint: 'Check Caps Lock and try again.' };
        }
        state.prompts = state.prompts.filter((x) => x !== p);
        log(args.approved ? 'approval.approved' : 'approval.denied', p.key.id, `${p.app.name}: ${p.title}`);
        return null;
      }
      case 'pairing_decide': {
        const p = promptOf('pairing', args.id);
        if (p.type !== 'pairing') throw new Error('unreachable');
        state.prompts = state.prompts.filter((x) => x !== p);
        if (args.approved) {
          state.apps.push({
            id: `app-${state.next++}`,
            name: p.appName,
            origin: p.origin ?? null,
            keys: (args.keys as string[] | null) ?? null,
            createdAt: Math.floor(Date.now() / 1000),
            lastSeen: null,
          });
        }
        log(args.approved ? 'app.pair' : 'approval.pair_denied', null, p.appName);
        return null;
      }
      case 'approvals_state': {
        const pending = state.prompts.flatMap(({ type, ...p }) => (type === 'request' ? [p] : []));
        const pairings = state.prompts.flatMap(({ type, ...p }) => (type === 'pairing' ? [p] : []));
        return structuredClone({
          endpoint: state.endpoint,
          pending,
          pairings,
          apps: state.apps,
          grants: state.grants,
        });
      }
      case 'app_unpair': {
        const a = state.apps.find((x) => x.id === args.app);
        if (!a) throw { code: 'app.not_found', message: `No app ${String(args.app)}`, hint: 'Refresh.' };
        state.apps = state.apps.filter((x) => x !== a);
        state.grants = state.grants.filter((g) => g.appId !== a.id);
        log('app.unpair', null, a.name);
        return { ...a };
      }
      case 'grant_revoke': {
        const g = state.grants.find((x) => x.id === args.id);
        if (!g) throw { code: 'grant.not_found', message: `No grant ${String(args.id)}`, hint: 'Refresh.' };
        state.grants = state.grants.filter((x) => x !== g);
        log('grant.revoke', g.keyId, `${g.appName}: revoked`);
        const stored: StoredGrant = {
          id: g.id,
          appId: g.appId,
          keyId: g.keyId,
          untilLock: g.scope === 'until_lock',
          body: {},
          createdAt: g.createdAt,
          expiresAt: g.expiresAt,
        };
        return stored;
      }
      case 'prompt_focus':
        return null;
      default:
        throw `unknown command ${cmd}`;
    }
  }, { shouldMockEvents: true });

  return {
    state,
    calls,
    callsTo: (cmd: string) => calls.filter((c) => c.cmd === cmd),
  };
}

/** A promise to hold a command with (`state.hold[cmd]`) and the function that releases it. */
export function gate(): { promise: Promise<void>; release: () => void } {
  let release = () => {};
  const promise = new Promise<void>((r) => (release = r));
  return { promise, release };
}

// The approval prompt window against the fake back end: what it shows (as text only), when
// Approve works, and exactly what each decision sends.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { emit } from '@tauri-apps/api/event';
import PromptWindow from './lib/PromptWindow.svelte';
import { fakeBackend } from './tests/fake-backend';
import type { PairingView, PromptItem, PromptView } from './lib/approvals';

const byId = (id: string) => screen.getByTestId(id);
const button = (id: string) => byId(id) as HTMLButtonElement;

/** Unix seconds the fake clock starts at. */
const T0 = Date.UTC(2025, 5, 1, 12, 0, 0) / 1000;

const XSS = '<img src=x onerror=alert(1)>';

function request(extra: Partial<PromptView> = {}): PromptItem {
  return {
    type: 'request',
    id: 'req-1',
    kind: 'sign_message',
    title: 'Sign a message',
    app: { name: 'Dapp Wallet', exe: '/usr/bin/dapp', pid: 4242 },
    origin: 'https://dapp.example',
    originVerified: true,
    key: { id: 'kid-0123456789abcdef', label: 'eth main', alg: 'secp256k1' },
    blocks: [
      { type: 'title', text: 'Message' },
      { type: 'field', label: 'Chain', value: 'Ethereum mainnet (1)' },
      { type: 'host', label: 'Domain', ascii: 'xn--80ak6aa92e.com', unicode: 'аррӏе.com' },
      { type: 'text', label: 'Text', text: `Hello ${XSS}\\u{202e}`, escaped: 1 },
      { type: 'hex', label: 'Bytes', hex: 'deadbeef' },
      { type: 'notice', text: 'The app asked for an EIP-191 signature.' },
    ],
    payloadFrom: 0,
    renderedHash: 'hash-1',
    verdicts: [
      { id: 'fresh', level: 'safe', message: 'The request is fresh.' },
      { id: 'lookalike', level: 'danger', message: 'The domain looks like apple.com.' },
      { id: 'new-app', level: 'warning', message: 'First request from this app.' },
    ],
    createdAt: T0,
    expiresAt: T0 + 23,
    locked: false,
    grantable: false,
    link: false,
    ...extra,
  };
}

function pairing(extra: Partial<PairingView> = {}): PromptItem {
  return {
    type: 'pairing',
    id: 'pair-1',
    appName: 'CLI tool',
    origin: 'http://localhost:3000',
    code: '123456',
    keys: ['kid-1', 'kid-2'],
    createdAt: T0,
    expiresAt: T0 + 120,
    ...extra,
  };
}

/** Lets the fake back end answer and the page update (without moving the clock). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await vi.advanceTimersByTimeAsync(0);
}

async function advance(ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
  await settle();
}

async function show(prompts: PromptItem[], opts: Parameters<typeof fakeBackend>[0] = {}) {
  const be = fakeBackend({ prompts, ...opts });
  render(PromptWindow);
  await settle();
  return be;
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0 * 1000);
});

afterEach(() => {
  vi.useRealTimers();
});

describe('prompt window: a request', () => {
  it('shows who asks, with which key, and every block as text only', async () => {
    await show([request()]);
    expect(byId('prompt-title').textContent).toBe('Sign a message');
    const app = byId('prompt-app').textContent ?? '';
    expect(app).toContain('Dapp Wallet');
    expect(app).toContain('Program /usr/bin/dapp');
    expect(app).toContain('Process ID 4242');
    expect(byId('prompt-origin').textContent).toBe('https://dapp.example');
    const key = byId('prompt-key');
    expect(key.textContent).toContain('eth main');
    expect(key.textContent).toContain('secp256k1');
    expect(key.textContent).toContain('kid-01234567…');

    const blocks = screen.getAllByTestId('prompt-block');
    expect(blocks.map((b) => b.dataset.type)).toEqual(['title', 'field', 'host', 'text', 'hex', 'notice']);
    expect(blocks[1].textContent).toContain('Ethereum mainnet (1)');
    expect(blocks[2].textContent).toContain('xn--80ak6aa92e.com');
    expect(blocks[2].textContent).toContain('аррӏе.com');
    const pre = blocks[3].querySelector('pre');
    expect(pre?.textContent).toBe(`Hello ${XSS}\\u{202e}`);
    expect(blocks[3].textContent).toContain('1 control or invisible character shown escaped');
    expect(blocks[4].textContent).toContain('deadbeef');
    expect(blocks[5].textContent).toContain('EIP-191');
    // The markup in the payload is text, not an element.
    expect(document.querySelector('img')).toBeNull();
    expect(byId('prompt-window').innerHTML).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('says a link opened it and where the answer goes, and offers no grant', async () => {
    await show([
      request({ app: { name: 'unknown app (deep link)' }, origin: 'https://cb.example', link: true }),
    ]);
    expect(byId('prompt-app').textContent).toContain('unknown app (deep link)');
    expect(byId('prompt-link').textContent).toContain('cannot tell which app');
    expect(byId('prompt-origin').closest('dl')?.textContent).toContain('Answer goes to');
    expect(screen.queryByTestId('prompt-grant')).toBeNull();
  });

  it('lists verdicts worst first, each with its level in words', async () => {
    await show([request()]);
    const verdicts = screen.getAllByTestId('prompt-verdict');
    expect(verdicts.map((v) => v.dataset.level)).toEqual(['danger', 'warning', 'safe']);
    expect(verdicts[0].textContent).toContain('Danger');
    expect(verdicts[0].textContent).toContain('The domain looks like apple.com.');
    expect(verdicts[1].textContent).toContain('Warning');
    expect(verdicts[2].textContent).toContain('Safe');
  });

  it('keeps Approve inert for the first second and focuses Deny', async () => {
    await show([request()]);
    expect(document.activeElement).toBe(byId('prompt-deny'));
    expect(button('prompt-approve').disabled).toBe(true);
    expect(button('prompt-approve').type).toBe('button');
    expect(button('prompt-deny').type).toBe('submit');
    expect(byId('prompt-arming')).toBeTruthy();
    await advance(999);
    expect(button('prompt-approve').disabled).toBe(true);
    await advance(1);
    expect(button('prompt-approve').disabled).toBe(false);
    expect(screen.queryByTestId('prompt-arming')).toBeNull();
  });

  it('starts the inert second again when the next request shows', async () => {
    const be = await show([request(), request({ id: 'req-2', title: 'Second', renderedHash: 'hash-2' })]);
    await advance(1000);
    await fireEvent.click(byId('prompt-approve'));
    await settle();
    expect(be.callsTo('approval_decide')).toHaveLength(1);
    expect(byId('prompt-title').textContent).toBe('Second');
    expect(button('prompt-approve').disabled).toBe(true);
    expect(document.activeElement).toBe(byId('prompt-deny'));
    await advance(1000);
    expect(button('prompt-approve').disabled).toBe(false);
  });

  it('sends exactly the request, the rendered hash and approved true', async () => {
    const be = await show([request()]);
    await advance(1000);
    await fireEvent.click(byId('prompt-approve'));
    await settle();
    expect(be.callsTo('approval_decide').map((c) => c.args)).toEqual([
      { requestId: 'req-1', renderedHash: 'hash-1', approved: true, grant: null, minutes: null, passphrase: null },
    ]);
    // Then the next one, or nothing.
    expect(be.callsTo('prompt_current').length).toBeGreaterThanOrEqual(2);
    expect(byId('prompt-empty').textContent).toContain('No request waiting');
  });

  it('sends approved false on Deny, before or after the inert second', async () => {
    const be = await show([request({ grantable: true, locked: true })]);
    await fireEvent.click(byId('prompt-deny'));
    await settle();
    expect(be.callsTo('approval_decide').map((c) => c.args)).toEqual([
      { requestId: 'req-1', renderedHash: 'hash-1', approved: false, grant: null, minutes: null, passphrase: null },
    ]);
    expect(byId('prompt-empty')).toBeTruthy();
  });

  it('denies on Esc, wherever the focus is (the passphrase field included)', async () => {
    const be = await show([request({ locked: true }), request({ id: 'req-2', renderedHash: 'hash-2' })]);
    byId('prompt-passphrase')?.focus();
    await fireEvent.keyDown(window, { key: 'Escape' });
    await settle();
    await fireEvent.keyDown(document.body, { key: 'Escape' });
    await settle();
    expect(be.callsTo('approval_decide').map((c) => [c.args.requestId, c.args.approved])).toEqual([
      ['req-1', false],
      ['req-2', false],
    ]);
  });

  it('says whether the origin is verified or only claimed', async () => {
    await show([request({ originVerified: false })]);
    expect(byId('prompt-origin-note').textContent).toContain('Claimed by the app');
  });

  it('offers a grant only for a grantable request, and sends the choice', async () => {
    await show([request()]);
    expect(screen.queryByTestId('prompt-grant')).toBeNull();
  });

  it.each([
    ['once', 'once', null],
    ['minutes-5', 'for_minutes', 5],
    ['minutes-60', 'for_minutes', 60],
    ['until-lock', 'until_lock', null],
  ] as const)('grant choice %s sends grant %s, minutes %s', async (choice, grant, minutes) => {
    const be = await show([request({ grantable: true })]);
    const group = byId('prompt-grant');
    expect(group.textContent).toContain('this request only (default)');
    expect(group.textContent).toContain('for 5 minutes');
    expect(group.textContent).toContain('for 60 minutes');
    expect(group.textContent).toContain('until Keyward locks');
    expect((byId('prompt-grant-once') as HTMLInputElement).checked).toBe(true);
    await fireEvent.click(byId(`prompt-grant-${choice}`));
    await advance(1000);
    await fireEvent.click(byId('prompt-approve'));
    await settle();
    expect(be.callsTo('approval_decide').map((c) => c.args)).toEqual([
      { requestId: 'req-1', renderedHash: 'hash-1', approved: true, grant, minutes, passphrase: null },
    ]);
  });

  it('asks for the passphrase when locked; Enter in it neither approves nor denies', async () => {
    const be = await show([request({ locked: true })], { passphrase: 'correct horse' });
    const field = byId('prompt-passphrase') as HTMLInputElement;
    expect(field.type).toBe('password');
    expect(field.autocomplete).toBe('off');
    expect(field.closest('label')?.textContent).toContain('Passphrase to unlock');
    await advance(1000);
    await fireEvent.input(field, { target: { value: 'correct horse' } });
    const notPrevented = await fireEvent.keyDown(field, { key: 'Enter' });
    expect(notPrevented).toBe(false);
    await settle();
    expect(be.callsTo('approval_decide')).toHaveLength(0);
    expect(field.value).toBe('correct horse');

    await fireEvent.click(byId('prompt-approve'));
    await settle();
    expect(be.callsTo('approval_decide').map((c) => c.args)).toEqual([
      {
        requestId: 'req-1',
        renderedHash: 'hash-1',
        approved: true,
        grant: null,
        minutes: null,
        passphrase: 'correct horse',
      },
    ]);
  });

  it('denies when the form submits (Deny is the default button)', async () => {
    const be = await show([request({ locked: true })]);
    await advance(1000);
    await fireEvent.input(byId('prompt-passphrase'), { target: { value: 'typed' } });
    await fireEvent.submit(byId('prompt-passphrase').closest('form')!);
    await settle();
    expect(be.callsTo('approval_decide').map((c) => c.args)).toEqual([
      { requestId: 'req-1', renderedHash: 'hash-1', approved: false, grant: null, minutes: null, passphrase: null },
    ]);
  });

  it('shows a wrong passphrase and keeps the request', async () => {
    const be = await show([request({ locked: true })], { passphrase: 'correct horse' });
    await advance(1000);
    await fireEvent.click(byId('prompt-approve'));
    expect(byId('prompt-problem').textContent).toContain('Enter the passphrase');
    expect(be.callsTo('approval_decide')).toHaveLength(0);

    await fireEvent.input(byId('prompt-passphrase'), { target: { value: 'wrong one' } });
    await fireEvent.click(byId('prompt-approve'));
    await settle();
    const banner = byId('error-banner');
    expect(within(banner).getByTestId('error-code').textContent).toBe('vault.bad_passphrase');
    expect(byId('prompt-title').textContent).toBe('Sign a message');
    // The passphrase does not linger; the same request stays armed.
    expect((byId('prompt-passphrase') as HTMLInputElement).value).toBe('');
    expect(button('prompt-approve').disabled).toBe(false);

    await fireEvent.input(byId('prompt-passphrase'), { target: { value: 'correct horse' } });
    await fireEvent.click(byId('prompt-approve'));
    await settle();
    expect(be.callsTo('approval_decide')).toHaveLength(2);
    expect(byId('prompt-empty')).toBeTruthy();
  });

  it('counts down and disables Approve once expired', async () => {
    const be = await show([request()]);
    expect(byId('prompt-countdown').textContent?.trim()).toBe('Expires in 23 s');
    await advance(1000);
    expect(byId('prompt-countdown').textContent?.trim()).toBe('Expires in 22 s');
    expect(button('prompt-approve').disabled).toBe(false);
    await advance(22_000);
    expect(byId('prompt-countdown').textContent?.trim()).toBe('This request expired');
    expect(button('prompt-approve').disabled).toBe(true);
    await fireEvent.click(byId('prompt-approve'));
    await settle();
    expect(be.callsTo('approval_decide')).toHaveLength(0);
  });

  it('never approves a request with a forbidden verdict', async () => {
    await show([
      request({ verdicts: [{ id: 'policy', level: 'forbidden', message: 'The key may not sign this.' }] }),
    ]);
    await advance(1000);
    expect(screen.getAllByTestId('prompt-verdict')[0].textContent).toContain('Forbidden');
    expect(button('prompt-approve').disabled).toBe(true);
    expect(byId('prompt-forbidden')).toBeTruthy();
  });

  it('re-reads on approvals://changed', async () => {
    const be = await show([]);
    expect(byId('prompt-empty').textContent).toContain('No request waiting');
    be.state.prompts.push(request());
    await emit('approvals://changed');
    await settle();
    expect(byId('prompt-title').textContent).toBe('Sign a message');
    expect(button('prompt-approve').disabled).toBe(true);
  });
});

describe('prompt window: a pairing', () => {
  it('shows the code and sends the keys left checked', async () => {
    const be = await show([pairing()]);
    expect(byId('pairing-title').textContent).toBe('Pair “CLI tool” with Keyward?');
    expect(byId('pairing-code').textContent?.trim()).toBe('123 456');
    expect(screen.getByText('Check that the app shows the same code.')).toBeTruthy();
    expect(byId('pairing-origin').textContent).toBe('http://localhost:3000');
    expect(document.activeElement).toBe(byId('pairing-deny'));
    const boxes = screen.getAllByTestId('pairing-key') as HTMLInputElement[];
    expect(boxes.map((b) => [b.value, b.checked])).toEqual([
      ['kid-1', true],
      ['kid-2', true],
    ]);
    expect(button('pairing-approve').disabled).toBe(true);
    await advance(1000);
    expect(button('pairing-approve').disabled).toBe(false);
    await fireEvent.click(boxes[0]);
    await fireEvent.click(byId('pairing-approve'));
    await settle();
    expect(be.callsTo('pairing_decide').map((c) => c.args)).toEqual([{ id: 'pair-1', approved: true, keys: ['kid-2'] }]);
    expect(byId('prompt-empty')).toBeTruthy();
  });

  it('needs at least one key kept', async () => {
    await show([pairing()]);
    await advance(1000);
    for (const b of screen.getAllByTestId('pairing-key')) await fireEvent.click(b);
    expect(button('pairing-approve').disabled).toBe(true);
  });

  it('offers any key when none was asked for, and sends keys null', async () => {
    const be = await show([pairing({ keys: undefined, origin: undefined })]);
    expect(byId('pairing-any-key').textContent).toBe('Any key (each request still asks you)');
    expect(screen.queryByTestId('pairing-origin')).toBeNull();
    await advance(1000);
    await fireEvent.click(byId('pairing-approve'));
    await settle();
    expect(be.callsTo('pairing_decide').map((c) => c.args)).toEqual([{ id: 'pair-1', approved: true, keys: null }]);
  });

  it('sends approved false on Deny', async () => {
    const be = await show([pairing(), request()]);
    await fireEvent.click(byId('pairing-deny'));
    await settle();
    expect(be.callsTo('pairing_decide').map((c) => c.args)).toEqual([{ id: 'pair-1', approved: false, keys: null }]);
    // The next item shows.
    expect(byId('prompt-title').textContent).toBe('Sign a message');
  });
});

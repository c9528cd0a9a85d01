// The key screen's features: search, generate, import, exports, QR, tags, theme, keyboard.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import App from './App.svelte';
import { fakeBackend, gate, KEY_PASSPHRASE, keyInfo } from './tests/fake-backend';
import { THEME_STORAGE_KEY } from './lib/theme.svelte';

const byId = (id: string) => screen.getByTestId(id);
const input = (id: string) => byId(id) as HTMLInputElement;

async function type(id: string, value: string) {
  await fireEvent.input(byId(id), { target: { value } });
}

async function choose(id: string, value: string) {
  await fireEvent.change(byId(id), { target: { value } });
}

async function click(id: string) {
  await fireEvent.click(byId(id));
}

async function keysScreen() {
  await screen.findByTestId('screen-keys');
}

async function rows(n?: number) {
  await keysScreen();
  return waitFor(() => {
    const list = screen.getAllByTestId('key-row');
    if (n !== undefined) expect(list).toHaveLength(n);
    return list;
  });
}

const labels = () => screen.queryAllByTestId('key-row-label').map((e) => e.textContent);
/** The key list's row height (KeyList.svelte's ROW_HEIGHT). */
const ROW = 76;
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const numbered = (ns: number[]) => ns.map((n) => `key number ${n}`);
const shown = () => Number(byId('key-count').dataset.shown);
const items = () => within(byId('key-list')).queryAllByRole('listitem');
const setSizes = () => new Set(items().map((li) => li.getAttribute('aria-setsize')));
const positions = () => items().map((li) => Number(li.getAttribute('aria-posinset')));
const tabStops = () => screen.getAllByTestId('key-row').filter((r) => r.tabIndex === 0);
const focusedId = () => (document.activeElement as HTMLElement | null)?.dataset.keyId;

/**
 * Gives the key list's scroller a layout (jsdom has none): `height` px high, scrollable over
 * the list's height plus 2 × 4 px of padding; its offset is clamped to that, like a browser's.
 */
function layOut(height: number): HTMLElement {
  const list = byId('key-list');
  const scroller = list.parentElement!;
  let top = 0;
  const clamp = () => {
    const max = Math.max(0, 8 + (parseFloat(list.style.height) || 0) - height);
    top = Math.max(0, Math.min(top, max));
    return top;
  };
  Object.defineProperty(scroller, 'clientHeight', { configurable: true, get: () => height });
  Object.defineProperty(scroller, 'scrollTop', {
    configurable: true,
    get: clamp,
    set: (v: number) => ((top = v), clamp()),
  });
  return scroller;
}

const importReqs = (be: ReturnType<typeof fakeBackend>) =>
  be.callsTo('key_import').map((c) => c.args.req as Record<string, unknown>);

const MNEMONIC =
  'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('search', () => {
  const keys = () => [
    keyInfo(1, 'Deploy bot', { tags: ['ci', 'prod'] }),
    keyInfo(2, 'Signing', { alg: 'ed25519', fingerprint: 'SHA256:Zebra123' }),
    keyInfo(3, 'wallet', { alg: 'secp256k1', tags: ['eth'] }),
    { ...keyInfo(4, 'Backup RSA', { alg: 'rsa4096' }), id: 'abc-777' },
  ];

  it('filters by label, id prefix, algorithm, tag and fingerprint prefix', async () => {
    fakeBackend({ keys: keys() });
    render(App);
    await rows(4);
    expect(byId('key-count').textContent?.trim()).toBe('4 of 4 keys');

    const cases: [string, string[]][] = [
      ['deploy', ['Deploy bot']],
      ['BOT', ['Deploy bot']],
      ['abc', ['Backup RSA']],
      ['kid-2', ['Signing']],
      ['ed25519', ['Signing']],
      ['rsa', ['Backup RSA']],
      ['p-256', ['Deploy bot']],
      ['prod', ['Deploy bot']],
      ['eth', ['wallet']],
      ['zebra', ['Signing']],
      ['sha256:zeb', ['Signing']],
      ['ci deploy', ['Deploy bot']],
      ['ci wallet', []],
    ];
    for (const [q, expected] of cases) {
      await type('key-search', q);
      expect(labels(), q).toEqual(expected);
      expect(byId('key-count').textContent?.trim()).toBe(`${expected.length} of 4 keys`);
    }
    expect(byId('key-list-nomatch').textContent).toContain('ci wallet');
  });

  it('"/" focuses the search box and Escape clears it', async () => {
    fakeBackend({ keys: keys() });
    render(App);
    await rows(4);
    await fireEvent.keyDown(document.body, { key: '/' });
    expect(document.activeElement).toBe(byId('key-search'));
    await type('key-search', 'wallet');
    expect(labels()).toEqual(['wallet']);
    await fireEvent.keyDown(byId('key-search'), { key: 'Escape' });
    expect(input('key-search').value).toBe('');
    expect(labels()).toHaveLength(4);
  });

  it('does not steal "/" from text fields', async () => {
    fakeBackend({ keys: keys() });
    render(App);
    await rows(4);
    byId('gen-label').focus();
    await fireEvent.keyDown(byId('gen-label'), { key: '/' });
    expect(document.activeElement).toBe(byId('gen-label'));
  });

  it('shows the algorithm badge and tag chips on each row', async () => {
    fakeBackend({ keys: [keyInfo(1, 'a', { tags: ['x', 'y', 'z', 'w'] })] });
    render(App);
    const [row] = await rows(1);
    expect(within(row).getByTestId('key-row-alg').textContent).toBe('P-256');
    expect(within(row).getAllByTestId('key-row-tag').map((t) => t.textContent)).toEqual(['x', 'y', 'z']);
    expect(row.textContent).toContain('+1');
  });

  it('renders and filters 1,000 keys', async () => {
    const many = Array.from({ length: 1000 }, (_, i) =>
      keyInfo(i, `key number ${i}`, { tags: i % 10 === 0 ? ['tenth'] : [] }),
    );
    fakeBackend({ keys: many });
    render(App);
    // Virtualised: every key is listed (the count, the list's height, the ARIA set size), the
    // rows in view are rendered (jsdom has no layout: an 800 px viewport, 11 rows + 5 below).
    await waitFor(() => expect(shown()).toBe(1000));
    expect(byId('key-count').dataset.total).toBe('1000');
    expect(labels()).toEqual(numbered(range(0, 16)));
    expect(byId('key-list').style.height).toBe(`${1000 * ROW}px`);
    expect(setSizes()).toEqual(new Set(['1000']));
    expect(positions()).toEqual(range(1, 17));
    await type('key-search', 'tenth');
    expect(shown()).toBe(100);
    expect(labels()).toEqual(numbered(range(0, 16).map((i) => i * 10)));
    expect(byId('key-list').style.height).toBe(`${100 * ROW}px`);
    expect(setSizes()).toEqual(new Set(['100']));
    expect(byId('key-count').textContent?.trim()).toBe('100 of 1000 keys');
    await type('key-search', 'number 999');
    expect(labels()).toEqual(['key number 999']);
    expect(setSizes()).toEqual(new Set(['1']));
    await type('key-search', 'kid-99');
    // kid-99 and kid-990 … kid-999 by id prefix
    expect(screen.getAllByTestId('key-row')).toHaveLength(11);
    expect(shown()).toBe(11);
    await type('key-search', '');
    expect(shown()).toBe(1000);
    expect(labels()).toEqual(numbered(range(0, 16)));
    expect(byId('key-list').style.height).toBe(`${1000 * ROW}px`);
  });
});

describe('keyboard navigation in the list', () => {
  it('moves with the arrow keys, keeps one tab stop and opens on Enter', async () => {
    const be = fakeBackend({ keys: [keyInfo(1, 'one'), keyInfo(2, 'two'), keyInfo(3, 'three')] });
    render(App);
    const list = await rows(3);
    expect(tabStops()).toEqual([list[0]]);

    // ArrowDown from the search box enters the list.
    byId('key-search').focus();
    await fireEvent.keyDown(byId('key-search'), { key: 'ArrowDown' });
    expect(document.activeElement).toBe(list[0]);

    await fireEvent.keyDown(list[0], { key: 'ArrowDown' });
    expect(document.activeElement).toBe(list[1]);
    expect(tabStops()).toEqual([list[1]]);
    await fireEvent.keyDown(list[1], { key: 'ArrowDown' });
    await fireEvent.keyDown(list[2], { key: 'ArrowDown' });
    expect(document.activeElement).toBe(list[2]);
    await fireEvent.keyDown(list[2], { key: 'ArrowUp' });
    expect(document.activeElement).toBe(list[1]);
    expect(be.callsTo('key_detail')).toHaveLength(0);

    await fireEvent.keyDown(list[1], { key: 'Enter' });
    const detail = await screen.findByTestId('key-detail');
    expect(detail.getAttribute('data-key-id')).toBe('kid-2');
    expect(list[1].getAttribute('aria-current')).toBe('true');

    await fireEvent.keyDown(list[1], { key: 'End' });
    expect(document.activeElement).toBe(list[2]);
    await fireEvent.keyDown(list[2], { key: 'Home' });
    expect(document.activeElement).toBe(list[0]);
    // Up from the first row goes back to the search box.
    await fireEvent.keyDown(list[0], { key: 'ArrowUp' });
    expect(document.activeElement).toBe(byId('key-search'));
  });

  it('Enter in the search box opens the first match', async () => {
    fakeBackend({ keys: [keyInfo(1, 'alpha'), keyInfo(2, 'beta')] });
    render(App);
    await rows(2);
    await type('key-search', 'bet');
    await fireEvent.keyDown(byId('key-search'), { key: 'Enter' });
    const detail = await screen.findByTestId('key-detail');
    expect(detail.getAttribute('data-key-id')).toBe('kid-2');
  });
});

describe('the virtualised list', () => {
  it('renders the rows scrolled to, and keeps the tab stop', async () => {
    fakeBackend({ keys: Array.from({ length: 1000 }, (_, i) => keyInfo(i, `key number ${i}`)) });
    render(App);
    await waitFor(() => expect(shown()).toBe(1000));
    const scroller = layOut(400);
    scroller.scrollTop = 500 * ROW;
    await fireEvent.scroll(scroller);
    // Redrawn at the next animation frame. The viewport was never measured (no layout when
    // mounted, no ResizeObserver in jsdom): 800 px, rows 499 … 510 in view, 5 more each side.
    await waitFor(() => expect(labels()).toContain('key number 500'));
    // Row 0 holds the tab stop: it stays, first.
    expect(labels()).toEqual(numbered([0, ...range(494, 516)]));
    expect(positions()).toEqual([1, ...range(495, 517)]);
    expect(tabStops().map((r) => r.dataset.keyId)).toEqual(['kid-0']);
    for (const item of within(byId('key-list')).getAllByRole('listitem')) {
      const n = Number(item.getAttribute('aria-posinset')) - 1;
      expect(item.style.transform).toBe(`translateY(${n * ROW}px)`);
    }
  });

  it('follows the scroll offset a shorter list clamps', async () => {
    fakeBackend({ keys: Array.from({ length: 1000 }, (_, i) => keyInfo(i, `key number ${i}`)) });
    render(App);
    await waitFor(() => expect(shown()).toBe(1000));
    const scroller = layOut(400);
    scroller.scrollTop = 500 * ROW;
    await fireEvent.scroll(scroller);
    await waitFor(() => expect(labels()).toContain('key number 500'));
    // 11 rows (844 px with the padding): the offset is clamped to 444 (no scroll event here).
    await type('key-search', 'kid-99');
    expect(scroller.scrollTop).toBe(444);
    expect(screen.getAllByTestId('key-row')).toHaveLength(11);
    // All the keys again: the rows at 444 px (5 … 11 in view, 5 more each side), not row 500's.
    await type('key-search', '');
    expect(labels()).toEqual(numbered(range(0, 17)));
    expect(scroller.scrollTop).toBe(444);
  });

  it('scrolls the rows reached from the keyboard into view before focusing them', async () => {
    fakeBackend({ keys: Array.from({ length: 1000 }, (_, i) => keyInfo(i, `key number ${i}`)) });
    render(App);
    await waitFor(() => expect(shown()).toBe(1000));
    const scroller = layOut(400);
    byId('key-search').focus();
    await fireEvent.keyDown(byId('key-search'), { key: 'ArrowDown' });
    expect(focusedId()).toBe('kid-0');

    await fireEvent.keyDown(document.activeElement!, { key: 'End' });
    expect(focusedId()).toBe('kid-999');
    // The very bottom: 4 px padding, 1,000 rows, 4 px padding, less the viewport.
    expect(scroller.scrollTop).toBe(8 + 1000 * ROW - 400);
    expect(labels()).not.toContain('key number 0');
    expect(labels()).toContain('key number 999');
    expect(screen.getAllByTestId('key-row').length).toBeLessThan(30);
    expect(tabStops().map((r) => r.dataset.keyId)).toEqual(['kid-999']);

    // A page: the rows a 400 px viewport holds whole (5), less one.
    await fireEvent.keyDown(document.activeElement!, { key: 'PageUp' });
    expect(focusedId()).toBe('kid-995');
    // Already in view: no scroll.
    expect(scroller.scrollTop).toBe(8 + 1000 * ROW - 400);
    await fireEvent.keyDown(document.activeElement!, { key: 'PageUp' });
    expect(focusedId()).toBe('kid-991');
    // Scrolled up to the row's top.
    expect(scroller.scrollTop).toBe(4 + 991 * ROW);

    await fireEvent.keyDown(document.activeElement!, { key: 'Home' });
    expect(focusedId()).toBe('kid-0');
    expect(scroller.scrollTop).toBe(0);
    // Measured now: 400 px, rows 0 … 5 in view, 5 more below.
    expect(labels()).toEqual(numbered(range(0, 11)));
  });

  it('scrolls a new key into view', async () => {
    // Ids apart from the fake backend's next ones (kid-100 …).
    const many = Array.from({ length: 1000 }, (_, i) => ({
      ...keyInfo(i, `key number ${i}`),
      id: `k${i}`,
    }));
    fakeBackend({ keys: many });
    // jsdom has no scrollIntoView: the side bar around the list is scrolled with it.
    const intoView = vi.fn();
    HTMLElement.prototype.scrollIntoView = intoView;
    try {
      render(App);
      await waitFor(() => expect(shown()).toBe(1000));
      const scroller = layOut(400);
      await type('gen-label', 'brand new');
      await click('gen-submit');
      await waitFor(() => expect(labels()).toContain('brand new'));
      expect(shown()).toBe(1001);
      // In the list …
      expect(scroller.scrollTop).toBe(8 + 1001 * ROW - 400);
      const row = screen
        .getAllByTestId('key-row')
        .find((r) => r.textContent?.includes('brand new'));
      expect(row?.getAttribute('aria-current')).toBe('true');
      expect(row?.closest('li')?.getAttribute('aria-posinset')).toBe('1001');
      // … and in the window.
      await waitFor(() => expect(intoView.mock.contexts).toContain(row));
      expect(intoView).toHaveBeenLastCalledWith({ block: 'nearest' });
    } finally {
      delete (HTMLElement.prototype as Partial<HTMLElement>).scrollIntoView;
    }
  });
});

describe('generate', () => {
  it('offers all seven algorithms', async () => {
    fakeBackend();
    render(App);
    await keysScreen();
    const options = Array.from((byId('gen-alg') as HTMLSelectElement).options);
    expect(options.map((o) => o.value)).toEqual([
      'p256',
      'p384',
      'secp256k1',
      'ed25519',
      'rsa2048',
      'rsa3072',
      'rsa4096',
    ]);
    expect(options[0].textContent).toBe('P-256 (ES256)');
    expect(options[2].textContent).toBe('secp256k1 (Ethereum, Bitcoin, EOS)');
  });

  it('sends the algorithm and tags, and shows progress while an RSA key is made', async () => {
    const be = fakeBackend({ keys: [keyInfo(1, 'existing')] });
    const hold = gate();
    be.state.hold.key_generate = hold.promise;
    render(App);
    await rows(1);
    await click('new-key-button');
    await choose('gen-alg', 'rsa4096');
    await type('gen-label', 'big');
    await type('gen-tags', 'ci, Prod  deploy,ci');
    await click('gen-submit');

    const progress = await screen.findByTestId('gen-progress');
    expect(progress.textContent).toContain('Generating RSA-4096 key…');
    expect(within(progress).getByRole('progressbar')).toBeTruthy();
    expect((byId('gen-submit') as HTMLButtonElement).disabled).toBe(true);
    // The rest of the window stays usable.
    await fireEvent.click(screen.getAllByTestId('key-row')[0]);
    await screen.findByTestId('key-detail');

    hold.release();
    await waitFor(() => expect(screen.queryByTestId('gen-progress')).toBeNull());
    expect(be.callsTo('key_generate').map((c) => c.args)).toEqual([
      { req: { alg: 'rsa4096', label: 'big', tags: ['ci', 'prod', 'deploy'] } },
    ]);
    await rows(2);
    expect(input('gen-tags').value).toBe('');
    expect((byId('gen-submit') as HTMLButtonElement).disabled).toBe(false);
    // The user picked a key meanwhile: the selection stays.
    expect(byId('key-detail').getAttribute('data-key-id')).toBe('kid-1');
  });

  it('selects the new key when the user did not pick another', async () => {
    fakeBackend();
    render(App);
    await keysScreen();
    await choose('gen-alg', 'ed25519');
    await click('gen-submit');
    const detail = await screen.findByTestId('key-detail');
    expect(detail.getAttribute('data-key-id')).toBe('kid-100');
    expect(byId('detail-alg').textContent).toBe('Ed25519 (EdDSA)');
  });

  it('refuses invalid tags without calling key_generate', async () => {
    const be = fakeBackend();
    render(App);
    await keysScreen();
    await type('gen-tags', 'ok BAD/TAG');
    await click('gen-submit');
    expect(byId('gen-problem').textContent).toContain('bad/tag');
    expect(be.callsTo('key_generate')).toHaveLength(0);
  });
});

describe('import', () => {
  it('shows the format help and the curve picker for hex', async () => {
    fakeBackend();
    render(App);
    await keysScreen();
    const formats = Array.from((byId('import-format') as HTMLSelectElement).options).map((o) => o.value);
    expect(formats).toEqual([
      'auto',
      'pem',
      'openssh',
      'hex',
      'wif',
      'eos',
      'jwk',
      'keystore',
      'xprv',
      'mnemonic',
    ]);
    expect((byId('import-format') as HTMLSelectElement).value).toBe('auto');
    expect(screen.queryByTestId('import-alg')).toBeNull();
    expect(screen.queryByTestId('import-passphrase')).toBeNull();
    expect(screen.queryByTestId('import-preset')).toBeNull();
    await choose('import-format', 'hex');
    expect(byId('import-help').textContent).toMatch(/hex/i);
    expect(byId('import-alg')).toBeTruthy();
    const text = byId('import-text') as HTMLTextAreaElement;
    expect(text.getAttribute('spellcheck')).toBe('false');
    expect(text.getAttribute('autocomplete')).toBe('off');
  });

  it('asks for the curve of a hex key before sending it', async () => {
    const be = fakeBackend();
    render(App);
    await keysScreen();
    await choose('import-format', 'hex');
    await type('import-text', 'ab'.repeat(32));
    await click('import-submit');
    expect(byId('import-problem').textContent).toMatch(/curve/);
    expect(be.callsTo('key_import')).toHaveLength(0);
    await choose('import-alg', 'secp256k1');
    await click('import-submit');
    await rows(1);
    expect(importReqs(be)[0]).toMatchObject({ format: 'hex', alg: 'secp256k1' });
  });

  it('shows the address a whole recovery phrase derives before it is kept', async () => {
    const be = fakeBackend();
    render(App);
    await keysScreen();
    await type('import-text', MNEMONIC);
    const shown = await screen.findByTestId('import-preview-address', {}, { timeout: 2000 });
    expect(shown.textContent).toContain('Ethereum address: 0xPrevieweth:0');
    // Another account: another address; nothing was stored.
    await type('import-index', '3');
    await waitFor(() =>
      expect(byId('import-preview-address').textContent).toContain('0xPrevieweth:3'),
    );
    expect(be.callsTo('key_import')).toHaveLength(0);
    // A phrase that does not check out says so.
    await type('import-text', MNEMONIC.replace(/\w+$/, 'zoo'));
    expect((await screen.findByTestId('import-preview-problem', {}, { timeout: 2000 })).textContent).toMatch(
      /checksum/,
    );
  });

  it('imports a mnemonic with a preset path and index', async () => {
    const be = fakeBackend();
    render(App);
    await keysScreen();
    await type('import-text', MNEMONIC);
    // Auto-detected: the phrase is masked until shown, the path controls and the BIP39
    // passphrase show.
    expect(byId('import-text').classList.contains('masked')).toBe(true);
    await fireEvent.click(byId('import-show-phrase'));
    expect(byId('import-text').classList.contains('masked')).toBe(false);
    expect(byId('import-preset')).toBeTruthy();
    const pass = input('import-passphrase');
    expect(pass.type).toBe('password');
    expect(pass.closest('label')?.textContent).toContain('BIP39 passphrase (optional)');
    await choose('import-preset', 'eos');
    await type('import-index', '2');
    expect(byId('import-path-preview').textContent).toContain("m/44'/194'/0'/0/2");
    await type('import-label', 'eos wallet');
    await type('import-tags', 'eos wallet');
    await click('import-submit');
    await rows(1);
    expect(importReqs(be)).toEqual([
      {
        text: MNEMONIC,
        format: 'auto',
        alg: null,
        path: 'eos:2',
        passphrase: null,
        label: 'eos wallet',
        tags: ['eos', 'wallet'],
      },
    ]);
    expect((byId('import-text') as HTMLTextAreaElement).value).toBe('');
    const detail = await screen.findByTestId('key-detail');
    expect(within(detail).getByTestId('detail-origin').getAttribute('data-origin')).toBe(
      "mnemonic m/44'/194'/0'/0/2",
    );
  });

  it('sends a custom derivation path and a BIP39 passphrase, then forgets both secrets', async () => {
    const be = fakeBackend();
    render(App);
    await keysScreen();
    await choose('import-format', 'mnemonic');
    await type('import-text', MNEMONIC);
    await choose('import-preset', 'custom');
    expect(screen.queryByTestId('import-index')).toBeNull();
    await click('import-submit');
    expect(byId('import-problem').textContent).toMatch(/derivation path/);
    await type('import-path', " m/44'/0'/0'/0/7 ");
    await type('import-passphrase', 'extra words');
    await click('import-submit');
    await rows(1);
    expect(importReqs(be)[0]).toMatchObject({
      format: 'mnemonic',
      path: "m/44'/0'/0'/0/7",
      passphrase: 'extra words',
    });
    expect(input('import-passphrase').value).toBe('');
    expect((byId('import-text') as HTMLTextAreaElement).value).toBe('');
  });

  it('shows the passphrase field when a keystore is pasted', async () => {
    fakeBackend();
    render(App);
    await keysScreen();
    await type('import-text', '{"version":3,"crypto":{"cipher":"aes-128-ctr"}}');
    const pass = input('import-passphrase');
    expect(pass.closest('label')?.textContent).toContain('Key passphrase (not your vault passphrase)');
  });

  it('asks for the key passphrase, retries, and keeps the field once needed', async () => {
    const be = fakeBackend();
    render(App);
    await keysScreen();
    const key = '-----BEGIN OPENSSH PRIVATE KEY-----\nENCRYPTED\n-----END OPENSSH PRIVATE KEY-----';
    await choose('import-format', 'openssh');
    await type('import-text', key);
    expect(screen.queryByTestId('import-passphrase')).toBeNull();
    await click('import-submit');

    // key.passphrase_required: the field appears with the focus; no banner; the text stays.
    const pass = (await screen.findByTestId('import-passphrase')) as HTMLInputElement;
    await waitFor(() => expect(document.activeElement).toBe(pass));
    expect(byId('import-problem').textContent).toMatch(/encrypted/);
    expect(screen.queryByTestId('error-banner')).toBeNull();
    expect((byId('import-text') as HTMLTextAreaElement).value).toBe(key);

    // key.bad_passphrase: the typed passphrase is cleared, the field stays.
    await type('import-passphrase', 'wrong');
    await click('import-submit');
    await waitFor(() => expect(byId('import-problem').textContent).toMatch(/does not open/));
    expect(input('import-passphrase').value).toBe('');
    expect(screen.queryByTestId('error-banner')).toBeNull();

    await type('import-passphrase', KEY_PASSPHRASE);
    await click('import-submit');
    await rows(1);
    expect(importReqs(be).map((r) => r.passphrase)).toEqual([null, 'wrong', KEY_PASSPHRASE]);
    expect(importReqs(be).every((r) => r.text === key && r.format === 'openssh')).toBe(true);
    expect((byId('import-text') as HTMLTextAreaElement).value).toBe('');
    expect(screen.queryByTestId('import-problem')).toBeNull();
    // The form is reset after a successful import.
    expect(screen.queryByTestId('import-passphrase')).toBeNull();
  });

  it('shows the curve picker when the back end needs the algorithm', async () => {
    const be = fakeBackend();
    render(App);
    await keysScreen();
    await type('import-text', `0x${'cd'.repeat(32)}`);
    await click('import-submit');
    const alg = (await screen.findByTestId('import-alg')) as HTMLSelectElement;
    await waitFor(() => expect(byId('import-problem').textContent).toMatch(/curve/));
    expect(screen.queryByTestId('error-banner')).toBeNull();
    await choose('import-alg', 'p256');
    expect(alg.value).toBe('p256');
    await click('import-submit');
    await rows(1);
    expect(importReqs(be).map((r) => r.alg)).toEqual([null, 'p256']);
  });

  it('keeps the paste, shows the error beside the form, and clears it when the import works', async () => {
    fakeBackend();
    render(App);
    await keysScreen();
    await click('new-key-tab-import');
    await type('import-text', 'not a key');
    await click('import-submit');
    const note = await screen.findByTestId('import-error');
    expect(note.dataset.code).toBe('key.unknown_format');
    expect(within(note).getByTestId('import-error-hint').textContent).toBe('hint for key.unknown_format');
    // The code is a detail, not the headline; no banner far away.
    expect(within(note).getByTestId('import-error-message').textContent).not.toContain('key.unknown_format');
    expect(screen.queryByTestId('error-banner')).toBeNull();
    expect((byId('import-text') as HTMLTextAreaElement).value).toBe('not a key');

    // Editing what failed clears the error; the next import that works leaves none behind.
    const pem = '-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n';
    await type('import-text', pem);
    expect(screen.queryByTestId('import-error')).toBeNull();
    await click('import-submit');
    await rows(1);
    expect(screen.queryByTestId('import-error')).toBeNull();
    expect((byId('import-text') as HTMLTextAreaElement).value).toBe('');
  });

  it('reads a key file into the text area', async () => {
    fakeBackend();
    render(App);
    await keysScreen();
    const file = new File(['-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'], 'k.pem');
    await fireEvent.change(byId('import-file'), { target: { files: [file] } });
    await waitFor(() =>
      expect((byId('import-text') as HTMLTextAreaElement).value).toContain('BEGIN PRIVATE KEY'),
    );
  });

  it('refuses a file larger than 64 KiB', async () => {
    fakeBackend();
    render(App);
    await keysScreen();
    const file = new File(['x'.repeat(64 * 1024 + 1)], 'big.pem');
    await fireEvent.change(byId('import-file'), { target: { files: [file] } });
    expect(byId('import-problem').textContent).toMatch(/64 KiB/);
    expect((byId('import-text') as HTMLTextAreaElement).value).toBe('');
  });
});

describe('key detail', () => {
  const k1 = () => keyInfo(1, 'wallet', { alg: 'secp256k1', origin: 'wif', tags: ['eth'] });

  async function openFirst() {
    await fireEvent.click((await rows())[0]);
    return screen.findByTestId('key-detail');
  }

  it('lists every public form with a copy button', async () => {
    fakeBackend({ keys: [k1()] });
    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    render(App);
    await openFirst();
    const entries = screen.getAllByTestId('detail-export');
    // The address the key goes by first; the JWK Set last, on demand.
    expect(entries.map((e) => e.getAttribute('data-format'))).toEqual([
      'eth',
      'pem',
      'jwk',
      'eos',
      'eos-legacy',
      'btc',
      'fingerprint',
      'jwks',
    ]);
    const eth = entries[0];
    expect(eth.textContent).toContain('Ethereum address');
    expect(eth.textContent).toContain('0xEthkid-1');
    expect(byId('detail-public-pem').textContent).toContain('PEM-kid-1');
    expect(byId('detail-origin').textContent).toContain('wif');

    await click('copy-eth');
    expect(writeText).toHaveBeenCalledWith('0xEthkid-1');
    await waitFor(() => expect(byId('copy-eth').textContent?.trim()).toBe('Copied'));
    expect(byId('copy-eos').textContent?.trim()).toBe('Copy');
  });

  it('selects the text when the clipboard is unavailable', async () => {
    fakeBackend({ keys: [k1()] });
    Object.defineProperty(navigator, 'clipboard', { value: undefined, configurable: true });
    render(App);
    await openFirst();
    await click('copy-btc');
    await waitFor(() => expect(byId('copy-btc').textContent?.trim()).toBe('Press Ctrl+C'));
    expect(window.getSelection()?.toString()).toBe('1Btckid-1');
  });

  it('enlarges the QR code and saves it as an image', async () => {
    const be = fakeBackend({ keys: [k1()] });
    render(App);
    await openFirst();
    await screen.findByTestId('detail-qr');
    expect(byId('detail-qr').closest('figure')?.textContent).toContain('Still scans with up to 15 % of it covered');
    await click('qr-enlarge');
    const overlay = await screen.findByTestId('qr-overlay');
    expect(byId('qr-large').getAttribute('src')).toBe(byId('detail-qr').getAttribute('src'));
    await fireEvent.keyDown(overlay, { key: 'Escape' });
    expect(screen.queryByTestId('qr-overlay')).toBeNull();
    // The address at the top of the details opens the same code large.
    await click('detail-identity-qr');
    expect(await screen.findByTestId('qr-overlay')).toBeTruthy();
    await click('qr-close');
    expect(screen.queryByTestId('qr-overlay')).toBeNull();
    await click('qr-save');
    expect((await screen.findByTestId('qr-saved')).textContent).toContain('/home/user/keyward-qr-kid-1.svg');
    expect(be.callsTo('key_qr_file').map((c) => c.args)).toEqual([{ key: 'kid-1', format: 'eth' }]);
  });

  it('switches the QR code between formats', async () => {
    const be = fakeBackend({ keys: [k1()] });
    render(App);
    await openFirst();
    let img = await screen.findByTestId('detail-qr');
    expect(img.getAttribute('data-qr-format')).toBe('eth');
    expect(byId('detail-qr-payload').textContent).toBe('0xEthkid-1');
    const select = byId('qr-format') as HTMLSelectElement;
    expect(select.value).toBe('eth');
    expect(Array.from(select.options).map((o) => o.value)).toEqual([
      'eth',
      'pem',
      'eos',
      'eos-legacy',
      'btc',
    ]);

    await choose('qr-format', 'eos');
    await waitFor(() => expect(byId('detail-qr').getAttribute('data-qr-format')).toBe('eos'));
    img = byId('detail-qr');
    expect(byId('detail-qr-payload').textContent).toBe('PUB_K1_kid-1');
    expect(img.getAttribute('data-ec-level')).toBe('M');
    const svg = atob(img.getAttribute('src')!.split(',')[1]);
    expect(svg).toContain('data-format="eos"');
    expect(be.callsTo('key_qr').map((c) => c.args)).toEqual([
      { key: 'kid-1', format: 'eth' },
      { key: 'kid-1', format: 'eos' },
    ]);
  });

  it('adds and removes tags', async () => {
    const be = fakeBackend({ keys: [k1()] });
    render(App);
    await openFirst();
    await type('tag-input', 'Prod, hot');
    await fireEvent.keyDown(byId('tag-input'), { key: 'Enter' });
    await waitFor(() =>
      expect(screen.getAllByTestId('detail-tag').map((t) => t.getAttribute('data-tag'))).toEqual([
        'eth',
        'hot',
        'prod',
      ]),
    );
    expect(input('tag-input').value).toBe('');
    // The list row follows.
    const row = screen.getAllByTestId('key-row')[0];
    expect(within(row).getAllByTestId('key-row-tag').map((t) => t.textContent)).toEqual([
      'eth',
      'hot',
      'prod',
    ]);

    await click('tag-remove-eth');
    await waitFor(() =>
      expect(screen.getAllByTestId('detail-tag').map((t) => t.getAttribute('data-tag'))).toEqual([
        'hot',
        'prod',
      ]),
    );
    expect(be.callsTo('key_tag').map((c) => c.args)).toEqual([
      { key: 'kid-1', add: ['prod', 'hot'], remove: [] },
      { key: 'kid-1', add: [], remove: ['eth'] },
    ]);

    await type('tag-input', 'no spaces!');
    await fireEvent.keyDown(byId('tag-input'), { key: 'Enter' });
    expect(byId('tag-problem').textContent).toContain('spaces!');
    expect(be.callsTo('key_tag')).toHaveLength(2);
  });
});

describe('theme', () => {
  it('cycles system, light and dark, and remembers the choice', async () => {
    fakeBackend();
    const view = render(App);
    await keysScreen();
    await click('nav-settings');
    const root = document.documentElement;
    expect(byId('theme-toggle').getAttribute('data-mode')).toBe('system');
    expect(root.dataset.theme).toBeUndefined();

    await click('theme-toggle');
    expect(byId('theme-toggle').getAttribute('data-mode')).toBe('light');
    expect(root.dataset.theme).toBe('light');
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBe('light');

    await click('theme-toggle');
    expect(root.dataset.theme).toBe('dark');
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBe('dark');

    // A new window starts with the stored choice.
    view.unmount();
    delete root.dataset.theme;
    fakeBackend();
    render(App);
    await keysScreen();
    expect(root.dataset.theme).toBe('dark');
    await click('nav-settings');
    expect(byId('theme-toggle').getAttribute('data-mode')).toBe('dark');

    await click('theme-toggle');
    expect(root.dataset.theme).toBeUndefined();
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBeNull();
  });

  it('is available on the unlock screen too', async () => {
    fakeBackend({ locked: true });
    render(App);
    await screen.findByTestId('screen-unlock');
    await click('theme-toggle');
    expect(document.documentElement.dataset.theme).toBe('light');
  });
});

// What the screen tests share: finding and driving elements by test id, the walk from Keys to
// a section, and a set of keys whose usage policies cover every case of the signing screens.
import { fireEvent, screen } from '@testing-library/svelte';
import { keyInfo } from './fake-backend';

export const byId = (id: string) => screen.getByTestId(id);
export const click = (id: string) => fireEvent.click(byId(id));
export const choose = (id: string, value: string) => fireEvent.change(byId(id), { target: { value } });
export const type = (id: string, value: string) => fireEvent.input(byId(id), { target: { value } });
export const disabled = (id: string) => (byId(id) as HTMLButtonElement).disabled;
export const value = (id: string) => (byId(id) as HTMLInputElement).value;
export const options = (id: string) =>
  Array.from((byId(id) as HTMLSelectElement).options).map((o) => o.value);

export const ETH = keyInfo(1, 'eth', { alg: 'secp256k1', usage: ['raw', 'eip191', 'siwe', 'bsm', 'eos', 'jwt'] });
export const ETH_ONLY = keyInfo(2, 'eth-only', { alg: 'secp256k1', usage: ['eip191'] });
export const P256 = keyInfo(3, 'api', { alg: 'p256', usage: ['raw', 'jwt'] });
export const RSA = keyInfo(4, 'rsa', { alg: 'rsa2048', usage: ['jwt'] });
export const NOTHING = keyInfo(5, 'locked-down', { alg: 'ed25519', usage: [] });
export const KEYS = [ETH, ETH_ONLY, P256, RSA, NOTHING];

/** From the Keys screen to `section` (its nav button), once it shows. */
export async function open(section: string): Promise<void> {
  await screen.findByTestId('screen-keys');
  await click(`nav-${section}`);
  await screen.findByTestId(`screen-${section}`);
}

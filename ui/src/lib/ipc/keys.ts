// Keys: listing, generating, importing, public exports and QR codes, tags, renames, deletes,
// and the private reveal.
import type { GenerateRequest } from '../bindings/GenerateRequest';
import type { ImportFormat } from '../bindings/ImportFormat';
import type { ImportPreview } from '../bindings/ImportPreview';
import type { ImportRequest } from '../bindings/ImportRequest';
import type { Jwk } from '../bindings/Jwk';
import type { KeyAlg } from '../bindings/KeyAlg';
import type { KeyDetail } from '../bindings/KeyDetail';
import type { KeyInfo } from '../bindings/KeyInfo';
import type { ListFilter } from '../bindings/ListFilter';
import type { PrivateFormat } from '../bindings/PrivateFormat';
import type { PublicFormat } from '../bindings/PublicFormat';
import type { PublicView } from '../bindings/PublicView';
import type { QrView } from '../bindings/QrView';
import { call } from './core';

export type {
  GenerateRequest,
  ImportFormat,
  ImportPreview,
  ImportRequest,
  Jwk,
  KeyAlg,
  KeyDetail,
  KeyInfo,
  ListFilter,
  PrivateFormat,
  PublicFormat,
  PublicView,
  QrView,
};

/** Every algorithm a key can have, in the order the UI offers them. */
export { KEY_ALGS } from '../bindings/tables';

export const keyList = (filter?: ListFilter | null): Promise<KeyInfo[]> =>
  call('key_list', { filter: filter ?? null });

/** RSA keys take seconds to generate; the call runs off the UI thread on the Rust side. */
export const keyGenerate = (req: GenerateRequest): Promise<KeyInfo> =>
  call('key_generate', { req });

/** Carries secrets (`text`, `passphrase`): build the request at submit time and drop it afterwards. */
export const keyImport = (req: ImportRequest): Promise<KeyInfo> => call('key_import', { req });

/** What an import would add (a recovery phrase's address), nothing stored. Carries secrets. */
export const keyImportPreview = (req: ImportRequest): Promise<ImportPreview> =>
  call('key_import_preview', { req });

export const keyDetail = (key: string): Promise<KeyDetail> => call('key_detail', { key });

/** `format: null` asks for the key's `qrDefault`. */
export const keyQr = (key: string, format?: PublicFormat | null): Promise<QrView> =>
  call('key_qr', { key, format: format ?? null });

/** Saves the QR code of one public form as an SVG file picked in a native Save dialog: the path. */
export const keyQrFile = (key: string, format?: PublicFormat | null): Promise<string> =>
  call('key_qr_file', { key, format: format ?? null });

/** The text of one public form (`jwks` may take several keys). */
export const keyExport = (keys: string[], format: PublicFormat): Promise<string> =>
  call('key_export', { keys, format });

export const keyTag = (key: string, add: string[], remove: string[]): Promise<KeyInfo> =>
  call('key_tag', { key, add, remove });

/** The SVG as an image URL (img-src allows data:; the SVG is never inserted as markup). */
export const svgDataUrl = (svg: string): string =>
  `data:image/svg+xml;base64,${btoa(unescape(encodeURIComponent(svg)))}`;

export const keyRename = (key: string, label: string): Promise<KeyInfo> =>
  call('key_rename', { key, label });

export const keyDelete = (key: string): Promise<null> => call('key_delete', { key });

/**
 * A private key as text. The Rust side asks first in a native dialog the page cannot skip
 * (rejects with `ui.cancelled` when the user says no) and logs `key.reveal`.
 * (`pkcs8-enc` exists but is never offered by the app.)
 */
export const keyReveal = (
  key: string,
  format: PrivateFormat,
  passphrase: string | null = null,
): Promise<string> => call('key_reveal', { key, format, passphrase });

/** Writes a public form to a file picked in a native Save dialog: the path written. */
export const keyExportFile = (keys: string[], format: PublicFormat): Promise<string> =>
  call('key_export_file', { keys, format });

// Signing, verifying, usage policies and JWTs.
import type { Encoding } from '../bindings/Encoding';
import type { Inspected } from '../bindings/Inspected';
import type { JwsAlg } from '../bindings/JwsAlg';
import type { JwtCheck } from '../bindings/JwtCheck';
import type { JwtMode } from '../bindings/JwtMode';
import type { JwtVerifyRequest } from '../bindings/JwtVerifyRequest';
import type { KeyInfo } from '../bindings/KeyInfo';
import type { MintOptions } from '../bindings/MintOptions';
import type { Minted } from '../bindings/Minted';
import type { Scheme } from '../bindings/Scheme';
import type { SignInput } from '../bindings/SignInput';
import type { SignRequest } from '../bindings/SignRequest';
import type { Signature } from '../bindings/Signature';
import type { Usage } from '../bindings/Usage';
import type { Verdict } from '../bindings/Verdict';
import type { Verified } from '../bindings/Verified';
import type { VerifyOptions } from '../bindings/VerifyOptions';
import type { VerifyRequest } from '../bindings/VerifyRequest';
import { call } from './core';

export type {
  Encoding,
  Inspected,
  JwsAlg,
  JwtCheck,
  JwtMode,
  JwtVerifyRequest,
  MintOptions,
  Minted,
  Scheme,
  SignInput,
  SignRequest,
  Signature,
  Usage,
  Verdict,
  Verified,
  VerifyOptions,
  VerifyRequest,
};

export const keySign = (req: SignRequest): Promise<Signature> => call('key_sign', { req });

/** Exactly one of `key`, `address`, `pubkey`. */
export const keyVerify = (req: VerifyRequest): Promise<Verdict> => call('key_verify', { req });

/** `allow: null` resets the key to every usage its algorithm fits. */
export const keyPolicy = (key: string, allow: Usage[] | null): Promise<KeyInfo> =>
  call('key_policy', { key, allow });

/**
 * Mints a JWT. `body` (JSON text) is bound by `bodyHash`; `profile` (an Engine profile) names
 * the key by the PEM Engine stored when it was registered.
 */
export const jwtMint = (
  key: string,
  options: MintOptions,
  body: string | null = null,
  profile: string | null = null,
): Promise<Minted> => call('jwt_mint', { key, options, body, profile });

/** Exactly one of `key`, `pubkey` (PEM or JWK text). */
export const jwtVerify = (req: JwtVerifyRequest): Promise<Verified> => call('jwt_verify', { req });

/** Decodes without verifying. */
export const jwtInspect = (token: string): Promise<Inspected> => call('jwt_inspect', { token });

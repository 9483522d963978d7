import { ed25519 } from "@noble/curves/ed25519.js";
import { CareLedgerError } from "./errors.js";
import { fromHex, toHex } from "./hash.js";

export const PUBLIC_KEY_BYTES = 32;
export const SECRET_KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;

/**
 * Checks Ed25519 signatures. Injected everywhere a signature is checked, so the node can hand in
 * its libsodium verifier (`sodium-native`, packages/node/src/verifier.ts) while browsers and the
 * SDK use noble. Every consensus decision uses the node's verifier, so all validators apply one
 * rule.
 */
export interface Verifier {
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
}

/** Signs with a secret key; injected so tests and simulators can hand in a fast stand-in. */
export interface Signer {
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

/**
 * noble's verifier with strict (non-ZIP-215) decoding: non-canonical points, small-order public
 * keys and S >= L are refused. It accepts a small-order R and its equation is cofactored, so it
 * accepts a few crafted signatures that the node's libsodium verifier refuses, never the reverse
 * (README.md, "Signature rules"; pinned in packages/node/src/verifier.vectors.test.ts); no
 * consensus decision uses it.
 */
export const nobleVerifier: Verifier = {
  verify(publicKey, message, signature) {
    if (publicKey.byteLength !== PUBLIC_KEY_BYTES || signature.byteLength !== SIGNATURE_BYTES) {
      return false;
    }
    try {
      return ed25519.verify(signature, message, publicKey, { zip215: false });
    } catch {
      return false;
    }
  },
};

export function generateSecretKey(): Uint8Array {
  return ed25519.utils.randomSecretKey();
}

/** A secret key derived from a 32-byte seed; for devnets and tests that must be reproducible. */
export function secretKeyFromSeed(seed: Uint8Array): Uint8Array {
  if (seed.byteLength !== SECRET_KEY_BYTES) {
    throw new CareLedgerError("ENCODING_INVALID", "seed must be 32 bytes");
  }
  return seed.slice();
}

export function publicKeyOf(secretKey: Uint8Array): Uint8Array {
  return ed25519.getPublicKey(secretKey);
}

export function signBytes(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
  return ed25519.sign(message, secretKey);
}

/** A Signer over a secret key held in memory, signing with noble (browser-safe). */
export function keySigner(secretKey: Uint8Array): Signer {
  const publicKey = publicKeyOf(secretKey);
  return { publicKey, sign: (message) => signBytes(secretKey, message) };
}

/** An account is named by the lowercase hex of its Ed25519 public key. */
export function accountId(publicKey: Uint8Array): string {
  if (publicKey.byteLength !== PUBLIC_KEY_BYTES) {
    throw new CareLedgerError("ENCODING_INVALID", "public key must be 32 bytes");
  }
  return toHex(publicKey);
}

export function publicKeyFromAccountId(id: string): Uint8Array {
  return fromHex(id, PUBLIC_KEY_BYTES);
}

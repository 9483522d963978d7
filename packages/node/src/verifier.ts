import { createPublicKey, type KeyObject, verify } from "node:crypto";
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES, type Verifier } from "@careledger/protocol";

/**
 * Imported keys kept per verifier. Validators (at most VALIDATORS_MAX) and the busiest senders
 * stay resident; a key costs a few hundred bytes, so the bound is about memory, not speed.
 */
export const KEY_CACHE_ENTRIES_MAX = 4_096;

export interface NodeCryptoVerifierInit {
  /** Most imported public keys kept; the least recently used one is dropped beyond it. */
  readonly keyCacheEntriesMax?: number;
}

/**
 * Ed25519 verification through `node:crypto` (OpenSSL, RFC 8032, cofactorless): the one rule
 * every validator applies to everything consensus depends on. It never throws: a malformed key or
 * signature is simply `false`.
 *
 * A raw key is imported as a JWK: measured on this machine, that import costs about 8 us against
 * 86 us for the DER (SPKI prefix) route, so a cache miss adds about 16% to a verification instead of
 * doubling it (README.md, "Signature rules").
 */
export function createNodeCryptoVerifier(init: NodeCryptoVerifierInit = {}): Verifier {
  const entriesMax = init.keyCacheEntriesMax ?? KEY_CACHE_ENTRIES_MAX;
  if (!Number.isInteger(entriesMax) || entriesMax < 1) {
    throw new RangeError(`keyCacheEntriesMax must be a positive integer, not ${entriesMax}`);
  }
  // A Map iterates in insertion order: re-inserting on a hit makes the first key the least
  // recently used one.
  const keys = new Map<string, KeyObject>();

  const keyObject = (publicKey: Uint8Array): KeyObject => {
    const x = Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength).toString(
      "base64url",
    );
    const cached = keys.get(x);
    if (cached !== undefined) {
      keys.delete(x);
      keys.set(x, cached);
      return cached;
    }
    const imported = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" });
    if (keys.size >= entriesMax) {
      const oldest = keys.keys().next();
      if (oldest.done !== true) keys.delete(oldest.value);
    }
    keys.set(x, imported);
    return imported;
  };

  return {
    verify(publicKey, message, signature) {
      if (publicKey.byteLength !== PUBLIC_KEY_BYTES || signature.byteLength !== SIGNATURE_BYTES) {
        return false;
      }
      try {
        return verify(null, message, keyObject(publicKey), signature);
      } catch {
        return false;
      }
    },
  };
}

/** The node's shared verifier. */
export const nodeCryptoVerifier: Verifier = createNodeCryptoVerifier();

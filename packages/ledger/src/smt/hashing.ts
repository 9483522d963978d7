import { hash } from "node:crypto";
import { STATE_LEAF_PREFIX, STATE_NODE_PREFIX } from "@careledger/protocol";

/**
 * The state tree's hashes through node:crypto (OpenSSL), about three times faster than noble's
 * SHA-256 on these 65-byte inputs; protocol's `verifyStateProof` computes the same digests with
 * noble (same prefixes, same layout).
 */

const scratch = Buffer.allocUnsafe(65);
const encoder = new TextEncoder();

/** Plain Uint8Arrays out (not Buffers), like every other hash in the protocol. */
export function sha256(data: Uint8Array): Uint8Array {
  const digest = hash("sha256", data, "buffer");
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
}

export function keyHashOf(key: string): Uint8Array {
  return sha256(encoder.encode(key));
}

export function leafHash(keyHash: Uint8Array, valueHash: Uint8Array): Uint8Array {
  scratch[0] = STATE_LEAF_PREFIX;
  scratch.set(keyHash, 1);
  scratch.set(valueHash, 33);
  return sha256(scratch);
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  scratch[0] = STATE_NODE_PREFIX;
  scratch.set(left, 1);
  scratch.set(right, 33);
  return sha256(scratch);
}

import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, hexToBytes as nobleHexToBytes } from "@noble/hashes/utils.js";
import { CareLedgerError } from "./errors.js";

export const HASH_BYTES = 32;

interface NativeHash {
  hash(algorithm: "sha256", data: Uint8Array, encoding: "buffer"): Uint8Array;
}
type NodeGlobal = { process?: { getBuiltinModule?: (id: string) => unknown } };

/**
 * Node's one-shot `crypto.hash` when this runs in Node (20.16 and later have
 * `process.getBuiltinModule`), noble's SHA-256 in browsers. Measured on this machine: 1.5 us
 * against 5.3 us for 280 bytes, and a node hashes every transaction and tree node it touches.
 */
const native = (globalThis as NodeGlobal).process?.getBuiltinModule?.("crypto") as
  | Partial<NativeHash>
  | undefined;
const nativeHash = typeof native?.hash === "function" ? (native as NativeHash) : undefined;

/** SHA-256, the one hash of the protocol (ids, block hashes, Merkle trees, chain id). */
export function sha256(data: Uint8Array): Uint8Array {
  if (nativeHash === undefined) return nobleSha256(data);
  // Copied into a plain Uint8Array of its own: callers and tests see one type whichever library
  // hashed, and nothing holds on to Node's shared allocation pool.
  return new Uint8Array(nativeHash.hash("sha256", data, "buffer"));
}

export function toHex(bytes: Uint8Array): string {
  return bytesToHex(bytes);
}

/** Lowercase or uppercase hex of an even length; anything else is `ENCODING_INVALID`. */
export function fromHex(hex: string, expectedBytes?: number): Uint8Array {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) {
    throw new CareLedgerError("ENCODING_INVALID", "not hex");
  }
  if (expectedBytes !== undefined && hex.length !== expectedBytes * 2) {
    throw new CareLedgerError("ENCODING_INVALID", `expected ${expectedBytes} bytes of hex`);
  }
  return nobleHexToBytes(hex);
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const part of parts) total += part.byteLength;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

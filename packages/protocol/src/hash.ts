import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, hexToBytes as nobleHexToBytes } from "@noble/hashes/utils.js";
import { CareLedgerError } from "./errors.js";

export const HASH_BYTES = 32;

/** SHA-256, the one hash of the protocol (ids, block hashes, Merkle trees, chain id). */
export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data);
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

import { bytesEqual } from "./encoding.js";
import { HASH_BYTES } from "./hash.js";
import { SIGNATURE_BYTES } from "./keys.js";
import type { SignedTx } from "./tx.js";

/**
 * A sealed transaction's signing bytes cut out of its canonical bytes, without encoding it again
 * (`txSigningBytes` normalizes and packs the whole transaction, payload included: 1.6% of a
 * validator's busy time under `pnpm bench`, once per transaction verified).
 *
 * The canonical encoding of a transaction is a map of eight keys in sorted order, `chain expires
 * from nonce payload sig type v`; the signed body is the same map without `sig`, inside
 * `["tx", chain, body]` (signing.ts). So the body is the transaction's bytes with a map header of
 * seven instead of eight and the `sig` entry taken out, and that entry sits at a place fixed by
 * the two entries after it (`type`, whose length the transaction says, and `v`).
 *
 * Returns null when the bytes are not laid out so (which canonical bytes of the current version
 * always are); the caller then encodes. Every byte that is assumed is checked here.
 */
export function sealedSigningBytes(signed: SignedTx): Uint8Array | null {
  const { bytes, tx } = signed;
  if (bytes[0] !== FIXMAP_8 || tx.v !== 1) return null;
  const typeLength = tx.type.length;
  // The schema allows ASCII types of at most 64 characters: a fixstr below 32, else str8.
  const typeHeader = typeLength < 32 ? [FIXSTR | typeLength] : [STR8, typeLength];
  const tail = [...TYPE_KEY, ...typeHeader];
  const tailLength = tail.length + typeLength + V_ENTRY.length;
  const sigAt = bytes.byteLength - tailLength - SIG_ENTRY_BYTES;
  if (sigAt < 1) return null;
  if (
    !matchesAt(bytes, sigAt, SIG_KEY) ||
    !bytesEqual(bytes.subarray(sigAt + 6, sigAt + 70), tx.sig)
  )
    return null;
  const typeAt = sigAt + SIG_ENTRY_BYTES;
  if (!matchesAt(bytes, typeAt, tail)) return null;
  for (let i = 0; i < typeLength; i++) {
    if (bytes[typeAt + tail.length + i] !== tx.type.charCodeAt(i)) return null;
  }
  if (!matchesAt(bytes, bytes.byteLength - V_ENTRY.length, V_ENTRY)) return null;
  const out = new Uint8Array(PREFIX.length + HASH_BYTES + bytes.byteLength - SIG_ENTRY_BYTES);
  out.set(PREFIX, 0);
  out.set(tx.chain, PREFIX.length);
  let at = PREFIX.length + HASH_BYTES;
  out[at++] = FIXMAP_7;
  out.set(bytes.subarray(1, sigAt), at);
  at += sigAt - 1;
  out.set(bytes.subarray(typeAt), at);
  return out;
}

const FIXMAP_8 = 0x88;
const FIXMAP_7 = 0x87;
const FIXSTR = 0xa0;
const STR8 = 0xd9;
const BIN8 = 0xc4;
const ascii = (text: string) => Array.from(text, (char) => char.charCodeAt(0));
/** `"sig"` then the header of its 64 bytes (bin8). */
const SIG_KEY = [FIXSTR | 3, ...ascii("sig"), BIN8, SIGNATURE_BYTES];
const SIG_ENTRY_BYTES = SIG_KEY.length + SIGNATURE_BYTES;
const TYPE_KEY = [FIXSTR | 4, ...ascii("type")];
/** `"v"` and the version 1 (a positive fixint). */
const V_ENTRY = [FIXSTR | 1, ...ascii("v"), 1];
/** A three-item array, `"tx"`, and the header of the 32-byte chain id (bin8). */
const PREFIX = Uint8Array.from([0x93, FIXSTR | 2, ...ascii("tx"), BIN8, HASH_BYTES]);

function matchesAt(bytes: Uint8Array, at: number, expected: readonly number[]): boolean {
  for (let i = 0; i < expected.length; i++) if (bytes[at + i] !== expected[i]) return false;
  return true;
}

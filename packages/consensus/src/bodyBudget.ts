import {
  type Block,
  encodeBlock,
  HASH_BYTES,
  PUBLIC_KEY_BYTES,
  SIGNATURE_BYTES,
  toHex,
  VALIDATORS_MAX,
} from "@careledger/protocol";
import { MESSAGE_BYTES_MAX, PREPARED_ENTRIES_MAX } from "./codec.js";
import type { ReplicaState } from "./state.js";

/**
 * Most bytes a canonical field or container header adds to what it holds (a map key of up to 8
 * characters, a byte string's or an array's length of up to 2^32, a whole number).
 */
const FRAME_BYTES = 9;
/** Most bytes of an encoded header: its fields are fixed-size hashes, a key and whole numbers. */
export const HEADER_BYTES_MAX = 512;
/** An encoded block beyond its transactions' bytes: the header, keys and the array's length. */
export const BLOCK_FRAME_BYTES_MAX = HEADER_BYTES_MAX + 4 * FRAME_BYTES;
/** What one transaction adds to an encoded block beyond its bytes. */
export const TX_FRAME_BYTES = FRAME_BYTES;
/** What one body adds to a view change beyond its encoding: its byte string's length. */
export const BODY_FRAME_BYTES = FRAME_BYTES;

/** A quorum's votes, `[validator, sig]` each, at the largest set. */
const VOTES_BYTES_MAX = FRAME_BYTES + VALIDATORS_MAX * (3 * FRAME_BYTES + SIGNATURE_BYTES);
/** One prepared certificate: height, view, hash, header bytes, votes, and their keys. */
const PREPARED_BYTES_MAX =
  8 * FRAME_BYTES + HASH_BYTES + HEADER_BYTES_MAX + FRAME_BYTES + VOTES_BYTES_MAX;

/**
 * The largest view change without its bodies: signed fields, committed head and its certificate,
 * a window of prepared certificates at the largest window and validator set, the bodies' array.
 */
export const VIEW_CHANGE_PROOFS_BYTES_MAX =
  16 * FRAME_BYTES +
  PUBLIC_KEY_BYTES +
  SIGNATURE_BYTES +
  2 * HASH_BYTES +
  VOTES_BYTES_MAX +
  PREPARED_ENTRIES_MAX * PREPARED_BYTES_MAX;

/**
 * Bytes of bodies that a view change may carry (each counted with `BODY_FRAME_BYTES`) so that it
 * always fits `MESSAGE_BYTES_MAX`, the consensus frame: an honest view change is never too large
 * to send (issue 11 item 8). A replica refuses a fresh pre-prepare beyond it, and a primary asks
 * for blocks within what is left.
 */
export const BODY_BYTES_BUDGET = MESSAGE_BYTES_MAX - VIEW_CHANGE_PROOFS_BYTES_MAX;

/** Encoded sizes of blocks, computed once per block object (blocks are never mutated). */
const bytesCache = new WeakMap<Block, number>();

/** What a block's body adds to a view change that carries it. */
export function bodyBytes(block: Block): number {
  let bytes = bytesCache.get(block);
  if (bytes === undefined) {
    bytes = encodeBlock(block).byteLength + BODY_FRAME_BYTES;
    bytesCache.set(block, bytes);
  }
  return bytes;
}

/**
 * Body bytes left at `height`: the budget less, at every other height in flight, the larger of
 * the block accepted in this view and the prepared one (either is what a view change carries).
 */
export function bodyRoom(r: ReplicaState, height: number): number {
  let used = 0;
  for (const slot of r.slots.values()) {
    if (slot.height === height || slot.height <= r.head.height) continue;
    let largest = 0;
    const prepared = slot.prepared === null ? undefined : toHex(slot.prepared.hash);
    for (const hex of [slot.accepted.get(r.view), prepared]) {
      const entry = hex === undefined ? undefined : slot.blocks.get(hex);
      if (entry !== undefined) largest = Math.max(largest, bodyBytes(entry.block));
    }
    used += largest;
  }
  return r.bodyBytesBudget - used;
}

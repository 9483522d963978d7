import { HASH_BYTES, PUBLIC_KEY_BYTES, toHex } from "@careledger/protocol";
import type { ChainEvent } from "./events.js";
import { hexAt, intAt, recordAt, stringAt } from "./json.js";
import { parseReceipt, type ReceiptInfo } from "./wire.js";

/** The events a node streams (api `routes/events.ts`), read with the same checks as answers. */

/** A committed block: `id` is `<height>`. */
export interface BlockEvent {
  readonly height: number;
  readonly hash: string;
  /** The header's time, in ms. */
  readonly time: number;
  readonly txCount: number;
}

/** A committed transaction's receipt: `id` is `<height>-<index>`. */
export interface TxEvent {
  readonly height: number;
  readonly index: number;
  readonly id: string;
  readonly txType: string;
  /** The sender's account id. */
  readonly from: string;
  readonly receipt: ReceiptInfo;
}

/** The block in a `block` event; null for other events. Throws on a malformed one. */
export function blockEventOf(event: ChainEvent): BlockEvent | null {
  if (event.event !== "block") return null;
  const r = recordAt(event.data, "block event");
  return {
    height: intAt(r.height, "block event.height"),
    hash: toHex(hexAt(r.hash, "block event.hash", HASH_BYTES)),
    time: intAt(r.time, "block event.time"),
    txCount: intAt(r.txCount, "block event.txCount"),
  };
}

/** The receipt in a `tx` event; null for other events. Throws on a malformed one. */
export function txEventOf(event: ChainEvent): TxEvent | null {
  if (event.event !== "tx") return null;
  const r = recordAt(event.data, "tx event");
  return {
    height: intAt(r.height, "tx event.height"),
    index: intAt(r.index, "tx event.index"),
    id: toHex(hexAt(r.id, "tx event.id", HASH_BYTES)),
    txType: stringAt(r.txType, "tx event.txType"),
    from: toHex(hexAt(r.from, "tx event.from", PUBLIC_KEY_BYTES)),
    receipt: parseReceipt(r.receipt),
  };
}

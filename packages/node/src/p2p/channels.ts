import { MESSAGE_BYTES_MAX } from "@careledger/consensus";
import { BLOCK_BYTES_MAX, VALIDATORS_MAX } from "@careledger/protocol";

/**
 * The node's wire protocols. Each one has its own libp2p protocol id, so a flood on one (say,
 * transaction gossip) never queues behind the other, and its own bounds.
 *
 * The bounds follow from each other, here and nowhere else: a frame is as large as the largest
 * message an honest node sends on its channel, so an honest sender never sends a frame the
 * receiver must refuse (and count as misbehaviour). Before, view changes (up to 64 MiB by the
 * consensus codec), sync replies (8 MiB soft plus one block of 16 MiB) and gossip batches (512
 * transactions of up to 64 KiB) could all exceed their 17 or 4 MiB frames.
 */
export interface ChannelSpec {
  readonly protocol: string;
  /** Largest framed message accepted or sent; larger inbound frames close the stream. */
  readonly messageBytesMax: number;
  /** Messages queued for one peer before new ones are dropped (and counted). */
  readonly queueMessagesMax: number;
  /** Bytes queued for one peer before new messages are dropped (and counted). */
  readonly queueBytesMax: number;
}

const MIB = 1024 * 1024;
/** msgpack framing of a map or list and its keys, generously: a few bytes per field. */
const ENVELOPE_BYTES = 1024;
/** A commit certificate at its largest: a vote (index and 64-byte signature) per validator. */
export const CERTIFICATE_BYTES_MAX = ENVELOPE_BYTES + VALIDATORS_MAX * (64 + 16);
/** One certified block as a sync reply carries it. */
export const SYNC_ITEM_BYTES_MAX = BLOCK_BYTES_MAX + CERTIFICATE_BYTES_MAX + ENVELOPE_BYTES;
/** A gossip batch: a list of transactions that never outgrows its frame (gossip.ts). */
export const GOSSIP_MESSAGE_BYTES_MAX = 4 * MIB;

export const CHANNELS = {
  // The consensus codec's own bound: any message it accepts travels in one frame.
  consensus: {
    protocol: "/careledger/consensus/1",
    messageBytesMax: MESSAGE_BYTES_MAX,
    queueMessagesMax: 4096,
    queueBytesMax: 2 * MESSAGE_BYTES_MAX,
  },
  txs: {
    protocol: "/careledger/txs/1",
    messageBytesMax: GOSSIP_MESSAGE_BYTES_MAX,
    queueMessagesMax: 512,
    queueBytesMax: 4 * GOSSIP_MESSAGE_BYTES_MAX,
  },
  // A sync reply fills up to one frame and always holds its first block (blockSync.ts).
  sync: {
    protocol: "/careledger/sync/1",
    messageBytesMax: SYNC_ITEM_BYTES_MAX + ENVELOPE_BYTES,
    queueMessagesMax: 64,
    queueBytesMax: 4 * (SYNC_ITEM_BYTES_MAX + ENVELOPE_BYTES),
  },
  // State sync (sync/stateSyncMessages.ts): an offer carries a certified block and its
  // receipts, a chunk at most SNAPSHOT_CHUNK_BYTES_MAX of keys and values (or one larger value).
  snapshot: {
    protocol: "/careledger/snapshot/1",
    messageBytesMax: 2 * SYNC_ITEM_BYTES_MAX,
    queueMessagesMax: 16,
    queueBytesMax: 4 * SYNC_ITEM_BYTES_MAX,
  },
} as const satisfies Record<string, ChannelSpec>;

export type ChannelName = keyof typeof CHANNELS;

/** Overhead of one transaction in a gossip list: msgpack's bin32 header. */
export const GOSSIP_ITEM_OVERHEAD_BYTES = 5;
/** Bytes of transactions, with their item headers, that one gossip batch holds at most. */
export const GOSSIP_TXS_BYTES_MAX = GOSSIP_MESSAGE_BYTES_MAX - ENVELOPE_BYTES;

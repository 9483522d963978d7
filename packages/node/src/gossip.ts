import { CareLedgerError, DEFAULT_DECODE_LIMITS, decode, encode } from "@careledger/protocol";
import { CHANNELS, GOSSIP_ITEM_OVERHEAD_BYTES, GOSSIP_TXS_BYTES_MAX } from "./p2p/channels.js";

/** Transactions per gossip message. */
export const GOSSIP_BATCH_TXS_MAX = 512;
/** How long an admitted transaction may wait for its gossip batch to fill. */
export const GOSSIP_FLUSH_MS = 10;

export function encodeGossip(txs: readonly Uint8Array[]): Uint8Array {
  return encode(txs as Uint8Array[]);
}

/** A gossip message from a peer: a bounded list of transaction bytes, or a CareLedgerError. */
export function decodeGossip(bytes: Uint8Array): Uint8Array[] {
  const value = decode(bytes, { ...DEFAULT_DECODE_LIMITS, bytesMax: CHANNELS.txs.messageBytesMax });
  if (!Array.isArray(value) || value.length > GOSSIP_BATCH_TXS_MAX) {
    throw new CareLedgerError("ENCODING_INVALID", "gossip must be a bounded list");
  }
  return value.map((item) => {
    if (!(item instanceof Uint8Array))
      throw new CareLedgerError("ENCODING_INVALID", "gossip item is not bytes");
    return item;
  });
}

/**
 * Collects transactions admitted from clients and sends them to peers in batches, once: a
 * transaction that arrived by gossip is not gossiped again (every member is a direct peer).
 * One that waits too long is sent again by the node's request check (`takeForRegossip`), since
 * a batch lost on one link strands its transactions at this node.
 */
export class GossipBatcher {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly broadcast: (bytes: Uint8Array) => void) {}

  add(txBytes: Uint8Array): void {
    // A batch never outgrows its frame: 512 transactions of 64 KiB are 32 MiB, and a frame
    // over the bound is refused by the peer as misbehaviour.
    const bytes = txBytes.byteLength + GOSSIP_ITEM_OVERHEAD_BYTES;
    if (this.pendingBytes + bytes > GOSSIP_TXS_BYTES_MAX) this.flush();
    this.pending.push(txBytes);
    this.pendingBytes += bytes;
    if (this.pending.length >= GOSSIP_BATCH_TXS_MAX) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), GOSSIP_FLUSH_MS);
  }

  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.broadcast(encodeGossip(batch));
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

import { TX_BYTES_MAX } from "@careledger/protocol";
import { describe, expect, it } from "vitest";
import { decodeGossip, GOSSIP_BATCH_TXS_MAX, GossipBatcher } from "./gossip.js";
import { CHANNELS } from "./p2p/channels.js";

describe("GossipBatcher", () => {
  it("never sends a batch larger than the frame its peers accept, even of the largest transactions", () => {
    const sent: Uint8Array[] = [];
    const batcher = new GossipBatcher((bytes) => sent.push(bytes));
    const tx = new Uint8Array(TX_BYTES_MAX).fill(7);
    for (let i = 0; i < GOSSIP_BATCH_TXS_MAX; i++) batcher.add(tx);
    batcher.flush();
    expect(sent.length).toBeGreaterThan(1);
    for (const bytes of sent) {
      expect(bytes.byteLength).toBeLessThanOrEqual(CHANNELS.txs.messageBytesMax);
      decodeGossip(bytes);
    }
    const total = sent.reduce((sum, bytes) => sum + decodeGossip(bytes).length, 0);
    expect(total).toBe(GOSSIP_BATCH_TXS_MAX);
  });
});

/**
 * The node's wire protocols. Each one has its own libp2p protocol id, so a flood on one (say,
 * transaction gossip) never queues behind the other, and its own bounds.
 */
export interface ChannelSpec {
  readonly protocol: string;
  /** Largest framed message accepted or sent; larger inbound frames close the stream. */
  readonly messageBytesMax: number;
  /** Messages queued for one peer before new ones are dropped (and counted). */
  readonly queueMessagesMax: number;
}

const MIB = 1024 * 1024;

export const CHANNELS = {
  // A pre-prepare carries a whole block.
  consensus: {
    protocol: "/careledger/consensus/1",
    messageBytesMax: 17 * MIB,
    queueMessagesMax: 4096,
  },
  txs: { protocol: "/careledger/txs/1", messageBytesMax: 4 * MIB, queueMessagesMax: 512 },
  sync: { protocol: "/careledger/sync/1", messageBytesMax: 17 * MIB, queueMessagesMax: 64 },
} as const satisfies Record<string, ChannelSpec>;

export type ChannelName = keyof typeof CHANNELS;

import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** The node's Prometheus metrics, one registry per node so tests can run several in-process. */
export class NodeMetrics {
  readonly registry = new Registry();
  readonly height = new Gauge({
    name: "careledger_height",
    help: "Committed height",
    registers: [this.registry],
  });
  readonly view = new Gauge({
    name: "careledger_view",
    help: "Current consensus view",
    registers: [this.registry],
  });
  readonly viewChanges = new Counter({
    name: "careledger_view_changes_total",
    help: "Views entered after the first",
    registers: [this.registry],
  });
  readonly commitLatency = new Histogram({
    name: "careledger_commit_latency_seconds",
    help: "Time from a transaction's admission to its block's commit on this node",
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly committedTxs = new Counter({
    name: "careledger_committed_txs_total",
    help: "Transactions committed",
    registers: [this.registry],
  });
  readonly mempoolSize = new Gauge({
    name: "careledger_mempool_txs",
    help: "Transactions in the mempool",
    registers: [this.registry],
  });
  readonly peers = new Gauge({
    name: "careledger_peers",
    help: "Connected peers",
    registers: [this.registry],
  });
  readonly stateSyncHeight = new Gauge({
    name: "careledger_state_sync_height",
    help: "Height of the snapshot this node restored by state sync at start (0: none)",
    registers: [this.registry],
  });
  readonly stateSyncChunks = new Counter({
    name: "careledger_state_sync_chunks_total",
    help: "Snapshot chunks received while state-syncing, by outcome",
    labelNames: ["outcome"],
    registers: [this.registry],
  });
  readonly messagesIn = new Counter({
    name: "careledger_p2p_messages_in_total",
    help: "Messages received from peers",
    labelNames: ["channel"],
    registers: [this.registry],
  });
  readonly oversizedOut = new Counter({
    name: "careledger_p2p_oversized_not_sent_total",
    help: "Messages of this node larger than their channel's frame, not sent",
    labelNames: ["channel"],
    registers: [this.registry],
  });
  readonly messagesOut = new Counter({
    name: "careledger_p2p_messages_out_total",
    help: "Messages sent to peers",
    labelNames: ["channel"],
    registers: [this.registry],
  });
  readonly invalidMessages = new Counter({
    name: "careledger_p2p_invalid_messages_total",
    help: "Messages from peers that failed to decode or validate",
    labelNames: ["channel"],
    registers: [this.registry],
  });
  readonly syncTarget = new Gauge({
    name: "careledger_sync_target_height",
    help: "Height the node is syncing to (0 when not syncing)",
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "careledger_process_" });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}

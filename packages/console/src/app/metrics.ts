import { NODE_URL } from "./session.js";

/** What the explorer shows from the node's Prometheus text (the SDK has no metrics call). */
export interface NodeMetrics {
  readonly mempoolTxs: number | undefined;
  /** Mean seconds from admission to commit on this node, over its life. */
  readonly commitLatencyMeanS: number | undefined;
}

function sample(text: string, name: string): number | undefined {
  const line = text.split("\n").find((row) => row.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

export async function fetchMetrics(): Promise<NodeMetrics> {
  const response = await fetch(`${NODE_URL}/metrics`);
  if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`);
  const text = await response.text();
  const sum = sample(text, "careledger_commit_latency_seconds_sum");
  const count = sample(text, "careledger_commit_latency_seconds_count");
  return {
    mempoolTxs: sample(text, "careledger_mempool_txs"),
    commitLatencyMeanS: sum !== undefined && count ? sum / count : undefined,
  };
}

import { fromHex, type Signer } from "@careledger/protocol";
import { devnetAdmin, registerTx } from "./clients.js";
import type { Cluster } from "./cluster.js";

/** Heights a load transaction stays valid for (TX_TTL_MAX is 1,000). */
const LOAD_TX_LIFETIME = 900;

export interface LoadOptions {
  /** Transactions offered per second, in batches of `batch` sent at an even pace. */
  readonly ratePerSecond: number;
  readonly batch: number;
  /** The nodes to send to now (asked before every batch, so a test can take nodes down). */
  readonly nodes: () => readonly number[];
}

export interface LoadStats {
  /** Transactions a node admitted (answered with an id), by id. */
  readonly admitted: readonly string[];
  /** Batches that got no answer (the node was down) or an error answer. */
  readonly failedBatches: number;
}

/**
 * An open-loop client: `identity.register` transactions from the orgs' admins, sent through
 * `POST /v1/txs/batch` at a fixed pace whatever the answers, until `stop` resolves its stats.
 */
export class LoadGenerator {
  private readonly admitted: string[] = [];
  private failedBatches = 0;
  private stopped = false;
  private readonly running: Promise<void>;

  private constructor(
    private readonly cluster: Cluster,
    private readonly admins: readonly Signer[],
    private readonly chain: Uint8Array,
    private readonly options: LoadOptions,
  ) {
    this.running = this.loop();
  }

  static async start(cluster: Cluster, options: LoadOptions): Promise<LoadGenerator> {
    const admins = await Promise.all(
      Array.from({ length: cluster.size }, (_, i) => devnetAdmin(cluster.home(i))),
    );
    const first = options.nodes()[0] ?? 0;
    const chain = fromHex((await cluster.status(first)).chain, 32);
    return new LoadGenerator(cluster, admins, chain, options);
  }

  async stop(): Promise<LoadStats> {
    this.stopped = true;
    await this.running;
    return { admitted: this.admitted, failedBatches: this.failedBatches };
  }

  private async loop(): Promise<void> {
    const intervalMs = (1000 * this.options.batch) / this.options.ratePerSecond;
    const sends: Promise<void>[] = [];
    let height = 0;
    for (let turn = 0; !this.stopped; turn++) {
      const dueAt = Date.now() + intervalMs;
      const nodes = this.options.nodes();
      const node = nodes[turn % nodes.length];
      if (node !== undefined) {
        if (turn % 20 === 0) height = await this.heightOf(node, height);
        sends.push(this.send(node, height + LOAD_TX_LIFETIME, turn));
      }
      await new Promise((done) => setTimeout(done, Math.max(0, dueAt - Date.now())));
    }
    await Promise.all(sends);
  }

  private async heightOf(node: number, known: number): Promise<number> {
    try {
      return (await this.cluster.status(node)).height;
    } catch {
      return known;
    }
  }

  private async send(node: number, expires: number, turn: number): Promise<void> {
    const txs = Array.from({ length: this.options.batch }, (_, i) => {
      const org = (turn + i) % this.admins.length;
      return registerTx(this.admins[org] as Signer, this.chain, `org-${org}`, expires);
    });
    try {
      const response = await fetch(`${this.cluster.url(node)}/v1/txs/batch`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          txs: txs.map((signed) => Buffer.from(signed.bytes).toString("base64")),
        }),
      });
      const body = (await response.json()) as { results?: { id?: string }[] };
      if (!response.ok || body.results === undefined) {
        this.failedBatches += 1;
        return;
      }
      for (const result of body.results) if (result.id !== undefined) this.admitted.push(result.id);
    } catch {
      this.failedBatches += 1;
    }
  }
}

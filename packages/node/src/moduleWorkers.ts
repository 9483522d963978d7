import {
  type CommittedTx,
  committedTxsOf,
  type Ledger,
  type LedgerModule,
  type ModuleServices,
  type ModuleWorker,
} from "@careledger/ledger";
import type { Block, Receipt } from "@careledger/protocol";
import type { Logger } from "./logger.js";

/**
 * One module's worker and how far it has been told: blocks are handed to it in height order,
 * one call at a time, off the commit path. It keeps only a height (the last block it took), not
 * a queue: a worker that falls behind or fails reads the blocks it missed back from the ledger,
 * so a slow or failing worker holds no memory and never holds up a commit.
 */
class WorkerRunner {
  /** The last height the worker took without an error. */
  private delivered: number;
  /** The highest committed height the node told of. */
  private target: number;
  /** The block last told of, kept to spare a read when the worker keeps up (the common case). */
  private latest: { block: Block; receipts: readonly Receipt[] } | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private readonly wanted: (type: string) => boolean;

  constructor(
    readonly module: LedgerModule,
    private readonly worker: ModuleWorker,
    private readonly ledger: Ledger,
    private readonly log: Logger,
    height: number,
  ) {
    this.delivered = height;
    this.target = height;
    const types = new Set(module.txTypes.map((type) => type.contract.type));
    this.wanted = (type) => types.has(type);
  }

  start(): Promise<void> {
    return this.worker.start();
  }

  /** A block committed: hand it (and any the worker missed) over, unless a run is under way. */
  committed(block: Block, receipts: readonly Receipt[]): void {
    const { height } = block.header;
    if (height <= this.target) return;
    this.target = height;
    this.latest = { block, receipts };
    this.running ??= this.drain().finally(() => {
      this.running = null;
    });
  }

  /**
   * Delivers every block from the one after `delivered` up to `target`, in order. A failure is
   * logged and ends the run: the same block is tried again when the next one commits.
   */
  private async drain(): Promise<void> {
    while (!this.stopped && this.delivered < this.target) {
      const height = this.delivered + 1;
      try {
        await this.worker.committed(height, await this.txsAt(height));
        this.delivered = height;
      } catch (error) {
        this.log.error(
          { err: error, module: this.module.name, height },
          "module worker failed on a committed block; tried again after the next commit",
        );
        return;
      }
    }
  }

  private async txsAt(height: number): Promise<CommittedTx[]> {
    const latest = this.latest;
    if (latest !== null && latest.block.header.height === height) {
      return committedTxsOf(latest.block, latest.receipts, this.wanted);
    }
    const stored = await this.ledger.reads.block(height);
    const receipts = await this.ledger.reads.receipts(height);
    if (stored === null || receipts === null) throw new Error(`block ${height} is not stored`);
    return committedTxsOf(stored.block, receipts, this.wanted);
  }

  /** Lets the call in progress finish, delivers nothing more, then stops the worker. */
  /** Delivers nothing more from now on; the call in progress finishes. */
  halt(): void {
    this.stopped = true;
  }

  async stop(): Promise<void> {
    this.halt();
    await this.running;
    await this.worker.stop();
  }
}

/**
 * The modules' workers (ModuleWorker): started after the node opens and before it serves, told
 * of every committed block (by consensus or by sync) in height order with the block's
 * transactions of the module's own types, stopped before the LocalStore closes.
 */
export class ModuleWorkers {
  private readonly runners: WorkerRunner[] = [];

  constructor(
    private readonly ledger: Ledger,
    private readonly servicesFor: (module: LedgerModule) => ModuleServices,
    private readonly log: Logger,
  ) {}

  /** Makes and starts each module's worker, in module order; a worker that fails to start fails the start. */
  async start(): Promise<void> {
    for (const module of this.ledger.registry.modules) {
      if (module.worker === undefined) continue;
      const worker = module.worker(this.servicesFor(module));
      const runner = new WorkerRunner(
        module,
        worker,
        this.ledger,
        this.log,
        this.ledger.head.height,
      );
      await runner.start();
      this.runners.push(runner);
    }
  }

  /** Returns at once: each worker takes the block in its own time. */
  committed(block: Block, receipts: readonly Receipt[]): void {
    for (const runner of this.runners) runner.committed(block, receipts);
  }

  /** Stops every worker; one that fails to stop is logged and the others still stop. */
  async stop(): Promise<void> {
    const runners = this.runners.splice(0);
    // Every worker halts at once: waiting on one worker's stop must not let the others take
    // blocks committed after the node began to stop.
    for (const runner of runners) runner.halt();
    for (const runner of runners) {
      try {
        await runner.stop();
      } catch (error) {
        this.log.error({ err: error, module: runner.module.name }, "module worker failed to stop");
      }
    }
  }
}

import { join } from "node:path";
import {
  type Ledger,
  type LedgerModule,
  LocalStore,
  type LocalStoreOptions,
  type ModuleServices,
} from "@careledger/ledger";
import type { Block, Receipt, SignedTx, Signer } from "@careledger/protocol";
import type { Logger } from "./logger.js";
import { moduleServices } from "./moduleServices.js";
import { ModuleWorkers } from "./moduleWorkers.js";

/** The node's LocalStore, beside the ledger's `data/` in the node home. */
export const LOCAL_DIR = "local";

export interface ModuleHostInit {
  readonly homeDir: string;
  readonly ledger: Ledger;
  readonly keyEncryptionKey: Uint8Array;
  readonly signer: Signer;
  /** The node's admission path for its own transactions (gossiped like a client's). */
  readonly admit: (bytes: Uint8Array) => Promise<SignedTx>;
  readonly log: Logger;
  /** Each module's section of the node config (`modules.<name>`). */
  readonly settings: Readonly<Record<string, unknown>>;
  /** Erasure hooks, for tests that stop a node in the middle of one. */
  readonly localOptions?: LocalStoreOptions;
}

/**
 * Where the modules' node-side parts live in the running node: the LocalStore, the services
 * each module's routes and worker get, and the workers. Opened after the ledger, workers
 * started before the API serves, closed (workers first, then the store) before the ledger.
 */
export class ModuleHost {
  readonly servicesFor: (module: LedgerModule) => ModuleServices;
  private readonly workers: ModuleWorkers;

  private constructor(
    private readonly local: LocalStore,
    init: ModuleHostInit,
  ) {
    this.servicesFor = moduleServices({ ...init, local });
    this.workers = new ModuleWorkers(init.ledger, this.servicesFor, init.log);
  }

  static async open(init: ModuleHostInit): Promise<ModuleHost> {
    const local = await LocalStore.open(join(init.homeDir, LOCAL_DIR), init.localOptions);
    return new ModuleHost(local, init);
  }

  /** Starts every module's worker; the node serves only once they have started. */
  startWorkers(): Promise<void> {
    return this.workers.start();
  }

  /** Tells the workers of a committed block; returns at once. */
  committed(block: Block, receipts: readonly Receipt[]): void {
    this.workers.committed(block, receipts);
  }

  async close(): Promise<void> {
    await this.workers.stop();
    await this.local.close();
  }
}

import { readFile } from "node:fs/promises";
import {
  CareLedgerClient,
  type Genesis,
  importSecretKeyHex,
  keySigner,
  type Signer,
} from "@careledger/sdk";
import { adminKeyFileOf } from "../devnetLayout.js";

/** How long the seed waits for node 0 to be up and committing blocks. */
export const CHAIN_UP_TIMEOUT_MS = 180_000;
const CHAIN_UP_POLL_MS = 250;
/** Every commit the seed waits for: a loaded 2-core machine is slow, a wedged devnet is not. */
export const COMMIT_TIMEOUT_MS = 60_000;

/**
 * The devnet as the demo's stories see it: its genesis, a client of any node signed by any key
 * (the way an application holds one), the admin key of each organization, the node that holds
 * an organization's records. Everything goes through the nodes' HTTP APIs.
 */
export class DemoWorld {
  private constructor(
    readonly dir: string,
    readonly genesis: Genesis,
    private readonly urls: readonly string[],
    readonly signal: AbortSignal,
  ) {}

  static async open(
    dir: string,
    genesis: Genesis,
    urls: readonly string[],
    signal: AbortSignal,
  ): Promise<DemoWorld> {
    const world = new DemoWorld(dir, genesis, urls, signal);
    await world.waitForChain();
    return world;
  }

  url(node: number): string {
    const url = this.urls[node];
    if (url === undefined) throw new Error(`the devnet has no node ${node}`);
    return url;
  }

  /** A client of node `node` (0 by default) whose reads and transactions `signer` signs. */
  client(signer: Signer, node = 0): CareLedgerClient {
    return new CareLedgerClient(this.url(node), { signer, retries: 3 });
  }

  /** The first node of `org`: where its records' content is stored and read. */
  nodeOf(org: string): number {
    const nodeKey = this.genesis.organizations.find((one) => one.id === org)?.nodeKeys[0];
    const node = nodeKey === undefined ? -1 : this.genesis.validators.indexOf(nodeKey);
    if (node < 0) throw new Error(`${org} runs no node of this devnet`);
    return node;
  }

  /** The client of `org`'s node, for the record custodian's content routes. */
  readonly custodianNode = (org: string): CareLedgerClient =>
    new CareLedgerClient(this.url(this.nodeOf(org)), { retries: 3 });

  async admin(org: string): Promise<Signer> {
    const hex = await readFile(adminKeyFileOf(this.dir, this.genesis, org), "utf8");
    return keySigner(importSecretKeyHex(hex));
  }

  /** Commit options of every seed transaction. */
  get commit(): { readonly timeoutMs: number; readonly signal: AbortSignal } {
    return { timeoutMs: COMMIT_TIMEOUT_MS, signal: this.signal };
  }

  /** Resolves once node 0 answers and has committed a block (its peers are up with it). */
  private async waitForChain(): Promise<void> {
    const client = new CareLedgerClient(this.url(0), { retries: 0 });
    const deadline = Date.now() + CHAIN_UP_TIMEOUT_MS;
    for (;;) {
      this.signal.throwIfAborted();
      const height = await client.status(this.signal).then(
        (status) => status.height,
        () => 0,
      );
      if (height >= 1) return;
      if (Date.now() > deadline) {
        throw new Error(`node 0 committed no block within ${CHAIN_UP_TIMEOUT_MS} ms`);
      }
      await new Promise((done) => setTimeout(done, CHAIN_UP_POLL_MS));
    }
  }
}

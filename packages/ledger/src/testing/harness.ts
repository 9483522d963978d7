import {
  type Canonical,
  isQueryResult,
  type QueryCaller,
  type Receipt,
  type SignedTx,
  type Signer,
  signTx,
  toHex,
} from "@careledger/protocol";
import type { BuiltBlock } from "../execution/execute.js";
import { Ledger, type LedgerOptions } from "../ledger.js";
import { fakeCertificate, type TestChain, testChain } from "./fixtures.js";
import { nodeVerifier } from "./nodeCrypto.js";
import { tempDir } from "./tempDir.js";

/** Heights a test transaction stays valid for, unless a test says otherwise. */
const TEST_TX_LIFETIME = 100;

/** A ledger in a temporary directory with helpers to sign transactions and commit blocks. */
export class Harness {
  private nonce = 0;

  private constructor(
    public ledger: Ledger,
    readonly chain: TestChain,
    readonly dir: string,
    private readonly remove: () => void,
  ) {}

  static async create(
    label: string,
    chain: TestChain = testChain(),
    options: Omit<LedgerOptions, "verifier"> = {},
  ): Promise<Harness> {
    const { dir, remove } = tempDir(label);
    const ledger = await Ledger.open(dir, chain.genesis, { ...options, verifier: nodeVerifier() });
    return new Harness(ledger, chain, dir, remove);
  }

  /** Closes the ledger and opens its directory again (what a node restart does). */
  async reopen(options: Omit<LedgerOptions, "verifier"> = {}): Promise<void> {
    await this.ledger.close();
    this.ledger = await Ledger.open(this.dir, this.chain.genesis, {
      ...options,
      verifier: nodeVerifier(),
    });
  }

  org(index: number) {
    const org = this.chain.orgs[index];
    if (!org) throw new Error(`no org ${index}`);
    return org;
  }

  /** An admin of org-0, as a verified caller: what a member organization's operator sees. */
  get operator(): QueryCaller {
    return { key: toHex(this.org(0).admin.publicKey), identity: null, adminOf: ["org-0"] };
  }

  /**
   * Runs a query through the access-checked path (as `caller`, an org-0 admin by default) and
   * checks the answer against the query's result schema, so every test also tests the contract.
   */
  async query(
    name: string,
    params: Readonly<Record<string, unknown>> = {},
    caller: QueryCaller | null = this.operator,
  ): Promise<Canonical | null> {
    const result = await this.ledger.reads.query(name, params, caller);
    const contract = this.ledger.registry.query(name)?.contract;
    if (contract === undefined || !isQueryResult(contract, result)) {
      throw new Error(`${name} answered outside its result schema`);
    }
    return result;
  }

  tx(type: string, payload: Canonical, by: Signer, expires?: number): SignedTx {
    const nonce = new Uint8Array(8);
    new DataView(nonce.buffer).setUint32(4, ++this.nonce);
    const height = this.ledger.head.height;
    const unsigned = {
      v: 1 as const,
      chain: this.ledger.chainId,
      type,
      nonce,
      expires: expires ?? height + TEST_TX_LIFETIME,
      payload,
    };
    return signTx(unsigned, by);
  }

  /** Builds and commits the next block (one second after the head) and returns its receipts. */
  async block(txs: readonly SignedTx[], timeStepMs = 1000): Promise<Receipt[]> {
    const built = await this.build(txs, timeStepMs);
    if (built.excluded.length > 0) throw new Error(`excluded: ${JSON.stringify(built.excluded)}`);
    await this.commit(built);
    return [...built.result.receipts];
  }

  /** Commits one transaction alone and returns its receipt and whether the state root moved. */
  async single(tx: SignedTx): Promise<{ receipt: Receipt; stateChanged: boolean }> {
    const before = this.ledger.head.stateRoot;
    const [receipt] = await this.block([tx]);
    if (!receipt) throw new Error("no receipt");
    const after = this.ledger.head.stateRoot;
    return { receipt, stateChanged: Buffer.compare(before, after) !== 0 };
  }

  build(txs: readonly SignedTx[], timeStepMs = 1000): Promise<BuiltBlock> {
    const head = this.ledger.head;
    return this.ledger.buildBlock({
      height: head.height + 1,
      view: 0,
      proposer: this.org(0).node.publicKey,
      time: head.time + timeStepMs,
      txs,
    });
  }

  async commit(built: BuiltBlock): Promise<void> {
    const { block, result } = built;
    await this.ledger.commit(block, fakeCertificate(block.header.height, result.hash), result);
  }

  async close(): Promise<void> {
    await this.ledger.close();
    this.remove();
  }
}

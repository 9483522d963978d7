import type {
  CallerIdentity,
  CertifiedBlock,
  NodeApi,
  NodeEvent,
  ProvenReceipt,
  ProvenState,
  StateKeyScope,
} from "@careledger/api";
import type { Ledger, LedgerModule, ModuleServices } from "@careledger/ledger";
import {
  blockHash,
  type Canonical,
  encodeReceipt,
  type MerkleProof,
  type ModuleRoute,
  merkleProof,
  type QueryCaller,
} from "@careledger/protocol";
import { callerIdentityOf, type KeyRecord } from "./callerIdentity.js";
import { eventsOf } from "./chainEvents.js";
import { stateKeyScopes } from "./stateKeyScopes.js";

/** The part of NodeApi answered from the committed ledger alone: no mempool, network or consensus. */
export type LedgerReadsApi = Pick<
  NodeApi,
  | "blockAt"
  | "eventsOfBlock"
  | "proveState"
  | "stateKeyScope"
  | "txProof"
  | "receiptProof"
  | "queryNames"
  | "moduleRoutes"
  | "query"
  | "identityOf"
>;

/** The API's reads of committed blocks, state, proofs and module queries, over one ledger. */
export class LedgerReads implements LedgerReadsApi {
  private readonly keyScopes: (key: string) => StateKeyScope;

  /**
   * `servicesFor` lends each module with routes the node's services (moduleServices.ts); a
   * ledger-only reader without it serves no module routes.
   */
  constructor(
    private readonly ledger: Ledger,
    private readonly servicesFor?: (module: LedgerModule) => ModuleServices,
  ) {
    this.keyScopes = stateKeyScopes(ledger.registry.modules);
  }

  async blockAt(height: number): Promise<CertifiedBlock | null> {
    const stored = await this.ledger.reads.block(height);
    if (stored === null) return null;
    return {
      hash: blockHash(stored.block.header),
      block: stored.block,
      certificate: stored.certificate,
    };
  }

  async eventsOfBlock(height: number): Promise<NodeEvent[]> {
    const stored = await this.ledger.reads.block(height);
    if (stored === null) return [];
    return eventsOf(stored.block, (await this.ledger.reads.receipts(height)) ?? []);
  }

  async proveState(key: string): Promise<ProvenState> {
    const proven = await this.ledger.reads.proveState(key);
    return { height: proven.height, value: proven.bytes, proof: proven.proof };
  }

  stateKeyScope(key: string): StateKeyScope {
    return this.keyScopes(key);
  }

  async txProof(id: Uint8Array): Promise<{ height: number; proof: MerkleProof } | null> {
    const stored = await this.ledger.reads.tx(id);
    if (stored === null) return null;
    const block = await this.ledger.reads.block(stored.height);
    if (block === null) return null;
    const ids = block.block.txs.map((signed) => signed.id);
    return { height: stored.height, proof: merkleProof(ids, stored.index) };
  }

  async receiptProof(id: Uint8Array): Promise<ProvenReceipt | null> {
    const stored = await this.ledger.reads.tx(id);
    if (stored === null) return null;
    const receipts = await this.ledger.reads.receipts(stored.height);
    if (receipts === null) return null;
    const leaves = receipts.map(encodeReceipt);
    const receipt = leaves[stored.index];
    if (receipt === undefined) return null;
    return { height: stored.height, receipt, proof: merkleProof(leaves, stored.index) };
  }

  queryNames(): readonly string[] {
    return this.ledger.registry.queryNames;
  }

  moduleRoutes(): readonly ModuleRoute[] {
    const servicesFor = this.servicesFor;
    if (servicesFor === undefined) return [];
    return this.ledger.registry.modules.flatMap((module) =>
      (module.routes?.(servicesFor(module)) ?? []).map((route) => {
        // A module serves under its own name only, never another module's prefix.
        if (route.module !== module.name) {
          throw new Error(`module ${module.name} declares a route of module ${route.module}`);
        }
        return route;
      }),
    );
  }

  query(
    name: string,
    params: Readonly<Record<string, string>>,
    caller: QueryCaller | null,
  ): Promise<Canonical | null> {
    return this.ledger.reads.query(name, params, caller);
  }

  /** Read by the node itself for request authentication: no access check applies. */
  async identityOf(keyHex: string): Promise<CallerIdentity | null> {
    if (!/^[0-9a-f]{64}$/.test(keyHex)) return null;
    const record = await this.ledger.reads.trustedQuery("identity.key", { key: keyHex });
    return callerIdentityOf(record as KeyRecord | null);
  }
}

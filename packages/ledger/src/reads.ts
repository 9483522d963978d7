import {
  type Block,
  type Canonical,
  CareLedgerError,
  type CommitCertificate,
  type ConsensusParams,
  checkQueryAccess,
  checkQueryParams,
  decode,
  decodeOwn,
  decodeOwnTx,
  type QueryCaller,
  type Receipt,
  type SignedTx,
  type StateProof,
  type ValidatorSet,
} from "@careledger/protocol";
import type { CommittedHead } from "./execution/environment.js";
import {
  configAt,
  PARAMS_KEY,
  SCHEDULED_KEY,
  type ScheduledChange,
  VALIDATORS_KEY,
} from "./modules/governance/consensusState.js";
import { readNodeOf } from "./modules/identity/state.js";
import type { CommittedTx, Query, QueryReader, ScanOptions } from "./modules/module.js";
import { type StateScope, scopedReader } from "./modules/namespace.js";
import type { ModuleRegistry } from "./modules/registry.js";
import { keyHashOf } from "./smt/hashing.js";
import type { TreeNode } from "./smt/node.js";
import { proveKeyHash } from "./smt/proof.js";
import type { StateValueCache } from "./state/valueCache.js";
import {
  heightOfHash,
  locateTx,
  readBlock,
  readCertificate,
  readHeader,
  readReceipts,
} from "./storage/blockStore.js";
import { Committed } from "./storage/committedTx.js";
import { type Database, plainBytes } from "./storage/database.js";
import type { IndexStore } from "./storage/indexStore.js";
import { indexEntryKey, STATE_KEY_DECODER, scanRange, stateKey } from "./storage/layout.js";

/** Attempts at a proof before giving up when commits keep moving the head underneath it. */
const PROOF_ATTEMPTS_MAX = 5;

export interface StoredBlock {
  readonly block: Block;
  /** Null for block 0, which genesis defines and no quorum signs. */
  readonly certificate: CommitCertificate | null;
}

export interface StoredTx {
  readonly height: number;
  readonly index: number;
  readonly tx: SignedTx;
  readonly receipt: Receipt;
}

export interface ProvenValue {
  readonly key: string;
  /** The canonical bytes the proof commits to, or null if the key is absent. */
  readonly bytes: Uint8Array | null;
  readonly value: Canonical | null;
  readonly proof: StateProof;
  /** The head the proof is against: verify with `verifyStateProof(stateRoot, key, bytes, proof)`. */
  readonly height: number;
  readonly stateRoot: Uint8Array;
}

type NodeReader = (paths: readonly string[]) => Promise<Array<TreeNode | null>>;

/** Everything the node and the API read from committed data. */
export class LedgerReads {
  constructor(
    private readonly db: Database,
    private readonly registry: ModuleRegistry,
    private readonly head: () => CommittedHead,
    private readonly readNodes: NodeReader,
    private readonly indexes: IndexStore,
    private readonly values: StateValueCache,
  ) {}

  async stateValues(keys: readonly string[]): Promise<Array<Canonical | null>> {
    if (keys.length === 0) return [];
    const cached = keys.map((key) => this.values.get(key));
    const missing = keys.filter((_, index) => cached[index] === undefined);
    if (missing.length > 0) {
      const generation = this.values.generation;
      const stored = await this.db.getMany(missing.map(stateKey));
      let next = 0;
      cached.forEach((bytes, index) => {
        if (bytes !== undefined) return;
        const found = stored[next++];
        // A copy: a view would keep LevelDB's whole read buffer alive as long as it is cached.
        const plain = found === undefined ? null : new Uint8Array(found);
        cached[index] = plain;
        this.values.fill(generation, keys[index] as string, plain);
      });
    }
    // Only this node's commits write state values, from the canonical bytes its own execution
    // encoded (or genesis): decodeOwn skips decode's re-encoding, a fifth of an access.log.
    return cached.map((bytes) => (bytes == null ? null : decodeOwn(bytes)));
  }

  async block(height: number): Promise<StoredBlock | null> {
    const block = await readBlock(this.db, height);
    if (block === null) return null;
    return { block, certificate: await readCertificate(this.db, height) };
  }

  async blockByHash(hash: Uint8Array): Promise<StoredBlock | null> {
    const height = await heightOfHash(this.db, hash);
    return height === null ? null : this.block(height);
  }

  async tx(id: Uint8Array): Promise<StoredTx | null> {
    const location = await locateTx(this.db, id);
    if (location === null) return null;
    const receipts = await readReceipts(this.db, location.height);
    const receipt = receipts?.[location.index];
    if (receipt === undefined) throw new CareLedgerError("INTERNAL", "receipt missing");
    return { ...location, tx: decodeOwnTx(location.bytes, id), receipt };
  }

  /**
   * A committed transaction as a module's worker or route sees it (where, when, what, its
   * receipt), by id, or null if no committed block holds it.
   */
  async committedTx(id: Uint8Array): Promise<CommittedTx | null> {
    const stored = await this.tx(id);
    if (stored === null) return null;
    const header = await readHeader(this.db, stored.height);
    if (header === null) throw new CareLedgerError("INTERNAL", `block ${stored.height} missing`);
    return new Committed(stored.height, stored.index, header.time, stored.tx, stored.receipt);
  }

  /** The member organizations whose node keys include `keyHex` at the head, sorted. */
  nodeOrganizations(keyHex: string): Promise<string[]> {
    return readNodeOf({ get: async (key) => (await this.stateValues([key]))[0] ?? null }, keyHex);
  }

  async receipts(height: number): Promise<Receipt[] | null> {
    return readReceipts(this.db, height);
  }

  /** A state key's value at the head with its proof of presence or absence. */
  async proveState(key: string): Promise<ProvenValue> {
    for (let attempt = 0; attempt < PROOF_ATTEMPTS_MAX; attempt++) {
      const head = this.head();
      const stored = await this.db.get(stateKey(key));
      const bytes = stored === undefined ? null : plainBytes(stored);
      const proof = await proveKeyHash(head.root.kind, keyHashOf(key), async (path) => {
        const [node] = await this.readNodes([path]);
        return node ?? null;
      });
      // A commit between the reads would mix two states: try again on the new head.
      if (this.head() !== head) continue;
      const value = bytes === null ? null : decode(bytes);
      return { key, bytes, value, proof, height: head.header.height, stateRoot: head.root.hash };
    }
    throw new CareLedgerError("INTERNAL", "the head kept moving during a proof");
  }

  /**
   * Runs a module query (`identity.key`, `gov.proposals`, ...) for `caller` (a verified signed
   * request's identity, or null for an anonymous one) against the head state: NOT_FOUND for an
   * unknown name, BAD_REQUEST for parameters outside its schema, REQUEST_UNSIGNED or FORBIDDEN
   * when its declared access does not admit the caller.
   */
  async query(
    name: string,
    params: Readonly<Record<string, unknown>>,
    caller: QueryCaller | null,
  ): Promise<Canonical | null> {
    const query = this.queryNamed(name);
    const checked = checkQueryParams(query.contract, params) as Readonly<Record<string, unknown>>;
    checkQueryAccess(query.contract, caller, checked);
    return query.run(this.reader(this.registry.queryScope(name)), checked, caller);
  }

  /**
   * A query for the node's own use (membership, validator changes, the identity behind a signed
   * request): parameters checked, no access check. Never reachable from a request.
   */
  async trustedQuery(
    name: string,
    params: Readonly<Record<string, unknown>> = {},
  ): Promise<Canonical | null> {
    const query = this.queryNamed(name);
    const reader = this.reader(this.registry.queryScope(name));
    return query.run(reader, checkQueryParams(query.contract, params), null);
  }

  private queryNamed(name: string): Query {
    const query = this.registry.query(name);
    if (query === undefined) throw new CareLedgerError("NOT_FOUND", `no query ${name}`);
    return query;
  }

  /**
   * What a module's routes and worker read (node ModuleServices.head): the head state limited
   * to the namespaces the module may read, and its own indexes, as its queries see them.
   */
  moduleReader(module: string): QueryReader {
    return this.reader(this.registry.moduleScope(module));
  }

  /**
   * A reader of the head state, limited to the namespaces a module may read (`scope`), and of
   * that module's own indexes.
   */
  private reader(scope: StateScope): QueryReader {
    const { header } = this.head();
    const reader: QueryReader = {
      height: header.height,
      time: header.time,
      get: async (key) => (await this.stateValues([key]))[0] ?? null,
      scan: (prefix, options) => this.scan(stateKey, prefix, options),
      index: (index) => {
        if (!this.indexes.has(scope.module, index)) {
          throw new CareLedgerError("STATE_KEY_FORBIDDEN", `${scope.module} has no index ${index}`);
        }
        const space = `${scope.module}/${index}/`;
        const toKey = (key: string) => indexEntryKey(`${space}${key}`);
        return {
          get: async (key) => {
            const bytes = await this.db.get(toKey(key));
            return bytes === undefined ? null : decode(bytes);
          },
          scan: async (prefix, options) =>
            (await this.scan(toKey, prefix, options)).map(([key, value]) => [
              key.slice(space.length),
              value,
            ]),
        };
      },
    };
    return scopedReader(reader, scope);
  }

  async consensusConfig(height: number): Promise<{
    validators: ValidatorSet;
    nextValidators: ValidatorSet;
    params: ConsensusParams;
    scheduled: ScheduledChange[];
  }> {
    const [validators, params, scheduled] = await this.stateValues([
      VALIDATORS_KEY,
      PARAMS_KEY,
      SCHEDULED_KEY,
    ]);
    const config = {
      validators: validators as unknown as ValidatorSet,
      params: params as unknown as ConsensusParams,
    };
    const pending = (scheduled ?? []) as unknown as ScheduledChange[];
    const next = configAt(config, pending, height + 1);
    return { ...config, nextValidators: next.validators, scheduled: pending };
  }

  /** Entries under `prefix` of one key kind (`toKey` adds its prefix byte), in key order. */
  private async scan(
    toKey: (key: string) => Uint8Array,
    prefix: string,
    options: ScanOptions,
  ): Promise<Array<[string, Canonical]>> {
    const out: Array<[string, Canonical]> = [];
    for await (const [key, value] of this.db.iterator({
      ...scanRange(toKey, prefix, options.after ?? null),
      limit: options.limit,
    })) {
      out.push([STATE_KEY_DECODER.decode(key.subarray(1)), decode(value)]);
    }
    return out;
  }
}

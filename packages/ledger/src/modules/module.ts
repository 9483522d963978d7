import {
  type Canonical,
  CareLedgerError,
  type ErrorCode,
  type ModuleRoute,
  QUERY_PAGE_ITEMS_DEFAULT,
  type QueryCaller,
  type QueryContract,
  type QueryParamsOf,
  type Receipt,
  type ReceiptEvent,
  type SenderRule,
  type Tx,
  type TxTypeContract,
} from "@careledger/protocol";
import type { LocalSpace } from "../local/localStore.js";
import type { StateAccess } from "../state/blockState.js";
import { decodeCursor, encodeCursor } from "./cursor.js";

/** What a transaction's execution sees. Time is the header's, never a clock's. */
export interface TxContext {
  readonly tx: Tx;
  readonly id: Uint8Array;
  readonly idHex: string;
  /** The sender's public key as lowercase hex (protocol accountId). */
  readonly sender: string;
  readonly height: number;
  /** The block header's time, in ms. */
  readonly time: number;
  readonly state: StateAccess;
  /**
   * The contract's sender rule that admitted the sender (checked before the handler runs), or
   * null when only a `handler` rule can admit it: the handler must then check that rule itself.
   */
  readonly authorizedBy: SenderRule | null;
  /**
   * Adds an event to the receipt (at most RECEIPT_EVENTS_MAX, each of ReceiptEventSchema), for
   * subscribers and indexes; an ill-formed one fails the transaction with RESULT_INVALID.
   */
  emit(event: ReceiptEvent): void;
  /**
   * Sets the receipt's result, once (a decision, a tally: at most RECEIPT_RESULT_BYTES_MAX bytes
   * encoded). Provable under receiptsRoot, so append-only histories need not live in the state.
   */
  result(value: Canonical): void;
}

/**
 * How a transaction type executes: the state keys it reads (fetched in one batch before the
 * block runs; a read outside them still works, only slower), and its execution, which throws
 * `reject(code, reason)` to fail with a receipt and change nothing.
 */
export interface TxHandler<P> {
  reads?(payload: P, tx: Tx, sender: string): readonly string[];
  /**
   * Keys that depend on values read before (a record's patient, then that patient's consent
   * lists, then the consents they name): asked after each prefetch round, with what is in memory
   * (`known` answers undefined for a key not fetched yet), and fetched in one batch per round,
   * for at most DEPENDENT_READ_ROUNDS rounds. Only a hint, like `reads`.
   */
  readsAfter?(
    payload: P,
    sender: string,
    known: (key: string) => Canonical | null | undefined,
  ): readonly string[];
  execute(ctx: TxContext, payload: P): Promise<void>;
}

/**
 * One transaction type: its contract entry (name, payload schema, who may send it; protocol's
 * `TX_TYPES`) bound to its handler. The registry refuses a type whose contract is not the
 * contract's entry of that name, and a contract entry with no type.
 */
export interface TxType<P = unknown> extends TxHandler<P> {
  readonly contract: TxTypeContract;
}

/** Where a scan starts and how much it returns. */
export interface ScanOptions {
  readonly limit: number;
  /** Resume strictly after this key, which must start with the scan's prefix (BAD_REQUEST). */
  readonly after?: string | null;
}

/** Keys and values in key order: the committed state, or one of a module's indexes. */
export interface KeyValueReader {
  get(key: string): Promise<Canonical | null>;
  /** Up to `limit` entries whose keys start with `prefix`, in key order. */
  scan(prefix: string, options: ScanOptions): Promise<Array<[string, Canonical]>>;
}

/** Reads the committed state at the head, and the query's module's indexes, for queries. */
export interface QueryReader extends KeyValueReader {
  /** The head's height and header time: what "now" means to a query. */
  readonly height: number;
  readonly time: number;
  /** One of the module's own node-local indexes (IndexDefinition), as of the head. */
  index(name: string): KeyValueReader;
}

/** A committed transaction as an index sees it: where it is, what it said, what it did. */
export interface CommittedTx {
  readonly height: number;
  readonly index: number;
  readonly time: number;
  readonly id: Uint8Array;
  readonly type: string;
  /** The sender's key, lowercase hex. */
  readonly sender: string;
  /** The payload, as its contract's schema checked it when the block executed. */
  readonly payload: unknown;
  readonly receipt: Receipt;
}

/**
 * A node-local secondary index (by patient, by lot, by claim): entries derived from committed
 * transactions and their receipts, kept beside the ledger outside the state root, written in the
 * block's commit batch, and rebuilt from the stored blocks at open when missing or when
 * `version` changed (bump it whenever `entries` changes). Keys are strings in the index's own
 * space, read back in key order by the module's queries through `QueryReader.index`.
 */
export interface IndexDefinition {
  readonly name: string;
  readonly version: number;
  /** The transaction types whose commits feed it. */
  readonly feeds: readonly string[];
  entries(committed: CommittedTx): ReadonlyArray<readonly [string, Canonical]>;
  /**
   * Keys the transaction takes out of the index, for a list that shrinks (a claim paid off its
   * provider's receivables): deleted in the same commit batch, in block order, before this
   * transaction's own `entries` are written. A key that is not there is no error.
   */
  removals?(committed: CommittedTx): readonly string[];
}

/** The page a paged query is asked for: its size and the key to resume after (from the cursor). */
export interface PageRequest {
  readonly limit: number;
  readonly after: string | null;
}

/** What a paged query answers: its items, and the key to resume after if more may follow. */
export interface QueryPage {
  readonly items: Canonical[];
  readonly resumeAfter: string | null;
}

/**
 * A read-only question a module answers about the committed state: its contract entry (name,
 * parameter and result schemas, declared access, paging; protocol's `QUERIES`) and its run. The
 * reads layer checks the parameters and the access before `run`; `params` are the checked ones.
 */
export interface Query {
  readonly contract: QueryContract;
  run(reader: QueryReader, params: unknown, caller: QueryCaller | null): Promise<Canonical | null>;
}

/** A query answering one value. */
export function defineQuery<C extends QueryContract>(
  contract: C,
  run: (
    reader: QueryReader,
    params: QueryParamsOf<C>,
    caller: QueryCaller | null,
  ) => Promise<Canonical | null>,
): Query {
  return {
    contract,
    run: (reader, params, caller) => run(reader, params as QueryParamsOf<C>, caller),
  };
}

/**
 * A query answering a list page by page: the framework turns the `limit` and `cursor` parameters
 * into a page request and the key to resume after into the next cursor, bound to this query.
 */
export function definePagedQuery<C extends QueryContract>(
  contract: C,
  run: (
    reader: QueryReader,
    params: QueryParamsOf<C>,
    caller: QueryCaller | null,
    page: PageRequest,
  ) => Promise<QueryPage>,
): Query {
  if (!contract.paged) throw new Error(`query ${contract.name} is not paged in the contract`);
  return {
    contract,
    async run(reader, params, caller) {
      const { limit, cursor } = params as { limit?: number; cursor?: string };
      const page = {
        limit: limit ?? QUERY_PAGE_ITEMS_DEFAULT,
        after: cursor === undefined ? null : decodeCursor(contract.name, cursor),
      };
      const { items, resumeAfter } = await run(reader, params as QueryParamsOf<C>, caller, page);
      const next = resumeAfter === null ? null : encodeCursor(contract.name, resumeAfter);
      return { items, next };
    },
  };
}

/**
 * One page of the entries under `prefix`: reads one entry more than the page holds, so the
 * answer says whether another page follows without a page that comes back empty.
 */
export async function scanPage(
  reader: KeyValueReader,
  prefix: string,
  page: PageRequest,
): Promise<{ entries: Array<[string, Canonical]>; resumeAfter: string | null }> {
  const found = await reader.scan(prefix, { limit: page.limit + 1, after: page.after });
  const entries = found.slice(0, page.limit);
  const more = found.length > page.limit;
  return { entries, resumeAfter: more ? (entries.at(-1) as [string, Canonical])[0] : null };
}

/**
 * A module: its transaction types and queries, and its state. Every key it keeps starts with
 * `<name>/` (its namespace); its handlers and queries touch nothing else unless `uses` declares
 * another module's namespace, to read or also to write.
 */
export interface LedgerModule {
  readonly name: string;
  readonly uses?: Readonly<Record<string, "read" | "write">>;
  readonly txTypes: readonly TxType[];
  readonly queries: readonly Query[];
  readonly indexes?: readonly IndexDefinition[];
  /**
   * HTTP routes of its own, mounted by the api under `/v1/m/<name>` (each route's `module`),
   * built once at start with the node's services for this module.
   */
  readonly routes?: (services: ModuleServices) => readonly ModuleRoute[];
  /**
   * Work the node does for this module outside consensus (a custodian erasing a forgotten
   * record's keys, then reporting it): started after the node opens, told of every committed
   * block in order, stopped before the node closes.
   */
  readonly worker?: (services: ModuleServices) => ModuleWorker;
  /**
   * Who may read this module's keys raw (`GET /v1/state/:key`, with their proofs): `public` for
   * what light clients need, `operators` for member operators. Absent, the keys are readable only
   * through the module's queries, which apply its rules: raw state must not be a side door
   * around them (api README "Who sees what"), so a new module starts closed.
   */
  readonly rawState?: "public" | "operators";
}

/**
 * Binds a contract entry to its handler; the payload type follows from the entry's schema. The
 * result's payload type is erased so types of different payloads share one list.
 */
export function defineTxType<C extends TxTypeContract>(
  contract: C,
  handler: TxHandler<ReturnType<C["payload"]["check"]>>,
): TxType {
  return { contract, ...handler } as unknown as TxType;
}

/** Fails the current transaction by a business rule: a failed receipt, no state change. */
export function reject(code: ErrorCode, reason: string): never {
  throw new CareLedgerError(code, reason);
}

/**
 * What the node lends a module's routes and worker: reads of the committed state, the module's
 * own node-local key space, the node's key-encryption key, and the node key to act with. The
 * ledger declares it; the node implements it (node/src/moduleServices.ts). Nothing here reaches
 * consensus state except through a signed transaction.
 */
export interface ModuleServices {
  /** The committed state at the head, limited to the module's namespaces, with its indexes. */
  head(): QueryReader;
  /** The module's key space in the node's LocalStore (`<home>/local`): never consensus state. */
  readonly local: LocalSpace;
  /** The node's 256-bit key-encryption key (`<home>/kek.key`, mode 0600, made by `init`). */
  readonly keyEncryptionKey: Uint8Array;
  /** The node key, lowercase hex. */
  readonly nodeKey: string;
  /**
   * The module's section of the node config (`modules.<name>` in config.json), unchecked: the
   * module validates it at start, so a node with a bad setting never serves. `{}` when absent.
   */
  readonly settings: unknown;
  /** The node's logger, its lines tagged with the module. */
  readonly log: ModuleLog;
  /** The member organization whose `nodeKeys` list this node's key at the head, or null. */
  nodeOrg(): Promise<string | null>;
  /**
   * Signs a transaction of one of the module's types with the node key and admits it to this
   * node's mempool (gossiped like any other); resolves with its id, lowercase hex.
   */
  submit(type: string, payload: Canonical): Promise<string>;
  /** A committed transaction with its receipt, by id (lowercase hex), or null. */
  committedTx(idHex: string): Promise<CommittedTx | null>;
  /**
   * Runs a query (any module's) for `caller` exactly as the API's query route does: parameters
   * checked, the contract's access rules judged (FORBIDDEN), then the module's own rules. A FHIR
   * rendering is a query's answer in another shape, so it must see no more than the query.
   */
  query(
    name: string,
    params: Readonly<Record<string, string>>,
    caller: QueryCaller | null,
  ): Promise<Canonical | null>;
}

/** Where a module's routes and worker say what happened (pino's `(details, message)` order). */
export interface ModuleLog {
  info(details: Readonly<Record<string, unknown>>, message: string): void;
  warn(details: Readonly<Record<string, unknown>>, message: string): void;
  error(details: Readonly<Record<string, unknown>>, message: string): void;
}

/** A module's node-side work (ModuleServices says what it may use). */
export interface ModuleWorker {
  /** After the node opened and before it serves: resume what a crash interrupted. */
  start(): Promise<void>;
  /**
   * After each committed block, in height order, with the block's transactions of the module's
   * own types. Runs off the commit path: the node never waits for it to commit the next block.
   */
  committed(height: number, txs: readonly CommittedTx[]): Promise<void>;
  stop(): Promise<void>;
}

import {
  type Canonical,
  CareLedgerError,
  type ErrorCode,
  type SenderRule,
  type Tx,
  type TxTypeContract,
} from "@careledger/protocol";
import type { StateAccess } from "../state/blockState.js";

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
}

/**
 * How a transaction type executes: the state keys it reads (fetched in one batch before the
 * block runs; a read outside them still works, only slower), and its execution, which throws
 * `reject(code, reason)` to fail with a receipt and change nothing.
 */
export interface TxHandler<P> {
  reads?(payload: P, tx: Tx, sender: string): readonly string[];
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

/** Reads the committed state at the head, for queries. */
export interface QueryReader {
  /** The head's height and header time: what "now" means to a query. */
  readonly height: number;
  readonly time: number;
  get(key: string): Promise<Canonical | null>;
  /** Up to `limit` entries whose keys start with `prefix`, in key order. */
  scan(prefix: string, limit: number): Promise<Array<[string, Canonical]>>;
}

export type QueryParams = Readonly<Record<string, string>>;

/** A read-only question a module answers about the committed state (the API serves these). */
export interface Query {
  readonly name: string;
  run(reader: QueryReader, params: QueryParams): Promise<Canonical | null>;
}

export interface LedgerModule {
  readonly name: string;
  readonly txTypes: readonly TxType[];
  readonly queries: readonly Query[];
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

/** Most entries a list query returns. */
export const QUERY_RESULTS_MAX = 1_000;

export function requireParam(params: QueryParams, name: string): string {
  const value = params[name];
  if (value === undefined) throw new CareLedgerError("NOT_FOUND", `missing parameter ${name}`);
  return value;
}

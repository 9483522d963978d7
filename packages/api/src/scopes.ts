import {
  CareLedgerError,
  isOperator,
  type QueryCaller,
  REQUEST_KEY_HEADER,
  REQUEST_SIGNATURE_HEADER,
  REQUEST_TIME_HEADER,
  toHex,
} from "@careledger/protocol";
import type { FastifyRequest } from "fastify";
import type { RequestAuthenticator } from "./auth.js";
import type { NodeApi, NodeEvent } from "./nodeApi.js";

/**
 * A verified caller: its key (lowercase hex) and who that key is on chain. Member operators
 * (protocol's `isOperator`: organization admins and `operator` keys, never `staff`) get the raw
 * reads; everyone else reads through the modules' queries.
 */
export type Caller = QueryCaller;

/** A transaction's receipt and events are its sender's and the operators'. */
export function maySeeTx(caller: Caller | null, senderHex: string): boolean {
  return caller !== null && (caller.key === senderHex || isOperator(caller));
}

/** Which events a subscription asked for; absent fields match everything. */
export interface EventFilter {
  readonly tx?: string | undefined;
  readonly type?: string | undefined;
  readonly account?: string | undefined;
}

/**
 * The one read policy of the API (README "Who sees what"): every route that serves more than
 * public data asks it, so the rules live here and nowhere else.
 */
export class ReadScopes {
  constructor(
    private readonly node: NodeApi,
    private readonly auth: RequestAuthenticator,
  ) {}

  /** The caller of a request that must be signed: REQUEST_UNSIGNED without the headers. */
  signed(request: FastifyRequest): Promise<Caller> {
    return this.auth.authenticate(request);
  }

  /**
   * The caller when the request carries any signature header, null when it carries none. A
   * request with bad or partial headers is refused as a signed one would be, never read as
   * anonymous: a client that meant to sign learns why it failed.
   */
  async optional(request: FastifyRequest): Promise<Caller | null> {
    const headers = [REQUEST_KEY_HEADER, REQUEST_TIME_HEADER, REQUEST_SIGNATURE_HEADER];
    if (headers.every((name) => request.headers[name] === undefined)) return null;
    return this.auth.authenticate(request);
  }

  /** Whether the caller's key still resolves to the same identity (not revoked, same roles). */
  async stillStands(caller: Caller): Promise<boolean> {
    const now = await this.node.identityOf(caller.key);
    return (
      now !== null &&
      now.identity?.org === caller.identity?.org &&
      now.identity?.roles.join(",") === caller.identity?.roles.join(",") &&
      now.adminOf.join(",") === caller.adminOf.join(",")
    );
  }

  /** Raw transaction payloads (block bodies): member operators only. */
  async blockBodies(request: FastifyRequest): Promise<void> {
    requireOperator(await this.signed(request), "raw transactions");
  }

  /**
   * A raw state read: keys a module publishes are open to anyone; keys of scoped modules are
   * readable only through their queries, so not even an operator reads them here (the queries
   * apply the module's rules; the raw route would be a side door around them); the rest
   * (identity, governance, consensus) is for member operators.
   */
  async stateKey(request: FastifyRequest, key: string): Promise<void> {
    const scope = this.node.stateKeyScope(key);
    if (scope === "public") return;
    if (scope === "queries-only") {
      throw new CareLedgerError(
        "FORBIDDEN",
        "this key is a scoped module's: read it by its queries",
      );
    }
    requireOperator(await this.signed(request), "raw state reads");
  }

  /**
   * Whether the caller may see the receipt of the transaction at (height, index): its sender or
   * an operator. Its position is public (block headers list every id), its receipt is not: it
   * can carry an access decision or a claim's adjudication.
   */
  async receiptVisible(caller: Caller | null, height: number, index: number): Promise<boolean> {
    if (caller === null) return false;
    if (isOperator(caller)) return true;
    const sender = (await this.node.blockAt(height))?.block.txs[index]?.tx.from;
    return sender !== undefined && maySeeTx(caller, toHex(sender));
  }

  /**
   * Checks a subscription and returns which events it may receive: every subscriber gets block
   * events; a signed one gets the transaction events it may see (its own, or all for an
   * operator). A filter narrows, never widens: an unsigned subscriber cannot ask for transaction
   * events at all, and a non-operator cannot ask for another account's.
   */
  eventAudience(caller: Caller | null, filter: EventFilter): (event: NodeEvent) => boolean {
    const asksForTxs =
      filter.tx !== undefined || filter.type !== undefined || filter.account !== undefined;
    if (caller === null && asksForTxs) {
      throw new CareLedgerError("REQUEST_UNSIGNED", "transaction events need a signed request");
    }
    if (filter.account !== undefined && !isOperator(caller) && filter.account !== caller?.key) {
      throw new CareLedgerError("FORBIDDEN", "only your own transactions' events");
    }
    return (event) => event.type === "block" || maySeeTx(caller, toHex(event.from));
  }
}

function requireOperator(caller: Caller, what: string): void {
  if (!isOperator(caller)) {
    throw new CareLedgerError(
      "FORBIDDEN",
      `${what} are for member operators (org admins and operator keys)`,
    );
  }
}

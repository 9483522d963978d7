import { CareLedgerError } from "@careledger/protocol";
import { errorWithCode, localError } from "./errors.js";
import { sleep } from "./http.js";
import type { ReceiptInfo, TxStatus } from "./wire.js";

export interface WaitOptions {
  /** Give up after this long (a `timeout` error; the transaction may still commit later). */
  readonly timeoutMs?: number;
  /** First pause between polls; it grows by half each poll up to `pollIntervalMsMax`. */
  readonly pollIntervalMs?: number;
  readonly pollIntervalMsMax?: number;
  readonly signal?: AbortSignal;
}

export const DEFAULT_WAIT_TIMEOUT_MS = 60_000;
export const DEFAULT_POLL_INTERVAL_MS = 100;
export const DEFAULT_POLL_INTERVAL_MS_MAX = 1_000;

/** A transaction that committed with a successful receipt. */
export interface CommittedTx {
  readonly id: string;
  readonly height: number;
  readonly index: number;
  readonly receipt: ReceiptInfo;
}

/** What waiting needs from a node, so the loop is tested apart from HTTP. */
export interface WaitSource {
  getTx(id: string, signal?: AbortSignal): Promise<TxStatus>;
  height(signal?: AbortSignal): Promise<number>;
  /** Sends the transaction again after the node forgot it (a restart empties its mempool). */
  resubmit(signal?: AbortSignal): Promise<void>;
}

/** HTTP statuses that say "not now" (overloaded, restarting, catching up), not "never". */
const TRANSIENT_STATUSES = new Set([429, 502, 503, 504]);

/**
 * True for a failure that a later attempt may not meet: no answer (the node is down, say after a
 * SIGKILL and before its restart), an attempt that timed out, or a node that said "later"
 * (NOT_READY while it catches up, MEMPOOL_FULL, RATE_LIMITED). A wait outlives these.
 */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof CareLedgerError)) return false;
  const { reason, httpStatus } = error.details;
  if (error.code === "INTERNAL" && (reason === "network" || reason === "timeout")) return true;
  return typeof httpStatus === "number" && TRANSIENT_STATUSES.has(httpStatus);
}

/**
 * Polls until the transaction commits. A 202 meant admitted, not durable: a node killed before
 * the transaction reached a block forgets it, so one the node does not know is sent again (the
 * same bytes, so the same id: it commits at most once), and a node that does not answer or
 * answers "later" is asked again, until the deadline. A failed receipt rejects with the
 * receipt's code (and the receipt in `details`); a transaction the node does not know once the
 * chain has passed its `expires` height can never commit and rejects with TX_EXPIRED.
 */
export async function waitForCommit(
  source: WaitSource,
  id: string,
  expires: number,
  options: WaitOptions = {},
): Promise<CommittedTx> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
  const intervalMax = options.pollIntervalMsMax ?? DEFAULT_POLL_INTERVAL_MS_MAX;
  const deadline = Date.now() + timeoutMs;
  let interval = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  for (;;) {
    let lastStatus: string;
    try {
      const found = await source.getTx(id, options.signal);
      if (found.status === "committed") return committedOrThrow(found);
      lastStatus = found.status;
      if (found.status === "unknown") await resubmitUnlessExpired(source, id, expires, options);
    } catch (error) {
      if (!isTransient(error)) throw error;
      lastStatus = `unreachable: ${(error as CareLedgerError).message}`;
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      throw localError("timeout", `tx ${id} not committed within ${timeoutMs} ms`, {
        id,
        timeoutMs,
        lastStatus,
      });
    }
    await sleep(Math.min(interval, remaining), options.signal);
    interval = Math.min(Math.ceil(interval * 1.5), intervalMax);
  }
}

async function resubmitUnlessExpired(
  source: WaitSource,
  id: string,
  expires: number,
  options: WaitOptions,
): Promise<void> {
  const height = await source.height(options.signal);
  if (height > expires) {
    throw new CareLedgerError("TX_EXPIRED", `tx ${id} did not commit by height ${expires}`, {
      id,
      expires,
      height,
    });
  }
  await source.resubmit(options.signal);
}

function committedOrThrow(found: Extract<TxStatus, { status: "committed" }>): CommittedTx {
  const { id, height, index, receipt } = found;
  if (receipt === undefined) {
    // Committed, but receipts are scoped: only its sender's or an operator's signed read sees it.
    throw new CareLedgerError(
      "REQUEST_UNSIGNED",
      `tx ${id} committed at height ${height}; its receipt needs a read signed by its sender or a member operator (ClientOptions.signer)`,
      { id, height, index },
    );
  }
  if (receipt.ok) return { id, height, index, receipt };
  throw errorWithCode(receipt.code, receipt.reason ?? "transaction failed", {
    id,
    height,
    index,
    receipt,
  });
}

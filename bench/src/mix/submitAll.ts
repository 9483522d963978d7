/**
 * Untimed setup through the API at the fastest rate the cluster takes: transactions signed
 * shortly before they are sent (fresh expiry heights), sent in batches to the nodes in turn,
 * with a bounded number admitted and not yet committed (under the mempool's bound), each commit
 * awaited. Used by the preload and by each step's staging; every receipt must succeed.
 */
import { TX_TTL_MAX } from "@careledger/protocol";
import { BATCH_TXS_MAX, currentHeight, type LoadContext, sendBatch } from "../careLedgerLoad.js";
import type { Router } from "../loadgen.js";
import type { PreparedTx } from "../txMix.js";

export interface SubmitLimits {
  /** Most transactions admitted and not yet committed. */
  readonly inFlightMax: number;
  /** Most transactions in one request. */
  readonly batchMax: number;
}

/**
 * Small transactions: a node sheds client transactions (MEMPOOL_FULL) once its pool holds more
 * than 2 s of commits or 2,000 transactions, whichever is more (packages/node loadShedder.ts),
 * and every pool holds every transaction in flight; so 2,000 in flight, in batches of 500.
 */
export const SMALL_TXS: SubmitLimits = { inFlightMax: 2_000, batchMax: BATCH_TXS_MAX };
/** Packs in flight at once when transactions name many (about a second of execution). */
const PACKS_IN_FLIGHT_MAX = 8_000;

/**
 * Limits for transactions of `packsPerTx` packs each (commissions and cases of a thousand): a
 * block of hundreds of them would execute for longer than the view-change timeout (3 s), so
 * only about PACKS_IN_FLIGHT_MAX packs are in flight.
 */
export function packLimits(packsPerTx: number): SubmitLimits {
  const inFlightMax = Math.max(1, Math.floor(PACKS_IN_FLIGHT_MAX / packsPerTx));
  return { inFlightMax, batchMax: Math.min(BATCH_TXS_MAX, Math.max(1, inFlightMax >> 1)) };
}
/** Transactions signed at a time: their expiry counts from the height when they are signed. */
const SIGN_CHUNK = 2_000;
/** Longest the setup may wait for one commit to arrive before it gives up. */
const STALL_TIMEOUT_MS = 120_000;
const POLL_MS = 20;
/**
 * Refusals that say "later", not "no": a node catching up after a view change, a full mempool
 * or request queue, a request that failed on the way. Setup sends those transactions again.
 */
const RETRYABLE = new Set([
  "NOT_READY",
  "MEMPOOL_FULL",
  "OVERLOADED",
  "NETWORK",
  "HTTP_503",
  "HTTP_429",
]);
/** A resent transaction the node already holds or committed was admitted the first time. */
const ALREADY_ADMITTED = "TX_DUPLICATE";
const RETRY_DELAY_MS = 250;
/**
 * Heights kept off TX_TTL_MAX: expiry counts from node-0's height, and a node that lags it (a
 * busy primary runs ahead) refuses an expiry more than TX_TTL_MAX past its own
 * (TX_EXPIRY_TOO_FAR, seen in a preload of 70,000 transactions).
 */
export const EXPIRY_MARGIN = 100;
const RETRY_DELAY_MAX_MS = 2_000;

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * Sends one batch to the nodes in turn until every transaction is admitted; throws with the
 * code of a refusal that is not retryable, or when retrying has lasted STALL_TIMEOUT_MS (a
 * cluster in a storm of view changes commits nothing for tens of seconds, then recovers).
 */
async function sendWithRetries(context: LoadContext, txs: readonly PreparedTx[]): Promise<void> {
  let left = txs;
  const deadline = performance.now() + STALL_TIMEOUT_MS;
  for (let attempt = 1; left.length > 0; attempt++) {
    const admitted = new Set<number>();
    const codes: string[] = [];
    await sendBatch(context, left, 0, left.length, {
      admit: (i) => admitted.add(i),
      refuse: (code) => codes.push(code),
    });
    const final = codes.find((code) => !RETRYABLE.has(code) && code !== ALREADY_ADMITTED);
    if (final !== undefined) throw new Error(final);
    if (codes.some((code) => RETRYABLE.has(code)) && performance.now() > deadline) {
      throw new Error(`${codes[0]} for ${STALL_TIMEOUT_MS / 1000} s (${attempt} attempts)`);
    }
    // Without ids for refusals, what was not admitted is what was refused, duplicates aside.
    left = codes.every((code) => code === ALREADY_ADMITTED)
      ? []
      : left.filter((_, i) => !admitted.has(i));
    if (left.length > 0) await sleep(Math.min(RETRY_DELAY_MS * attempt, RETRY_DELAY_MAX_MS));
  }
}

/**
 * Sends the `count` transactions `build(i, expires)` makes and waits until every one has
 * committed; throws on a refusal, a failed receipt or a stall.
 */
export async function submitAll(
  context: LoadContext,
  router: Router,
  count: number,
  build: (index: number, expires: number) => PreparedTx,
  limits: SubmitLimits = SMALL_TXS,
): Promise<void> {
  const waiting = new Set<string>();
  const failures = new Map<string, number>();
  const refused: string[] = [];
  let lastCommitMs = performance.now();
  router.setup = (idHex, ok, code) => {
    if (!waiting.delete(idHex)) return;
    lastCommitMs = performance.now();
    if (!ok) failures.set(code ?? "UNKNOWN", (failures.get(code ?? "UNKNOWN") ?? 0) + 1);
  };
  const check = () => {
    if (refused.length > 0) throw new Error(`setup transactions refused: ${refused[0]}`);
    if (failures.size > 0) {
      throw new Error(`setup transactions failed: ${JSON.stringify(Object.fromEntries(failures))}`);
    }
    if (waiting.size > 0 && performance.now() - lastCommitMs > STALL_TIMEOUT_MS) {
      throw new Error(`setup stalled: ${waiting.size} transactions uncommitted`);
    }
  };
  try {
    const sends: Array<Promise<void>> = [];
    // Signed a few rounds of in-flight transactions ahead, so none nears its expiry unsent.
    const chunk = Math.max(limits.batchMax, Math.min(SIGN_CHUNK, limits.inFlightMax * 4));
    for (let from = 0; from < count; from += chunk) {
      const expires = (await currentHeight(context.urls[0] as string)) + TX_TTL_MAX - EXPIRY_MARGIN;
      const to = Math.min(count, from + chunk);
      const txs = Array.from({ length: to - from }, (_, i) => build(from + i, expires));
      for (let at = 0; at < txs.length; at += limits.batchMax) {
        const batch = txs.slice(at, at + limits.batchMax);
        while (waiting.size > 0 && waiting.size + batch.length > limits.inFlightMax) {
          check();
          await sleep(POLL_MS);
        }
        for (const tx of batch) waiting.add(tx.idHex);
        lastCommitMs = Math.max(lastCommitMs, performance.now());
        sends.push(
          sendWithRetries(context, batch).catch((error: unknown) => {
            refused.push(error instanceof Error ? error.message : String(error));
          }),
        );
      }
    }
    await Promise.all(sends);
    while (waiting.size > 0) {
      check();
      await sleep(POLL_MS);
    }
    check();
  } finally {
    router.setup = null;
  }
}

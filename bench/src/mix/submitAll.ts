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

/** Most transactions admitted and not yet committed: well under the mempool's 50,000. */
const IN_FLIGHT_TXS_MAX = 8_000;
/** Transactions signed at a time: their expiry counts from the height when they are signed. */
const SIGN_CHUNK = 2_000;
/** Longest the setup may wait for one commit to arrive before it gives up. */
const STALL_TIMEOUT_MS = 60_000;
const POLL_MS = 20;

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * Sends the `count` transactions `build(i, expires)` makes and waits until every one has
 * committed; throws on a refusal, a failed receipt or a stall.
 */
export async function submitAll(
  context: LoadContext,
  router: Router,
  count: number,
  build: (index: number, expires: number) => PreparedTx,
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
  const sink = { admit: () => undefined, refuse: (code: string) => refused.push(code) };
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
    for (let from = 0; from < count; from += SIGN_CHUNK) {
      const expires = (await currentHeight(context.urls[0] as string)) + TX_TTL_MAX;
      const to = Math.min(count, from + SIGN_CHUNK);
      const txs = Array.from({ length: to - from }, (_, i) => build(from + i, expires));
      for (let at = 0; at < txs.length; at += BATCH_TXS_MAX) {
        while (waiting.size + BATCH_TXS_MAX > IN_FLIGHT_TXS_MAX) {
          check();
          await sleep(POLL_MS);
        }
        const batch = txs.slice(at, at + BATCH_TXS_MAX);
        for (const tx of batch) waiting.add(tx.idHex);
        lastCommitMs = Math.max(lastCommitMs, performance.now());
        sends.push(sendBatch(context, batch, 0, batch.length, sink));
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

import type { Signer } from "@careledger/protocol";
import { TX_TTL_MAX } from "@careledger/protocol";
import { BATCH_TXS_MAX, currentHeight, type LoadContext, sendBatch } from "./careLedgerLoad.js";
import type { Router } from "./loadgen.js";
import { freshSigner, type Org, registerTx } from "./txMix.js";

/** Longest the untimed registration of revoking accounts may take. */
const SETUP_TIMEOUT_MS = 120_000;
const POLL_MS = 50;

/**
 * Registers `count` fresh keys (untimed, before a step) and waits until all have committed, so
 * that they can revoke themselves during the step.
 */
export async function registerAccounts(
  context: LoadContext,
  router: Router,
  count: number,
): Promise<Signer[]> {
  const expires = (await currentHeight(context.urls[0] as string)) + TX_TTL_MAX;
  const accounts = Array.from({ length: count }, () => freshSigner());
  const txs = accounts.map((account, i) =>
    registerTx(
      context.orgs[i % context.orgs.length] as Org,
      context.chain,
      expires,
      account.publicKey,
      1,
    ),
  );
  const waiting = new Set(txs.map((tx) => tx.idHex));
  const failures: string[] = [];
  router.setup = (idHex, ok, code) => {
    if (!waiting.delete(idHex)) return;
    if (!ok) failures.push(code ?? "UNKNOWN");
  };
  try {
    const refused: string[] = [];
    const sink = { admit: () => undefined, refuse: (code: string) => refused.push(code) };
    for (let from = 0; from < txs.length; from += BATCH_TXS_MAX) {
      await sendBatch(context, txs, from, Math.min(txs.length, from + BATCH_TXS_MAX), sink);
    }
    if (refused.length > 0) throw new Error(`setup registrations refused: ${refused[0]}`);
    const deadline = performance.now() + SETUP_TIMEOUT_MS;
    while (waiting.size > 0 && performance.now() < deadline) {
      await new Promise((done) => setTimeout(done, POLL_MS));
    }
    if (waiting.size > 0) throw new Error(`${waiting.size} setup registrations never committed`);
    if (failures.length > 0) throw new Error(`setup registrations failed: ${failures[0]}`);
    return accounts;
  } finally {
    router.setup = null;
  }
}

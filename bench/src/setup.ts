import type { Signer } from "@careledger/protocol";
import type { LoadContext } from "./careLedgerLoad.js";
import type { Router } from "./loadgen.js";
import { submitAll } from "./mix/submitAll.js";
import { freshSigner, type Org, registerTx } from "./txMix.js";

/**
 * Registers `count` fresh keys (untimed, before a step) and waits until all have committed, so
 * that they can revoke themselves during the step. Sent as the healthcare mix's setup is: what a
 * node refuses for now (a mempool still full of an overloaded step's transactions) goes again.
 */
export async function registerAccounts(
  context: LoadContext,
  router: Router,
  count: number,
): Promise<Signer[]> {
  const accounts = Array.from({ length: count }, () => freshSigner());
  await submitAll(context, router, count, (i, expires) =>
    registerTx(
      context.orgs[i % context.orgs.length] as Org,
      context.chain,
      expires,
      (accounts[i] as Signer).publicKey,
      1,
    ),
  );
  return accounts;
}

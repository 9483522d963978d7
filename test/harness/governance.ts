import { type Canonical, fromHex, type Signer, toHex } from "@careledger/protocol";
import { CareLedgerClient } from "@careledger/sdk";
import { expect } from "vitest";
import { devnetAdmin, signedTx, submit } from "./clients.js";
import { type Cluster, waitFor } from "./cluster.js";

/** How long each step (a commit, a decision) may take on a loaded 2-core machine. */
export const STEP_MS_MAX = 90_000;
/** Proposals outlive any test: expiry is not what these tests are about. */
const PROPOSAL_LIFETIME_MS = 600_000;

export interface Committed {
  readonly height: number;
  readonly receipt: { readonly ok: boolean; readonly code?: string };
}

/** Submits `tx` through node `node` and waits for it to commit there. */
export async function commitTx(
  c: Cluster,
  node: number,
  tx: ReturnType<typeof signedTx>,
): Promise<Committed> {
  const answer = await submit(c.url(node), tx);
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  // Receipts are scoped: node 0's org admin (a member operator) signs the reads.
  const reader = new CareLedgerClient(c.url(node), { signer: await devnetAdmin(c.home(0)) });
  return waitFor(`tx ${toHex(tx.id).slice(0, 8)} committed`, STEP_MS_MAX, async () => {
    const state = await reader.getTx(tx.id);
    if (state.status !== "committed") return undefined;
    expect(state.receipt, "an operator sees every receipt").toBeDefined();
    return { height: state.height, receipt: state.receipt as Committed["receipt"] };
  });
}

/**
 * Proposes `change` as org-0's admin and has the admins of the orgs of nodes `voters` approve it,
 * each vote sent through its own node; resolves with the height of the deciding vote.
 */
export async function decideChange(
  c: Cluster,
  change: Canonical,
  voters: readonly number[],
): Promise<number> {
  const status = await c.status(0);
  const chain = fromHex(status.chain, 32);
  const admins = await Promise.all(voters.map((i) => devnetAdmin(c.home(i))));
  const expires = status.height + 500;
  const payload = { org: "org-0", change, expiresAt: Date.now() + PROPOSAL_LIFETIME_MS };
  const proposal = signedTx(admins[0] as Signer, chain, "gov.propose", payload, expires);
  expect((await commitTx(c, 0, proposal)).receipt).toMatchObject({ ok: true });
  let decidedAt = 0;
  for (const [at, admin] of admins.entries()) {
    const voter = voters[at] as number;
    const vote = { proposal: toHex(proposal.id), org: `org-${voter}`, approve: true };
    const committed = await commitTx(c, voter, signedTx(admin, chain, "gov.vote", vote, expires));
    expect(committed.receipt).toMatchObject({ ok: true });
    decidedAt = committed.height;
  }
  return decidedAt;
}

/**
 * The first height a validator set decided at `decidedAt` signs: the block after the first
 * checkpoint at or after decidedAt + window (ARCHITECTURE.md).
 */
export function activationHeight(
  decidedAt: number,
  params: { readonly checkpointInterval: number; readonly window: number },
): number {
  const { checkpointInterval, window } = params;
  return Math.ceil((decidedAt + window) / checkpointInterval) * checkpointInterval + 1;
}

/**
 * Adds a fifth validator by governance (org-0's node, approved by the admins of nodes 0 to 2),
 * starts it, and waits until it has synced past the first height of the new set; resolves with
 * the added node.
 */
export async function addValidator(
  c: Cluster,
  params: { readonly checkpointInterval: number; readonly window: number },
): Promise<Awaited<ReturnType<Cluster["addNode"]>>> {
  const added = await c.addNode();
  const change = { kind: "validator.add", key: fromHex(added.nodeKey, 32), org: "org-0" };
  const decidedAt = await decideChange(c, change, [0, 1, 2]);
  c.start(added.index);
  await c.waitForHeight(added.index, activationHeight(decidedAt, params) + 1, STEP_MS_MAX);
  return added;
}

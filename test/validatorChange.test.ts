import { fromHex, type Signer, toHex } from "@careledger/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { expectAgreement, waitAllAtHeight } from "./harness/agreement.js";
import { devnetAdmin, signedTx, submit, txStatus } from "./harness/clients.js";
import { Cluster, waitFor } from "./harness/cluster.js";

const WAIT_MS_MAX = 90_000;
/** Short epochs so a change decided now takes effect within seconds. */
const PARAMS = { checkpointInterval: 10, window: 2 };
const PROPOSAL_LIFETIME_MS = 600_000;

let cluster: Cluster | null = null;

afterEach(async (context) => {
  if (cluster !== null && context.task.result?.state === "fail") {
    for (let i = 0; i < 5; i++) console.error(`--- node-${i} ---\n${cluster.logTail(i, 25)}`);
  }
  await cluster?.destroy();
  cluster = null;
});

async function commit(c: Cluster, node: number, tx: ReturnType<typeof signedTx>): Promise<number> {
  const answer = await submit(c.url(node), tx);
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  return waitFor(`tx ${toHex(tx.id).slice(0, 8)} committed`, WAIT_MS_MAX, async () => {
    const state = await txStatus(c.url(node), toHex(tx.id));
    return state.status === "committed" ? (state.height as number) : undefined;
  });
}

describe("a validator added by governance", () => {
  it("syncs, joins the set at its checkpoint, and its votes carry the quorum of five", async () => {
    const c = await Cluster.create(4, PARAMS);
    cluster = c;
    c.startAll();
    await waitAllAtHeight(c, [0, 1, 2, 3], 1, WAIT_MS_MAX);
    const added = await c.addNode();
    const status = await c.status(0);
    const chain = fromHex(status.chain, 32);
    const expires = status.height + 500;
    const admins = await Promise.all([0, 1, 2].map((i) => devnetAdmin(c.home(i))));
    const change = { kind: "validator.add", key: fromHex(added.nodeKey, 32), org: "org-0" };
    const proposal = signedTx(
      admins[0] as Signer,
      chain,
      "gov.propose",
      { org: "org-0", change, expiresAt: Date.now() + PROPOSAL_LIFETIME_MS },
      expires,
    );
    await commit(c, 0, proposal);
    let decidedAt = 0;
    for (const [i, admin] of admins.entries()) {
      const vote = signedTx(
        admin,
        chain,
        "gov.vote",
        { proposal: toHex(proposal.id), org: `org-${i}`, approve: true },
        expires,
      );
      decidedAt = await commit(c, i, vote);
    }
    const activation =
      Math.ceil((decidedAt + PARAMS.window) / PARAMS.checkpointInterval) *
        PARAMS.checkpointInterval +
      1;
    c.start(added.index);
    await c.waitForHeight(added.index, activation + 1, WAIT_MS_MAX);
    const five = await waitFor("five validators", WAIT_MS_MAX, async () => {
      const now = await c.status(0);
      return now.validators.length === 5 ? now : undefined;
    });
    expect(five.validators).toContain(added.nodeKey);
    // With five validators a quorum is four: one original down, only the new node's votes
    // let the other three commit.
    await c.kill(1);
    const live = [0, 2, 3, added.index];
    const top = (await c.status(0)).height + 3;
    await waitAllAtHeight(c, live, top, WAIT_MS_MAX);
    await expectAgreement(c, live, top);
  });
});

import { describe, expect, it } from "vitest";
import { expectAgreement, waitAllAtHeight } from "./harness/agreement.js";
import { Cluster, waitFor } from "./harness/cluster.js";
import { addValidator, STEP_MS_MAX } from "./harness/governance.js";
import { tearDownAfterEach } from "./harness/lifecycle.js";

const WAIT_MS_MAX = STEP_MS_MAX;
/** Short epochs so a change decided now takes effect within seconds. */
const PARAMS = { checkpointInterval: 10, window: 2 };

const held = tearDownAfterEach(5, 25);

describe("a validator added by governance", () => {
  it("syncs, joins the set at its checkpoint, and its votes carry the quorum of five", async () => {
    const c = await Cluster.create(4, PARAMS);
    held.cluster = c;
    c.startAll();
    await waitAllAtHeight(c, [0, 1, 2, 3], 1, WAIT_MS_MAX);
    const added = await addValidator(c, PARAMS);
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

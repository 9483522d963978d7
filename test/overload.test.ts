import { describe, expect, it } from "vitest";
import { waitAllAtHeight } from "./harness/agreement.js";
import { txStatus } from "./harness/clients.js";
import { Cluster, waitFor } from "./harness/cluster.js";
import { tearDownAfterEach } from "./harness/lifecycle.js";
import { LoadGenerator } from "./harness/load.js";

const ALL = [0, 1, 2, 3];
const START_MS_MAX = 90_000;
/**
 * Small blocks and a short request timeout: the sustainable rate is low (a few blocks of 5 per
 * proposal interval), so 3 times it is cheap for the test machine, and a backlog outlives the
 * timeout within seconds.
 */
const PARAMS = { blockTxsMax: 5, window: 2, requestTimeoutMs: 5_000 };
const LOAD_MS = 8_000;
const OFFERED_PER_SECOND = 200;
/** Offered over committed during the load: the test is meaningless below this. */
const OVERLOAD_FACTOR_MIN = 3;
const DRAIN_MS_MAX = 120_000;
const STATUS_POLL_MS = 200;

const held = tearDownAfterEach(ALL.length);

describe("a cluster offered 3 times what it can commit", () => {
  it("keeps its view through the whole backlog, with an honest primary, and commits every transaction", async () => {
    const c = await Cluster.create(4, PARAMS);
    held.cluster = c;
    c.startAll();
    await waitAllAtHeight(c, ALL, 1, START_MS_MAX);
    const start = await c.status(0);
    const views = new Set<number>();
    let polling = true;
    const watch = (async () => {
      while (polling) {
        for (const i of ALL) views.add((await c.status(i)).view);
        await new Promise((done) => setTimeout(done, STATUS_POLL_MS));
      }
    })();
    const txsBefore = await committedTxs(c, start.height);
    const load = await LoadGenerator.start(c, {
      ratePerSecond: OFFERED_PER_SECOND,
      batch: 20,
      nodes: () => ALL,
    });
    held.load = load;
    await new Promise((done) => setTimeout(done, LOAD_MS));
    const stats = await load.stop();
    held.load = null;
    const loadEnd = await c.status(0);
    const committedDuringLoad = (await committedTxs(c, loadEnd.height)) - txsBefore;
    const offered = stats.admitted.length;
    console.info(
      `offered ${offered} in ${LOAD_MS} ms, committed ${committedDuringLoad} meanwhile, ` +
        `views seen ${[...views].join(",")}`,
    );
    expect(offered / Math.max(1, committedDuringLoad)).toBeGreaterThanOrEqual(OVERLOAD_FACTOR_MIN);
    // The backlog drains in the same view: every transaction commits, nobody changed view.
    const last = stats.admitted.at(-1) as string;
    await waitFor("the last transaction committed", DRAIN_MS_MAX, async () =>
      (await txStatus(c.url(0), last)).status === "committed" ? true : undefined,
    );
    polling = false;
    await watch;
    const pending = await Promise.all(
      stats.admitted.slice(0, 50).map(async (id) => (await txStatus(c.url(0), id)).status),
    );
    expect(pending.filter((status) => status !== "committed")).toEqual([]);
    expect([...views]).toEqual([start.view]);
  }, 300_000);
});

/** Transactions committed in heights 1..`height`, read from node 0's blocks. */
async function committedTxs(c: Cluster, height: number): Promise<number> {
  let total = 0;
  for (let h = 1; h <= height; h++) {
    const response = await fetch(`${c.url(0)}/v1/blocks/${h}`);
    total += ((await response.json()) as { txIds: string[] }).txIds.length;
  }
  return total;
}

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { expectAgreement, waitAllAtHeight } from "./harness/agreement.js";
import { waitFor } from "./harness/cluster.js";
import { LoadGenerator } from "./harness/load.js";
import { NetnsNetwork, netnsUnavailable, sweepStaleNetns } from "./harness/netns.js";
import { NetnsCluster } from "./harness/netnsCluster.js";

const ALL = [0, 1, 2, 3];
const START_MS_MAX = 90_000;
const PROGRESS_MS_MAX = 60_000;
/** Blocks the side that can commit must add while the other is watched not to. */
const BLOCKS_WHILE_WATCHED = 5;
/**
 * Shorter than the devnet's 10 s: with no commits a node asks for a view change after this, and
 * the test waits for that event (every node has given up on the current view) to know a
 * partition has taken hold.
 */
const PARAMS = { requestTimeoutMs: 3_000 };
/**
 * How long a split is watched for a commit once every node has given up on its view: two more
 * request timeouts, in which a side that could commit would have (a block commits in well under
 * a second here). Watching for something not to happen takes a span; any commit fails at once.
 */
const SPLIT_WATCH_MS = 2 * PARAMS.requestTimeoutMs;
const WATCH_POLL_MS = 100;
/**
 * The limited link's rate (each way), 32 kB/s: under LOAD the node sent about 21 kB/s through it
 * and the filter held its bursts back 23 to 143 times in a phase (five runs). At 128 kbit/s the
 * node fell behind for good: what it has to take in live filled the link.
 */
const TBF_RATE_BITS = 256_000;
const TBF_BURST_BYTES = 4_096;
/** A modest steady load, sent to every node through its control link (never partitioned). */
const LOAD = { ratePerSecond: 20, batch: 4, nodes: () => ALL };
/**
 * Batches of 40 registrations (about 12 kB, gossiped to three peers) sent to the tbf-limited
 * node, node 1, until the filter holds one back.
 */
const BURST_LOAD = { ratePerSecond: 40, batch: 40, nodes: () => [1] };

// Only an explicit opt-out skips: in CI (root) the namespaces must be made, or the test fails.
const skipped = process.env.CARELEDGER_NETNS === "0";
if (skipped) console.info("netns.test.ts skipped: CARELEDGER_NETNS=0");

describe.skipIf(skipped)("4 nodes, each in its own network namespace on a bridge", () => {
  let network: NetnsNetwork | null = null;
  let cluster: NetnsCluster | null = null;
  let load: LoadGenerator | null = null;
  const teardown = () => network?.destroy();

  beforeAll(async () => {
    const missing = netnsUnavailable();
    if (missing !== null) {
      throw new Error(`network namespaces unavailable: ${missing} (CARELEDGER_NETNS=0 skips)`);
    }
    const swept = sweepStaleNetns();
    if (swept.length > 0) console.info(`removed leftovers of dead runs: ${swept.join(" ")}`);
    process.once("exit", teardown);
    network = NetnsNetwork.create(ALL.length);
    cluster = await NetnsCluster.createIn(network, PARAMS);
    cluster.startAll();
    await waitAllAtHeight(cluster, ALL, 1, START_MS_MAX);
    load = await LoadGenerator.start(cluster, LOAD);
  }, START_MS_MAX + 30_000);

  afterEach((context) => {
    if (context.task.result?.state !== "fail" || cluster === null) return;
    for (const i of ALL) console.error(`--- node-${i} log tail ---\n${cluster.logTail(i, 30)}`);
  });

  afterAll(async () => {
    await load?.stop();
    await cluster?.destroy();
    teardown();
    process.off("exit", teardown);
  });

  const live = (): NetnsCluster => {
    if (cluster === null) throw new Error("the cluster did not start");
    return cluster;
  };

  const heights = async (nodes: readonly number[]) =>
    Promise.all(nodes.map(async (i) => (await live().status(i)).height));

  /** Transactions in the blocks of node `index` above `from` up to its head. */
  const txsCommittedAbove = async (index: number, from: number): Promise<number> => {
    const c = live();
    const top = (await c.status(index)).height;
    let txs = 0;
    for (let h = from + 1; h <= top; h++) {
      const response = await fetch(`${c.url(index)}/v1/blocks/${h}`);
      if (!response.ok) throw new Error(`node-${index} block ${h}: ${response.status}`);
      txs += ((await response.json()) as { txIds: string[] }).txIds.length;
    }
    return txs;
  };

  /** Waits until every listed node has entered a view above `views[i]`: it gave up on progress. */
  const waitViewsAbove = async (nodes: readonly number[], views: readonly number[]) =>
    waitFor(`nodes ${nodes.join(",")} past views ${views.join(",")}`, PROGRESS_MS_MAX, async () => {
      const now = await Promise.all(nodes.map(async (i) => (await live().status(i)).view));
      return now.every((view, k) => view > (views[k] as number)) ? now : undefined;
    });

  /**
   * Polls every node's height for `ms` and fails the moment one passes `top`. A node may still
   * rise to `top`: block sync fetches, from its side, a block certified before the split (seen:
   * a node synced one block a second after the split, on head announcements from before it).
   */
  const expectNoneAbove = async (top: number, ms: number) => {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      const now = await heights(ALL);
      expect(
        Math.max(...now),
        `a side of the split committed: ${now.join(",")}`,
      ).toBeLessThanOrEqual(top);
      await new Promise((done) => setTimeout(done, WATCH_POLL_MS));
    }
  };

  /** Waits until every listed node is `blocks` above the highest of them now; returns that top. */
  const waitProgress = async (nodes: readonly number[], blocks: number): Promise<number> => {
    const target = Math.max(...(await heights(nodes))) + blocks;
    await waitAllAtHeight(live(), nodes, target, PROGRESS_MS_MAX);
    return target;
  };

  it("commits the load over the bridge, and every node agrees", async () => {
    const start = Math.min(...(await heights(ALL)));
    const top = await waitProgress(ALL, BLOCKS_WHILE_WATCHED);
    expect(await txsCommittedAbove(0, start)).toBeGreaterThan(0);
    await expectAgreement(live(), ALL, top);
  });

  it("a node whose link is down stalls without forking while the rest commit; back up, it catches up", async () => {
    const c = live();
    const cut = 3;
    const majority = ALL.filter((i) => i !== cut);
    const viewAtCut = (await c.status(cut)).view;
    c.network.linkDown(cut);
    let top: number;
    try {
      // It has given up on the view it was in: nothing of the majority's reaches it any more.
      await waitViewsAbove([cut], [viewAtCut]);
      const stalledAt = (await c.status(cut)).height;
      const from = Math.max(...(await heights(majority)));
      top = await waitProgress(majority, BLOCKS_WHILE_WATCHED);
      expect(await txsCommittedAbove(majority[0] as number, from)).toBeGreaterThan(0);
      expect((await c.status(cut)).height, "the cut-off node committed alone").toBe(stalledAt);
      await expectAgreement(c, [...majority, cut], stalledAt);
    } finally {
      c.network.linkUp(cut);
    }
    const upAt = Date.now();
    await c.waitForHeight(cut, top, PROGRESS_MS_MAX);
    console.info(
      `link back up: node-${cut} caught up to height ${top} within ${Date.now() - upAt} ms`,
    );
    await expectAgreement(c, ALL, top);
  });

  it("split 2/2, neither side commits and nothing forks; healed, commits resume", async () => {
    const c = live();
    const views = await Promise.all(ALL.map(async (i) => (await c.status(i)).view));
    c.network.split([
      [0, 1],
      [2, 3],
    ]);
    try {
      // Every node has given up on its view: its request timer ran out with nothing committed.
      await waitViewsAbove(ALL, views);
      const stalled = await heights(ALL);
      await expectNoneAbove(Math.max(...stalled), SPLIT_WATCH_MS);
      await expectAgreement(c, ALL, Math.min(...stalled));
    } finally {
      c.network.heal();
    }
    const healedAt = Date.now();
    const from = Math.max(...(await heights(ALL)));
    const top = await waitProgress(ALL, BLOCKS_WHILE_WATCHED);
    // Reported, not asserted (the bound is PROGRESS_MS_MAX): how long a healed split takes.
    console.info(
      `healed split: ${BLOCKS_WHILE_WATCHED} more blocks on every node within ${Date.now() - healedAt} ms`,
    );
    expect(await txsCommittedAbove(0, from)).toBeGreaterThan(0);
    await expectAgreement(c, ALL, top);
  });

  it("keeps committing with a node's link limited by a token bucket filter", async () => {
    const c = live();
    const limited = BURST_LOAD.nodes()[0] as number;
    c.network.limitBandwidth(limited, `${TBF_RATE_BITS}bit`, String(TBF_BURST_BYTES));
    const before = c.network.tbfStats(limited);
    const startedAt = Date.now();
    const from = Math.max(...(await heights(ALL)));
    // The steady load alone may stay under the rate on a quiet machine (one CI run sent 25 kB in
    // 0.8 s and was never held back), so batches sent to the limited node itself are gossiped
    // to its three peers at once, well past the bucket's burst, until the filter holds one back.
    const burst = await LoadGenerator.start(c, BURST_LOAD);
    try {
      await waitFor(
        `the filter to hold node-${limited}'s traffic back`,
        PROGRESS_MS_MAX,
        async () => (c.network.tbfStats(limited).overlimits > before.overlimits ? true : undefined),
      );
    } finally {
      await burst.stop();
    }
    const top = await waitProgress(ALL, BLOCKS_WHILE_WATCHED);
    expect(await txsCommittedAbove(limited, from)).toBeGreaterThan(0);
    const after = c.network.tbfStats(limited);
    const seconds = (Date.now() - startedAt) / 1000;
    const sent = after.bytes - before.bytes;
    console.info(
      `tbf ${TBF_RATE_BITS} bit/s on node-${limited}: ${sent} bytes in ${seconds.toFixed(1)} s, ${after.overlimits - before.overlimits} times held back`,
    );
    // The filter was in the way (it held the node's votes and gossip back) and kept to its rate.
    expect(after.overlimits).toBeGreaterThan(before.overlimits);
    expect(sent).toBeLessThanOrEqual((TBF_RATE_BITS / 8) * seconds + TBF_BURST_BYTES);
    await expectAgreement(c, ALL, top);
  });
});

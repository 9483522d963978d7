import { describe, expect, test } from "vitest";
import { TEST_PARAMS, TestCluster } from "./cluster.helper.js";
import { signMessage } from "./messages.js";
import { Replica } from "./replica.js";
import type { Effect, PersistRecord, ViewChangeMessage } from "./types.js";

const viewChangesIn = (effects: readonly Effect[]): ViewChangeMessage[] =>
  effects.flatMap((effect) =>
    effect.type === "broadcast" && effect.message.kind === "viewchange" ? [effect.message] : [],
  );
const commitRecords = (records: readonly PersistRecord[]) =>
  records.flatMap((record) => (record.type === "commit" ? [record] : []));

/** The primary of view 0 proposes one block per empty-block interval; everyone else follows. */
function commitBlocks(cluster: TestCluster, upTo: number): void {
  for (let round = 0; round < 10 * upTo && (cluster.apps[0]?.height ?? 0) < upTo; round++) {
    cluster.send(0, { type: "timer", name: "emptyBlock" });
    cluster.run();
  }
  expect(cluster.apps[0]?.height).toBeGreaterThanOrEqual(upTo);
}

describe("a replica in a view the others never joined comes back", () => {
  test("a replica alone in a higher view returns and votes again above its floor", () => {
    const cluster = new TestCluster(4);
    commitBlocks(cluster, 2);
    // Replica 3 alone suspects the primary: the others never follow it into view 1.
    cluster.send(3, { type: "requestTimedOut" });
    cluster.run();
    expect(cluster.replicas[3]?.view).toBe(1);
    expect(cluster.replicas[3]?.changingView).toBe(true);
    const asked = cluster.records[3]?.length ?? 0;
    commitBlocks(cluster, 20);
    const replica = cluster.replicas[3];
    expect(replica?.view).toBe(0);
    expect(replica?.changingView).toBe(false);
    const after = cluster.records[3]?.slice(asked) ?? [];
    const back = after.find((record) => record.type === "view" && !record.changing);
    if (back?.type !== "view") throw new Error("no return written");
    // Back in view 0 at the head it synced to, it votes only two windows above it.
    expect(back.view).toBe(0);
    const floor = back.votesAbove ?? 0;
    expect(floor).toBeGreaterThanOrEqual(2 + 2 * TEST_PARAMS.window);
    const commits = commitRecords(after);
    expect(commits.length).toBeGreaterThan(0);
    expect(commits.every((record) => record.view === 0 && record.height > floor)).toBe(true);
    expect(cluster.apps[3]?.height).toBe(cluster.apps[0]?.height);
    // A restart restores the latest view record (the return), not the highest view asked for.
    const restored = Replica.restore(
      cluster.configs[3] as never,
      replica?.head as never,
      cluster.records[3] ?? [],
    );
    expect(restored.view).toBe(0);
    expect(restored.changingView).toBe(false);
  });

  test("below its floor it fetches blocks at its first timeout, and suspects at the next", () => {
    const cluster = new TestCluster(4);
    commitBlocks(cluster, 2);
    cluster.send(3, { type: "requestTimedOut" });
    cluster.run();
    // The others commit until replica 3 returns; then nothing more is proposed.
    for (let round = 0; round < 40 && cluster.replicas[3]?.changingView; round++) {
      cluster.send(0, { type: "timer", name: "emptyBlock" });
      cluster.run(() => cluster.replicas[3]?.changingView === false);
    }
    cluster.dropQueued();
    expect(cluster.replicas[3]?.view).toBe(0);
    expect(cluster.replicas[3]?.changingView).toBe(false);
    const first = cluster.step(3, { type: "timer", name: "progress" });
    expect(first.some((effect) => effect.type === "requestSync")).toBe(true);
    expect(viewChangesIn(first)).toEqual([]);
    cluster.dropQueued();
    const second = cluster.step(3, { type: "timer", name: "progress" });
    expect(viewChangesIn(second).map((change) => change.view)).toEqual([1]);
  });

  test("it returns only above the head it had when it asked to leave", () => {
    const cluster = new TestCluster(4);
    commitBlocks(cluster, 2);
    cluster.isolated.add(3);
    cluster.send(3, { type: "requestTimedOut" });
    cluster.run();
    cluster.isolated.clear();
    // Its head's certificate is of view 0, but nothing was committed since it left.
    cluster.send(3, { type: "txsPending", pending: false });
    cluster.run();
    expect(cluster.replicas[3]?.view).toBe(1);
    expect(cluster.replicas[3]?.changingView).toBe(true);
  });
});

describe("a new view with a stale view change is refused", () => {
  /** Replica 3's view change for view 1 at head 0, then the others reach `height` in view 0. */
  function staleChange(height: number) {
    const cluster = new TestCluster(4);
    cluster.isolated.add(3);
    const stale = viewChangesIn(cluster.step(3, { type: "requestTimedOut" }))[0];
    if (stale === undefined) throw new Error("no view change");
    commitBlocks(cluster, height);
    // Replicas 0 to 2 ask for view 1 without hearing each other (the test builds the new view).
    for (const node of [0, 1, 2]) cluster.isolated.add(node);
    const fresh = [0, 1, 2].map((node) => {
      const change = viewChangesIn(cluster.step(node, { type: "requestTimedOut" }))[0];
      if (change === undefined) throw new Error("no view change");
      return change;
    });
    cluster.dropQueued();
    return { cluster, stale, fresh };
  }

  const newViewOf = (cluster: TestCluster, changes: readonly ViewChangeMessage[]) =>
    signMessage(cluster.chainId, cluster.signers[1] as never, {
      kind: "newview",
      view: 1,
      viewChanges: changes.map((change) => ({ ...change, blocks: [] })),
    });

  test("one more than a window below the replica's head: refused; a window below: taken", () => {
    const window = TEST_PARAMS.window;
    const { cluster, stale, fresh } = staleChange(window + 1);
    const [zero, one, two] = fresh as [ViewChangeMessage, ViewChangeMessage, ViewChangeMessage];
    expect(stale.committedHeight).toBe(0);
    expect(cluster.replicas[2]?.head.height).toBe(window + 1);
    cluster.step(2, { type: "message", message: newViewOf(cluster, [stale, zero, two]) });
    expect(cluster.replicas[2]?.dropped.get("newview-change-stale")).toBe(1);
    expect(cluster.replicas[2]?.changingView).toBe(true);
    cluster.step(2, { type: "message", message: newViewOf(cluster, [one, zero, two]) });
    expect(cluster.replicas[2]?.changingView).toBe(false);
    expect(cluster.replicas[2]?.view).toBe(1);
  });

  test("the edge: a view change exactly a window below the head is not stale", () => {
    const window = TEST_PARAMS.window;
    const { cluster, stale, fresh } = staleChange(window);
    const [zero, , two] = fresh as [ViewChangeMessage, ViewChangeMessage, ViewChangeMessage];
    cluster.step(2, { type: "message", message: newViewOf(cluster, [stale, zero, two]) });
    expect(cluster.replicas[2]?.dropped.get("newview-change-stale")).toBeUndefined();
    expect(cluster.replicas[2]?.view).toBe(1);
    expect(cluster.replicas[2]?.changingView).toBe(false);
  });

  test("the new primary leaves a stale view change out of its new view", () => {
    const { cluster, stale, fresh } = staleChange(TEST_PARAMS.window + 1);
    const [zero, , two] = fresh as [ViewChangeMessage, ViewChangeMessage, ViewChangeMessage];
    // The primary of view 1 holds the stale change and one fresh one: not a quorum yet.
    cluster.step(1, { type: "message", message: stale });
    cluster.step(1, { type: "message", message: zero });
    expect(cluster.replicas[1]?.changingView).toBe(true);
    const effects = cluster.step(1, { type: "message", message: two });
    const sentNewView = effects.flatMap((effect) =>
      effect.type === "broadcast" && effect.message.kind === "newview" ? [effect.message] : [],
    )[0];
    expect(sentNewView?.viewChanges.map((change) => change.committedHeight)).toEqual(
      expect.not.arrayContaining([0]),
    );
    expect(sentNewView?.viewChanges).toHaveLength(3);
  });
});

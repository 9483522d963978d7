import { blockHash, bytesEqual } from "@careledger/protocol";
import { describe, expect, test } from "vitest";
import { TEST_PARAMS, TestCluster } from "./cluster.helper.js";
import { signMessage } from "./messages.js";
import { Replica } from "./replica.js";
import type { ConsensusMessage, Effect, PersistRecord } from "./types.js";

const sent = (effects: readonly Effect[]): ConsensusMessage[] =>
  effects.flatMap((effect) =>
    effect.type === "broadcast" || effect.type === "send" ? [effect.message] : [],
  );
const genesisHead = (cluster: TestCluster) => ({
  height: 0,
  hash: cluster.genesisHash,
  certificate: null,
});
const hasRecord = (records: readonly PersistRecord[], type: string, height: number) =>
  records.some((record) => record.type === type && "height" in record && record.height === height);

/**
 * Backups 1 to 3 prepare the primary's block at height 1 in view 0 (the primary hears nothing,
 * so nobody commits it), then ask for view 1: its primary, validator 1, must re-propose it.
 * Returns once `installed` holds for the new view.
 */
function viewChangeWithRun(installed: (cluster: TestCluster) => boolean) {
  const cluster = new TestCluster(4);
  cluster.isolated.add(0);
  cluster.send(0, { type: "timer", name: "emptyBlock" });
  cluster.run(() => [1, 2, 3].every((node) => hasRecord(cluster.records[node] ?? [], "commit", 1)));
  cluster.dropQueued();
  cluster.isolated.clear();
  expect(cluster.apps.every((app) => app.height === 0)).toBe(true);
  const prepared = cluster.records[1]?.find((record) => record.type === "prepare");
  if (prepared?.type !== "prepare") throw new Error("no prepared block");
  for (const node of [1, 2, 3]) cluster.send(node, { type: "requestTimedOut" });
  cluster.run(() => installed(cluster));
  cluster.dropQueued();
  return { cluster, rerun: prepared };
}

describe("a new view's plan survives a restart", () => {
  test("a restarted backup refuses a fresh block at a re-proposed height", () => {
    const entered = (c: TestCluster) => c.replicas[2]?.view === 1 && !c.replicas[2]?.changingView;
    const { cluster, rerun } = viewChangeWithRun(entered);
    // Backup 2 crashed in the step that installed view 1: the view record is on disk, its
    // prepare of the re-proposal (cast in the same step) is not.
    const records = cluster.records[2] ?? [];
    const viewAt = records.findLastIndex((record) => record.type === "view");
    const restored = Replica.restore(
      cluster.configs[2] as never,
      genesisHead(cluster),
      records.slice(0, viewAt + 1),
    );
    expect(restored.view).toBe(1);
    restored.handle({ type: "start", now: 1000 });
    const fresh = cluster.apps[1]?.fresh(
      cluster.genesisHash,
      1,
      cluster.signers[1]?.publicKey as Uint8Array,
      5,
    );
    if (fresh === undefined) throw new Error("primary cannot build");
    const hash = blockHash(fresh.header);
    const preprepare = signMessage(cluster.chainId, cluster.signers[1] as never, {
      kind: "preprepare",
      height: 1,
      view: 1,
      hash,
      block: fresh,
    });
    const effects = [
      ...restored.handle({ type: "message", message: preprepare, now: 1001 }),
      ...restored.handle({ type: "verdict", hash, valid: true, now: 1002 }),
    ];
    expect(effects.some((effect) => effect.type === "execute")).toBe(false);
    expect(sent(effects).some((message) => message.kind === "prepare")).toBe(false);
    expect(restored.dropped.get("preprepare-header")).toBe(1);
    // The re-proposal itself is still taken.
    const again = signMessage(cluster.chainId, cluster.signers[1] as never, {
      kind: "preprepare",
      height: 1,
      view: 1,
      hash: rerun.hash,
      block: rerun.block,
    });
    const taken = restored.handle({ type: "message", message: again, now: 1003 });
    expect(taken.some((e) => e.type === "execute" && bytesEqual(e.hash, rerun.hash))).toBe(true);
  });

  test("the new primary persists its new view and re-proposals before they leave, and re-sends them after a restart", () => {
    const sentNewView = (c: TestCluster) =>
      c.replicas[1]?.view === 1 && !c.replicas[1]?.changingView;
    const { cluster, rerun } = viewChangeWithRun(sentNewView);
    const effects = cluster.allEffects(1);
    const firstSend = effects.findIndex(
      (e) =>
        e.type === "broadcast" && (e.message.kind === "newview" || e.message.kind === "preprepare"),
    );
    const persisted = effects
      .slice(0, firstSend)
      .flatMap((e) => (e.type === "persist" ? [e.record] : []));
    expect(persisted.some((r) => r.type === "view" && r.view === 1 && r.newView !== null)).toBe(
      true,
    );
    expect(
      persisted.some((r) => r.type === "prepare" && r.view === 1 && bytesEqual(r.hash, rerun.hash)),
    ).toBe(true);

    const restored = Replica.restore(cluster.configs[1] as never, genesisHead(cluster), [
      ...(cluster.records[1] ?? []),
    ]);
    const started = restored.handle({ type: "start", now: 1000 });
    const again = sent(started).find((m) => m.kind === "preprepare" && m.height === 1);
    expect(again?.kind === "preprepare" && bytesEqual(again.hash, rerun.hash)).toBe(true);
    expect(sent(started).some((m) => m.kind === "newview" && m.view === 1)).toBe(true);
    // Asked to propose, it never asks for a fresh block at the re-proposed height.
    const asked = [
      ...restored.handle({ type: "txsPending", pending: true, now: 1001 }),
      ...restored.handle({ type: "timer", name: "emptyBlock", now: 1002 }),
    ];
    expect(asked.some((e) => e.type === "requestProposal" && e.height === 1)).toBe(false);
  });
});

describe("a validator that lost its consensus log", () => {
  test("restored with no records on a chain past genesis, it votes only once it installed a view above those it heard", () => {
    const cluster = new TestCluster(4);
    cluster.send(0, { type: "timer", name: "emptyBlock" });
    cluster.run(() => cluster.apps.every((app) => app.height >= 1));
    cluster.dropQueued();
    const top = cluster.apps[2]?.chain[1];
    if (top === undefined) throw new Error("nothing committed");
    const head = { height: 1, hash: top.hash, certificate: top.certificate };
    cluster.replicas[2] = Replica.restore(cluster.configs[2] as never, head, []);
    const mark = cluster.allEffects(2).length;
    cluster.step(2, { type: "start" });
    const votesOf2 = () =>
      sent(cluster.allEffects(2).slice(mark)).filter(
        (m) => m.kind === "prepare" || m.kind === "commit" || m.kind === "viewchange",
      );
    // View 0 goes on without it: it follows (commits) but signs nothing.
    cluster.send(0, { type: "timer", name: "emptyBlock" });
    cluster.run(() => cluster.apps.every((app) => app.height >= 2));
    expect(cluster.apps[2]?.height).toBe(2);
    expect(votesOf2()).toEqual([]);
    expect(
      cluster
        .allEffects(2)
        .slice(mark)
        .some((e) => e.type === "persist"),
    ).toBe(false);
    // The others move to view 1; it follows them into it and votes from then on.
    for (const node of [0, 1, 3]) cluster.send(node, { type: "requestTimedOut" });
    cluster.run(() => cluster.replicas.every((r) => r.view === 1 && !r.changingView));
    expect(votesOf2()).toEqual([]);
    // And only more than two windows above the head it restarted at (1): before the loss it may
    // have asked alone for a view above the floor, and that view change does not report what it
    // helps commit now (the rejoin floor, rejoin.ts).
    const floor = 1 + 2 * TEST_PARAMS.window;
    for (let round = 0; round < 50 && (cluster.apps[2]?.height ?? 0) < floor + 3; round++) {
      cluster.send(1, { type: "timer", name: "emptyBlock" });
      cluster.run();
    }
    const votes = votesOf2();
    expect(votes.length).toBeGreaterThan(0);
    expect(votes.every((m) => m.kind !== "viewchange" && m.view === 1)).toBe(true);
    expect(votes.every((m) => "height" in m && m.height > floor)).toBe(true);
  });

  test("with the operator's word that the log was never used, it votes at once", () => {
    const cluster = new TestCluster(4);
    cluster.send(0, { type: "timer", name: "emptyBlock" });
    cluster.run(() => cluster.apps.every((app) => app.height >= 1));
    cluster.dropQueued();
    const top = cluster.apps[2]?.chain[1];
    if (top === undefined) throw new Error("nothing committed");
    const head = { height: 1, hash: top.hash, certificate: top.certificate };
    const config = { ...(cluster.configs[2] as never as object), unsafeResetVotes: true };
    cluster.replicas[2] = Replica.restore(config as never, head, []);
    const mark = cluster.allEffects(2).length;
    cluster.step(2, { type: "start" });
    cluster.send(0, { type: "timer", name: "emptyBlock" });
    cluster.run(() => cluster.apps.every((app) => app.height >= 2));
    expect(sent(cluster.allEffects(2).slice(mark)).some((m) => m.kind === "prepare")).toBe(true);
  });
});

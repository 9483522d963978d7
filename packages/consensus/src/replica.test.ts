import {
  blockHash,
  bytesEqual,
  commitSigningBytes,
  quorumSize,
  verifyCertificate,
} from "@careledger/protocol";
import { describe, expect, test } from "vitest";
import { TestCluster } from "./cluster.helper.js";
import { signMessage } from "./messages.js";
import { Replica } from "./replica.js";
import type { ConsensusMessage, Effect } from "./types.js";

const sentMessages = (effects: readonly Effect[]): ConsensusMessage[] =>
  effects.flatMap((effect) =>
    effect.type === "broadcast" || effect.type === "send" ? [effect.message] : [],
  );

function commitFirstBlock(cluster: TestCluster): void {
  cluster.send(0, { type: "txsPending", pending: true });
  cluster.run(() => cluster.apps.every((app) => app.height >= 1));
}

describe("normal case", () => {
  for (const size of [4, 5, 6, 7]) {
    test(`n = ${size}: every replica commits the primary's block with a valid certificate`, () => {
      const cluster = new TestCluster(size);
      commitFirstBlock(cluster);
      const validators = cluster.signers.map((signer) => signer.publicKey);
      const first = cluster.apps[0]?.chain[1];
      expect(first).toBeDefined();
      for (const app of cluster.apps) {
        const entry = app.chain[1];
        expect(entry && first && bytesEqual(entry.hash, first.hash)).toBe(true);
        if (entry === undefined) continue;
        expect(entry.certificate.votes.length).toBeGreaterThanOrEqual(quorumSize(size));
        verifyCertificate(
          entry.certificate,
          entry.hash,
          validators,
          cluster.chainId,
          cluster.keyring,
        );
      }
    });
  }

  test("a COMMIT is signed over exactly commitSigningBytes, so certificates need no rework", () => {
    const cluster = new TestCluster(4);
    commitFirstBlock(cluster);
    const commit = sentMessages(cluster.allEffects(1)).find((message) => message.kind === "commit");
    expect(commit?.kind).toBe("commit");
    if (commit?.kind !== "commit") return;
    const bytes = commitSigningBytes(cluster.chainId, commit.height, commit.view, commit.hash);
    expect(cluster.signers[1]?.sign(bytes)).toEqual(commit.sig);
  });

  test("every vote is persisted before the first message that carries it", () => {
    const cluster = new TestCluster(4);
    commitFirstBlock(cluster);
    for (let node = 0; node < 4; node++) {
      const persisted = new Set<string>();
      for (const effect of cluster.allEffects(node)) {
        if (effect.type === "persist" && effect.record.type !== "view") {
          const { type, height, view } = effect.record;
          persisted.add(`${type}:${height}:${view}`);
        }
        if (effect.type !== "broadcast") continue;
        const message = effect.message;
        if (message.kind === "prepare" || message.kind === "commit") {
          expect(persisted.has(`${message.kind}:${message.height}:${message.view}`)).toBe(true);
        }
        if (message.kind === "preprepare") {
          expect(persisted.has(`prepare:${message.height}:${message.view}`)).toBe(true);
        }
      }
    }
  });

  test("the primary proposes an empty block when the empty-block timer fires", () => {
    const cluster = new TestCluster(4);
    const effects = cluster.step(0, { type: "timer", name: "emptyBlock" });
    expect(effects.some((effect) => effect.type === "requestProposal")).toBe(true);
    const backup = cluster.step(1, { type: "timer", name: "emptyBlock" });
    expect(backup.some((effect) => effect.type === "requestProposal")).toBe(false);
  });

  test("blocks are delivered in height order with linked prevHash over many heights", () => {
    const cluster = new TestCluster(5);
    for (let round = 0; round < 12; round++) {
      cluster.send(0, { type: "timer", name: "emptyBlock" });
      cluster.run(() => cluster.apps.every((app) => app.height > round));
    }
    for (const app of cluster.apps) {
      expect(app.height).toBeGreaterThanOrEqual(12);
      for (let height = 2; height <= app.height; height++) {
        const below = app.chain[height - 1];
        const block = app.chain[height];
        expect(below && block && bytesEqual(block.block.header.prevHash, below.hash)).toBe(true);
      }
    }
  });
});

describe("recovery", () => {
  test("a replica restored from its records refuses to prepare another block at a voted height and view", () => {
    const cluster = new TestCluster(4);
    cluster.isolated.add(2);
    cluster.send(0, { type: "txsPending", pending: true });
    cluster.isolated.delete(2);
    cluster.run(() => (cluster.records[1]?.length ?? 0) > 0);
    const records = cluster.records[1] ?? [];
    const voted = records.find((record) => record.type === "prepare");
    expect(voted?.type).toBe("prepare");
    if (voted?.type !== "prepare") return;
    const head = { height: 0, hash: cluster.genesisHash, certificate: null };
    const restored = Replica.restore(cluster.configs[1] as never, head, records);
    // The primary (Byzantine now) offers a different block for the same height and view.
    const other = cluster.apps[0]?.alternative(voted.block);
    expect(other).toBeDefined();
    if (other === undefined) return;
    const hash = blockHash(other.header);
    const preprepare = signMessage(cluster.chainId, cluster.signers[0] as never, {
      kind: "preprepare",
      height: voted.height,
      view: voted.view,
      hash,
      block: other,
    });
    const effects = [
      ...restored.handle({ type: "start", now: 1 }),
      ...restored.handle({ type: "message", message: preprepare, now: 2 }),
      ...restored.handle({ type: "verdict", hash, valid: true, now: 3 }),
    ];
    const prepares = sentMessages(effects).filter((message) => message.kind === "prepare");
    expect(prepares.every((message) => bytesEqual(message.hash, voted.hash))).toBe(true);
    expect(restored.dropped.get("preprepare-equivocation")).toBe(1);
  });
});

describe("view change", () => {
  test("a request timeout makes a validator ask for the next view", () => {
    const cluster = new TestCluster(4);
    const effects = cluster.step(1, { type: "requestTimedOut" });
    const change = sentMessages(effects).find((message) => message.kind === "viewchange");
    expect(change?.kind === "viewchange" && change.view).toBe(1);
    expect(effects.findIndex((effect) => effect.type === "persist")).toBeLessThan(
      effects.findIndex((effect) => effect.type === "broadcast"),
    );
  });

  test("f + 1 view changes for a higher view make a replica join it; a quorum installs it", () => {
    const cluster = new TestCluster(4);
    commitFirstBlock(cluster);
    cluster.send(2, { type: "requestTimedOut" });
    cluster.send(3, { type: "requestTimedOut" });
    cluster.run(() =>
      cluster.replicas.every((replica) => replica.view === 1 && !replica.changingView),
    );
    expect(cluster.replicas.map((replica) => replica.view)).toEqual([1, 1, 1, 1]);
    // The new primary (validator 1) carries on.
    cluster.send(1, { type: "timer", name: "emptyBlock" });
    const proposedInView1 = () =>
      cluster.apps.every((app) => app.chain.some((entry) => entry?.block.header.view === 1));
    cluster.run(proposedInView1);
    expect(proposedInView1()).toBe(true);
  });
});

describe("checkpoints and sync", () => {
  test("a replica that sees f + 1 checkpoints above its head asks to sync, and resumes from synced", () => {
    const cluster = new TestCluster(4);
    cluster.isolated.add(3);
    for (let round = 0; round < 4; round++) {
      cluster.send(0, { type: "timer", name: "emptyBlock" });
      cluster.run(() => (cluster.apps[0]?.height ?? 0) > round);
    }
    cluster.isolated.delete(3);
    const checkpoints = [0, 1].map((node) =>
      signMessage(cluster.chainId, cluster.signers[node] as never, {
        kind: "checkpoint",
        height: 4,
        hash: cluster.apps[node]?.chain[4]?.hash as Uint8Array,
      }),
    );
    const effects = checkpoints.flatMap((message) => cluster.step(3, { type: "message", message }));
    const sync = effects.find((effect) => effect.type === "requestSync");
    expect(sync).toEqual({ type: "requestSync", fromHeight: 1, toHeight: 4 });
    const top = cluster.apps[0]?.chain[4];
    if (top === undefined) throw new Error("no block 4");
    cluster.step(3, { type: "synced", height: 4, hash: top.hash, certificate: top.certificate });
    expect(cluster.replicas[3]?.head.height).toBe(4);
  });
});

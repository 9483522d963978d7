import { blockHash, bytesEqual, CareLedgerError, encode } from "@careledger/protocol";
import { describe, expect, test } from "vitest";
import { TestCluster } from "./cluster.helper.js";
import { decodeMessage, encodeMessage, MESSAGE_BYTES_MAX } from "./codec.js";
import { signMessage, stripBlocks, verifyMessage } from "./messages.js";
import { Prng } from "./sim/prng.js";
import type { ConsensusMessage } from "./types.js";

/** A cluster that committed a few blocks, and one message of every kind taken from it. */
function sampleMessages(): { cluster: TestCluster; messages: ConsensusMessage[] } {
  const cluster = new TestCluster(4);
  cluster.send(0, { type: "txsPending", pending: true });
  cluster.run(() => cluster.apps.every((app) => app.height >= 2));
  cluster.send(1, { type: "requestTimedOut" });
  cluster.send(2, { type: "requestTimedOut" });
  cluster.run(() =>
    cluster.replicas.every((replica) => replica.view === 1 && !replica.changingView),
  );
  const signer = cluster.signers[0];
  const block = cluster.apps[0]?.chain[1]?.block;
  if (signer === undefined || block === undefined) throw new Error("cluster did not commit");
  const hash = blockHash(block.header);
  const sent = cluster.effects
    .flat(2)
    .flatMap((effect) =>
      effect.type === "broadcast" || effect.type === "send" ? [effect.message] : [],
    );
  const kinds = ["preprepare", "prepare", "commit", "viewchange", "newview"] as const;
  const messages = kinds.map((kind) => {
    const found = sent.find((message) => message.kind === kind);
    if (found === undefined) throw new Error(`no ${kind} sent`);
    return found;
  });
  messages.push(signMessage(cluster.chainId, signer, { kind: "checkpoint", height: 2, hash }));
  const withBlocks = sent.find(
    (message) => message.kind === "viewchange" && message.blocks.length > 0,
  );
  if (withBlocks !== undefined) messages.push(withBlocks);
  return { cluster, messages };
}

function expectRefused(bytes: Uint8Array): void {
  try {
    decodeMessage(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(CareLedgerError);
    expect(["ENCODING_INVALID", "ENCODING_TOO_LARGE", "BLOCK_INVALID"]).toContain(
      (error as CareLedgerError).code,
    );
    return;
  }
  throw new Error("decoded bytes that should have been refused");
}

describe("message codec", () => {
  const { cluster, messages } = sampleMessages();

  test("every kind round-trips to the same canonical bytes and still verifies", () => {
    expect(new Set(messages.map((message) => message.kind)).size).toBe(6);
    for (const message of messages) {
      const bytes = encodeMessage(message);
      const decoded = decodeMessage(bytes);
      expect(bytesEqual(encodeMessage(decoded), bytes)).toBe(true);
      expect(verifyMessage(cluster.chainId, cluster.keyring, decoded)).toBe(true);
    }
  });

  test("every truncation of a valid message is refused", () => {
    for (const message of messages) {
      const bytes = encodeMessage(message);
      for (let length = 0; length < bytes.length; length += Math.max(1, bytes.length >> 6)) {
        expectRefused(bytes.subarray(0, length));
      }
    }
  });

  test("random bytes and random bit flips never decode into something unchecked", () => {
    const prng = new Prng(42);
    for (let round = 0; round < 300; round++) {
      const noise = Uint8Array.from({ length: prng.int(0, 200) }, () => prng.int(0, 255));
      expectRefused(noise);
    }
    // Votes and checkpoints are signed whole: any flip that still decodes fails the signature.
    // (Blocks, certificates and view changes inside other kinds are checked by the replica.)
    for (const message of messages.filter((m) =>
      ["prepare", "commit", "checkpoint"].includes(m.kind),
    )) {
      const bytes = encodeMessage(message);
      for (let round = 0; round < 40; round++) {
        const flipped = bytes.slice();
        const at = prng.int(0, flipped.length - 1);
        flipped[at] = (flipped[at] ?? 0) ^ (1 << prng.int(0, 7));
        let decoded: ConsensusMessage | undefined;
        try {
          decoded = decodeMessage(flipped);
        } catch (error) {
          expect(error).toBeInstanceOf(CareLedgerError);
        }
        if (decoded !== undefined) {
          expect(verifyMessage(cluster.chainId, cluster.keyring, decoded)).toBe(false);
        }
      }
    }
  });

  test("wrong field sets, types and sizes are refused", () => {
    const prepare = messages.find((message) => message.kind === "prepare");
    if (prepare?.kind !== "prepare") throw new Error("no prepare");
    const wire = { k: "prepare", f: prepare.from, s: prepare.sig, h: 1, v: 0, d: prepare.hash };
    expect(() => decodeMessage(encode(wire))).not.toThrow();
    expectRefused(encode({ ...wire, x: 1 }));
    expectRefused(encode({ ...wire, h: "1" }));
    expectRefused(encode({ ...wire, h: -1 }));
    expectRefused(encode({ ...wire, d: new Uint8Array(31) }));
    expectRefused(encode({ ...wire, s: new Uint8Array(63) }));
    expectRefused(encode({ ...wire, k: "vote" }));
    expectRefused(encode([wire]));
    expectRefused(new Uint8Array(MESSAGE_BYTES_MAX + 1));
  });

  test("a new view may only carry view changes without bodies", () => {
    const newView = messages.find((message) => message.kind === "newview");
    const withBlocks = messages.find(
      (message) => message.kind === "viewchange" && message.blocks.length > 0,
    );
    if (newView?.kind !== "newview" || withBlocks?.kind !== "viewchange") {
      throw new Error("samples missing");
    }
    const bad = { ...newView, viewChanges: [withBlocks] };
    expectRefused(encodeMessage(bad));
    expect(() =>
      decodeMessage(encodeMessage({ ...bad, viewChanges: [stripBlocks(withBlocks)] })),
    ).not.toThrow();
  });
});

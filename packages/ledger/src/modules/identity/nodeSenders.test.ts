import { type Canonical, toHex } from "@careledger/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { seededKey } from "../../testing/fixtures.js";
import { Harness } from "../../testing/harness.js";
import { nodeSigner } from "../../testing/nodeCrypto.js";
import { nodeIndexKey } from "./state.js";

let h: Harness;
afterEach(async () => {
  await h.close();
});

const DAY_MS = 24 * 3600 * 1000;

function propose(change: Canonical) {
  const expiresAt = h.ledger.head.time + DAY_MS;
  return h.tx("gov.propose", { org: "org-0", change, expiresAt }, h.org(0).admin);
}

function votes(proposal: Uint8Array, orgs: readonly number[]) {
  return orgs.map((org) =>
    h.tx(
      "gov.vote",
      { proposal: toHex(proposal), org: `org-${org}`, approve: true },
      h.org(org).admin,
    ),
  );
}

/** A transaction from `signer` that only an admin of org-0 may send. */
const registration = (h: Harness, signer: ReturnType<typeof nodeSigner>) =>
  h.tx(
    "identity.register",
    {
      key: nodeSigner(seededKey("someone", 1)).publicKey,
      org: "org-0",
      roles: ["staff"],
    },
    signer,
  );

describe("node keys as senders", () => {
  it("indexes the genesis organizations' node keys in the genesis state", async () => {
    h = await Harness.create("node-senders-genesis");
    const key = toHex(h.org(1).node.publicKey);
    expect(await h.ledger.reads.stateValues([nodeIndexKey(key)])).toEqual([["org-1"]]);
  });

  it("admits a member's node key, which no other sender rule then lets act", async () => {
    h = await Harness.create("node-senders-admitted");
    const tx = registration(h, h.org(0).node);
    await expect(h.ledger.checkSender(tx)).resolves.toBeUndefined();
    const { receipt, stateChanged } = await h.single(tx);
    // Included (the block is valid), but a node is no admin of its organization.
    expect(receipt).toMatchObject({ status: "failed", code: "UNAUTHORIZED" });
    expect(stateChanged).toBe(false);
  });

  it("admits a node key governance adds and refuses it once its organization is removed", async () => {
    h = await Harness.create("node-senders-removed");
    const labNode = nodeSigner(seededKey("lab-node", 1));
    const add = propose({
      kind: "org.add",
      organization: {
        id: "lab-1",
        name: "New Lab",
        kind: "lab",
        adminKeys: ["aa".repeat(32)],
        nodeKeys: [toHex(labNode.publicKey)],
      },
    });
    await expect(h.ledger.checkSender(registration(h, labNode))).rejects.toMatchObject({
      code: "SENDER_UNKNOWN",
    });
    await h.block([add, ...votes(add.id, [0, 1, 2])]);
    await expect(h.ledger.checkSender(registration(h, labNode))).resolves.toBeUndefined();
    expect((await h.build([registration(h, labNode)])).excluded).toEqual([]);

    const remove = propose({ kind: "org.remove", org: "lab-1" });
    await h.block([remove, ...votes(remove.id, [0, 1, 2, 3])]);
    expect(await h.ledger.reads.stateValues([nodeIndexKey(toHex(labNode.publicKey))])).toEqual([
      null,
    ]);
    const late = registration(h, labNode);
    await expect(h.ledger.checkSender(late)).rejects.toMatchObject({ code: "SENDER_UNKNOWN" });
    const built = await h.build([late]);
    expect(built.excluded).toMatchObject([{ index: 0, code: "SENDER_UNKNOWN" }]);
  });

  it("indexes a node key a validator.add gives an organization", async () => {
    h = await Harness.create("node-senders-validator");
    const newNode = nodeSigner(seededKey("new-node", 1));
    const add = propose({ kind: "validator.add", key: newNode.publicKey, org: "org-2" });
    await h.block([add, ...votes(add.id, [0, 1, 2])]);
    expect(await h.ledger.reads.stateValues([nodeIndexKey(toHex(newNode.publicKey))])).toEqual([
      ["org-2"],
    ]);
    await expect(h.ledger.checkSender(registration(h, newNode))).resolves.toBeUndefined();
  });
});

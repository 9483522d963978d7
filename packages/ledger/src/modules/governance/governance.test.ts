import {
  type Canonical,
  decodeReceipt,
  encodeReceipt,
  merkleProof,
  type Receipt,
  toHex,
  validatorsHash,
  verifyReceiptProof,
} from "@careledger/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { seededKey, testChain } from "../../testing/fixtures.js";
import { Harness } from "../../testing/harness.js";
import { nodeSigner } from "../../testing/nodeCrypto.js";
import { effectiveHeight } from "./consensusState.js";

let h: Harness;
afterEach(async () => {
  await h.close();
});

const DAY_MS = 24 * 3600 * 1000;
const newNode = nodeSigner(seededKey("new-node", 1));

function propose(h: Harness, change: Canonical, org = 0, expiresIn = DAY_MS) {
  const expiresAt = h.ledger.head.time + expiresIn;
  return h.tx("gov.propose", { org: `org-${org}`, change, expiresAt }, h.org(org).admin);
}

function vote(h: Harness, proposal: Uint8Array, org: number, approve = true) {
  const payload = { proposal: toHex(proposal), org: `org-${org}`, approve };
  return h.tx("gov.vote", payload, h.org(org).admin);
}

async function expectFailure(tx: Parameters<Harness["single"]>[0], code: string) {
  const { receipt, stateChanged } = await h.single(tx);
  expect(receipt).toMatchObject({ status: "failed", code });
  expect(stateChanged).toBe(false);
}

const newOrg = (id: string) => ({
  kind: "org.add",
  organization: { id, name: "New Lab", kind: "lab", adminKeys: ["aa".repeat(32)], nodeKeys: [] },
});

describe("gov.propose rules", () => {
  it("refuses each broken rule with its code and changes nothing", async () => {
    h = await Harness.create("gov-propose");
    // A registered clinician: known, so admitted, but no admin of org-0.
    const outsider = nodeSigner(seededKey("outsider", 1));
    const registration = { key: outsider.publicKey, org: "org-0", roles: ["clinician"] };
    await h.block([h.tx("identity.register", registration, h.org(0).admin)]);
    const expiresAt = h.ledger.head.time + DAY_MS;
    const change = newOrg("lab-1");
    await expectFailure(
      h.tx("gov.propose", { org: "org-0", change, expiresAt }, outsider),
      "UNAUTHORIZED",
    );
    await expectFailure(
      h.tx("gov.propose", { org: "nobody", change, expiresAt }, h.org(0).admin),
      "ORG_NOT_FOUND",
    );
    await expectFailure(propose(h, change, 0, 0), "PROPOSAL_INVALID");
    await expectFailure(propose(h, change, 0, 31 * DAY_MS), "PROPOSAL_INVALID");
    await expectFailure(propose(h, newOrg("org-1")), "ALREADY_EXISTS");
    await expectFailure(propose(h, { kind: "org.remove", org: "org-1" }), "ORG_HAS_VALIDATORS");
    await expectFailure(propose(h, { kind: "org.remove", org: "zzz" }), "ORG_NOT_FOUND");
    const validator = h.org(1).node.publicKey;
    await expectFailure(
      propose(h, { kind: "validator.remove", key: validator }),
      "VALIDATOR_SET_TOO_SMALL",
    );
    await expectFailure(
      propose(h, { kind: "validator.remove", key: newNode.publicKey }),
      "NOT_FOUND",
    );
    await expectFailure(
      propose(h, { kind: "validator.add", key: validator, org: "org-1" }),
      "ALREADY_EXISTS",
    );
    await expectFailure(
      propose(h, { kind: "validator.add", key: newNode.publicKey, org: "zzz" }),
      "ORG_NOT_FOUND",
    );
    await expectFailure(
      propose(h, { kind: "param.set", name: "clockSkewMaxMs", value: 3_600_001 }),
      "PROPOSAL_INVALID",
    );
  });

  it("refuses parameters that replicas read once at start (window, checkpointInterval, ...)", async () => {
    h = await Harness.create("gov-param-live");
    for (const name of [
      "window",
      "checkpointInterval",
      "emptyBlockIntervalMs",
      "viewChangeTimeoutMs",
      "requestTimeoutMs",
      "blockTxsMax",
    ]) {
      await expectFailure(propose(h, { kind: "param.set", name, value: 3 }), "PARAM_NOT_LIVE");
    }
  });
});

describe("gov.vote rules", () => {
  it("refuses unknown proposals, double votes, outsiders, expired and closed proposals", async () => {
    h = await Harness.create("gov-vote");
    await expectFailure(vote(h, new Uint8Array(32), 0), "PROPOSAL_NOT_FOUND");
    const proposal = propose(h, newOrg("lab-1"), 0, 10_000);
    await h.block([proposal, vote(h, proposal.id, 0)]);
    await expectFailure(vote(h, proposal.id, 0), "ALREADY_VOTED");
    const outsider = h.tx(
      "gov.vote",
      { proposal: toHex(proposal.id), org: "org-1", approve: true },
      h.org(2).admin,
    );
    await expectFailure(outsider, "UNAUTHORIZED");
    // Blocks come a second apart: by now the 10-second voting period is over.
    for (let i = 0; i < 8; i++) await h.block([]);
    await expectFailure(vote(h, proposal.id, 1), "PROPOSAL_CLOSED");
    const shown = await h.query("gov.proposal", { id: toHex(proposal.id) });
    expect(shown).toMatchObject({ status: "expired" });
  });

  it("passes with more than two thirds of organizations, then closes", async () => {
    h = await Harness.create("gov-pass");
    const proposal = propose(h, newOrg("lab-1"));
    await h.block([proposal, vote(h, proposal.id, 0), vote(h, proposal.id, 1)]);
    // Two of four is not more than two thirds.
    expect(await h.query("identity.organization", { id: "lab-1" })).toBeNull();
    const [receipt] = await h.block([vote(h, proposal.id, 2)]);
    // The deciding vote's receipt carries the tally and the decision, provable under receiptsRoot.
    expect(receipt).toMatchObject({
      status: "ok",
      result: { approvals: 3, refusals: 0, electorate: 4, status: "passed" },
      events: [
        {
          type: "gov.proposal.decided",
          attributes: { proposal: toHex(proposal.id), status: "passed" },
        },
      ],
    });
    const leaves = ((await h.ledger.reads.receipts(2)) ?? []).map(encodeReceipt);
    const proof = merkleProof(leaves, 0);
    expect(
      verifyReceiptProof(h.ledger.head.header.receiptsRoot, leaves[0] as Uint8Array, proof),
    ).toBe(true);
    expect(decodeReceipt(leaves[0] as Uint8Array)).toEqual(receipt);
    expect(await h.query("identity.organization", { id: "lab-1" })).toMatchObject({
      kind: "lab",
    });
    const shown = await h.query("gov.proposal", { id: toHex(proposal.id) });
    expect(shown).toMatchObject({ status: "passed", decidedAt: 2 });
    await expectFailure(vote(h, proposal.id, 3), "PROPOSAL_CLOSED");
  });

  it("rejects once more than two thirds can no longer approve", async () => {
    h = await Harness.create("gov-reject");
    const proposal = propose(h, newOrg("lab-1"));
    const receipts = await h.block([
      proposal,
      vote(h, proposal.id, 0, false),
      vote(h, proposal.id, 1, false),
    ]);
    expect(receipts[1]).toMatchObject({ result: { refusals: 1, status: "open" } });
    expect(receipts[1]).not.toHaveProperty("events");
    expect(receipts[2]).toMatchObject({
      result: { approvals: 0, refusals: 2, status: "rejected" },
      events: [{ type: "gov.proposal.decided", attributes: { status: "rejected" } }],
    });
    const shown = await h.query("gov.proposal", { id: toHex(proposal.id) });
    expect(shown).toMatchObject({ status: "rejected" });
  });

  it("fails the deciding vote when the change can no longer apply, leaving it open", async () => {
    h = await Harness.create("gov-stale");
    const first = propose(h, newOrg("lab-1"));
    const second = propose(h, newOrg("lab-1"), 1);
    await h.block([
      first,
      second,
      ...[0, 1].flatMap((org) => [vote(h, first.id, org), vote(h, second.id, org)]),
    ]);
    await h.block([vote(h, first.id, 2)]);
    // lab-1 joined the electorate: 3 of 5 approvals do not decide, the fourth would.
    await h.block([vote(h, second.id, 2)]);
    await expectFailure(vote(h, second.id, 3), "ALREADY_EXISTS");
    const shown = await h.query("gov.proposal", { id: toHex(second.id) });
    expect(shown).toMatchObject({ status: "open" });
  });
});

describe("consensus changes", () => {
  it("schedules a validator change for the first checkpoint at or after decision + window", async () => {
    h = await Harness.create("gov-validator", testChain(4, 10, 4));
    const proposal = propose(h, { kind: "validator.add", key: newNode.publicKey, org: "org-0" });
    const receipts: Receipt[] = await h.block([
      proposal,
      ...[0, 1, 2].map((org) => vote(h, proposal.id, org)),
    ]);
    expect(receipts.every((receipt) => receipt.status === "ok")).toBe(true);
    const decided = h.ledger.head.height;
    const at = effectiveHeight(decided, { checkpointInterval: 10, window: 4 } as never);
    expect(at).toBe(11);
    const before = (await h.ledger.consensusConfig()).validators;
    const after = [...before, newNode.publicKey];
    while (h.ledger.head.height < at - 1) {
      expect(h.ledger.head.header.nextValidatorsHash).toEqual(validatorsHash(before));
      await h.block([]);
    }
    // Block at - 1 announces the change; block `at` is certified by the new set.
    expect(h.ledger.head.header.validatorsHash).toEqual(validatorsHash(before));
    expect(h.ledger.head.header.nextValidatorsHash).toEqual(validatorsHash(after));
    await h.block([]);
    expect(h.ledger.head.header.validatorsHash).toEqual(validatorsHash(after));
    const org = (await h.query("identity.organization", { id: "org-0" })) as {
      nodeKeys: string[];
    };
    expect(org.nodeKeys).toContain(toHex(newNode.publicKey));
    // A member's node key may send (record.forgotten's orgNode rule): admitted, then judged.
    const report = h.tx("record.forgotten", { id: "0".repeat(32), custodian: "org-0" }, newNode);
    expect(await h.single(report)).toMatchObject({
      receipt: { status: "failed", code: "RECORD_NOT_FOUND" },
    });
  });

  it("refuses a node key no member lists as an unknown sender", async () => {
    h = await Harness.create("gov-node-sender", testChain(4, 10, 4));
    const report = h.tx("record.forgotten", { id: "0".repeat(32), custodian: "org-0" }, newNode);
    expect((await h.build([report])).excluded).toMatchObject([{ code: "SENDER_UNKNOWN" }]);
  });

  it("lists proposals page by page and shows the scheduled change in consensus.config", async () => {
    h = await Harness.create("gov-queries", testChain(4, 10, 4));
    const add = propose(h, { kind: "validator.add", key: newNode.publicKey, org: "org-0" });
    const other = propose(h, newOrg("lab-1"), 1);
    await h.block([add, other, ...[0, 1, 2].map((org) => vote(h, add.id, org))]);
    const first = (await h.query("gov.proposals", { limit: "1" })) as {
      items: Array<{ id: string }>;
      next: string;
    };
    const second = (await h.query("gov.proposals", { limit: "1", cursor: first.next })) as {
      items: Array<{ id: string }>;
      next: string | null;
    };
    const ids = [toHex(add.id), toHex(other.id)].sort();
    expect([...first.items, ...second.items].map((p) => p.id)).toEqual(ids);
    expect(second.next).toBeNull();
    const config = await h.query("consensus.config");
    expect(config).toMatchObject({
      validators: expect.any(Array),
      scheduled: [{ height: 11, proposal: toHex(add.id), change: { kind: "validator.add" } }],
    });
  });

  it("applies a passed parameter change from the height after its checkpoint", async () => {
    h = await Harness.create("gov-param", testChain(4, 5, 2));
    const proposal = propose(h, { kind: "param.set", name: "clockSkewMaxMs", value: 77 });
    const built = await h.build([proposal, ...[0, 1, 2].map((org) => vote(h, proposal.id, org))]);
    expect(built.result.scheduled).toMatchObject([{ height: 6, change: { value: 77 } }]);
    await h.commit(built);
    for (let height = 2; height < 6; height++) await h.block([]);
    const before = (await h.ledger.consensusConfig()).params.clockSkewMaxMs;
    expect(before).not.toBe(77);
    await h.block([]);
    expect((await h.ledger.consensusConfig()).params.clockSkewMaxMs).toBe(77);
  });
});

describe("org.remove", () => {
  it("leaves the removed organization's identities unable to sign or authenticate", async () => {
    h = await Harness.create("gov-org-remove");
    const admin = nodeSigner(seededKey("lab-admin", 1));
    const clinician = nodeSigner(seededKey("lab-clinician", 1));
    const add = propose(h, {
      kind: "org.add",
      organization: {
        id: "lab-1",
        name: "New Lab",
        kind: "lab",
        adminKeys: [toHex(admin.publicKey)],
        nodeKeys: [],
      },
    });
    await h.block([add, ...[0, 1, 2].map((org) => vote(h, add.id, org))]);
    const register = (key: Uint8Array) =>
      h.tx("identity.register", { key, org: "lab-1", roles: ["clinician"] }, admin);
    expect((await h.single(register(clinician.publicKey))).receipt.status).toBe("ok");
    const remove = propose(h, { kind: "org.remove", org: "lab-1" });
    await h.block([remove, ...[0, 1, 2, 3].map((org) => vote(h, remove.id, org))]);
    const who = await h.query("identity.key", { key: toHex(clinician.publicKey) });
    expect(who).toMatchObject({ identity: { org: "lab-1" }, adminOf: [], revoked: true });
    const other = nodeSigner(seededKey("lab-other", 1));
    const byClinician = h.tx(
      "identity.register",
      { key: other.publicKey, org: "org-0", roles: ["staff"] },
      clinician,
    );
    // Its keys are no longer senders: refused at admission, and a block holding one is invalid.
    await expect(h.ledger.checkSender(byClinician)).rejects.toMatchObject({ code: "ORG_REMOVED" });
    const built = await h.build([byClinician]);
    expect(built.excluded).toMatchObject([{ index: 0, code: "ORG_REMOVED" }]);
  });
});

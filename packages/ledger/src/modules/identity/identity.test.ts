import { toHex } from "@careledger/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { seededKey } from "../../testing/fixtures.js";
import { Harness } from "../../testing/harness.js";
import { nodeSigner } from "../../testing/nodeCrypto.js";

let h: Harness;
beforeEach(async () => {
  h = await Harness.create("identity");
});
afterEach(async () => {
  await h.close();
});

const user = (index: number) => nodeSigner(seededKey("identity-test", index));

function register(index: number, org = 0, by = h.org(org).admin, roles = ["clinician"]) {
  return h.tx("identity.register", { key: user(index).publicKey, org: `org-${org}`, roles }, by);
}

describe("identity.register", () => {
  it("binds a key to the organization with its roles", async () => {
    const { receipt } = await h.single(register(1, 0, h.org(0).admin, ["staff", "clinician"]));
    expect(receipt.status).toBe("ok");
    const who = await h.ledger.reads.query("identity.key", { key: toHex(user(1).publicKey) });
    expect(who).toMatchObject({
      identity: { org: "org-0", roles: ["clinician", "staff"], registeredAt: 1 },
      revoked: false,
    });
  });

  it("fails UNAUTHORIZED for an admin of another organization, changing nothing", async () => {
    const { receipt, stateChanged } = await h.single(register(1, 0, h.org(1).admin));
    expect(receipt).toMatchObject({ status: "failed", code: "UNAUTHORIZED" });
    expect(stateChanged).toBe(false);
  });

  it("fails ORG_NOT_FOUND for an unknown organization, changing nothing", async () => {
    const tx = h.tx(
      "identity.register",
      { key: user(1).publicKey, org: "nobody", roles: ["patient"] },
      h.org(0).admin,
    );
    const { receipt, stateChanged } = await h.single(tx);
    expect(receipt).toMatchObject({ status: "failed", code: "ORG_NOT_FOUND" });
    expect(stateChanged).toBe(false);
  });

  it("fails ALREADY_EXISTS for a registered key, even a revoked one", async () => {
    await h.single(register(1));
    const again = await h.single(register(1, 1));
    expect(again.receipt).toMatchObject({ status: "failed", code: "ALREADY_EXISTS" });
    expect(again.stateChanged).toBe(false);
    await h.single(h.tx("identity.revoke", { key: user(1).publicKey }, user(1)));
    const afterRevoke = await h.single(register(1));
    expect(afterRevoke.receipt).toMatchObject({ status: "failed", code: "ALREADY_EXISTS" });
    expect(afterRevoke.stateChanged).toBe(false);
  });
});

describe("identity.revoke", () => {
  it("lets the key itself or its organization's admin revoke, effective from the next block", async () => {
    await h.block([register(1), register(2)]);
    const byAdmin = h.tx("identity.revoke", { key: user(1).publicKey }, h.org(0).admin);
    // In the revoking block the key still acts: revocation takes effect from the next block.
    const sameBlock = h.tx("identity.revoke", { key: user(2).publicKey }, user(1));
    const receipts = await h.block([byAdmin, sameBlock]);
    expect(receipts.map((receipt) => receipt.status)).toEqual(["ok", "failed"]);
    expect(receipts[1]).toMatchObject({ code: "UNAUTHORIZED" });
    const who = await h.ledger.reads.query("identity.key", { key: toHex(user(1).publicKey) });
    expect(who).toMatchObject({ revoked: true, identity: { revokedAt: 2 } });
    // From the next block a revoked key cannot send at all: a block holding it is invalid.
    const next = await h.build([h.tx("identity.revoke", { key: user(1).publicKey }, user(1))]);
    expect(next.block.txs).toHaveLength(0);
    expect(next.excluded).toMatchObject([{ index: 0, code: "IDENTITY_REVOKED" }]);
  });

  it("fails NOT_FOUND for an unregistered key, changing nothing", async () => {
    const tx = h.tx("identity.revoke", { key: user(9).publicKey }, h.org(0).admin);
    const { receipt, stateChanged } = await h.single(tx);
    expect(receipt).toMatchObject({ status: "failed", code: "NOT_FOUND" });
    expect(stateChanged).toBe(false);
  });

  it("fails UNAUTHORIZED from another organization's admin or another key", async () => {
    await h.block([register(1), register(2)]);
    for (const by of [h.org(1).admin, user(2)]) {
      const tx = h.tx("identity.revoke", { key: user(1).publicKey }, by);
      const { receipt, stateChanged } = await h.single(tx);
      expect(receipt).toMatchObject({ status: "failed", code: "UNAUTHORIZED" });
      expect(stateChanged).toBe(false);
    }
  });

  it("fails IDENTITY_REVOKED for a key revoked twice in one block, changing nothing more", async () => {
    await h.single(register(1));
    const first = h.tx("identity.revoke", { key: user(1).publicKey }, h.org(0).admin);
    const second = h.tx("identity.revoke", { key: user(1).publicKey }, user(1));
    const receipts = await h.block([first, second]);
    expect(receipts[1]).toMatchObject({ status: "failed", code: "IDENTITY_REVOKED" });
  });
});

describe("identity queries", () => {
  it("list organizations and say which ones a key administers", async () => {
    const orgs = (await h.ledger.reads.query("identity.organizations")) as Array<{ id: string }>;
    expect(orgs.map((org) => org.id)).toEqual(["org-0", "org-1", "org-2", "org-3"]);
    const admin = toHex(h.org(2).admin.publicKey);
    const who = await h.ledger.reads.query("identity.key", { key: admin });
    expect(who).toMatchObject({ identity: null, adminOf: ["org-2"], revoked: false });
    const org = await h.ledger.reads.query("identity.organization", { id: "org-1" });
    expect(org).toMatchObject({ id: "org-1", kind: "hospital" });
  });
});

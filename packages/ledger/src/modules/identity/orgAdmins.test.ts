import { type Canonical, type SignedTx, type Signer, toHex } from "@careledger/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { seededKey } from "../../testing/fixtures.js";
import { Harness } from "../../testing/harness.js";
import { nodeSigner } from "../../testing/nodeCrypto.js";

let h: Harness;
beforeEach(async () => {
  h = await Harness.create("org-admins");
});
afterEach(async () => {
  await h.close();
});

const DAY_MS = 24 * 3600 * 1000;
const key = (index: number) => nodeSigner(seededKey("org-admin", index));

/** Proposes `change` from org-0 and has orgs 0 to 2 approve it (3 of 4: more than two thirds). */
async function pass(change: Canonical): Promise<void> {
  const expiresAt = h.ledger.head.time + DAY_MS;
  const proposal = h.tx("gov.propose", { org: "org-0", change, expiresAt }, h.org(0).admin);
  const votes = [0, 1, 2].map((org) =>
    h.tx(
      "gov.vote",
      { proposal: toHex(proposal.id), org: `org-${org}`, approve: true },
      h.org(org).admin,
    ),
  );
  const receipts = await h.block([proposal, ...votes]);
  expect(receipts.map((receipt) => receipt.status)).toEqual(["ok", "ok", "ok", "ok"]);
}

async function adminsOf(org: string): Promise<string[]> {
  const found = (await h.query("identity.organization", { id: org })) as {
    adminKeys: string[];
  };
  return found.adminKeys;
}

const revokeAdmin = (target: Signer, by: Signer, org = "org-0"): SignedTx =>
  h.tx("org.revokeAdmin", { org, key: target.publicKey }, by);

describe("org.admins through governance", () => {
  it("rotates an organization's admin key: the new key acts, the old one is no sender", async () => {
    const old = h.org(0).admin;
    await pass({
      kind: "org.admins",
      org: "org-0",
      add: [key(1).publicKey],
      remove: [old.publicKey],
    });
    expect(await adminsOf("org-0")).toEqual([toHex(key(1).publicKey)]);
    const registration = { key: key(9).publicKey, org: "org-0", roles: ["staff"] };
    expect(await h.block([h.tx("identity.register", registration, key(1))])).toMatchObject([
      { status: "ok" },
    ]);
    await expect(
      h.ledger.checkSender(h.tx("identity.register", registration, old)),
    ).rejects.toMatchObject({ code: "SENDER_UNKNOWN" });
  });

  it("refuses a change that would leave no admin, or names keys it cannot apply", async () => {
    const expiresAt = h.ledger.head.time + DAY_MS;
    const admin = h.org(0).admin;
    const propose = (change: Canonical) =>
      h.single(h.tx("gov.propose", { org: "org-0", change, expiresAt }, admin));
    const cases: Array<[Canonical, string]> = [
      [{ kind: "org.admins", org: "org-0", add: [], remove: [admin.publicKey] }, "LAST_ADMIN"],
      [{ kind: "org.admins", org: "org-0", add: [], remove: [key(2).publicKey] }, "NOT_FOUND"],
      [{ kind: "org.admins", org: "org-0", add: [admin.publicKey], remove: [] }, "ALREADY_EXISTS"],
      [{ kind: "org.admins", org: "org-0", add: [], remove: [] }, "PROPOSAL_INVALID"],
      [{ kind: "org.admins", org: "zzz", add: [key(2).publicKey], remove: [] }, "ORG_NOT_FOUND"],
    ];
    for (const [change, code] of cases) {
      const { receipt, stateChanged } = await propose(change);
      expect(receipt).toMatchObject({ status: "failed", code });
      expect(stateChanged).toBe(false);
    }
  });
});

describe("org.revokeAdmin", () => {
  beforeEach(async () => {
    await pass({ kind: "org.admins", org: "org-0", add: [key(1).publicKey], remove: [] });
  });

  it("lets another admin of the organization revoke a key at once", async () => {
    const { receipt } = await h.single(revokeAdmin(h.org(0).admin, key(1)));
    expect(receipt.status).toBe("ok");
    expect(await adminsOf("org-0")).toEqual([toHex(key(1).publicKey)]);
    // The revoked key, registered as nothing else, can no longer have transactions admitted.
    await expect(h.ledger.checkSender(revokeAdmin(key(1), h.org(0).admin))).rejects.toMatchObject({
      code: "SENDER_UNKNOWN",
    });
  });

  it("refuses to remove the last admin key, changing nothing", async () => {
    await h.single(revokeAdmin(h.org(0).admin, key(1)));
    const { receipt, stateChanged } = await h.single(revokeAdmin(key(1), key(1)));
    expect(receipt).toMatchObject({ status: "failed", code: "LAST_ADMIN" });
    expect(stateChanged).toBe(false);
  });

  it("refuses an admin of another organization and a key that is no admin", async () => {
    const outsider = await h.single(revokeAdmin(key(1), h.org(1).admin));
    expect(outsider.receipt).toMatchObject({ status: "failed", code: "UNAUTHORIZED" });
    expect(outsider.stateChanged).toBe(false);
    const notAdmin = await h.single(revokeAdmin(h.org(1).admin, key(1)));
    expect(notAdmin.receipt).toMatchObject({ status: "failed", code: "NOT_FOUND" });
    expect(notAdmin.stateChanged).toBe(false);
  });
});

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
    const who = await h.query("identity.key", { key: toHex(user(1).publicKey) });
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
    const who = await h.query("identity.key", { key: toHex(user(1).publicKey) });
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
    const orgs = (await h.query("identity.organizations")) as { items: Array<{ id: string }> };
    expect(orgs.items.map((org) => org.id)).toEqual(["org-0", "org-1", "org-2", "org-3"]);
    const admin = toHex(h.org(2).admin.publicKey);
    const who = await h.query("identity.key", { key: admin });
    expect(who).toMatchObject({ identity: null, adminOf: ["org-2"], revoked: false });
    const org = await h.query("identity.organization", { id: "org-1" });
    expect(org).toMatchObject({ id: "org-1", kind: "hospital" });
  });
});

describe("query paging", () => {
  type Page = { items: Array<{ id: string }>; next: string | null };

  it("pages a list with a resumable cursor bound to its query", async () => {
    const first = (await h.query("identity.organizations", { limit: "3" })) as Page;
    expect(first.items.map((org) => org.id)).toEqual(["org-0", "org-1", "org-2"]);
    expect(first.next).toEqual(expect.any(String));
    const rest = (await h.query("identity.organizations", {
      limit: "3",
      cursor: first.next,
    })) as Page;
    expect(rest).toEqual({ items: [expect.objectContaining({ id: "org-3" })], next: null });
    const exact = (await h.query("identity.organizations", { limit: "4" })) as Page;
    expect(exact.next).toBeNull();
    await expect(h.query("gov.proposals", { cursor: first.next as string })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "cursor is for another query",
    });
  });

  it("refuses parameters outside the query's schema with BAD_REQUEST", async () => {
    for (const params of [
      { limit: "0" },
      { limit: "1001" },
      { cursor: "not base64!" },
      { x: "1" },
    ]) {
      await expect(h.query("identity.organizations", params)).rejects.toMatchObject({
        code: "BAD_REQUEST",
      });
    }
    await expect(h.query("identity.key", { key: "AB" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });
});

describe("query access", () => {
  const callerOf = (index: number, roles: string[], org = "org-0") => ({
    key: toHex(user(index).publicKey),
    identity: { org, roles },
    adminOf: [],
  });

  it("refuses anonymous callers REQUEST_UNSIGNED and callers the declared access leaves out FORBIDDEN", async () => {
    const patient = callerOf(1, ["patient"]);
    const clinician = callerOf(2, ["clinician"]);
    const other = { key: toHex(user(3).publicKey) };
    await expect(h.query("identity.organizations", {}, null)).rejects.toMatchObject({
      code: "REQUEST_UNSIGNED",
    });
    // A patient may ask who it is, and see the directory, but not who another key is.
    expect(await h.query("identity.key", { key: patient.key }, patient)).toMatchObject({
      identity: null,
    });
    expect(await h.query("identity.organizations", {}, patient)).toMatchObject({ next: null });
    await expect(h.query("identity.key", other, patient)).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(h.query("gov.proposals", {}, patient)).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    // Nobody but the key itself and operators learns about a key no organization holds.
    await expect(h.query("identity.key", other, clinician)).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    expect(await h.query("identity.key", other)).toMatchObject({ identity: null });
    // The node's own reads skip the access check.
    expect(await h.ledger.reads.trustedQuery("identity.key", other)).toMatchObject({
      key: other.key,
    });
  });

  it("shows a patient's key to its own organization's staff and operators, and to nobody else", async () => {
    await h.single(register(4, 0, h.org(0).admin, ["patient"]));
    const patientKey = { key: toHex(user(4).publicKey) };
    for (const [who, caller] of [
      ["a clinician of org-0", callerOf(2, ["clinician"])],
      ["front-desk staff of org-0", callerOf(2, ["staff"])],
      ["an operator of org-1", callerOf(2, ["operator"], "org-1")],
      [
        "an admin of org-1",
        { key: toHex(h.org(1).admin.publicKey), identity: null, adminOf: ["org-1"] },
      ],
    ] as const) {
      expect([who, await h.query("identity.key", patientKey, caller)]).toMatchObject([
        who,
        { identity: { org: "org-0", roles: ["patient"] } },
      ]);
    }
    for (const [who, caller] of [
      ["a clinician of org-1", callerOf(2, ["clinician"], "org-1")],
      ["staff of org-1", callerOf(2, ["staff"], "org-1")],
      ["another patient of org-0", callerOf(3, ["patient"])],
      ["a clinician of org-0 who is a patient too", callerOf(2, ["clinician", "patient"])],
    ] as const) {
      const refused = await h.query("identity.key", patientKey, caller).catch((error) => error);
      expect([who, refused]).toMatchObject([who, { code: "FORBIDDEN" }]);
    }
  });

  it("lists an organization's members to its admins and operators, not to its staff", async () => {
    await h.single(register(4, 0, h.org(0).admin, ["patient"]));
    const org0 = { org: "org-0" };
    const admin1 = { key: toHex(h.org(1).admin.publicKey), identity: null, adminOf: ["org-1"] };
    expect(await h.query("identity.members", org0)).toMatchObject({
      items: [{ key: toHex(user(4).publicKey) }],
    });
    expect(
      await h.query("identity.members", org0, callerOf(2, ["operator"], "org-1")),
    ).toMatchObject({ next: null });
    // admin1 is an operator (an admin of some organization), so it reads the roster too.
    expect(await h.query("identity.members", org0, admin1)).toMatchObject({ next: null });
    for (const roles of [["staff"], ["clinician"], ["researcher"]]) {
      const refused = await h
        .query("identity.members", org0, callerOf(2, roles))
        .catch((error) => error);
      expect([roles, refused]).toMatchObject([roles, { code: "FORBIDDEN" }]);
    }
  });
});

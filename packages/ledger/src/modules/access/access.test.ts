import { type AccessEntry, fromHex, type Receipt } from "@careledger/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CareWorld, hash, RECORD } from "../consent/care.testkit.js";
import { breakGlassKey } from "./state.js";

let w: CareWorld;
beforeEach(async () => {
  w = await CareWorld.create("access");
  await w.anchor(RECORD, "lab");
});
afterEach(() => w.close());

type Page = { items: AccessEntry[]; next: string | null };

async function breakGlass(): Promise<{ id: string; receipt: Receipt }> {
  const tx = w.accessTx("clinician", "BTG");
  const { receipt } = await w.h.single(tx);
  return { id: Buffer.from(tx.id).toString("hex"), receipt };
}

const reviewTx = (access: string, org = "org-0", by = w.h.org(0).admin, justified = true) =>
  w.h.tx("access.review", { org, access: fromHex(access), justified }, by);

describe("access.log", () => {
  it("commits a deny with its result and an event, and writes no state", async () => {
    const { receipt, stateChanged } = await w.h.single(w.accessTx("staff"));
    expect(receipt).toMatchObject({
      status: "ok",
      result: { decision: "deny", reason: "no-consent", accessor: w.hex("staff") },
      events: [
        {
          type: "access.logged",
          attributes: { record: RECORD, decision: "deny", breakGlass: false },
        },
      ],
    });
    expect(stateChanged).toBe(false);
  });

  it("fails RECORD_NOT_FOUND for an unknown record or version, RECORD_FORGOTTEN once forgotten", async () => {
    const unknown = await w.h.single(w.accessTx("clinician", "TREAT", "access", "9".repeat(32)));
    expect(unknown.receipt).toMatchObject({ status: "failed", code: "RECORD_NOT_FOUND" });
    const amend = w.h.tx(
      "record.amend",
      { id: RECORD, custodian: "org-0", previous: 1, hash: hash(2) },
      w.signer("clinician"),
    );
    await w.h.single(amend);
    const v1 = await w.h.single(w.accessTx("clinician", "TREAT", "access", RECORD, 1));
    expect(v1.receipt).toMatchObject({ status: "ok", result: { version: 1 } });
    expect(CareWorld.result((await w.h.single(w.accessTx("clinician"))).receipt).version).toBe(2);
    const v3 = await w.h.single(w.accessTx("clinician", "TREAT", "access", RECORD, 3));
    expect(v3.receipt).toMatchObject({ status: "failed", code: "RECORD_NOT_FOUND" });
    const forget = w.h.tx(
      "record.forget",
      { id: RECORD, patient: w.key("patient") },
      w.signer("patient"),
    );
    await w.h.single(forget);
    const gone = await w.h.single(w.accessTx("clinician", "BTG"));
    expect(gone).toMatchObject({
      receipt: { status: "failed", code: "RECORD_FORGOTTEN" },
      stateChanged: false,
    });
  });

  it("fails UNAUTHORIZED from a sender with none of the accessing roles", async () => {
    const built = await w.h.build([
      w.h.tx(
        "access.log",
        { record: RECORD, purpose: "TREAT", action: "access" },
        w.h.org(0).admin,
      ),
    ]);
    // An org admin with no registration holds none of the roles: a failed receipt, UNAUTHORIZED.
    expect(built.excluded).toEqual([]);
    expect(built.result.receipts[0]).toMatchObject({ status: "failed", code: "UNAUTHORIZED" });
  });

  it("keeps a break-the-glass access for its organization's review and in the patient's history", async () => {
    const { id, receipt } = await breakGlass();
    expect(CareWorld.result(receipt)).toMatchObject({ reason: "break-glass", breakGlass: true });
    const state = await w.h.ledger.reads.proveState(breakGlassKey("org-0", id));
    expect(state.value).toMatchObject({ access: id, breakGlass: true, accessorOrg: "org-0" });
    const waiting = (await w.h.query("access.breakGlass", { org: "org-0" })) as Page;
    expect(waiting.items.map((entry) => entry.access)).toEqual([id]);
    const history = (await w.h.query("access.history", { patient: w.hex("patient") })) as Page;
    expect(history.items).toMatchObject([{ access: id, breakGlass: true, purpose: "BTG" }]);
  });
});

describe("access.review", () => {
  it("closes the review: off the waiting list, the review in the histories", async () => {
    const { id } = await breakGlass();
    const { receipt, stateChanged } = await w.h.single(
      reviewTx(id, "org-0", w.h.org(0).admin, false),
    );
    expect(receipt).toMatchObject({
      status: "ok",
      result: { access: id, review: { justified: false } },
    });
    expect(stateChanged).toBe(true);
    expect(await w.h.query("access.breakGlass", { org: "org-0" })).toEqual({
      items: [],
      next: null,
    });
    const history = (await w.h.query("access.history", { patient: w.hex("patient") })) as Page;
    expect(history.items).toHaveLength(1);
    expect(history.items[0]?.review).toEqual({
      justified: false,
      height: w.h.ledger.head.height,
      time: w.time,
      by: Buffer.from(w.h.org(0).admin.publicKey).toString("hex"),
    });
    const custodian = (await w.h.query("access.ofCustodian", { org: "org-0" })) as Page;
    expect(custodian.items[0]?.review?.justified).toBe(false);
  });

  it("fails ACCESS_NOT_FOUND twice or under another organization, UNAUTHORIZED from a non-admin", async () => {
    const { id } = await breakGlass();
    const other = await w.h.single(reviewTx(id, "org-1", w.h.org(1).admin));
    expect(other).toMatchObject({
      receipt: { status: "failed", code: "ACCESS_NOT_FOUND" },
      stateChanged: false,
    });
    const notAdmin = await w.h.single(reviewTx(id, "org-0", w.signer("clinician")));
    expect(notAdmin.receipt).toMatchObject({ status: "failed", code: "UNAUTHORIZED" });
    await w.h.single(reviewTx(id));
    const twice = await w.h.single(reviewTx(id));
    expect(twice).toMatchObject({
      receipt: { status: "failed", code: "ACCESS_NOT_FOUND" },
      stateChanged: false,
    });
  });
});

describe("access.review of one's own access", () => {
  it("fails UNAUTHORIZED when the admin reviewing is the clinician who broke the glass", async () => {
    const admin = w.h.org(0).admin;
    const register = w.h.tx(
      "identity.register",
      { key: admin.publicKey, org: "org-0", roles: ["clinician"] },
      admin,
    );
    expect((await w.h.single(register)).receipt.status).toBe("ok");
    const tx = w.h.tx("access.log", { record: RECORD, purpose: "BTG", action: "access" }, admin);
    expect((await w.h.single(tx)).receipt).toMatchObject({ result: { breakGlass: true } });
    const id = Buffer.from(tx.id).toString("hex");
    const own = await w.h.single(reviewTx(id, "org-0", admin));
    expect(own).toMatchObject({
      receipt: { status: "failed", code: "UNAUTHORIZED" },
      stateChanged: false,
    });
  });
});

describe("access histories", () => {
  it("list a patient's accesses newest first, page by page", async () => {
    const receipts = [];
    for (const who of ["clinician", "staff", "pharmacist"] as const)
      receipts.push(await w.access(who));
    const first = (await w.h.query("access.history", {
      patient: w.hex("patient"),
      limit: "2",
    })) as Page;
    expect(first.items.map((entry) => entry.accessor)).toEqual([
      w.hex("pharmacist"),
      w.hex("staff"),
    ]);
    const rest = (await w.h.query("access.history", {
      patient: w.hex("patient"),
      limit: "2",
      cursor: first.next,
    })) as Page;
    expect(rest).toMatchObject({ items: [{ accessor: w.hex("clinician") }], next: null });
    expect(await w.h.query("access.history", { patient: w.hex("otherPatient") })).toEqual({
      items: [],
      next: null,
    });
  });

  it("show the custodian's accesses to its people and operators, break-the-glass lists to admins", async () => {
    await w.access("staff");
    expect(
      await w.h.query("access.ofCustodian", { org: "org-0" }, w.caller("staff")),
    ).toMatchObject({
      items: [{ accessor: w.hex("staff") }],
    });
    for (const who of ["clinicClinician", "patient"] as const) {
      const refused = await w.h
        .query("access.ofCustodian", { org: "org-0" }, w.caller(who))
        .catch((e) => e);
      expect([who, refused]).toMatchObject([who, { code: "FORBIDDEN" }]);
    }
    const asClinician = await w.h
      .query("access.breakGlass", { org: "org-0" }, w.caller("clinician"))
      .catch((e) => e);
    expect(asClinician).toMatchObject({ code: "FORBIDDEN" });
    expect(await w.h.query("access.breakGlass", { org: "org-0" }, w.admin(0))).toMatchObject({
      items: [],
    });
  });
});

import { RECORD_VERSIONS_MAX, type RecordView } from "@careledger/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { anchorHash, CareWorld, hash, RECORD } from "../consent/care.testkit.js";
import { recordHashKey, recordKey } from "./state.js";

let w: CareWorld;
beforeEach(async () => {
  w = await CareWorld.create("record");
});
afterEach(() => w.close());

const amendTx = (previous: number, by = w.signer("clinician"), custodian = "org-0") =>
  w.h.tx("record.amend", { id: RECORD, custodian, previous, hash: hash(previous + 1) }, by);
const forgetTx = (by = w.signer("patient"), patient = w.key("patient")) =>
  w.h.tx("record.forget", { id: RECORD, patient }, by);
const forgottenTx = (by = w.h.org(0).node, custodian = "org-0") =>
  w.h.tx("record.forgotten", { id: RECORD, custodian }, by);

async function expectFailure(tx: ReturnType<typeof forgetTx>, code: string) {
  const { receipt, stateChanged } = await w.h.single(tx);
  expect(receipt).toMatchObject({ status: "failed", code });
  expect(stateChanged).toBe(false);
}

const stateOf = async () =>
  (await w.h.ledger.reads.proveState(recordKey(RECORD))).value as RecordView | null;

describe("record.anchor", () => {
  it("keeps exactly a RecordView at record/<id>", async () => {
    await w.anchor(RECORD, "imaging");
    const anchoredAt = { height: 2, time: w.time, by: w.hex("clinician") };
    const view: RecordView = {
      id: RECORD,
      patient: w.hex("patient"),
      class: "imaging",
      custodian: "org-0",
      status: "active",
      versions: [{ version: 1, hash: RECORD + RECORD, anchored: anchoredAt }],
    };
    expect(await stateOf()).toEqual(view);
    expect(await w.h.query("record.get", { id: RECORD })).toEqual(view);
    expect(await w.h.query("record.ofPatient", { patient: w.hex("patient") })).toEqual({
      items: [view],
      next: null,
    });
  });

  it("fails ALREADY_EXISTS, NOT_A_PATIENT, and UNAUTHORIZED outside the custodian or its roles", async () => {
    await w.anchor();
    await expectFailure(w.anchorTx(), "ALREADY_EXISTS");
    await expectFailure(w.anchorTx("2".repeat(32), "lab", "staff"), "NOT_A_PATIENT");
    // A clinic's clinician anchoring for org-0, and the hospital's pharmacist.
    await expectFailure(
      w.anchorTx("3".repeat(32), "lab", "patient", "clinicClinician"),
      "UNAUTHORIZED",
    );
    await expectFailure(w.anchorTx("4".repeat(32), "lab", "patient", "pharmacist"), "UNAUTHORIZED");
    // Staff of the custodian may anchor.
    expect(
      (await w.h.single(w.anchorTx("5".repeat(32), "lab", "patient", "staff"))).receipt.status,
    ).toBe("ok");
  });
});

describe("one ciphertext hash, one record version (B2)", () => {
  const Other = "2".repeat(32);
  const hashUse = async (hashHex: string) =>
    (await w.h.ledger.reads.proveState(recordHashKey(hashHex))).value;

  it("indexes record/h/<hash> to {id, version} at anchor and amend", async () => {
    await w.anchor();
    await w.h.single(amendTx(1));
    expect(await hashUse(RECORD + RECORD)).toEqual({ id: RECORD, version: 1 });
    expect(await hashUse("02".repeat(32))).toEqual({ id: RECORD, version: 2 });
    // record/<id> still holds exactly a RecordView.
    expect(Object.keys((await stateOf()) ?? {}).sort()).toEqual(
      ["class", "custodian", "id", "patient", "status", "versions"].sort(),
    );
  });

  it("fails RECORD_HASH_REUSED for a hash anchored before, under another patient's record or its own", async () => {
    await w.anchor();
    // Another patient's record anchored with the first record's hash.
    const stolen = w.anchorTx(Other, "lab", "otherPatient", "clinician", anchorHash(RECORD));
    await expectFailure(stolen, "RECORD_HASH_REUSED");
    // An amend reusing an earlier version's hash, of its own record or another's.
    const again = w.h.tx(
      "record.amend",
      { id: RECORD, custodian: "org-0", previous: 1, hash: anchorHash(RECORD) },
      w.signer("clinician"),
    );
    await expectFailure(again, "RECORD_HASH_REUSED");
    await w.anchor(Other, "lab", "otherPatient");
    const borrowed = w.h.tx(
      "record.amend",
      { id: Other, custodian: "org-0", previous: 1, hash: anchorHash(RECORD) },
      w.signer("clinician"),
    );
    await expectFailure(borrowed, "RECORD_HASH_REUSED");
    // A forgotten record's hash stays claimed: the chain keeps that it existed.
    await w.h.single(forgetTx());
    await expectFailure(
      w.anchorTx("3".repeat(32), "lab", "patient", "clinician", anchorHash(RECORD)),
      "RECORD_HASH_REUSED",
    );
  });
});

describe("record.amend", () => {
  it("adds the next version after the latest and keeps the earlier ones", async () => {
    await w.anchor();
    const receipts = await w.h.block([amendTx(1), amendTx(2, w.signer("staff"))]);
    expect(receipts.map((receipt) => receipt.status)).toEqual(["ok", "ok"]);
    const record = await stateOf();
    expect(record?.versions.map((version) => [version.version, version.hash])).toEqual([
      [1, RECORD + RECORD],
      [2, "02".repeat(32)],
      [3, "03".repeat(32)],
    ]);
  });

  it("fails RECORD_VERSION_CONFLICT on a stale previous, RECORD_NOT_FOUND on an unknown record", async () => {
    await expectFailure(amendTx(1), "RECORD_NOT_FOUND");
    await w.anchor();
    await w.h.single(amendTx(1));
    await expectFailure(amendTx(1), "RECORD_VERSION_CONFLICT");
    await expectFailure(amendTx(3), "RECORD_VERSION_CONFLICT");
  });

  it("fails UNAUTHORIZED from another custodian, RECORD_FORGOTTEN once forgetting", async () => {
    await w.anchor();
    await expectFailure(amendTx(1, w.signer("clinicClinician"), "org-1"), "UNAUTHORIZED");
    await expectFailure(amendTx(1, w.signer("clinicClinician")), "UNAUTHORIZED");
    await w.h.single(forgetTx());
    await expectFailure(amendTx(1), "RECORD_FORGOTTEN");
  });

  it("fails LIST_FULL past RECORD_VERSIONS_MAX versions", async () => {
    await w.anchor();
    const amends = Array.from({ length: RECORD_VERSIONS_MAX - 1 }, (_, index) =>
      amendTx(index + 1),
    );
    const receipts = await w.h.block(amends);
    expect(receipts.every((receipt) => receipt.status === "ok")).toBe(true);
    await expectFailure(amendTx(RECORD_VERSIONS_MAX), "LIST_FULL");
  });
});

describe("record.forget and record.forgotten", () => {
  it("turns active to forgetting (patient or delegate) and forgetting to forgotten (custodian node)", async () => {
    await w.anchor();
    await w.h.single(w.delegateTx({ start: w.time }));
    const forget = await w.h.single(forgetTx(w.signer("guardian")));
    expect(forget.receipt).toMatchObject({
      status: "ok",
      events: [{ type: "record.forgetting", attributes: { id: RECORD, custodian: "org-0" } }],
    });
    expect(await stateOf()).toMatchObject({
      status: "forgetting",
      forgetRequested: { by: w.hex("guardian") },
    });
    await expectFailure(forgetTx(), "RECORD_FORGOTTEN");
    expect((await w.h.single(forgottenTx())).receipt.status).toBe("ok");
    const record = await stateOf();
    expect(record).toMatchObject({
      status: "forgotten",
      forgotten: { height: w.h.ledger.head.height },
    });
    // The hashes stay: the chain keeps that the record existed.
    expect(record?.versions).toHaveLength(1);
    await expectFailure(forgottenTx(), "RECORD_NOT_FORGETTING");
  });

  it("refuses forget from a stranger or for another patient's record", async () => {
    await w.anchor();
    await expectFailure(forgetTx(w.signer("clinician")), "UNAUTHORIZED");
    await expectFailure(forgetTx(w.signer("otherPatient"), w.key("otherPatient")), "UNAUTHORIZED");
    const unknown = w.h.tx(
      "record.forget",
      { id: "7".repeat(32), patient: w.key("patient") },
      w.signer("patient"),
    );
    await expectFailure(unknown, "RECORD_NOT_FOUND");
  });

  it("refuses forgotten before forget, from another organization's node, or naming another custodian", async () => {
    await w.anchor();
    await expectFailure(forgottenTx(), "RECORD_NOT_FORGETTING");
    await w.h.single(forgetTx());
    await expectFailure(forgottenTx(w.h.org(1).node), "UNAUTHORIZED");
    await expectFailure(forgottenTx(w.h.org(1).node, "org-1"), "UNAUTHORIZED");
    await expectFailure(forgottenTx(w.signer("clinician")), "UNAUTHORIZED");
  });
});

describe("record query access", () => {
  it("shows a record to the patient, its delegates, the custodian's people and operators only", async () => {
    await w.anchor();
    await w.h.single(w.delegateTx({ start: w.time }));
    for (const who of ["patient", "guardian", "clinician", "staff"] as const) {
      expect([who, await w.h.query("record.get", { id: RECORD }, w.caller(who))]).toMatchObject([
        who,
        { id: RECORD },
      ]);
    }
    expect(await w.h.query("record.get", { id: RECORD }, w.admin(2))).toMatchObject({ id: RECORD });
    for (const who of ["otherPatient", "clinicClinician", "insurerAgent"] as const) {
      const refused = await w.h.query("record.get", { id: RECORD }, w.caller(who)).catch((e) => e);
      expect([who, refused]).toMatchObject([who, { code: "FORBIDDEN" }]);
    }
    const unknown = await w.h
      .query("record.get", { id: "8".repeat(32) }, w.caller("clinician"))
      .catch((e) => e);
    expect(unknown).toMatchObject({ code: "FORBIDDEN" });
    expect(await w.h.query("record.get", { id: "8".repeat(32) })).toBeNull();
  });
});

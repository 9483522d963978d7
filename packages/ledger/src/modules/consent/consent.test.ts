import type { Canonical } from "@careledger/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CareWorld, consentId, RECORD } from "./care.testkit.js";
import { CONSENTS_PER_GRANTEE_MAX, DELEGATES_MAX, granteeKeyList } from "./state.js";

let w: CareWorld;
beforeEach(async () => {
  w = await CareWorld.create("consent");
});
afterEach(() => w.close());

async function failsWith(tx: ReturnType<CareWorld["grantTx"]>, code: string) {
  const { receipt, stateChanged } = await w.h.single(tx);
  expect(receipt).toMatchObject({ status: "failed", code });
  expect(stateChanged).toBe(false);
}

describe("consent.grant", () => {
  it("stores the consent, active, and lists it for the patient and the grantee", async () => {
    const id = await w.grant({ classes: ["lab"], deny: [{ records: [RECORD] }] });
    const view = await w.h.query("consent.get", { id });
    expect(view).toMatchObject({
      id,
      patient: w.hex("patient"),
      grantee: { key: w.hex("clinician") },
      classes: ["lab"],
      deny: [{ records: [RECORD] }],
      status: "active",
      expired: false,
      granted: { height: 2, by: w.hex("patient") },
    });
    const mine = await w.h.query("consent.ofPatient", { patient: w.hex("patient") });
    expect(mine).toMatchObject({ items: [{ id }], next: null });
    const toKey = await w.h.query("consent.toKey", { key: w.hex("clinician") });
    expect(toKey).toMatchObject({ items: [{ id }] });
    const org = await w.grant({ grantee: { org: "org-1" } });
    expect(await w.h.query("consent.toOrg", { org: "org-1" })).toMatchObject({
      items: [{ id: org }],
    });
  });

  it("takes a grant from a delegate in force, not from one expired, ended or never named", async () => {
    await w.h.single(w.delegateTx({ start: w.time, end: w.time + 3_000 }));
    await w.grant({}, "guardian");
    // Another key the patient never named.
    await failsWith(w.grantTx({}, "otherPatient"), "UNAUTHORIZED");
    await w.h.block([]); // time passes beyond the delegation's end
    await failsWith(w.grantTx({}, "guardian"), "UNAUTHORIZED");
    await w.h.single(w.delegateTx({ start: w.time }));
    await w.grant({}, "guardian");
    const undelegate = w.h.tx(
      "consent.undelegate",
      { patient: w.key("patient"), delegate: w.key("guardian") },
      w.signer("guardian"),
    );
    expect((await w.h.single(undelegate)).receipt.status).toBe("ok");
    await failsWith(w.grantTx({}, "guardian"), "UNAUTHORIZED");
  });

  it("fails NOT_A_PATIENT for a key that is not a registered patient", async () => {
    const tx = w.h.tx(
      "consent.grant",
      {
        id: consentId(),
        patient: w.key("staff"),
        grantee: { key: w.key("clinician") },
        actions: ["access"],
        purposes: ["TREAT"],
        period: { start: w.time },
      } as Canonical,
      w.signer("staff"),
    );
    await failsWith(tx, "NOT_A_PATIENT");
  });

  it("fails ALREADY_EXISTS for a used id and CONSENT_TOMBSTONED for a revoked-first one", async () => {
    const id = await w.grant({});
    await failsWith(w.grantTx({ id }), "ALREADY_EXISTS");
    const early = consentId();
    await w.h.single(w.revokeTx(early));
    await failsWith(w.grantTx({ id: early }), "CONSENT_TOMBSTONED");
  });

  it("grants over another patient's tombstone: a revoke of a seen id cannot pre-empt the grant", async () => {
    const id = consentId();
    await w.h.single(w.revokeTx(id, "otherPatient", "otherPatient"));
    expect((await w.h.single(w.grantTx({ id }))).receipt.status).toBe("ok");
    expect(await w.h.query("consent.get", { id })).toMatchObject({ id, status: "active" });
    await failsWith(w.revokeTx(id, "otherPatient", "otherPatient"), "UNAUTHORIZED");
  });

  it("fails NOT_FOUND for an unregistered grantee key, ORG_NOT_FOUND for an unknown org", async () => {
    await failsWith(w.grantTx({ grantee: { key: new Uint8Array(32).fill(5) } }), "NOT_FOUND");
    await failsWith(w.grantTx({ grantee: { org: "nowhere" } }), "ORG_NOT_FOUND");
  });

  it("fails CONSENT_INVALID for a period ending first, classes with records, or the patient itself", async () => {
    await failsWith(w.grantTx({ period: { start: w.time, end: w.time } }), "CONSENT_INVALID");
    await failsWith(w.grantTx({ classes: ["lab"], records: [RECORD] }), "CONSENT_INVALID");
    await failsWith(w.grantTx({ grantee: { key: w.key("patient") } }), "CONSENT_INVALID");
  });

  it("fails TX_PAYLOAD_INVALID past the schema's bounds (excluded from the block)", async () => {
    const built = await w.h.build([w.grantTx({ purposes: Array(17).fill("TREAT") })]);
    expect(built.excluded).toMatchObject([{ code: "TX_PAYLOAD_INVALID" }]);
  });

  it("fails LIST_FULL past the consents one patient keeps for one grantee", async () => {
    const grants = Array.from({ length: CONSENTS_PER_GRANTEE_MAX }, () => w.grantTx({}));
    const receipts = await w.h.block(grants);
    expect(receipts.every((receipt) => receipt.status === "ok")).toBe(true);
    await failsWith(w.grantTx({}), "LIST_FULL");
    // Another grantee has its own list.
    expect((await w.h.single(w.grantTx({ grantee: { org: "org-0" } }))).receipt.status).toBe("ok");
  });
});

describe("a full grantee list (S5)", () => {
  it("drops consents revoked or expired by the block's time to make room, and says so for past decisions", async () => {
    const start = w.time;
    const grants = Array.from({ length: CONSENTS_PER_GRANTEE_MAX }, (_, index) =>
      // The first one ends in a second; the rest stay open.
      w.grantTx(index === 0 ? { period: { start, end: start + 1_000 } } : {}),
    );
    const receipts = await w.h.block(grants);
    expect(receipts.every((receipt) => receipt.status === "ok")).toBe(true);
    const ids = grants.map((tx) => (tx.tx.payload as { id: string }).id);
    await w.h.single(w.revokeTx(ids[1] as string));
    const revokedAt = w.time;
    await w.h.block([]); // past the first one's end and the revocation
    const fresh = w.grantTx({});
    expect((await w.h.single(fresh)).receipt.status).toBe("ok");
    const list = (
      await w.h.ledger.reads.proveState(granteeKeyList(w.hex("patient"), w.hex("clinician")))
    ).value as string[];
    expect(list).toHaveLength(CONSENTS_PER_GRANTEE_MAX - 1);
    expect(list).not.toContain(ids[0]);
    expect(list).not.toContain(ids[1]);
    expect(list).toContain((fresh.tx.payload as { id: string }).id);
    // The pruned consents stay readable.
    expect(await w.h.query("consent.get", { id: ids[1] as string })).toMatchObject({
      status: "inactive",
    });
    // A decision about a time they could have decided is refused with its code, not guessed.
    await w.anchor();
    const ask = (time: number) =>
      w.h.query("consent.decision", {
        accessor: w.hex("clinician"),
        record: RECORD,
        action: "access",
        purpose: "TREAT",
        time,
      });
    await expect(ask(revokedAt - 1)).rejects.toMatchObject({
      code: "CONSENT_HISTORY_PRUNED",
      details: { prunedUntil: revokedAt },
    });
    expect(await ask(revokedAt)).toMatchObject({ decision: "permit" });
    expect(await ask(w.time)).toMatchObject({ decision: "permit" });
  });

  it("still fails LIST_FULL when every listed consent is in force or to come", async () => {
    const grants = Array.from({ length: CONSENTS_PER_GRANTEE_MAX }, () =>
      w.grantTx({ period: { start: w.time + 60_000 } }),
    );
    await w.h.block(grants);
    await failsWith(w.grantTx({}), "LIST_FULL");
  });
});

describe("consent.grant to an organization (S4)", () => {
  it("fails CONSENT_INVALID when no role there could use any of its purposes", async () => {
    await failsWith(
      w.grantTx({ grantee: { org: "org-2" }, purposes: ["HMARKT", "FAMRQT"] }),
      "CONSENT_INVALID",
    );
    expect(
      (await w.h.single(w.grantTx({ grantee: { org: "org-2" }, purposes: ["HMARKT", "HPAYMT"] })))
        .receipt.status,
    ).toBe("ok");
    // A key grantee may be named for any purpose.
    expect(
      (
        await w.h.single(
          w.grantTx({ grantee: { key: w.key("insurerAgent") }, purposes: ["HMARKT"] }),
        )
      ).receipt.status,
    ).toBe("ok");
  });
});

describe("consent.revoke", () => {
  it("revokes from its block on: the consent reads inactive, with its revocation", async () => {
    const id = await w.grant({});
    expect((await w.h.single(w.revokeTx(id))).receipt.status).toBe("ok");
    expect(await w.h.query("consent.get", { id })).toMatchObject({
      status: "inactive",
      expired: false,
      revoked: { height: 3, by: w.hex("patient") },
    });
  });

  it("reads an expired consent as inactive too", async () => {
    const id = await w.grant({ period: { start: w.time, end: w.time + 1_500 } });
    expect(await w.h.query("consent.get", { id })).toMatchObject({ status: "active" });
    await w.h.block([]);
    expect(await w.h.query("consent.get", { id })).toMatchObject({
      status: "inactive",
      expired: true,
    });
  });

  it("leaves a tombstone for an unknown id, which reads as null and revokes once", async () => {
    const id = consentId();
    expect((await w.h.single(w.revokeTx(id))).receipt.status).toBe("ok");
    expect(await w.h.query("consent.get", { id })).toBeNull();
    await failsWith(w.revokeTx(id), "CONSENT_TOMBSTONED");
  });

  it("fails CONSENT_REVOKED twice, UNAUTHORIZED for another patient's or from a stranger", async () => {
    const id = await w.grant({});
    await failsWith(w.revokeTx(id, "otherPatient", "otherPatient"), "UNAUTHORIZED");
    await failsWith(w.revokeTx(id, "clinician", "patient"), "UNAUTHORIZED");
    await w.h.single(w.revokeTx(id));
    await failsWith(w.revokeTx(id), "CONSENT_REVOKED");
  });

  it("leaves a tombstone only for a registered patient (NOT_A_PATIENT otherwise)", async () => {
    // The clinician names itself as the patient: it is the sender, but no patient.
    await failsWith(w.revokeTx(consentId(), "clinician", "clinician"), "NOT_A_PATIENT");
  });

  it("lets a delegate in force revoke", async () => {
    const id = await w.grant({});
    await w.h.single(w.delegateTx({ start: w.time }));
    expect((await w.h.single(w.revokeTx(id, "guardian"))).receipt.status).toBe("ok");
  });
});

describe("consent.delegate and consent.undelegate", () => {
  it("names a delegate, listed with its period, and ends it on undelegate", async () => {
    const start = w.time;
    expect((await w.h.single(w.delegateTx({ start }))).receipt.status).toBe("ok");
    const listed = await w.h.query("consent.delegates", { patient: w.hex("patient") });
    expect(listed).toEqual([
      {
        patient: w.hex("patient"),
        delegate: w.hex("guardian"),
        period: { start },
        granted: { height: 2, time: start + 1_000, by: w.hex("patient") },
        active: true,
      },
    ]);
    const undelegate = w.h.tx(
      "consent.undelegate",
      { patient: w.key("patient"), delegate: w.key("guardian") },
      w.signer("patient"),
    );
    expect((await w.h.single(undelegate)).receipt.status).toBe("ok");
    expect(await w.h.query("consent.delegates", { patient: w.hex("patient") })).toMatchObject([
      { active: false, period: { start, end: w.time } },
    ]);
    await failsWith(
      w.h.tx(
        "consent.undelegate",
        { patient: w.key("patient"), delegate: w.key("guardian") },
        w.signer("patient"),
      ),
      "DELEGATE_NOT_FOUND",
    );
  });

  it("refuses undelegate from a third key and DELEGATE_NOT_FOUND for none", async () => {
    await w.h.single(w.delegateTx({ start: w.time }));
    const stranger = w.h.tx(
      "consent.undelegate",
      { patient: w.key("patient"), delegate: w.key("guardian") },
      w.signer("clinician"),
    );
    await failsWith(stranger, "UNAUTHORIZED");
    const none = w.h.tx(
      "consent.undelegate",
      { patient: w.key("patient"), delegate: w.key("staff") },
      w.signer("patient"),
    );
    await failsWith(none, "DELEGATE_NOT_FOUND");
  });

  it("fails NOT_A_PATIENT, NOT_FOUND, CONSENT_INVALID and UNAUTHORIZED by their rules", async () => {
    const fromStaff = w.h.tx(
      "consent.delegate",
      { patient: w.key("staff"), delegate: w.key("guardian"), period: { start: w.time } },
      w.signer("staff"),
    );
    await failsWith(fromStaff, "NOT_A_PATIENT");
    const forOther = w.h.tx(
      "consent.delegate",
      { patient: w.key("patient"), delegate: w.key("guardian"), period: { start: w.time } },
      w.signer("guardian"),
    );
    await failsWith(forOther, "UNAUTHORIZED");
    const unknown = w.h.tx(
      "consent.delegate",
      { patient: w.key("patient"), delegate: new Uint8Array(32).fill(4), period: { start: 0 } },
      w.signer("patient"),
    );
    await failsWith(unknown, "NOT_FOUND");
    await failsWith(w.delegateTx({ start: 0 }, "patient"), "CONSENT_INVALID");
    await failsWith(w.delegateTx({ start: 10, end: 5 }), "CONSENT_INVALID");
  });

  it("keeps at most DELEGATES_MAX delegations, an ended one making room", async () => {
    const people = [
      "guardian",
      "otherPatient",
      "clinician",
      "pharmacist",
      "staff",
      "clinicClinician",
      "insurerAgent",
      "insurerClinician",
    ] as const;
    expect(people).toHaveLength(DELEGATES_MAX);
    const end = w.time + 2_500;
    const receipts = await w.h.block(
      people.map((who, index) => w.delegateTx(index === 0 ? { start: 0, end } : { start: 0 }, who)),
    );
    expect(receipts.every((receipt) => receipt.status === "ok")).toBe(true);
    // guardian's delegation is still in force: the list is full.
    await failsWith(w.delegateTx({ start: 0 }, "regulator"), "LIST_FULL");
    await w.h.block([]);
    expect((await w.h.single(w.delegateTx({ start: 0 }, "regulator"))).receipt.status).toBe("ok");
    const listed = (await w.h.query("consent.delegates", { patient: w.hex("patient") })) as Array<{
      delegate: string;
    }>;
    expect(listed.map((entry) => entry.delegate)).not.toContain(w.hex("guardian"));
    expect(listed).toHaveLength(DELEGATES_MAX);
  });
});

describe("consent query access", () => {
  it("shows a consent to its parties and operators, and refuses everyone else", async () => {
    const id = await w.grant({ grantee: { org: "org-1" } });
    await w.h.single(w.delegateTx({ start: w.time }));
    for (const who of ["patient", "guardian", "clinicClinician"] as const) {
      expect([who, await w.h.query("consent.get", { id }, w.caller(who))]).toMatchObject([
        who,
        { id },
      ]);
    }
    expect(await w.h.query("consent.get", { id }, w.admin(3))).toMatchObject({ id });
    for (const who of ["otherPatient", "clinician", "insurerAgent"] as const) {
      const refused = await w.h.query("consent.get", { id }, w.caller(who)).catch((e) => e);
      expect([who, refused]).toMatchObject([who, { code: "FORBIDDEN" }]);
    }
    // An unknown id is refused alike, so a refusal says nothing about it.
    const unknown = await w.h
      .query("consent.get", { id: consentId() }, w.caller("clinician"))
      .catch((e) => e);
    expect(unknown).toMatchObject({ code: "FORBIDDEN" });
  });

  it("lists a patient's consents, history and decisions to it and its delegates in force only", async () => {
    await w.grant({});
    await w.h.single(w.delegateTx({ start: w.time, end: w.time + 2_500 }));
    const params = { patient: w.hex("patient") };
    for (const query of ["consent.ofPatient", "access.history", "record.ofPatient"]) {
      for (const who of ["patient", "guardian"] as const) {
        expect([query, who, await w.h.query(query, params, w.caller(who))]).toMatchObject([
          query,
          who,
          { next: null },
        ]);
      }
      const refused = await w.h.query(query, params, w.caller("clinician")).catch((e) => e);
      expect([query, refused]).toMatchObject([query, { code: "FORBIDDEN" }]);
    }
    await w.h.block([]);
    await w.h.block([]); // the delegation ended
    const ended = await w.h
      .query("consent.ofPatient", params, w.caller("guardian"))
      .catch((e) => e);
    expect(ended).toMatchObject({ code: "FORBIDDEN" });
  });
});

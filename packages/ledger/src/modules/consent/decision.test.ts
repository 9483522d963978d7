import type { Receipt } from "@careledger/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CareWorld, RECORD, RECORD_2 } from "./care.testkit.js";

let w: CareWorld;
beforeEach(async () => {
  w = await CareWorld.create("decision");
  await w.anchor(RECORD, "lab");
  await w.anchor(RECORD_2, "mental-health");
});
afterEach(() => w.close());

const permit = (consent: string | null, reason = "consent") => ({
  decision: "permit",
  reason,
  consent,
  breakGlass: false,
});
const deny = (reason: "no-consent" | "exception", consent: string | null = null) => ({
  decision: "deny",
  reason,
  consent,
  breakGlass: false,
});

describe("the access decision", () => {
  it("denies without a consent and permits the patient its own record", async () => {
    expect(await w.decision("clinician")).toMatchObject(deny("no-consent"));
    expect(await w.decision("patient", "PATRQT")).toMatchObject(permit(null, "own-record"));
  });

  it("puts the decision and what it was about in the receipt", async () => {
    const id = await w.grant({});
    expect(await w.decision("clinician")).toEqual({
      ...permit(id),
      accessor: w.hex("clinician"),
      accessorOrg: "org-0",
      patient: w.hex("patient"),
      record: RECORD,
      version: 1,
      class: "lab",
      custodian: "org-0",
      action: "access",
      purpose: "TREAT",
    });
  });

  it("matches purposes by the ActReason hierarchy: TREAT covers ETREAT and BTG, HRESCH no TREAT", async () => {
    const treat = await w.grant({});
    for (const purpose of ["TREAT", "ETREAT", "BTG", "ERTREAT", "COC"]) {
      expect([purpose, await w.decision("clinician", purpose)]).toMatchObject([
        purpose,
        permit(treat),
      ]);
    }
    expect(await w.decision("clinician", "HPAYMT")).toMatchObject(deny("no-consent"));
    const research = await w.grant({ grantee: { key: w.key("regulator") }, purposes: ["HRESCH"] });
    expect(await w.decision("regulator", "CLINTRCHPC")).toMatchObject(permit(research));
    expect(await w.decision("regulator", "TREAT")).toMatchObject(deny("no-consent"));
  });

  it("matches action, record class and record id", async () => {
    const labs = await w.grant({ classes: ["lab"], actions: ["access", "use"] });
    expect(await w.decision("clinician", "TREAT", "use")).toMatchObject(permit(labs));
    expect(await w.decision("clinician", "TREAT", "disclose")).toMatchObject(deny("no-consent"));
    expect(await w.decision("clinician", "TREAT", "access", RECORD_2)).toMatchObject(
      deny("no-consent"),
    );
    const one = await w.grant({ grantee: { key: w.key("pharmacist") }, records: [RECORD_2] });
    expect(await w.decision("pharmacist", "TREAT", "access", RECORD_2)).toMatchObject(permit(one));
    expect(await w.decision("pharmacist")).toMatchObject(deny("no-consent"));
  });

  it("holds a consent only within its period: not before its start, not from its end", async () => {
    const start = w.time + 3_000;
    const id = await w.grant({ period: { start, end: start + 2_000 } });
    // Blocks are one second apart: the next is at start - 1000.
    expect(await w.decision("clinician")).toMatchObject(deny("no-consent"));
    expect(await w.decision("clinician")).toMatchObject(permit(id)); // at start
    expect(await w.decision("clinician")).toMatchObject(permit(id)); // start + 1000
    expect(await w.decision("clinician")).toMatchObject(deny("no-consent")); // at the end
  });

  it("lets a deny exception override the permit, and an except inside it flip it back", async () => {
    const id = await w.grant({
      deny: [{ classes: ["mental-health"], except: [{ purposes: ["ETREAT"] }] }],
    });
    expect(await w.decision("clinician")).toMatchObject(permit(id));
    expect(await w.decision("clinician", "TREAT", "access", RECORD_2)).toMatchObject(
      deny("exception", id),
    );
    // ETREAT and its descendant BTG are the exception to the exception.
    for (const purpose of ["ETREAT", "BTG"]) {
      expect(await w.decision("clinician", purpose, "access", RECORD_2)).toMatchObject(permit(id));
    }
  });

  it("combines sibling exceptions deny-overrides, by record, action or purpose", async () => {
    const id = await w.grant({
      actions: ["access", "disclose"],
      deny: [{ records: [RECORD], except: [{ actions: ["access"] }] }, { actions: ["disclose"] }],
    });
    // The first exception flips back for access; the second does not match access.
    expect(await w.decision("clinician")).toMatchObject(permit(id));
    // For disclose, the first flips back but the second denies: deny overrides.
    expect(await w.decision("clinician", "TREAT", "disclose")).toMatchObject(deny("exception", id));
    const purposes = await w.grant({
      grantee: { key: w.key("pharmacist") },
      deny: [{ purposes: ["ETREAT"] }],
    });
    expect(await w.decision("pharmacist", "COC")).toMatchObject(permit(purposes));
    expect(await w.decision("pharmacist", "BTG")).toMatchObject(deny("exception", purposes));
  });

  it("permits when any consent permits, even if another one's exception denies", async () => {
    const narrow = await w.grant({ deny: [{ classes: ["mental-health"] }] });
    expect(await w.decision("clinician", "TREAT", "access", RECORD_2)).toMatchObject(
      deny("exception", narrow),
    );
    const wide = await w.grant({ classes: ["mental-health"] });
    expect(await w.decision("clinician", "TREAT", "access", RECORD_2)).toMatchObject(permit(wide));
  });

  it("covers an organization's clinicians and pharmacists, not its other people", async () => {
    const id = await w.grant({ grantee: { org: "org-0" } });
    expect(await w.decision("clinician")).toMatchObject(permit(id));
    expect(await w.decision("pharmacist")).toMatchObject(permit(id));
    expect(await w.decision("staff")).toMatchObject(deny("no-consent"));
    expect(await w.decision("clinicClinician")).toMatchObject(deny("no-consent"));
  });

  it("is revoked from the block that commits the revoke, earlier accesses standing", async () => {
    const id = await w.grant({});
    const before = await w.h.single(w.accessTx("clinician"));
    // The revoke counts from its own block: an access ordered after it there is denied.
    const receipts = await w.h.block([w.revokeTx(id), w.accessTx("clinician")]);
    expect(receipts[0]?.status).toBe("ok");
    expect(CareWorld.result(receipts[1] as Receipt)).toMatchObject(deny("no-consent"));
    expect(CareWorld.result(before.receipt)).toMatchObject(permit(id));
    const history = (await w.h.query("access.history", { patient: w.hex("patient") })) as {
      items: Array<{ decision: string }>;
    };
    expect(history.items.map((entry) => entry.decision)).toEqual(["deny", "permit"]);
  });

  it("denies on a tombstoned id: the late grant fails", async () => {
    const revoke = w.revokeTx("00000000000000000000000000000abc");
    await w.h.single(revoke);
    const grant = await w.h.single(w.grantTx({ id: "00000000000000000000000000000abc" }));
    expect(grant.receipt).toMatchObject({ status: "failed", code: "CONSENT_TOMBSTONED" });
    expect(await w.decision("clinician")).toMatchObject(deny("no-consent"));
  });

  it("lets a hospital's or clinic's clinician break the glass, flagged, and no one else", async () => {
    await w.anchor("11111111111111111111111111111111", "lab", "otherPatient");
    for (const who of ["clinician", "clinicClinician", "otherClinician"] as const) {
      for (const purpose of ["ETREAT", "BTG", "ERTREAT"]) {
        expect([who, purpose, await w.decision(who, purpose)]).toMatchObject([
          who,
          purpose,
          { decision: "permit", reason: "break-glass", consent: null, breakGlass: true },
        ]);
      }
    }
    expect(await w.decision("clinician", "TREAT")).toMatchObject(deny("no-consent"));
    for (const who of ["staff", "insurerClinician", "insurerAgent", "pharmacist"] as const) {
      expect([who, await w.decision(who, "BTG")]).toMatchObject([who, deny("no-consent")]);
    }
    // Over a patient's exception too, since that is what an emergency needs; flagged alike.
    await w.grant({ deny: [{ purposes: ["ETREAT"] }] });
    expect(await w.decision("clinician", "BTG")).toMatchObject({ reason: "break-glass" });
  });

  it("answers the same through the consent.decision query, for a record or a class", async () => {
    const id = await w.grant({ classes: ["lab"] });
    const ask = (params: Record<string, unknown>) =>
      w.h.query("consent.decision", {
        accessor: w.hex("clinician"),
        action: "access",
        purpose: "TREAT",
        ...params,
      });
    expect(await ask({ record: RECORD })).toEqual(permit(id));
    expect(await ask({ patient: w.hex("patient"), class: "lab" })).toEqual(permit(id));
    expect(await ask({ patient: w.hex("patient"), class: "note" })).toEqual(deny("no-consent"));
    // At a time before the grant's block, the consent was not in force.
    expect(await ask({ record: RECORD, time: w.time - 2_000 })).toEqual(deny("no-consent"));
    await expect(ask({ record: RECORD, patient: w.hex("otherPatient") })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(ask({})).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(ask({ record: "9".repeat(32) })).rejects.toMatchObject({
      code: "RECORD_NOT_FOUND",
    });
  });

  it("judges who asks before the record: a stranger cannot tell a record's patient or class (B1)", async () => {
    const ask = (
      who: "clinicClinician" | "otherPatient" | "clinician" | "patient",
      params: object,
    ) =>
      w.h
        .query(
          "consent.decision",
          { accessor: w.hex(who), action: "access", purpose: "TREAT", ...params },
          w.caller(who),
        )
        .catch((error: { code: string }) => error.code);
    const patient = w.hex("patient");
    const other = w.hex("otherPatient");
    // A stranger asking for itself: every way to probe the record answers the same FORBIDDEN.
    for (const who of ["clinicClinician", "otherPatient"] as const) {
      for (const params of [
        { record: RECORD, patient: other },
        { record: RECORD, patient },
        { record: RECORD, class: "note" },
        { record: RECORD, class: "lab" },
        { record: RECORD, class: "lab", patient: other },
        { record: "9".repeat(32) },
        { record: "9".repeat(32), patient },
      ]) {
        expect([who, params, await ask(who, params)]).toEqual([who, params, "FORBIDDEN"]);
      }
      // Its own decision on a record named alone stays answerable.
      expect(await ask(who, { record: RECORD })).toMatchObject(deny("no-consent"));
    }
    // The patient named, and the record's own party (its custodian's clinician), get the code.
    expect(await ask("clinician", { record: RECORD, patient: other })).toBe("BAD_REQUEST");
    expect(await ask("clinician", { record: RECORD, class: "note" })).toBe("BAD_REQUEST");
    expect(await ask("patient", { record: RECORD, class: "note" })).toBe("BAD_REQUEST");
    // The patient may ask about another accessor on its record, not on another patient's.
    const forOther = (params: object) =>
      w.h
        .query(
          "consent.decision",
          { accessor: w.hex("clinicClinician"), action: "access", purpose: "TREAT", ...params },
          w.caller("otherPatient"),
        )
        .catch((error: { code: string }) => error.code);
    expect(await forOther({ record: RECORD })).toBe("FORBIDDEN");
    expect(await forOther({ record: RECORD, patient: other })).toBe("FORBIDDEN");
    expect(await forOther({ patient: other, class: "lab" })).toMatchObject(deny("no-consent"));
    expect(await forOther({ patient, class: "lab" })).toBe("FORBIDDEN");
  });

  it("breaks the glass only to access or use: disclose, correct and collect stay denied (S3)", async () => {
    for (const action of ["access", "use"]) {
      expect([action, await w.decision("clinician", "BTG", action)]).toMatchObject([
        action,
        { decision: "permit", reason: "break-glass", breakGlass: true },
      ]);
    }
    for (const action of ["disclose", "correct", "collect"]) {
      expect([action, await w.decision("clinician", "BTG", action)]).toMatchObject([
        action,
        deny("no-consent"),
      ]);
    }
  });

  it("covers an organization's keys by the purpose's family: payment for insurer agents (S4)", async () => {
    const id = await w.grant({ grantee: { org: "org-2" }, purposes: ["HPAYMT", "TREAT"] });
    expect(await w.decision("insurerAgent", "CLMATTCH")).toMatchObject(permit(id));
    expect(await w.decision("insurerAgent", "TREAT")).toMatchObject(deny("no-consent"));
    expect(await w.decision("insurerClinician", "TREAT")).toMatchObject(permit(id));
    expect(await w.decision("insurerClinician", "HPAYMT")).toMatchObject(deny("no-consent"));
    // Treatment covers the hospital's clinicians and pharmacists, not its staff.
    const treat = await w.grant({ grantee: { org: "org-0" } });
    expect(await w.decision("pharmacist")).toMatchObject(permit(treat));
    expect(await w.decision("staff")).toMatchObject(deny("no-consent"));
    const operations = await w.grant({ grantee: { org: "org-0" }, purposes: ["HOPERAT"] });
    expect(await w.decision("staff", "HCOMPL")).toMatchObject(permit(operations));
  });
});

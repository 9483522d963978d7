import type { ConsentProvision } from "fhir/r4.js";
import { describe, expect, it } from "vitest";
import { consentResource } from "./consent.js";
import { r4Problems } from "./r4Schema.testkit.js";
import {
  CLINICIAN,
  consentView,
  DELEGATE,
  GRANTED_AT,
  HOSPITAL,
  id128,
  PATIENT,
  YEAR_LATER,
} from "./views.testkit.js";

const ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason";
const CONSENT_ACTION = "http://terminology.hl7.org/CodeSystem/consentaction";
const RECORD_CLASS = "urn:careledger:record-class";

function permitOf(resource: ReturnType<typeof consentResource>): ConsentProvision {
  const permits = resource.provision?.provision ?? [];
  expect(permits).toHaveLength(1);
  const permit = permits[0];
  if (permit === undefined) throw new Error("no permit provision");
  return permit;
}

describe("consentResource", () => {
  it("renders an active org grant as OPTOUTE with one nested permit, and it validates", () => {
    const resource = consentResource(consentView());
    expect(r4Problems(resource)).toEqual([]);
    expect(resource).toMatchObject({
      resourceType: "Consent",
      id: id128(0xc1),
      status: "active",
      scope: {
        coding: [
          { system: "http://terminology.hl7.org/CodeSystem/consentscope", code: "patient-privacy" },
        ],
      },
      category: [{ coding: [{ system: "http://loinc.org", code: "59284-0" }] }],
      patient: { reference: `Patient/${PATIENT}` },
      dateTime: "2026-12-01T08:00:00.000Z",
      performer: [{ reference: `Patient/${PATIENT}` }],
      policyRule: {
        coding: [{ system: "http://terminology.hl7.org/CodeSystem/v3-ActCode", code: "OPTOUTE" }],
      },
    });
    // The root is a context: the period, no type (R4: "not permitted in root rule").
    expect(resource.provision?.type).toBeUndefined();
    expect(resource.provision?.period).toEqual({
      start: "2026-12-01T08:00:00.000Z",
      end: "2027-12-01T08:00:00.000Z",
    });
    expect(permitOf(resource)).toEqual({
      type: "permit",
      actor: [
        {
          role: {
            coding: [
              {
                system: "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                code: "IRCP",
              },
            ],
          },
          reference: { reference: `Organization/${HOSPITAL}` },
        },
      ],
      action: [
        { coding: [{ system: CONSENT_ACTION, code: "access" }] },
        { coding: [{ system: CONSENT_ACTION, code: "use" }] },
      ],
      purpose: [{ system: ACT_REASON, code: "TREAT" }],
      class: [
        { system: RECORD_CLASS, code: "lab" },
        { system: RECORD_CLASS, code: "imaging" },
      ],
    });
  });

  it("names a key grantee by a logical reference in urn:careledger:key, not a resource type", () => {
    const resource = consentResource(consentView({ grantee: { key: CLINICIAN } }));
    expect(r4Problems(resource)).toEqual([]);
    expect(permitOf(resource).actor?.[0]?.reference).toEqual({
      identifier: { system: "urn:careledger:key", value: CLINICIAN },
    });
  });

  it("renders named records as data instances of DocumentReference and no class", () => {
    const records = [id128(0xa1), id128(0xa2)];
    const { classes: _, ...view } = consentView();
    const resource = consentResource({ ...view, records });
    expect(r4Problems(resource)).toEqual([]);
    const permit = permitOf(resource);
    expect(permit.class).toBeUndefined();
    expect(permit.data).toEqual(
      records.map((record) => ({
        meaning: "instance",
        reference: { reference: `DocumentReference/${record}` },
      })),
    );
  });

  it("refuses to render a grant naming both classes and records: the ledger rejects one (INTERNAL)", () => {
    const view = consentView({ records: [id128(0xa1)] });
    expect(view.classes?.length).toBeGreaterThan(0);
    expect(() => consentResource(view)).toThrow(
      expect.objectContaining({ code: "INTERNAL" }) as Error,
    );
  });

  it("leaves class and data out of a grant of every record (FHIR: missing means all data)", () => {
    const { classes: _, ...view } = consentView();
    const permit = permitOf(consentResource(view));
    expect(permit.class).toBeUndefined();
    expect(permit.data).toBeUndefined();
  });

  it("renders deny exceptions as nested deny provisions, and their excepts as permits inside them", () => {
    const resource = consentResource(
      consentView({
        deny: [
          {
            classes: ["mental-health"],
            except: [{ purposes: ["ETREAT"] }, { records: [id128(0xa3)], actions: ["access"] }],
          },
          { records: [id128(0xa4)] },
        ],
      }),
    );
    expect(r4Problems(resource)).toEqual([]);
    expect(permitOf(resource).provision).toEqual([
      {
        type: "deny",
        class: [{ system: RECORD_CLASS, code: "mental-health" }],
        provision: [
          { type: "permit", purpose: [{ system: ACT_REASON, code: "ETREAT" }] },
          {
            type: "permit",
            action: [{ coding: [{ system: CONSENT_ACTION, code: "access" }] }],
            data: [
              { meaning: "instance", reference: { reference: `DocumentReference/${id128(0xa3)}` } },
            ],
          },
        ],
      },
      {
        type: "deny",
        data: [
          { meaning: "instance", reference: { reference: `DocumentReference/${id128(0xa4)}` } },
        ],
      },
    ]);
  });

  it("renders a revoked consent inactive, its period as granted", () => {
    const revokedAt = GRANTED_AT + 86_400_000;
    const resource = consentResource(
      consentView({ status: "inactive", revoked: { height: 140, time: revokedAt, by: PATIENT } }),
    );
    expect(r4Problems(resource)).toEqual([]);
    expect(resource.status).toBe("inactive");
    expect(resource.meta?.lastUpdated).toBe(new Date(revokedAt).toISOString());
    expect(resource.provision?.period?.end).toBe("2027-12-01T08:00:00.000Z");
  });

  it("renders an expired consent inactive with no revocation", () => {
    const resource = consentResource(consentView({ status: "inactive", expired: true }));
    expect(r4Problems(resource)).toEqual([]);
    expect(resource.status).toBe("inactive");
    expect(resource.meta?.lastUpdated).toBe("2026-12-01T08:00:00.000Z");
  });

  it("never renders active a view that says active but is expired or revoked", () => {
    expect(consentResource(consentView({ expired: true })).status).toBe("inactive");
    const revoked = { height: 140, time: YEAR_LATER, by: PATIENT };
    expect(consentResource(consentView({ revoked })).status).toBe("inactive");
  });

  it("puts the delegate who signed in performer, and the patient stays the patient", () => {
    const resource = consentResource(
      consentView({ granted: { height: 120, time: GRANTED_AT, by: DELEGATE } }),
    );
    expect(r4Problems(resource)).toEqual([]);
    expect(resource.performer).toEqual([
      { identifier: { system: "urn:careledger:key", value: DELEGATE } },
    ]);
    expect(resource.patient).toEqual({ reference: `Patient/${PATIENT}` });
  });

  it("writes a period without an end, or ending past year 9999, as an open period", () => {
    const { end: _, ...open } = consentView().period;
    expect(consentResource(consentView({ period: open })).provision?.period).toEqual({
      start: "2026-12-01T08:00:00.000Z",
    });
    const far = consentResource(
      consentView({ period: { start: GRANTED_AT, end: Number.MAX_SAFE_INTEGER } }),
    );
    expect(r4Problems(far)).toEqual([]);
    expect(far.provision?.period).toEqual({ start: "2026-12-01T08:00:00.000Z" });
  });

  it("refuses a view whose patient is not a key: INTERNAL, the node's fault", () => {
    expect(() => consentResource(consentView({ patient: "not-a-key" }))).toThrow(
      expect.objectContaining({ code: "INTERNAL" }),
    );
  });
});

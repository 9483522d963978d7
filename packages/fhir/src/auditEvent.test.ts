import { describe, expect, it } from "vitest";
import { auditEventResource } from "./auditEvent.js";
import { r4Problems } from "./r4Schema.testkit.js";
import {
  accessEntry,
  CLINIC,
  CLINICIAN,
  GRANTED_AT,
  HOSPITAL,
  id128,
  key,
  PATIENT,
} from "./views.testkit.js";

const DCM = "http://dicom.nema.org/resources/ontology/DCM";
const ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason";
const REST = { system: "http://terminology.hl7.org/CodeSystem/audit-event-type", code: "rest" };
const READ = { system: "http://hl7.org/fhir/restful-interaction", code: "read" };
const REVIEW = "urn:careledger:review";

const purposes = (event: ReturnType<typeof auditEventResource>) =>
  (event.purposeOfEvent ?? []).map((concept) => concept.coding?.[0]);

describe("auditEventResource", () => {
  it("renders a read permitted by a consent in the IHE BALP shape, and it validates", () => {
    const event = auditEventResource(accessEntry());
    expect(r4Problems(event)).toEqual([]);
    expect(event).toMatchObject({
      resourceType: "AuditEvent",
      id: key(0xe1),
      type: REST,
      subtype: [READ],
      action: "R",
      recorded: new Date(GRANTED_AT + 3_600_000).toISOString(),
      outcome: "0",
      purposeOfEvent: [{ coding: [{ system: ACT_REASON, code: "TREAT" }] }],
      source: { observer: { reference: `Organization/${CLINIC}` } },
    });
    expect(event.meta).toBeUndefined();
    expect(event.agent).toEqual([
      {
        type: {
          coding: [
            {
              system: "http://terminology.hl7.org/CodeSystem/extra-security-role-type",
              code: "humanuser",
            },
          ],
        },
        who: { identifier: { system: "urn:careledger:key", value: CLINICIAN } },
        requestor: true,
        policy: [`urn:careledger:consent:${id128(0xc1)}`],
      },
      { who: { reference: `Organization/${HOSPITAL}` }, requestor: false },
    ]);
    expect(event.entity?.[0]).toMatchObject({
      what: { reference: `Patient/${PATIENT}` },
      type: { code: "1" },
      role: { code: "1" },
    });
    expect(event.entity?.[1]).toMatchObject({
      what: { reference: `DocumentReference/${id128(0xa1)}/_history/2` },
      role: { code: "4" },
      detail: [
        { type: "record-class", valueString: "lab" },
        { type: "consent-action", valueString: "access" },
      ],
    });
  });

  it("renders a denied access as outcome 4 (minor failure) with no policy", () => {
    const event = auditEventResource(
      accessEntry({ decision: "deny", reason: "no-consent", consent: null }),
    );
    expect(r4Problems(event)).toEqual([]);
    expect(event.outcome).toBe("4");
    expect(event.outcomeDesc).toBe("denied: no consent in force covers this access");
    expect(event.agent[0]?.policy).toBeUndefined();
    expect(event.type).toMatchObject(REST);
  });

  it("names the consent whose exception denied an access in outcomeDesc, not as the policy", () => {
    const event = auditEventResource(accessEntry({ decision: "deny", reason: "exception" }));
    expect(r4Problems(event)).toEqual([]);
    expect(event.outcome).toBe("4");
    expect(event.outcomeDesc).toBe(`denied by an exception of consent ${id128(0xc1)}`);
    expect(event.agent[0]?.policy).toBeUndefined();
  });

  it("renders the patient reading its own record with the patient as the requestor", () => {
    const event = auditEventResource(
      accessEntry({ reason: "own-record", consent: null, accessor: PATIENT, accessorOrg: null }),
    );
    expect(r4Problems(event)).toEqual([]);
    expect(event.agent).toHaveLength(1);
    expect(event.agent[0]?.who).toEqual({ reference: `Patient/${PATIENT}` });
    expect(event.agent[0]?.policy).toBeUndefined();
  });

  it("maps access to R and the actions that put the record to work to E", () => {
    expect(auditEventResource(accessEntry({ action: "use" })).action).toBe("E");
    expect(auditEventResource(accessEntry({ action: "disclose" })).action).toBe("E");
  });

  const emergency = accessEntry({
    reason: "break-glass",
    consent: null,
    breakGlass: true,
    purpose: "ETREAT",
  });

  it("renders break the glass as DCM 110113 with Emergency Override Started, ETREAT and BTG, awaiting review", () => {
    const event = auditEventResource(emergency);
    expect(r4Problems(event)).toEqual([]);
    expect(event.type).toEqual({ system: DCM, code: "110113", display: "Security Alert" });
    expect(event.subtype).toEqual([
      { ...READ, display: "read" },
      { system: DCM, code: "110127", display: "Emergency Override Started" },
    ]);
    expect(event.action).toBe("R");
    expect(event.outcome).toBe("0");
    expect(purposes(event)).toEqual([
      { system: ACT_REASON, code: "ETREAT" },
      { system: ACT_REASON, code: "BTG" },
    ]);
    expect(event.agent[0]?.policy).toEqual(["urn:careledger:break-glass"]);
    expect(event.meta?.tag).toEqual([
      { system: REVIEW, code: "pending", display: "Break the glass: awaiting review" },
    ]);
  });

  it("keeps a more specific emergency purpose besides ETREAT and BTG", () => {
    const event = auditEventResource({ ...emergency, purpose: "ERTREAT" });
    expect(purposes(event).map((coding) => coding?.code)).toEqual(["ETREAT", "ERTREAT", "BTG"]);
    const btg = auditEventResource({ ...emergency, purpose: "BTG" });
    expect(purposes(btg).map((coding) => coding?.code)).toEqual(["ETREAT", "BTG"]);
  });

  it("tags a reviewed break the glass justified or unjustified", () => {
    const review = { justified: true, height: 150, time: GRANTED_AT + 7_200_000, by: key(0x44) };
    const justified = auditEventResource({ ...emergency, review });
    expect(r4Problems(justified)).toEqual([]);
    expect(justified.meta?.tag?.[0]?.code).toBe("justified");
    const unjustified = auditEventResource({
      ...emergency,
      review: { ...review, justified: false },
    });
    expect(unjustified.meta?.tag?.[0]?.code).toBe("unjustified");
  });

  it("labels a sensitive record class on the record entity, and an ordinary one not at all", () => {
    const event = auditEventResource({ ...emergency, class: "substance-use" });
    expect(r4Problems(event)).toEqual([]);
    expect(event.entity?.[1]?.securityLabel).toEqual([
      {
        system: "http://terminology.hl7.org/CodeSystem/v3-ActCode",
        code: "ETH",
        display: "substance abuse information sensitivity",
      },
    ]);
    expect(auditEventResource(emergency).entity?.[1]?.securityLabel).toBeUndefined();
  });

  it("refuses a break the glass that was denied, or a consent permit naming no consent", () => {
    const internal = expect.objectContaining({ code: "INTERNAL" });
    expect(() => auditEventResource({ ...emergency, decision: "deny" })).toThrow(internal);
    expect(() => auditEventResource(accessEntry({ consent: null }))).toThrow(internal);
  });
});

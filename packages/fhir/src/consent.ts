import type {
  ConsentAction,
  ConsentDeny,
  ConsentView,
  PurposeCode,
  RecordClass,
} from "@careledger/protocol";
import type {
  CodeableConcept,
  Coding,
  Consent,
  ConsentProvision,
  ConsentProvisionData,
  Period,
} from "fhir/r4.js";
import { invariant } from "./invariant.js";
import {
  FHIR_TIME_MS_MAX,
  fhirId,
  instant,
  keyReference,
  organizationReference,
  patientReference,
  recordReference,
} from "./references.js";
import { SYSTEM } from "./systems.js";

/**
 * A consent as a FHIR R4 Consent (NOTES.md 1.3's mapping of `consent.grant`): the base policy
 * is OPTOUTE (deny, except what the provisions permit), the root provision only carries the
 * consent's period (R4 forbids a `type` there), one nested `permit` holds the grant (grantee,
 * actions, purposes, classes or records), and each deny exception is a `deny` inside it, with
 * its `except` entries as `permit`s inside that: provision.provision.provision flips back.
 */
export function consentResource(view: ConsentView): Consent {
  fhirId(view.id, "consent");
  const signer = view.granted.by;
  return {
    resourceType: "Consent",
    id: view.id,
    meta: { lastUpdated: instant(view.revoked?.time ?? view.granted.time) },
    identifier: [{ system: SYSTEM.consent, value: view.id }],
    status: consentStatus(view),
    scope: { coding: [{ system: SYSTEM.consentScope, code: "patient-privacy" }] },
    category: [{ coding: [{ system: SYSTEM.loinc, code: "59284-0", display: "Patient Consent" }] }],
    patient: patientReference(view.patient),
    // When the consent was issued: the grant's block time, not its validity (that is the period).
    dateTime: instant(view.granted.time),
    // Who agreed: the patient, or the delegate (a guardian, a proxy) who signed for it.
    performer: [signer === view.patient ? patientReference(signer) : keyReference(signer)],
    policyRule: { coding: [{ system: SYSTEM.actCode, code: "OPTOUTE" }] },
    provision: { period: period(view.period), provision: grantProvisions(view) },
  };
}

/**
 * `active` only while the consent is in force: a revoked or expired one is `inactive` (R4 has no
 * revoked or expired status, NOTES.md 0.8), whatever `status` says, so a view that disagrees
 * with its own `revoked` / `expired` can never render an active consent past its end.
 */
function consentStatus(view: ConsentView): Consent["status"] {
  const inForce = view.status === "active" && !view.expired && view.revoked === undefined;
  return inForce ? "active" : "inactive";
}

/**
 * Chain periods are ms; FHIR years have four digits. An end past year 9999 is no end for any
 * reader, so it is left out (an open period); a start past it is written as the last instant
 * FHIR can hold, which no access will reach either.
 */
function period(view: ConsentView["period"]): Period {
  const start = instant(Math.min(view.start, FHIR_TIME_MS_MAX));
  if (view.end === undefined || view.end > FHIR_TIME_MS_MAX) return { start };
  return { start, end: instant(view.end) };
}

/**
 * The grant as one `permit`. A grant names classes or records (DOMAIN.md: "classes[] or
 * records[]"), never both: the ledger refuses such a grant (consent.grant, CONSENT_INVALID), so a
 * view with both is the node's fault, and rendering it as one permit would AND the two lists
 * (FHIR ANDs the attributes of one provision), narrowing what the ledger would permit.
 */
function grantProvisions(view: ConsentView): ConsentProvision[] {
  invariant(
    !(view.classes?.length && view.records?.length),
    `consent ${view.id} names both record classes and records`,
  );
  return [grantProvision(view, view)];
}

function grantProvision(view: ConsentView, fields: MatchFields): ConsentProvision {
  const reference =
    "org" in view.grantee
      ? organizationReference(view.grantee.org)
      : keyReference(view.grantee.key);
  const provision: ConsentProvision = {
    type: "permit",
    // IRCP, information recipient: the party the patient lets receive its information.
    actor: [{ role: { coding: [{ system: SYSTEM.participationType, code: "IRCP" }] }, reference }],
    ...matchElements(fields),
  };
  const denies = (view.deny ?? []).map(denyProvision);
  if (denies.length > 0) provision.provision = denies;
  return provision;
}

function denyProvision(deny: ConsentDeny): ConsentProvision {
  const provision: ConsentProvision = { type: "deny", ...matchElements(deny) };
  const permits = (deny.except ?? []).map(
    (back): ConsentProvision => ({ type: "permit", ...matchElements(back) }),
  );
  if (permits.length > 0) provision.provision = permits;
  return provision;
}

interface MatchFields {
  readonly actions?: readonly ConsentAction[] | undefined;
  readonly purposes?: readonly PurposeCode[] | undefined;
  readonly classes?: readonly RecordClass[] | undefined;
  readonly records?: readonly string[] | undefined;
}

/**
 * The elements that narrow a provision: an absent or empty list is left out, which FHIR reads as
 * "any" (meaningWhenMissing), as our payloads mean it; codes in one element are OR-ed in both.
 */
function matchElements(
  fields: MatchFields,
): Pick<ConsentProvision, "action" | "purpose" | "class" | "data"> {
  const elements: Pick<ConsentProvision, "action" | "purpose" | "class" | "data"> = {};
  if (fields.actions?.length) {
    elements.action = fields.actions.map(
      (code): CodeableConcept => ({ coding: [{ system: SYSTEM.consentAction, code }] }),
    );
  }
  if (fields.purposes?.length) {
    elements.purpose = fields.purposes.map((code): Coding => ({ system: SYSTEM.actReason, code }));
  }
  if (fields.classes?.length) {
    elements.class = fields.classes.map((code): Coding => ({ system: SYSTEM.recordClass, code }));
  }
  if (fields.records?.length) {
    elements.data = fields.records.map(
      (record): ConsentProvisionData => ({
        meaning: "instance",
        reference: recordReference(record),
      }),
    );
  }
  return elements;
}

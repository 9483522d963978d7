import { RECORD_CLASS_SYSTEM } from "@careledger/protocol";

/**
 * The code systems and URIs the renderings use (NOTES.md 1.1 to 1.4). HL7's own systems for
 * everything FHIR defines; `urn:careledger:*` for what is ours (record classes, keys, consents,
 * error codes, the review tag), so no one mistakes them for a published system.
 */
export const SYSTEM = {
  consentScope: "http://terminology.hl7.org/CodeSystem/consentscope",
  loinc: "http://loinc.org",
  actCode: "http://terminology.hl7.org/CodeSystem/v3-ActCode",
  actReason: "http://terminology.hl7.org/CodeSystem/v3-ActReason",
  participationType: "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
  consentAction: "http://terminology.hl7.org/CodeSystem/consentaction",
  auditEventType: "http://terminology.hl7.org/CodeSystem/audit-event-type",
  restfulInteraction: "http://hl7.org/fhir/restful-interaction",
  dicom: "http://dicom.nema.org/resources/ontology/DCM",
  extraSecurityRole: "http://terminology.hl7.org/CodeSystem/extra-security-role-type",
  securitySource: "http://terminology.hl7.org/CodeSystem/security-source-type",
  auditEntityType: "http://terminology.hl7.org/CodeSystem/audit-entity-type",
  objectRole: "http://terminology.hl7.org/CodeSystem/object-role",
  recordClass: RECORD_CLASS_SYSTEM,
  // Claims (NOTES.md 2.1, 2.2).
  claimType: "http://terminology.hl7.org/CodeSystem/claim-type",
  processPriority: "http://terminology.hl7.org/CodeSystem/processpriority",
  adjudication: "http://terminology.hl7.org/CodeSystem/adjudication",
  adjudicationReason: "http://terminology.hl7.org/CodeSystem/adjudication-reason",
  /** CARIN Blue Button's categories for the member's cost share, which core R4 lacks. */
  carinAdjudication: "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudication",
  paymentType: "http://terminology.hl7.org/CodeSystem/ex-paymenttype",
  paymentAdjustmentReason: "http://terminology.hl7.org/CodeSystem/payment-adjustment-reason",
  /** R5 `claim-decision`, carried in R4 by the cross-version extension below. */
  claimDecision: "http://hl7.org/fhir/claim-decision",
  coverageClass: "http://terminology.hl7.org/CodeSystem/coverage-class",
  copayType: "http://terminology.hl7.org/CodeSystem/coverage-copay-type",
  /** A claim line's service code as the provider sent it (CPT, HCPCS, CDT or local: not said). */
  serviceCode: "urn:careledger:service-code",
  claim: "urn:careledger:claim",
  coverage: "urn:careledger:coverage",
  /** An Ed25519 public key as 64 lowercase hex digits: the only name a key has on chain. */
  key: "urn:careledger:key",
  consent: "urn:careledger:consent",
  access: "urn:careledger:access",
  /** Our error registry (`@careledger/protocol` ERROR_CODES), in OperationOutcome details. */
  error: "urn:careledger:error",
  /** The review state of a break-the-glass access, as a meta.tag of AuditEvent. */
  review: "urn:careledger:review",
} as const;

/** The cross-version extension (hl7.fhir.uv.xver-r5.r4) carrying R5's ClaimResponse.decision. */
export const CLAIM_DECISION_EXTENSION =
  "http://hl7.org/fhir/5.0/StructureDefinition/extension-ClaimResponse.decision";

/** `agent.policy` of an access permitted by a consent: the consent's id as a URI. */
export function consentPolicyUri(consentId: string): string {
  return `${SYSTEM.consent}:${consentId}`;
}

/** `agent.policy` of a break-the-glass access: permitted by the emergency rule, not a consent. */
export const BREAK_GLASS_POLICY = "urn:careledger:break-glass";

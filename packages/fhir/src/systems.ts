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
  /** An Ed25519 public key as 64 lowercase hex digits: the only name a key has on chain. */
  key: "urn:careledger:key",
  consent: "urn:careledger:consent",
  access: "urn:careledger:access",
  /** Our error registry (`@careledger/protocol` ERROR_CODES), in OperationOutcome details. */
  error: "urn:careledger:error",
  /** The review state of a break-the-glass access, as a meta.tag of AuditEvent. */
  review: "urn:careledger:review",
} as const;

/** `agent.policy` of an access permitted by a consent: the consent's id as a URI. */
export function consentPolicyUri(consentId: string): string {
  return `${SYSTEM.consent}:${consentId}`;
}

/** `agent.policy` of a break-the-glass access: permitted by the emergency rule, not a consent. */
export const BREAK_GLASS_POLICY = "urn:careledger:break-glass";

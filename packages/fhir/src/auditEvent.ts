import type { AccessEntry, ConsentAction, PurposeCode } from "@careledger/protocol";
import type {
  AuditEvent,
  AuditEventAgent,
  AuditEventEntity,
  CodeableConcept,
  Coding,
  Meta,
} from "fhir/r4.js";
import { invariant } from "./invariant.js";
import {
  fhirId,
  instant,
  organizationReference,
  patientReference,
  personReference,
  recordReference,
} from "./references.js";
import { sensitivityLabels } from "./sensitivity.js";
import { BREAK_GLASS_POLICY, consentPolicyUri, SYSTEM } from "./systems.js";

/**
 * One committed `access.log` as a FHIR R4 AuditEvent. An ordinary access has the IHE BALP
 * shape of a RESTful read (type `rest`, subtype `read`, entity:patient and the data entity);
 * break the glass follows NOTES.md 1.4: a DICOM Security Alert with subtype Emergency Override
 * Started, purposes ETREAT and BTG, the emergency rule as the agent's policy, and a meta.tag of
 * ours saying whether the organization has reviewed it.
 */
export function auditEventResource(entry: AccessEntry): AuditEvent {
  fhirId(entry.access, "access");
  invariant(
    !entry.breakGlass || entry.decision === "permit",
    `break-the-glass access ${entry.access} is not a permit`,
  );
  const event: AuditEvent = {
    resourceType: "AuditEvent",
    id: entry.access,
    type: entry.breakGlass ? SECURITY_ALERT : REST,
    subtype: entry.breakGlass ? [READ, EMERGENCY_OVERRIDE_STARTED] : [READ],
    action: AUDIT_ACTION[entry.action],
    recorded: instant(entry.time),
    outcome: entry.decision === "permit" ? "0" : "4",
    outcomeDesc: outcomeDescription(entry),
    purposeOfEvent: purposesOf(entry).map(
      (code): CodeableConcept => ({ coding: [{ system: SYSTEM.actReason, code }] }),
    ),
    agent: agentsOf(entry),
    source: {
      observer: organizationReference(entry.custodian),
      // 4, Application Server: the custodian's node, which decides nothing but logs and serves.
      type: [{ system: SYSTEM.securitySource, code: "4" }],
    },
    entity: entitiesOf(entry),
  };
  const meta = metaOf(entry);
  if (meta !== undefined) event.meta = meta;
  return event;
}

const REST: Coding = { system: SYSTEM.auditEventType, code: "rest", display: "RESTful Operation" };
/**
 * 110113 Security Alert rather than 110110 Patient Record (NOTES.md names both): DICOM PS3.15
 * defines 110127 Emergency Override Started as a subtype of Security Alert, and the later FHIR
 * releases' break-glass examples (auditevent-example-breakglass-start) use exactly that pair.
 */
const SECURITY_ALERT: Coding = { system: SYSTEM.dicom, code: "110113", display: "Security Alert" };
const READ: Coding = { system: SYSTEM.restfulInteraction, code: "read", display: "read" };
const EMERGENCY_OVERRIDE_STARTED: Coding = {
  system: SYSTEM.dicom,
  code: "110127",
  display: "Emergency Override Started",
};

/**
 * Every access fetches a stored record; what differs is what the accessor does with it. Viewing
 * (`access`) is R, Read/View/Print; `use`, `disclose`, `collect` and `correct` put the record to
 * work in some process of the accessor's, E, Execute (R4 has nothing closer). The consentaction
 * code itself stays on the record entity's `detail`, so nothing is lost.
 */
const AUDIT_ACTION = {
  access: "R",
  use: "E",
  disclose: "E",
  collect: "E",
  correct: "E",
} as const satisfies Record<ConsentAction, AuditEvent["action"]>;

function outcomeDescription(entry: AccessEntry): string {
  switch (entry.reason) {
    case "consent":
      return `permitted by consent ${entry.consent}`;
    case "own-record":
      return "permitted: the patient's own record";
    case "break-glass":
      return "permitted by break the glass, for the organization's review";
    case "no-consent":
      return "denied: no consent in force covers this access";
    case "exception":
      return `denied by an exception of consent ${entry.consent}`;
  }
}

/** The requested purpose; break the glass adds ETREAT and BTG, the codes that mark it. */
function purposesOf(entry: AccessEntry): PurposeCode[] {
  if (!entry.breakGlass) return [entry.purpose];
  return [...new Set<PurposeCode>(["ETREAT", entry.purpose, "BTG"])];
}

function agentsOf(entry: AccessEntry): AuditEventAgent[] {
  const requestor: AuditEventAgent = {
    type: { coding: [{ system: SYSTEM.extraSecurityRole, code: "humanuser" }] },
    who: personReference(entry.accessor, entry.patient),
    requestor: true,
  };
  const policy = policyOf(entry);
  if (policy !== undefined) requestor.policy = [policy];
  const agents = [requestor];
  // The organization the accessor acts for: the one that reviews its break-the-glass accesses.
  if (entry.accessorOrg !== null) {
    agents.push({ who: organizationReference(entry.accessorOrg), requestor: false });
  }
  return agents;
}

/** What authorized the access, if anything did: a consent or the emergency rule. */
function policyOf(entry: AccessEntry): string | undefined {
  if (entry.decision !== "permit") return undefined;
  if (entry.breakGlass) return BREAK_GLASS_POLICY;
  if (entry.reason === "consent") {
    invariant(entry.consent !== null, `access ${entry.access} permitted by no named consent`);
    return consentPolicyUri(entry.consent);
  }
  return undefined;
}

function entitiesOf(entry: AccessEntry): AuditEventEntity[] {
  const record: AuditEventEntity = {
    // Version-specific, as AuditEvent.entity.what asks: amends make new versions.
    what: recordReference(entry.record, entry.version),
    type: { system: SYSTEM.auditEntityType, code: "2", display: "System Object" },
    role: { system: SYSTEM.objectRole, code: "4", display: "Domain Resource" },
    detail: [
      { type: "record-class", valueString: entry.class },
      { type: "consent-action", valueString: entry.action },
    ],
  };
  const labels = sensitivityLabels(entry.class);
  if (labels.length > 0) record.securityLabel = labels;
  return [
    {
      what: patientReference(entry.patient),
      type: { system: SYSTEM.auditEntityType, code: "1", display: "Person" },
      role: { system: SYSTEM.objectRole, code: "1", display: "Patient" },
    },
    record,
  ];
}

/**
 * Break the glass carries a tag of ours with its review state: `pending` until an admin of the
 * accessor's organization sends `access.review`, then `justified` or `unjustified`.
 */
function metaOf(entry: AccessEntry): Meta | undefined {
  if (!entry.breakGlass) return undefined;
  const code =
    entry.review === undefined ? "pending" : entry.review.justified ? "justified" : "unjustified";
  return { tag: [{ system: SYSTEM.review, code, display: REVIEW_DISPLAY[code] }] };
}

const REVIEW_DISPLAY = {
  pending: "Break the glass: awaiting review",
  justified: "Break the glass: reviewed, justified",
  unjustified: "Break the glass: reviewed, not justified",
} as const;

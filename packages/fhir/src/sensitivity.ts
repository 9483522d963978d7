import type { RecordClass } from "@careledger/protocol";
import type { Coding } from "fhir/r4.js";
import { SYSTEM } from "./systems.js";

/**
 * The v3-ActCode information-sensitivity label of each sensitive record class (the classes that
 * exist so a patient can deny them), as AuditEvent.entity.securityLabel carries it: a reviewer
 * of a break the glass sees at once that it reached, say, substance-use data. ETH rather than
 * the newer SUD because ETH is the long-standing label for US 42 CFR Part 2 data in HL7's data
 * segmentation (DS4P) work; BH rather than PSY because our class covers behavioural health, not
 * only psychiatric disorders.
 */
const SENSITIVITY: Partial<Record<RecordClass, { code: string; display: string }>> = {
  "mental-health": { code: "BH", display: "behavioral health information sensitivity" },
  "substance-use": { code: "ETH", display: "substance abuse information sensitivity" },
  "sexual-health": {
    code: "SEX",
    display: "sexuality and reproductive health information sensitivity",
  },
  genetic: { code: "GDIS", display: "genetic disease information sensitivity" },
};

export function sensitivityLabels(recordClass: RecordClass): Coding[] {
  const label = SENSITIVITY[recordClass];
  return label === undefined ? [] : [{ system: SYSTEM.actCode, ...label }];
}

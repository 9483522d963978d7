import type { ClaimView } from "@careledger/protocol";
import type { Claim, ClaimItem } from "fhir/r4.js";
import { money } from "./money.js";
import { fhirId, instant, organizationReference, patientReference } from "./references.js";
import { SYSTEM } from "./systems.js";

/** A date (YYYY-MM-DD, UTC) of a chain time: a service date is a day, not an instant. */
export const dateOf = (timeMs: number) => instant(timeMs).slice(0, 10);

/**
 * A claim as an R4 Claim (NOTES.md 2.1): `use` claim, priority normal, the member as the patient,
 * one focal insurance naming the coverage (and the pre-authorization as `preAuthRef`), one item
 * a line with its service code, quantity, unit price and net. A voided claim is `cancelled`.
 * Diagnoses and evidence are salted commitments, not codes: they are left out (R4's `diagnosis`
 * needs a code or a condition, and the commitment opens only off chain).
 */
export function claimResource(view: ClaimView): Claim {
  fhirId(view.id, "claim");
  const currency = view.response.currency;
  const items: ClaimItem[] = view.items.map((item, index) => ({
    sequence: index + 1,
    productOrService: { coding: [{ system: SYSTEM.serviceCode, code: item.code }] },
    servicedDate: dateOf(view.serviceDate),
    quantity: { value: item.quantity },
    unitPrice: money(item.unitPrice, currency),
    net: money(item.unitPrice * item.quantity, currency),
  }));
  const total = view.items.reduce((sum, item) => sum + item.unitPrice * item.quantity, 0);
  return {
    resourceType: "Claim",
    id: view.id,
    meta: { lastUpdated: instant((view.history.at(-1)?.at ?? view.submitted).time) },
    identifier: [{ system: SYSTEM.claim, value: view.id }],
    status: view.status === "voided" ? "cancelled" : "active",
    type: { coding: [{ system: SYSTEM.claimType, code: view.type }] },
    use: "claim",
    patient: patientReference(view.member),
    billablePeriod: { start: dateOf(view.serviceDate), end: dateOf(view.serviceDate) },
    created: instant(view.submitted.time),
    insurer: organizationReference(view.insurer),
    provider: organizationReference(view.provider),
    priority: { coding: [{ system: SYSTEM.processPriority, code: "normal" }] },
    insurance: [
      {
        sequence: 1,
        focal: true,
        coverage: { reference: `Coverage/${fhirId(view.coverage, "coverage")}` },
        ...(view.preauthorization !== undefined && { preAuthRef: [view.preauthorization] }),
      },
    ],
    item: items,
    total: money(total, currency),
  };
}

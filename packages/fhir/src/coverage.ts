import type { CoverageView, PlanTerms, PlanView } from "@careledger/protocol";
import type { Coverage, CoverageCostToBeneficiary } from "fhir/r4.js";
import { money } from "./money.js";
import {
  FHIR_TIME_MS_MAX,
  fhirId,
  instant,
  organizationReference,
  patientReference,
} from "./references.js";
import { SYSTEM } from "./systems.js";

/** What a Coverage shows of its plan: its name, currency and period, and the terms in force. */
export interface CoveragePlan {
  readonly name: string;
  readonly currency: PlanView["currency"];
  readonly period: PlanView["period"];
  readonly terms: PlanTerms;
}

/**
 * A coverage as an R4 Coverage (NOTES.md 2.1): the member key is the beneficiary (`Patient/<key>`:
 * a key the patient uses for this coverage only, linking to nothing else), the insurer the payor,
 * the plan its `class` of type `plan`. With the plan, the terms in force give the member's
 * deductible and out-of-pocket maximum as `costToBeneficiary` (R4 puts a plan's figures
 * on the Coverage). `coverage.end` does not cancel a coverage in R4's sense: it stays `active`
 * with the end in its period ("a missing end date means the coverage is continuing").
 */
export function coverageResource(view: CoverageView, plan: CoveragePlan | null): Coverage {
  fhirId(view.id, "coverage");
  const end = view.period.end ?? plan?.period.end;
  return {
    resourceType: "Coverage",
    id: view.id,
    meta: { lastUpdated: instant((view.ended ?? view.enrolled).time) },
    identifier: [{ system: SYSTEM.coverage, value: view.id }],
    status: "active",
    beneficiary: patientReference(view.member),
    payor: [organizationReference(view.insurer)],
    period: {
      start: instant(view.period.start),
      ...(end !== undefined && end <= FHIR_TIME_MS_MAX && { end: instant(end) }),
    },
    class: [
      {
        type: { coding: [{ system: SYSTEM.coverageClass, code: "plan" }] },
        value: fhirId(view.plan, "plan"),
        ...(plan !== null && { name: plan.name }),
      },
    ],
    ...(plan !== null && { costToBeneficiary: costsOf(plan) }),
  };
}

/** The deductible and the out-of-pocket maximum of the terms in force. */
function costsOf(plan: CoveragePlan): CoverageCostToBeneficiary[] {
  const cost = (code: string, amount: number): CoverageCostToBeneficiary => ({
    type: { coding: [{ system: SYSTEM.copayType, code }] },
    valueMoney: money(amount, plan.currency),
  });
  return [
    cost("deductible", plan.terms.deductible),
    cost("maxoutofpocket", plan.terms.outOfPocketMax),
  ];
}

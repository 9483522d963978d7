import {
  ADJUDICATION_REASON_SYSTEM,
  CLAIM_ERROR_SYSTEM,
  type ClaimView,
  type Currency,
  type LineAdjudicationView,
  type LineReason,
} from "@careledger/protocol";
import type {
  ClaimResponse,
  ClaimResponseItemAdjudication,
  ClaimResponsePayment,
  ClaimResponseTotal,
  CodeableConcept,
} from "fhir/r4.js";
import { dateOf } from "./claim.js";
import { invariant } from "./invariant.js";
import { money } from "./money.js";
import { fhirId, instant, organizationReference, patientReference } from "./references.js";
import { CLAIM_DECISION_EXTENSION, SYSTEM } from "./systems.js";

/** HL7's `adjudication` categories, and CARIN's for what core R4 has no code for. */
const category = (code: string, carin = false): CodeableConcept => ({
  coding: [{ system: carin ? SYSTEM.carinAdjudication : SYSTEM.adjudication, code }],
});

/** `ar001` is HL7's (Not covered); every other reason is ours (NOTES.md 2.2). */
const reasonOf = (reason: LineReason): CodeableConcept => ({
  coding: [
    {
      system: reason === "ar001" ? SYSTEM.adjudicationReason : ADJUDICATION_REASON_SYSTEM,
      code: reason,
    },
  ],
});

/**
 * One line's adjudication entries (NOTES.md 2.3's C2: submitted, eligible, deductible,
 * eligpercent, benefit), with the copay when there is one, CARIN's `coinsurance` and
 * `memberliability` for the member's share, and for a denied line CARIN's `noncovered` with the
 * reason. `eligpercent` is what the plan pays after the deductible, 100 - coinsurance %.
 */
function lineAdjudication(
  line: LineAdjudicationView,
  currency: Currency,
  coinsuranceBp: number | null,
): ClaimResponseItemAdjudication[] {
  const amount = (code: string, value: number, carin = false) => ({
    category: category(code, carin),
    amount: money(value, currency),
  });
  if (line.reason !== undefined) {
    return [
      amount("submitted", line.submitted),
      amount("eligible", 0),
      amount("benefit", 0),
      { ...amount("noncovered", line.noncovered, true), reason: reasonOf(line.reason) },
    ];
  }
  return [
    amount("submitted", line.submitted),
    amount("eligible", line.eligible),
    ...(line.copay > 0 ? [amount("copay", line.copay)] : []),
    amount("deductible", line.deductible),
    ...(coinsuranceBp === null
      ? []
      : [{ category: category("eligpercent"), value: (10_000 - coinsuranceBp) / 100 }]),
    amount("coinsurance", line.coinsurance, true),
    amount("memberliability", line.memberShare, true),
    amount("benefit", line.benefit),
  ];
}

/** The last time a payment moved the claim (its history keeps each). */
function paymentDate(view: ClaimView): string | undefined {
  const paid = view.history.filter(
    (entry) => entry.status === "paid" || entry.status === "partially-paid",
  );
  const last = paid.at(-1);
  return last === undefined ? undefined : dateOf(last.at.time);
}

/**
 * The payment once one committed (NOTES.md 2.1): `complete` when what is paid covers what is
 * payable, else `partial`; after an adjusted resolution below what was paid, the overpayment to
 * recover is an adjustment (negative, `a002` Prior Overpayment) and `amount` the benefit payable
 * less it ("benefits payable less any payment adjustment").
 */
function paymentOf(view: ClaimView, currency: Currency): ClaimResponsePayment | undefined {
  if (view.paid === 0) return undefined;
  const date = paymentDate(view);
  return {
    type: {
      coding: [
        { system: SYSTEM.paymentType, code: view.paid >= view.payable ? "complete" : "partial" },
      ],
    },
    ...(view.recoverable > 0 && {
      adjustment: money(-view.recoverable, currency),
      adjustmentReason: { coding: [{ system: SYSTEM.paymentAdjustmentReason, code: "a002" }] },
    }),
    ...(date !== undefined && { date }),
    amount: money(view.paid, currency),
  };
}

/**
 * A claim's adjudication as an R4 ClaimResponse (NOTES.md 2.1 to 2.3): outcome `complete` with
 * one item per line, totals and the decision (R5's, by the cross-version extension), and the
 * payment once paid; or outcome `error` with the errors and, as R4 says, no item, total or
 * payment. It shares the claim's id (`request` points at the Claim). `coinsuranceBp` is the
 * plan version's, for `eligpercent` (null leaves it out).
 */
export function claimResponseResource(
  view: ClaimView,
  coinsuranceBp: number | null,
): ClaimResponse {
  fhirId(view.id, "claim");
  const response = view.response;
  const base: ClaimResponse = {
    resourceType: "ClaimResponse",
    id: view.id,
    meta: { lastUpdated: instant((view.history.at(-1)?.at ?? view.submitted).time) },
    identifier: [{ system: SYSTEM.claim, value: view.id }],
    status: view.status === "voided" ? "cancelled" : "active",
    type: { coding: [{ system: SYSTEM.claimType, code: view.type }] },
    use: "claim",
    patient: patientReference(view.member),
    created: instant(view.submitted.time),
    insurer: organizationReference(view.insurer),
    requestor: organizationReference(view.provider),
    request: { reference: `Claim/${view.id}` },
    outcome: response.outcome,
  };
  if (response.outcome === "error") {
    return {
      ...base,
      disposition: "The claim could not be adjudicated.",
      error: response.errors.map((code) => ({
        code: { coding: [{ system: CLAIM_ERROR_SYSTEM, code }] },
      })),
    };
  }
  invariant(response.lines.length === view.items.length, "a ClaimResponse line per claim item");
  const { currency, totals } = response;
  const total = (code: string, amount: number, carin = false): ClaimResponseTotal => ({
    category: category(code, carin),
    amount: money(amount, currency),
  });
  const payment = paymentOf(view, currency);
  return {
    ...base,
    extension: [
      {
        url: CLAIM_DECISION_EXTENSION,
        valueCodeableConcept: {
          coding: [{ system: SYSTEM.claimDecision, code: response.decision }],
        },
      },
    ],
    disposition: `Claim ${response.decision} under plan ${response.plan} version ${response.planVersion}.`,
    item: response.lines.map((line) => ({
      itemSequence: line.sequence,
      adjudication: lineAdjudication(line, currency, coinsuranceBp),
    })),
    total: [
      total("submitted", totals.submitted),
      total("eligible", totals.eligible),
      total("copay", totals.copay),
      total("deductible", totals.deductible),
      total("coinsurance", totals.coinsurance, true),
      total("memberliability", totals.memberShare, true),
      total("noncovered", totals.noncovered, true),
      total("benefit", totals.benefit),
    ],
    ...(payment !== undefined && { payment }),
  };
}

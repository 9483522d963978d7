import type { ClaimView, CoverageView, PlanView } from "@careledger/protocol";
import { GRANTED_AT, HOSPITAL, id128, key, YEAR_LATER } from "./views.testkit.js";

/** Claims views as the claims module's queries answer them: NOTES.md 2.3's worked example. */

export const MEMBER = key(0x44);
export const INSURER = "acme-health";
export const AGENT = key(0x55);
export const CLAIM_ID = id128(0xd2);
export const COVERAGE_ID = id128(0xce);
export const PREAUTH_ID = id128(0xa7);
const stamp = (height: number, time: number, by = AGENT) => ({ height, time, by });

export function planView(overrides: Partial<PlanView> = {}): PlanView {
  const terms = {
    deductible: 100_000,
    coinsuranceBp: 2_000,
    outOfPocketMax: 300_000,
    timelyFilingDays: 365,
    disputeWindowDays: 180,
    rules: [
      { code: "99213", allowedPerUnit: 12_000, copay: 2_500, copayOnly: true, preauth: false },
      { code: "70553", allowedPerUnit: 180_000, copayOnly: false, preauth: true },
    ],
  };
  return {
    id: "gold-2027",
    insurer: INSURER,
    name: "Gold 2027",
    currency: "USD",
    period: { start: GRANTED_AT, end: YEAR_LATER },
    versions: [{ version: 1, effective: GRANTED_AT, terms, registered: stamp(10, GRANTED_AT) }],
    ...overrides,
  };
}

export function coverageView(overrides: Partial<CoverageView> = {}): CoverageView {
  return {
    id: COVERAGE_ID,
    insurer: INSURER,
    plan: "gold-2027",
    member: MEMBER,
    period: { start: GRANTED_AT },
    enrolled: stamp(11, GRANTED_AT),
    ...overrides,
  };
}

const SUBMITTED = GRANTED_AT + 86_400_000;

/** C2: the MRI with its pre-authorization, $2,500.00 billed, $640.00 payable. */
export function mriClaimView(overrides: Partial<ClaimView> = {}): ClaimView {
  const line = {
    sequence: 1,
    submitted: 250_000,
    eligible: 180_000,
    copay: 0,
    deductible: 100_000,
    coinsurance: 16_000,
    memberShare: 116_000,
    benefit: 64_000,
    noncovered: 0,
  };
  const { sequence: _sequence, ...totals } = line;
  return {
    id: CLAIM_ID,
    provider: HOSPITAL,
    insurer: INSURER,
    coverage: COVERAGE_ID,
    member: MEMBER,
    type: "professional",
    serviceDate: GRANTED_AT + 3_600_000,
    items: [{ code: "70553", quantity: 1, unitPrice: 250_000 }],
    diagnoses: [key(0x61)],
    evidence: [],
    preauthorization: PREAUTH_ID,
    response: {
      outcome: "complete",
      decision: "approved",
      plan: "gold-2027",
      planVersion: 1,
      currency: "USD",
      lines: [line],
      totals,
      accumulators: { deductibleMet: 100_000, outOfPocketMet: 118_500 },
    },
    status: "adjudicated",
    payable: 64_000,
    paid: 0,
    recoverable: 0,
    disputeUntil: SUBMITTED + 180 * 86_400_000,
    submitted: stamp(20, SUBMITTED, key(0x33)),
    history: [{ status: "adjudicated", at: stamp(20, SUBMITTED, key(0x33)) }],
    ...overrides,
  };
}

/** C4: three lines, one not covered (ar001): partial. */
export function partialClaimView(): ClaimView {
  const paid = (sequence: number, submitted: number, eligible: number, coinsurance: number) => ({
    sequence,
    submitted,
    eligible,
    copay: 0,
    deductible: 0,
    coinsurance,
    memberShare: coinsurance,
    benefit: eligible - coinsurance,
    noncovered: 0,
  });
  const denied = {
    sequence: 3,
    submitted: 7_000,
    eligible: 0,
    copay: 0,
    deductible: 0,
    coinsurance: 0,
    memberShare: 0,
    benefit: 0,
    noncovered: 7_000,
    reason: "ar001" as const,
  };
  const base = mriClaimView();
  return {
    ...base,
    id: id128(0xd4),
    items: [
      { code: "80053", quantity: 1, unitPrice: 1_000 },
      { code: "97110", quantity: 3, unitPrice: 5_000 },
      { code: "D9999", quantity: 1, unitPrice: 7_000 },
    ],
    response: {
      outcome: "complete",
      decision: "partial",
      plan: "gold-2027",
      planVersion: 1,
      currency: "USD",
      lines: [paid(1, 1_000, 1_000, 200), paid(2, 15_000, 12_000, 2_400), denied],
      totals: {
        submitted: 23_000,
        eligible: 13_000,
        copay: 0,
        deductible: 0,
        coinsurance: 2_600,
        memberShare: 2_600,
        benefit: 10_400,
        noncovered: 7_000,
      },
      accumulators: { deductibleMet: 100_000, outOfPocketMet: 121_100 },
    },
    payable: 10_400,
  };
}

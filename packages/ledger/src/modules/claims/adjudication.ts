import assert from "node:assert/strict";
import type {
  ClaimItem,
  LineAdjudicationView,
  LineReason,
  PlanTerms,
  ServiceRule,
} from "@careledger/protocol";
import { basisPointsOf, minOf, product, sum } from "./money.js";

/**
 * The adjudication engine (NOTES.md 2.3): pure, deterministic, integers only. Every validator
 * runs it at commit with the same inputs, so it reads nothing but its arguments: the claim
 * module gathers the facts (the plan version in force on the service date, whether the coverage
 * is active then, the pre-authorization, whether the claim duplicates an earlier one, whether it
 * was filed late, the member's accumulators in block order) and keeps what this returns.
 */

/** What a pre-authorization says of one line's code: approved, none named, or not approved. */
export type PreauthState = "approved" | "missing" | "denied";

/** What the member has met of the plan period's deductible and out-of-pocket maximum. */
export interface Accumulators {
  readonly deductibleMet: number;
  readonly outOfPocketMet: number;
}

/** The facts of one claim, gathered by the module from state and the block's time. */
export interface AdjudicationInput {
  /** The terms of the plan version in force on the service date. */
  readonly terms: PlanTerms;
  readonly items: readonly ClaimItem[];
  /** The coverage is in force on the service date (start inclusive, end exclusive). */
  readonly coverageActive: boolean;
  /** An earlier claim, not denied and not voided, has the same provider, member, date and lines. */
  readonly duplicate: boolean;
  /** The claim came later than the plan's timely-filing limit after its service date. */
  readonly filedLate: boolean;
  /** What the claim's pre-authorization says of a code whose rule requires one. */
  readonly preauth: (code: string) => PreauthState;
  readonly accumulators: Accumulators;
}

/** Sums of the lines' amounts, as ClaimResponse `total` carries them. */
export interface AdjudicationTotals {
  readonly submitted: number;
  readonly eligible: number;
  readonly copay: number;
  readonly deductible: number;
  readonly coinsurance: number;
  readonly memberShare: number;
  readonly benefit: number;
  readonly noncovered: number;
}

/** R5 `claim-decision`: every line denied, some denied, none denied. */
export type ClaimDecision = "approved" | "partial" | "denied";

export interface Adjudication {
  readonly decision: ClaimDecision;
  readonly lines: LineAdjudicationView[];
  readonly totals: AdjudicationTotals;
  /** The accumulators after this claim: the next claim of the member starts from them. */
  readonly accumulators: Accumulators;
}

/**
 * Why a line pays nothing, in the order NOTES.md 2.3 checks: coverage in force on the service
 * date, code covered by the plan, pre-authorization when the rule requires it, duplicate,
 * timely filing. The first that fails names the line's reason; null: the line is payable.
 */
function denialOf(input: AdjudicationInput, rule: ServiceRule | undefined): LineReason | null {
  if (!input.coverageActive) return "coverage-inactive";
  if (rule === undefined) return "ar001";
  if (rule.preauth) {
    const preauth = input.preauth(rule.code);
    if (preauth !== "approved") return preauth === "missing" ? "preauth-missing" : "preauth-denied";
  }
  if (input.duplicate) return "duplicate";
  if (input.filedLate) return "late-filing";
  return null;
}

/**
 * Whether a coverage is in force on a service date: start inclusive, end exclusive (a coverage
 * ending on the service date does not cover it); without an end it runs to its plan's period end
 * (R4 Coverage.period).
 */
export function coverageInForce(
  coverage: { readonly start: number; readonly end?: number },
  planPeriod: { readonly end: number },
  serviceDate: number,
): boolean {
  return coverage.start <= serviceDate && serviceDate < (coverage.end ?? planPeriod.end);
}

/** What is left of a maximum, never below zero (a plan update may lower a maximum mid-period). */
const remaining = (maximum: number, met: number) => Math.max(0, maximum - met);

/**
 * One payable line (NOTES.md 2.3 steps 3 to 8): eligible = min(submitted, allowed x quantity);
 * the copay (at most the eligible amount); then, unless the rule is copay only, the deductible
 * from what is left of it this period and the coinsurance (basis points, half up) of the rest;
 * the member's share capped at what is left of the out-of-pocket maximum, taken off the
 * coinsurance first, then the deductible, then the copay; the plan pays the rest of eligible.
 */
function payableLine(
  sequence: number,
  submitted: number,
  item: ClaimItem,
  rule: ServiceRule,
  terms: PlanTerms,
  met: Accumulators,
): LineAdjudicationView {
  const eligible = minOf(submitted, product(rule.allowedPerUnit, item.quantity));
  let copay = Math.min(rule.copay ?? 0, eligible);
  let deductible = 0;
  let coinsurance = 0;
  if (!rule.copayOnly) {
    deductible = Math.min(eligible - copay, remaining(terms.deductible, met.deductibleMet));
    coinsurance = basisPointsOf(eligible - copay - deductible, terms.coinsuranceBp);
  }
  let over = copay + deductible + coinsurance - remaining(terms.outOfPocketMax, met.outOfPocketMet);
  if (over > 0) {
    const fromCoinsurance = Math.min(over, coinsurance);
    coinsurance -= fromCoinsurance;
    over -= fromCoinsurance;
    const fromDeductible = Math.min(over, deductible);
    deductible -= fromDeductible;
    over -= fromDeductible;
    copay -= over;
  }
  const memberShare = copay + deductible + coinsurance;
  return {
    sequence,
    submitted,
    eligible,
    copay,
    deductible,
    coinsurance,
    memberShare,
    benefit: eligible - memberShare,
    noncovered: 0,
  };
}

/** A line that pays nothing: the whole submitted amount is not covered, and nothing accrues. */
const deniedLine = (sequence: number, submitted: number, reason: LineReason) => ({
  sequence,
  submitted,
  eligible: 0,
  copay: 0,
  deductible: 0,
  coinsurance: 0,
  memberShare: 0,
  benefit: 0,
  noncovered: submitted,
  reason,
});

/** The totals of lines, each sum asserted safe (the payload bounds keep it below 2^53). */
export function totalsOf(lines: readonly LineAdjudicationView[]): AdjudicationTotals {
  const of = (field: keyof AdjudicationTotals) => sum(...lines.map((line) => line[field]));
  return {
    submitted: of("submitted"),
    eligible: of("eligible"),
    copay: of("copay"),
    deductible: of("deductible"),
    coinsurance: of("coinsurance"),
    memberShare: of("memberShare"),
    benefit: of("benefit"),
    noncovered: of("noncovered"),
  };
}

/** Denied when every line is, partial when some are, approved when none is (NOTES.md 2.3 C4). */
export function decisionOf(lines: readonly LineAdjudicationView[]): ClaimDecision {
  const denied = lines.filter((line) => line.reason !== undefined).length;
  if (denied === lines.length) return "denied";
  return denied === 0 ? "approved" : "partial";
}

/**
 * Adjudicates a claim line by line in item order; each payable line accrues to the member's
 * deductible and out-of-pocket before the next line is judged, so a cap crossed inside a claim
 * applies from that line on. Lines are numbered from 1 (FHIR `itemSequence`).
 */
export function adjudicate(input: AdjudicationInput): Adjudication {
  const { terms } = input;
  assert.ok(terms.deductible <= terms.outOfPocketMax, "the plan's deductible exceeds its OOP max");
  const rules = new Map(terms.rules.map((rule) => [rule.code, rule]));
  let met = input.accumulators;
  const lines = input.items.map((item, index) => {
    const sequence = index + 1;
    const submitted = Number(product(item.unitPrice, item.quantity));
    assert.ok(Number.isSafeInteger(submitted), "a line's submitted amount passed 2^53");
    const rule = rules.get(item.code);
    const reason = denialOf(input, rule);
    if (reason !== null || rule === undefined) {
      return deniedLine(sequence, submitted, reason ?? "ar001");
    }
    const line = payableLine(sequence, submitted, item, rule, terms, met);
    met = {
      deductibleMet: met.deductibleMet + line.deductible,
      outOfPocketMet: met.outOfPocketMet + line.memberShare,
    };
    return line;
  });
  return { decision: decisionOf(lines), lines, totals: totalsOf(lines), accumulators: met };
}

/** `claim.resolve` `adjusted`: a line named with the benefit the insurer now pays. */
export interface LineAdjustment {
  readonly sequence: number;
  readonly benefit: number;
}

/**
 * The lines of an adjusted resolution: each named line gets its new benefit and, the member's
 * share unchanged, eligible = member share + benefit (never above submitted; a denied line
 * named becomes payable and loses its reason). The caller refuses adjustments naming no line,
 * a line twice or a line the claim lacks; this asserts it.
 */
export function adjustLines(
  lines: readonly LineAdjudicationView[],
  adjustments: readonly LineAdjustment[],
): LineAdjudicationView[] {
  const bySequence = new Map(adjustments.map((adjustment) => [adjustment.sequence, adjustment]));
  assert.equal(bySequence.size, adjustments.length, "an adjustment names a line twice");
  const adjusted = lines.map((line) => {
    const adjustment = bySequence.get(line.sequence);
    if (adjustment === undefined) return line;
    const eligible = sum(line.memberShare, adjustment.benefit);
    assert.ok(eligible <= line.submitted, `line ${line.sequence}: eligible above submitted`);
    const { reason: _denied, ...payable } = line;
    return { ...payable, eligible, benefit: adjustment.benefit, noncovered: 0 };
  });
  assert.equal(
    adjustments.filter((adjustment) => lines.some((line) => line.sequence === adjustment.sequence))
      .length,
    adjustments.length,
    "an adjustment names a line the claim lacks",
  );
  return adjusted;
}

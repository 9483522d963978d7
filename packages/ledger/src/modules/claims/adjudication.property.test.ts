import {
  AMOUNT_MAX,
  BASIS_POINTS_MAX,
  CLAIM_ITEMS_MAX,
  type PlanTerms,
  QUANTITY_MAX,
  UNIT_PRICE_MAX,
} from "@careledger/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Accumulators, type AdjudicationInput, adjudicate } from "./adjudication.js";

const CODES = ["A", "B", "C", "D", "E"] as const;
const amount = (max = AMOUNT_MAX) =>
  fc.oneof(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max }));

/** Plans whose deductible is at most the OOP maximum (plan.register checks it), codes A to D. */
const terms: fc.Arbitrary<PlanTerms> = fc
  .record({
    outOfPocketMax: amount(),
    coinsuranceBp: fc.integer({ min: 0, max: BASIS_POINTS_MAX }),
    rules: fc.tuple(
      ...CODES.slice(0, 4).map((code) =>
        fc.record({
          code: fc.constant(code),
          allowedPerUnit: amount(),
          copay: fc.option(amount(), { nil: undefined }),
          copayOnly: fc.boolean(),
          preauth: fc.boolean(),
        }),
      ),
    ),
  })
  .chain(({ outOfPocketMax, coinsuranceBp, rules }) =>
    fc.integer({ min: 0, max: outOfPocketMax }).map((deductible) => ({
      deductible,
      coinsuranceBp,
      outOfPocketMax,
      timelyFilingDays: 365,
      disputeWindowDays: 180,
      rules: rules.map(({ copay, ...rule }) => (copay === undefined ? rule : { ...rule, copay })),
    })),
  );

const items = fc.array(
  fc.record({
    code: fc.constantFrom(...CODES),
    quantity: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: QUANTITY_MAX })),
    unitPrice: fc.oneof(
      fc.integer({ min: 0, max: 1_000_000 }),
      fc.integer({ min: 0, max: UNIT_PRICE_MAX }),
    ),
  }),
  { minLength: 1, maxLength: CLAIM_ITEMS_MAX },
);

/** A member's claims over a period: the accumulators of one start where the last left off. */
const scenario = fc.record({
  terms,
  claims: fc.array(
    fc.record({
      items,
      coverageActive: fc.boolean(),
      duplicate: fc.boolean(),
      filedLate: fc.boolean(),
      approved: fc.subarray([...CODES]),
      named: fc.boolean(),
    }),
    { minLength: 1, maxLength: 8 },
  ),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function run(plan: PlanTerms, claims: Scenario["claims"]): ReturnType<typeof adjudicate>[] {
  let accumulators: Accumulators = { deductibleMet: 0, outOfPocketMet: 0 };
  return claims.map((claim) => {
    const input: AdjudicationInput = {
      terms: plan,
      items: claim.items,
      coverageActive: claim.coverageActive,
      duplicate: claim.duplicate,
      filedLate: claim.filedLate,
      preauth: (code) =>
        !claim.named
          ? "missing"
          : (claim.approved as string[]).includes(code)
            ? "approved"
            : "denied",
      accumulators,
    };
    const result = adjudicate(input);
    accumulators = result.accumulators;
    return result;
  });
}
describe("adjudication properties", () => {
  it("member share + benefit = eligible <= submitted on every line, every amount >= 0", () => {
    fc.assert(
      fc.property(scenario, ({ terms: plan, claims }) => {
        for (const result of run(plan, claims)) {
          for (const line of result.lines) {
            expect(line.memberShare).toBe(line.copay + line.deductible + line.coinsurance);
            expect(line.memberShare + line.benefit).toBe(line.eligible);
            expect(line.eligible).toBeLessThanOrEqual(line.submitted);
            for (const value of Object.values(line)) {
              if (typeof value === "number") expect(value).toBeGreaterThanOrEqual(0);
            }
            if (line.reason !== undefined) {
              expect(line.eligible).toBe(0);
              expect(line.noncovered).toBe(line.submitted);
            }
          }
          expect(result.totals.memberShare + result.totals.benefit).toBe(result.totals.eligible);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("the accumulators only grow, by what the lines say, and never pass their maxima", () => {
    fc.assert(
      fc.property(scenario, ({ terms: plan, claims }) => {
        let before: Accumulators = { deductibleMet: 0, outOfPocketMet: 0 };
        for (const result of run(plan, claims)) {
          const { deductibleMet, outOfPocketMet } = result.accumulators;
          expect(deductibleMet).toBe(before.deductibleMet + result.totals.deductible);
          expect(outOfPocketMet).toBe(before.outOfPocketMet + result.totals.memberShare);
          expect(deductibleMet).toBeLessThanOrEqual(plan.deductible);
          expect(outOfPocketMet).toBeLessThanOrEqual(plan.outOfPocketMax);
          before = result.accumulators;
        }
      }),
      { numRuns: 300 },
    );
  });

  it("is deterministic: the same claims in the same order give the same results", () => {
    fc.assert(
      fc.property(scenario, ({ terms: plan, claims }) => {
        expect(run(plan, claims)).toEqual(run(plan, claims));
      }),
      { numRuns: 100 },
    );
  });
});

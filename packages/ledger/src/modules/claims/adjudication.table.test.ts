import {
  AMOUNT_MAX,
  CLAIM_ITEMS_MAX,
  type ClaimItem,
  type LineAdjudicationView,
  type LineReason,
  type PlanTerms,
  QUANTITY_MAX,
  type ServiceRule,
  UNIT_PRICE_MAX,
} from "@careledger/protocol";
import { describe, expect, it } from "vitest";
import {
  type AdjudicationInput,
  adjudicate,
  adjustLines,
  type ClaimDecision,
  coverageInForce,
  type PreauthState,
} from "./adjudication.js";

/**
 * Adjudication cases with amounts computed by hand (cents of USD). `plan` is NOTES.md 2.3's
 * worked example plan ($1,000 deductible, 20% coinsurance, $3,000 out-of-pocket maximum) with
 * a few more rules; each case says what it differs in.
 */

const rule = (code: string, allowedPerUnit: number, extra: Partial<ServiceRule> = {}) => ({
  code,
  allowedPerUnit,
  copayOnly: false,
  preauth: false,
  ...extra,
});

const plan: PlanTerms = {
  deductible: 100_000,
  coinsuranceBp: 2_000,
  outOfPocketMax: 300_000,
  timelyFilingDays: 365,
  disputeWindowDays: 180,
  rules: [
    rule("99213", 12_000, { copay: 2_500, copayOnly: true }),
    rule("70553", 180_000, { preauth: true }),
    rule("70551", 100_000, { preauth: true }),
    rule("80053", 1_500),
    rule("97110", 4_000),
    rule("99223", 1_200_000),
    rule("A100", 10_000),
    rule("99214", 15_000, { copay: 3_000 }),
    rule("99212", 8_000, { copay: 2_000, copayOnly: true }),
    rule("99211", 1_000, { copay: 2_500, copayOnly: true }),
  ],
};
/** No deductible, 25% coinsurance: the member's share of 2 cents is exactly half a cent. */
const quarter: PlanTerms = { ...plan, deductible: 0, coinsuranceBp: 2_500 };

const item = (code: string, unitPrice: number, quantity = 1): ClaimItem => ({
  code,
  quantity,
  unitPrice,
});

/** A payable line: submitted, eligible, copay, deductible, coinsurance, member share, benefit. */
type Paid = [number, number, number, number, number, number, number];
/** A denied line: submitted and its reason. */
type Denied = [number, LineReason];

interface Case {
  readonly name: string;
  readonly terms?: PlanTerms;
  readonly items: readonly ClaimItem[];
  readonly before: [number, number];
  readonly facts?: Partial<Pick<AdjudicationInput, "coverageActive" | "duplicate" | "filedLate">>;
  readonly preauth?: Readonly<Record<string, PreauthState>>;
  readonly lines: ReadonlyArray<Paid | Denied>;
  readonly after: [number, number];
  readonly decision: ClaimDecision;
}

const CASES: readonly Case[] = [
  // NOTES.md 2.3's worked example, claim by claim (the member's accumulators carry over).
  {
    name: "C1: office visit, copay only",
    items: [item("99213", 20_000)],
    before: [0, 0],
    lines: [[20_000, 12_000, 2_500, 0, 0, 2_500, 9_500]],
    after: [0, 2_500],
    decision: "approved",
  },
  {
    name: "C2: MRI with its pre-authorization: the whole deductible, then 20%",
    items: [item("70553", 250_000)],
    preauth: { "70553": "approved" },
    before: [0, 2_500],
    lines: [[250_000, 180_000, 0, 100_000, 16_000, 116_000, 64_000]],
    after: [100_000, 118_500],
    decision: "approved",
  },
  {
    name: "C3: the MRI again without a pre-authorization",
    items: [item("70553", 250_000)],
    before: [100_000, 118_500],
    lines: [[250_000, "preauth-missing"]],
    after: [100_000, 118_500],
    decision: "denied",
  },
  {
    name: "C4: billed below allowed, three units, a code not in the plan",
    items: [item("80053", 1_000), item("97110", 5_000, 3), item("D9999", 7_000)],
    before: [100_000, 118_500],
    lines: [
      [1_000, 1_000, 0, 0, 200, 200, 800],
      [15_000, 12_000, 0, 0, 2_400, 2_400, 9_600],
      [7_000, "ar001"],
    ],
    after: [100_000, 121_100],
    decision: "partial",
  },
  {
    name: "C5: coinsurance of 2,400.00 capped at the 1,789.00 left of the OOP maximum",
    items: [item("99223", 1_500_000)],
    before: [100_000, 121_100],
    lines: [[1_500_000, 1_200_000, 0, 0, 178_900, 178_900, 1_021_100]],
    after: [100_000, 300_000],
    decision: "approved",
  },
  {
    name: "C6: the plan pays 100% once the OOP maximum is met",
    items: [item("97110", 5_000, 2)],
    before: [100_000, 300_000],
    lines: [[10_000, 8_000, 0, 0, 0, 0, 8_000]],
    after: [100_000, 300_000],
    decision: "approved",
  },
  // The deductible.
  {
    name: "deductible partly met: the line goes to the deductible",
    items: [item("A100", 10_000)],
    before: [30_000, 30_000],
    lines: [[10_000, 10_000, 0, 10_000, 0, 10_000, 0]],
    after: [40_000, 40_000],
    decision: "approved",
  },
  {
    name: "deductible met inside a line: its rest is coinsured",
    items: [item("A100", 10_000, 10)],
    before: [95_000, 95_000],
    lines: [[100_000, 100_000, 0, 5_000, 19_000, 24_000, 76_000]],
    after: [100_000, 119_000],
    decision: "approved",
  },
  {
    name: "deductible met exactly by a line",
    items: [item("A100", 10_000)],
    before: [90_000, 90_000],
    lines: [[10_000, 10_000, 0, 10_000, 0, 10_000, 0]],
    after: [100_000, 100_000],
    decision: "approved",
  },
  {
    name: "deductible met exactly before the claim",
    items: [item("A100", 10_000)],
    before: [100_000, 100_000],
    lines: [[10_000, 10_000, 0, 0, 2_000, 2_000, 8_000]],
    after: [100_000, 102_000],
    decision: "approved",
  },
  {
    name: "deductible's last 50.00 and 20% of the line's other 50.00",
    items: [item("A100", 10_000)],
    before: [95_000, 95_000],
    lines: [[10_000, 10_000, 0, 5_000, 1_000, 6_000, 4_000]],
    after: [100_000, 101_000],
    decision: "approved",
  },
  {
    name: "deductible met in the first line of two: the second is coinsured only",
    items: [item("A100", 10_000), item("A100", 10_000)],
    before: [95_000, 95_000],
    lines: [
      [10_000, 10_000, 0, 5_000, 1_000, 6_000, 4_000],
      [10_000, 10_000, 0, 0, 2_000, 2_000, 8_000],
    ],
    after: [100_000, 103_000],
    decision: "approved",
  },
  {
    name: "no deductible in the plan: coinsurance from the first cent",
    terms: { ...plan, deductible: 0 },
    items: [item("A100", 10_000)],
    before: [0, 0],
    lines: [[10_000, 10_000, 0, 0, 2_000, 2_000, 8_000]],
    after: [0, 2_000],
    decision: "approved",
  },
  {
    name: "a deductible as large as the OOP maximum: the cap takes the coinsurance",
    terms: { ...plan, deductible: 300_000 },
    items: [item("A100", 10_000, 40)],
    before: [0, 0],
    lines: [[400_000, 400_000, 0, 300_000, 0, 300_000, 100_000]],
    after: [300_000, 300_000],
    decision: "approved",
  },
  // Coinsurance rounding (half up, in the member's share).
  {
    name: "coinsurance of exactly half a cent rounds up",
    terms: quarter,
    items: [item("A100", 2)],
    before: [0, 0],
    lines: [[2, 2, 0, 0, 1, 1, 1]],
    after: [0, 1],
    decision: "approved",
  },
  {
    name: "coinsurance of a quarter cent rounds down",
    terms: quarter,
    items: [item("A100", 1)],
    before: [0, 0],
    lines: [[1, 1, 0, 0, 0, 0, 1]],
    after: [0, 0],
    decision: "approved",
  },
  {
    name: "coinsurance of three quarters of a cent rounds up",
    terms: quarter,
    items: [item("A100", 3)],
    before: [0, 0],
    lines: [[3, 3, 0, 0, 1, 1, 2]],
    after: [0, 1],
    decision: "approved",
  },
  {
    name: "coinsurance of 2.5 cents is 3",
    terms: quarter,
    items: [item("A100", 10)],
    before: [0, 0],
    lines: [[10, 10, 0, 0, 3, 3, 7]],
    after: [0, 3],
    decision: "approved",
  },
  {
    name: "one basis point of 50.00 is half a cent: 1",
    terms: { ...quarter, coinsuranceBp: 1 },
    items: [item("A100", 5_000)],
    before: [0, 0],
    lines: [[5_000, 5_000, 0, 0, 1, 1, 4_999]],
    after: [0, 1],
    decision: "approved",
  },
  {
    name: "one basis point of 49.99 is just under half a cent: 0",
    terms: { ...quarter, coinsuranceBp: 1 },
    items: [item("A100", 4_999)],
    before: [0, 0],
    lines: [[4_999, 4_999, 0, 0, 0, 0, 4_999]],
    after: [0, 0],
    decision: "approved",
  },
  {
    name: "0% coinsurance: the plan pays everything after the deductible",
    terms: { ...quarter, coinsuranceBp: 0 },
    items: [item("A100", 10_000)],
    before: [0, 0],
    lines: [[10_000, 10_000, 0, 0, 0, 0, 10_000]],
    after: [0, 0],
    decision: "approved",
  },
  {
    name: "100% coinsurance: the member pays everything up to the cap",
    terms: { ...quarter, coinsuranceBp: 10_000 },
    items: [item("A100", 10_000)],
    before: [0, 0],
    lines: [[10_000, 10_000, 0, 0, 10_000, 10_000, 0]],
    after: [0, 10_000],
    decision: "approved",
  },
  // The out-of-pocket maximum.
  {
    name: "OOP maximum crossed in the middle of a line",
    items: [item("A100", 10_000)],
    before: [100_000, 299_000],
    lines: [[10_000, 10_000, 0, 0, 1_000, 1_000, 9_000]],
    after: [100_000, 300_000],
    decision: "approved",
  },
  {
    name: "OOP maximum crossed in the middle of a claim: the next line is paid in full",
    items: [item("A100", 10_000), item("A100", 10_000)],
    before: [100_000, 299_000],
    lines: [
      [10_000, 10_000, 0, 0, 1_000, 1_000, 9_000],
      [10_000, 10_000, 0, 0, 0, 0, 10_000],
    ],
    after: [100_000, 300_000],
    decision: "approved",
  },
  {
    name: "after the OOP maximum the plan pays 100% of several units",
    items: [item("A100", 10_000, 3)],
    before: [100_000, 300_000],
    lines: [[30_000, 30_000, 0, 0, 0, 0, 30_000]],
    after: [100_000, 300_000],
    decision: "approved",
  },
  {
    name: "after the OOP maximum no copay either",
    items: [item("99213", 20_000)],
    before: [0, 300_000],
    lines: [[20_000, 12_000, 0, 0, 0, 0, 12_000]],
    after: [0, 300_000],
    decision: "approved",
  },
  {
    name: "the cap takes the deductible after the coinsurance",
    terms: { ...plan, outOfPocketMax: 150_000 },
    items: [item("A100", 10_000, 10)],
    before: [0, 140_000],
    lines: [[100_000, 100_000, 0, 10_000, 0, 10_000, 90_000]],
    after: [10_000, 150_000],
    decision: "approved",
  },
  {
    name: "the cap takes the copay last",
    items: [item("99214", 20_000)],
    before: [100_000, 299_000],
    lines: [[20_000, 15_000, 1_000, 0, 0, 1_000, 14_000]],
    after: [100_000, 300_000],
    decision: "approved",
  },
  {
    name: "an OOP maximum lowered below what is met: nothing more to the member",
    terms: { ...plan, outOfPocketMax: 100_000 },
    items: [item("A100", 10_000)],
    before: [100_000, 200_000],
    lines: [[10_000, 10_000, 0, 0, 0, 0, 10_000]],
    after: [100_000, 200_000],
    decision: "approved",
  },
  // Copays.
  {
    name: "copay, then deductible on the rest (not copay only)",
    items: [item("99214", 20_000)],
    before: [0, 0],
    lines: [[20_000, 15_000, 3_000, 12_000, 0, 15_000, 0]],
    after: [12_000, 15_000],
    decision: "approved",
  },
  {
    name: "copay, then coinsurance on the rest once the deductible is met",
    items: [item("99214", 20_000)],
    before: [100_000, 100_000],
    lines: [[20_000, 15_000, 3_000, 0, 2_400, 5_400, 9_600]],
    after: [100_000, 105_400],
    decision: "approved",
  },
  {
    name: "a copay-only visit of two units: one copay for the line",
    items: [item("99212", 6_000, 2)],
    before: [0, 0],
    lines: [[12_000, 12_000, 2_000, 0, 0, 2_000, 10_000]],
    after: [0, 2_000],
    decision: "approved",
  },
  {
    name: "a copay above the eligible amount is the eligible amount",
    items: [item("99211", 3_000)],
    before: [0, 0],
    lines: [[3_000, 1_000, 1_000, 0, 0, 1_000, 0]],
    after: [0, 1_000],
    decision: "approved",
  },
  // Eligible amounts.
  {
    name: "billed below the allowed amount: eligible is what was billed",
    items: [item("A100", 8_000)],
    before: [100_000, 100_000],
    lines: [[8_000, 8_000, 0, 0, 1_600, 1_600, 6_400]],
    after: [100_000, 101_600],
    decision: "approved",
  },
  {
    name: "billed nothing: a zero line, approved",
    items: [item("A100", 0)],
    before: [100_000, 100_000],
    lines: [[0, 0, 0, 0, 0, 0, 0]],
    after: [100_000, 100_000],
    decision: "approved",
  },
  {
    name: "quantity above one: allowed per unit times units",
    items: [item("97110", 5_000, 4)],
    before: [100_000, 100_000],
    lines: [[20_000, 16_000, 0, 0, 3_200, 3_200, 12_800]],
    after: [100_000, 103_200],
    decision: "approved",
  },
  {
    name: "quantity above one billed below allowed",
    items: [item("97110", 3_000, 4)],
    before: [100_000, 100_000],
    lines: [[12_000, 12_000, 0, 0, 2_400, 2_400, 9_600]],
    after: [100_000, 102_400],
    decision: "approved",
  },
  // Denials.
  {
    name: "a code the plan does not cover: ar001",
    items: [item("X1", 5_000)],
    before: [0, 0],
    lines: [[5_000, "ar001"]],
    after: [0, 0],
    decision: "denied",
  },
  {
    name: "a covered line and a not covered one: partial",
    items: [item("A100", 10_000), item("X1", 5_000)],
    before: [100_000, 100_000],
    lines: [
      [10_000, 10_000, 0, 0, 2_000, 2_000, 8_000],
      [5_000, "ar001"],
    ],
    after: [100_000, 102_000],
    decision: "partial",
  },
  {
    name: "a pre-authorization that does not approve the code",
    items: [item("70553", 250_000)],
    preauth: { "70553": "denied" },
    before: [0, 0],
    lines: [[250_000, "preauth-denied"]],
    after: [0, 0],
    decision: "denied",
  },
  {
    name: "a pre-authorization approving one of two codes that need one",
    items: [item("70553", 250_000), item("70551", 120_000)],
    preauth: { "70553": "approved", "70551": "denied" },
    before: [100_000, 100_000],
    lines: [
      [250_000, 180_000, 0, 0, 36_000, 36_000, 144_000],
      [120_000, "preauth-denied"],
    ],
    after: [100_000, 136_000],
    decision: "partial",
  },
  {
    name: "a rule without pre-authorization needs none",
    items: [item("A100", 10_000)],
    before: [100_000, 100_000],
    lines: [[10_000, 10_000, 0, 0, 2_000, 2_000, 8_000]],
    after: [100_000, 102_000],
    decision: "approved",
  },
  {
    name: "coverage inactive on the service date: every line, before any other reason",
    items: [item("A100", 10_000), item("X1", 5_000), item("70553", 250_000)],
    facts: { coverageActive: false, duplicate: true, filedLate: true },
    before: [0, 0],
    lines: [
      [10_000, "coverage-inactive"],
      [5_000, "coverage-inactive"],
      [250_000, "coverage-inactive"],
    ],
    after: [0, 0],
    decision: "denied",
  },
  {
    name: "a duplicate: the covered lines say duplicate, the others why they are not covered",
    items: [item("A100", 10_000), item("X1", 5_000)],
    facts: { duplicate: true },
    before: [0, 0],
    lines: [
      [10_000, "duplicate"],
      [5_000, "ar001"],
    ],
    after: [0, 0],
    decision: "denied",
  },
  {
    name: "a missing pre-authorization is named before a duplicate",
    items: [item("70553", 250_000)],
    facts: { duplicate: true },
    before: [0, 0],
    lines: [[250_000, "preauth-missing"]],
    after: [0, 0],
    decision: "denied",
  },
  {
    name: "filed late",
    items: [item("A100", 10_000)],
    facts: { filedLate: true },
    before: [0, 0],
    lines: [[10_000, "late-filing"]],
    after: [0, 0],
    decision: "denied",
  },
  {
    name: "a duplicate filed late is a duplicate",
    items: [item("A100", 10_000)],
    facts: { duplicate: true, filedLate: true },
    before: [0, 0],
    lines: [[10_000, "duplicate"]],
    after: [0, 0],
    decision: "denied",
  },
  // The bounds: products past 2^53 are formed exactly.
  {
    name: "the largest line: allowed x quantity passes 2^53, eligible is the submitted amount",
    terms: {
      ...plan,
      deductible: 0,
      outOfPocketMax: AMOUNT_MAX,
      rules: [rule("BIG", AMOUNT_MAX)],
    },
    items: [item("BIG", UNIT_PRICE_MAX, QUANTITY_MAX)],
    before: [0, 0],
    lines: [
      [99_990_000_000_000, 99_990_000_000_000, 0, 0, AMOUNT_MAX, AMOUNT_MAX, 98_990_000_000_000],
    ],
    after: [0, AMOUNT_MAX],
    decision: "approved",
  },
];

function expectedLine(sequence: number, line: Paid | Denied): LineAdjudicationView {
  if (line.length === 2) {
    const [submitted, reason] = line;
    return {
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
    };
  }
  const [submitted, eligible, copay, deductible, coinsurance, memberShare, benefit] = line;
  return {
    sequence,
    submitted,
    eligible,
    copay,
    deductible,
    coinsurance,
    memberShare,
    benefit,
    noncovered: 0,
  };
}

function inputOf(c: Case): AdjudicationInput {
  return {
    terms: c.terms ?? plan,
    items: c.items,
    coverageActive: c.facts?.coverageActive ?? true,
    duplicate: c.facts?.duplicate ?? false,
    filedLate: c.facts?.filedLate ?? false,
    preauth: (code) => c.preauth?.[code] ?? "missing",
    accumulators: { deductibleMet: c.before[0], outOfPocketMet: c.before[1] },
  };
}

describe("adjudication, case by case", () => {
  it("has the cases the issue asks for", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(45);
  });

  for (const c of CASES) {
    it(c.name, () => {
      const result = adjudicate(inputOf(c));
      expect(result.lines).toEqual(c.lines.map((line, index) => expectedLine(index + 1, line)));
      expect(result.accumulators).toEqual({
        deductibleMet: c.after[0],
        outOfPocketMet: c.after[1],
      });
      expect(result.decision).toBe(c.decision);
      for (const field of ["submitted", "eligible", "benefit", "memberShare"] as const) {
        const total = result.lines.reduce((sum, line) => sum + line[field], 0);
        expect(result.totals[field]).toBe(total);
      }
    });
  }

  it("totals 50 of the largest lines below 2^53", () => {
    const terms = { ...plan, deductible: 0, outOfPocketMax: AMOUNT_MAX, rules: [rule("BIG", 1)] };
    const items = Array.from({ length: CLAIM_ITEMS_MAX }, () =>
      item("BIG", UNIT_PRICE_MAX, QUANTITY_MAX),
    );
    const result = adjudicate({ ...inputOf(CASES[0] as Case), terms, items });
    // Allowed one cent a unit: eligible 9,999 a line, 20% coinsurance of it 1,999.8 -> 2,000.
    expect(result.totals.submitted).toBe(4_999_500_000_000_000);
    expect(result.totals.eligible).toBe(CLAIM_ITEMS_MAX * QUANTITY_MAX);
    expect(result.totals.coinsurance).toBe(CLAIM_ITEMS_MAX * 2_000);
    expect(result.totals.noncovered).toBe(0);
  });
});

describe("coverage in force on the service date", () => {
  const period = { start: 1_000, end: 2_000 };
  it.each([
    ["on its first day", { start: 1_000 }, 1_000, true],
    ["the day before it starts", { start: 1_000 }, 999, false],
    ["ending on the service date (end exclusive)", { start: 1_000, end: 1_500 }, 1_500, false],
    ["the last instant before its end", { start: 1_000, end: 1_500 }, 1_499, true],
    ["without an end, up to the plan period's end", { start: 1_000 }, 1_999, true],
    ["without an end, at the plan period's end", { start: 1_000 }, 2_000, false],
  ])("%s", (_name, coverage, date, inForce) => {
    expect(coverageInForce(coverage, period, date)).toBe(inForce);
  });
});

describe("an adjusted resolution", () => {
  const c2 = adjudicate(inputOf(CASES[1] as Case));
  const c4 = adjudicate(inputOf(CASES[3] as Case));

  it("sets a line's benefit and keeps the member's share: eligible follows", () => {
    const [line] = adjustLines(c2.lines, [{ sequence: 1, benefit: 80_000 }]);
    expect(line).toEqual({ ...c2.lines[0], eligible: 196_000, benefit: 80_000 });
  });

  it("makes a denied line payable, without its reason", () => {
    const lines = adjustLines(c4.lines, [{ sequence: 3, benefit: 5_000 }]);
    expect(lines[2]).toEqual({
      sequence: 3,
      submitted: 7_000,
      eligible: 5_000,
      copay: 0,
      deductible: 0,
      coinsurance: 0,
      memberShare: 0,
      benefit: 5_000,
      noncovered: 0,
    });
    expect(lines.slice(0, 2)).toEqual(c4.lines.slice(0, 2));
  });

  it("refuses a benefit that would take eligible above submitted", () => {
    expect(() => adjustLines(c2.lines, [{ sequence: 1, benefit: 134_001 }])).toThrow(
      /eligible above submitted/,
    );
  });

  it("refuses a line named twice or a line the claim lacks", () => {
    const twice = [
      { sequence: 1, benefit: 1 },
      { sequence: 1, benefit: 2 },
    ];
    expect(() => adjustLines(c2.lines, twice)).toThrow(/twice/);
    expect(() => adjustLines(c2.lines, [{ sequence: 2, benefit: 1 }])).toThrow(/lacks/);
  });
});

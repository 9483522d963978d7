import {
  type ClaimResponseView,
  encodeReceipt,
  type Receipt,
  type SignedTx,
  toHex,
} from "@careledger/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ClaimsWorld, DAY, EXAMPLE_TERMS, line, memberKey } from "./claims.testkit.js";

/**
 * The same claims in the same order on two fresh ledgers give the same receipts and state roots
 * at every height; and on every adjudicated line member share + benefit = eligible <= submitted,
 * with the accumulators never past their maxima.
 */
const CODES = [
  ...EXAMPLE_TERMS.rules.map((rule) => rule.code).filter((code) => code !== "70553"),
  "D9999",
];
const MEMBERS = 3;

const lineArb = fc.record({
  code: fc.constantFrom(...CODES),
  quantity: fc.integer({ min: 1, max: 3 }),
  unitPrice: fc.integer({ min: 100, max: 400_000 }),
});
const opArb = fc.oneof(
  fc.record({
    kind: fc.constant("submit" as const),
    member: fc.integer({ min: 0, max: MEMBERS - 1 }),
    lines: fc.array(lineArb, { minLength: 1, maxLength: 4 }),
    daysAgo: fc.integer({ min: 0, max: 3 }),
  }),
  fc.record({
    kind: fc.constantFrom("pay" as const, "void" as const, "dispute" as const),
    claim: fc.nat(),
    amount: fc.integer({ min: 1, max: 20_000 }),
  }),
);
/** Blocks of one to three operations. */
const programArb = fc.array(fc.array(opArb, { minLength: 1, maxLength: 3 }), {
  minLength: 1,
  maxLength: 6,
});

type Op = typeof opArb extends fc.Arbitrary<infer T> ? T : never;
type Program = Op[][];

interface Run {
  readonly receipts: string[];
  readonly roots: string[];
  readonly responses: ClaimResponseView[];
}

async function run(program: Program): Promise<Run> {
  const c = await ClaimsWorld.create("claims-determinism");
  try {
    const coverages = [c.coverage];
    for (let m = 1; m < MEMBERS; m++) coverages.push(await c.enroll(memberKey(m + 1)));
    const claims: string[] = [];
    const receipts: string[] = [];
    const roots: string[] = [];
    const responses: ClaimResponseView[] = [];
    for (const block of program) {
      const txs: SignedTx[] = block.map((op) => {
        if (op.kind === "submit") {
          const tx = c.submitTx(
            op.lines.map((item) => line(item.code, item.unitPrice, item.quantity)),
            {
              member: op.member === 0 ? c.member : memberKey(op.member + 1),
              coverage: coverages[op.member] as string,
              serviceDate: c.time - op.daysAgo * DAY,
            },
          );
          claims.push((tx.tx.payload as { id: string }).id);
          return tx;
        }
        const claim =
          claims.length === 0 ? c.nextId() : (claims[op.claim % claims.length] as string);
        if (op.kind === "pay") return c.payTx(claim, op.amount);
        return op.kind === "void" ? c.voidTx(claim) : c.disputeTx(claim);
      });
      const blockReceipts: Receipt[] = await c.h.block(txs);
      for (const [index, receipt] of blockReceipts.entries()) {
        receipts.push(toHex(encodeReceipt(receipt)));
        if (receipt.status === "ok" && txs[index]?.tx.type === "claim.submit") {
          responses.push(receipt.result as ClaimResponseView);
        }
      }
      roots.push(toHex(c.h.ledger.head.stateRoot));
    }
    return { receipts, roots, responses };
  } finally {
    await c.close();
  }
}

describe("claims on two fresh ledgers", () => {
  it("give identical receipts and state roots; every line and accumulator within its bounds", async () => {
    await fc.assert(
      fc.asyncProperty(programArb, async (program) => {
        const [first, second] = [await run(program), await run(program)];
        expect(second.receipts).toEqual(first.receipts);
        expect(second.roots).toEqual(first.roots);
        for (const response of first.responses) {
          if (response.outcome !== "complete") continue;
          for (const adjudicated of response.lines) {
            expect(adjudicated.memberShare + adjudicated.benefit).toBe(adjudicated.eligible);
            expect(adjudicated.eligible).toBeLessThanOrEqual(adjudicated.submitted);
          }
          expect(response.accumulators.deductibleMet).toBeLessThanOrEqual(EXAMPLE_TERMS.deductible);
          expect(response.accumulators.outOfPocketMet).toBeLessThanOrEqual(
            EXAMPLE_TERMS.outOfPocketMax,
          );
        }
      }),
      { numRuns: 12 },
    );
  }, 120_000);
});

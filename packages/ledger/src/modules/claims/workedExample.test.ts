import type { ClaimResponseView } from "@careledger/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClaimsWorld, line } from "./claims.testkit.js";

/**
 * NOTES.md 2.3's worked example through the chain: six claims of one member, each alone in a
 * block, adjudicated in block order against the accumulators the ones before left.
 */
let c: ClaimsWorld;
beforeAll(async () => {
  c = await ClaimsWorld.create("claims-worked-example");
});
afterAll(() => c.close());

type Complete = Extract<ClaimResponseView, { outcome: "complete" }>;

/** The columns of the table: submitted, eligible, copay, deductible, coinsurance, member, plan. */
const row = (response: Complete, index: number) => {
  const found = response.lines[index];
  if (found === undefined) throw new Error(`no line ${index + 1}`);
  return [
    found.submitted,
    found.eligible,
    found.copay,
    found.deductible,
    found.coinsurance,
    found.memberShare,
    found.benefit,
    found.reason ?? null,
  ];
};

async function submit(...args: Parameters<ClaimsWorld["submitTx"]>) {
  const tx = c.submitTx(...args);
  const receipt = await c.ok(tx);
  const id = (tx.tx.payload as { id: string }).id;
  const claim = await c.claim(id);
  // The receipt's result is the ClaimResponse the claim keeps.
  expect(receipt.result).toEqual(claim.response);
  return { id, response: claim.response as Complete };
}

describe("the worked example of NOTES.md 2.3", () => {
  const serviceDate = () => c.time - 86_400_000;
  let mriDate = 0;

  it("C1: an office visit, copay only: member 25.00, plan 95.00", async () => {
    const { response } = await submit([line("99213", 20_000)]);
    expect(row(response, 0)).toEqual([20_000, 12_000, 2_500, 0, 0, 2_500, 9_500, null]);
    expect(response).toMatchObject({
      decision: "approved",
      planVersion: 1,
      accumulators: { deductibleMet: 0, outOfPocketMet: 2_500 },
    });
  });

  it("C2: an MRI with its pre-authorization: deductible 1,000.00, coinsurance 160.00, plan 640.00", async () => {
    const preauth = c.preauthTx([line("70553", 250_000)]);
    await c.ok(preauth);
    mriDate = serviceDate();
    const { response } = await submit([line("70553", 250_000)], {
      serviceDate: mriDate,
      preauthorization: (preauth.tx.payload as { id: string }).id,
    });
    expect(row(response, 0)).toEqual([250_000, 180_000, 0, 100_000, 16_000, 116_000, 64_000, null]);
    expect(response.accumulators).toEqual({ deductibleMet: 100_000, outOfPocketMet: 118_500 });
  });

  it("C3: the same MRI without pre-authorization is denied, nothing accrues", async () => {
    const { response } = await submit([line("70553", 250_000)], { serviceDate: mriDate });
    expect(row(response, 0)).toEqual([250_000, 0, 0, 0, 0, 0, 0, "preauth-missing"]);
    expect(response.lines[0]?.noncovered).toBe(250_000);
    expect(response.decision).toBe("denied");
    expect(response.accumulators).toEqual({ deductibleMet: 100_000, outOfPocketMet: 118_500 });
  });

  it("C4: billed below allowed, three units, a code not in the plan: partial", async () => {
    const { response } = await submit([
      line("80053", 1_000),
      line("97110", 5_000, 3),
      line("D9999", 7_000),
    ]);
    expect(row(response, 0)).toEqual([1_000, 1_000, 0, 0, 200, 200, 800, null]);
    expect(row(response, 1)).toEqual([15_000, 12_000, 0, 0, 2_400, 2_400, 9_600, null]);
    expect(row(response, 2)).toEqual([7_000, 0, 0, 0, 0, 0, 0, "ar001"]);
    expect(response.decision).toBe("partial");
    expect(response.totals).toEqual({
      submitted: 23_000,
      eligible: 13_000,
      copay: 0,
      deductible: 0,
      coinsurance: 2_600,
      memberShare: 2_600,
      benefit: 10_400,
      noncovered: 7_000,
    });
    expect(response.accumulators.outOfPocketMet).toBe(121_100);
  });

  it("C5: the out-of-pocket maximum caps the coinsurance at 1,789.00", async () => {
    const { response } = await submit([line("99223", 1_500_000)]);
    expect(row(response, 0)).toEqual([
      1_500_000,
      1_200_000,
      0,
      0,
      178_900,
      178_900,
      1_021_100,
      null,
    ]);
    expect(response.accumulators.outOfPocketMet).toBe(300_000);
  });

  it("C6: with the maximum met the plan pays 100%", async () => {
    const { response } = await submit([line("97110", 5_000, 2)]);
    expect(row(response, 0)).toEqual([10_000, 8_000, 0, 0, 0, 0, 8_000, null]);
    expect(await c.accumulators()).toMatchObject({
      deductibleMet: 100_000,
      outOfPocketMet: 300_000,
    });
  });
});

import type { ClaimResponseView } from "@careledger/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ClaimsWorld, DAY, freshId, INSURER, line } from "./claims.testkit.js";

let c: ClaimsWorld;
beforeEach(async () => {
  c = await ClaimsWorld.create("claims-disputes");
});
afterEach(() => c.close());

type Complete = Extract<ClaimResponseView, { outcome: "complete" }>;
const MRI = line("70553", 250_000);
const VISIT = line("99213", 20_000);
const open = async () =>
  ((await c.h.query("claim.openOfInsurer", { insurer: INSURER })) as { items: { id: string }[] })
    .items;

describe("claim.dispute", () => {
  it("opens a dispute with its reason and evidence: disputed, on the insurer's open list", async () => {
    const id = await c.submit([line("D9999", 7_000)]);
    expect(await open()).toEqual([]);
    await c.ok(c.disputeTx(id));
    const claim = await c.claim(id);
    expect(claim.status).toBe("disputed");
    expect(claim.history.at(-1)).toEqual({
      status: "disputed",
      at: expect.any(Object),
      reason: "preauth-on-file",
      reference: "04".repeat(32),
    });
    expect((await open()).map((item) => item.id)).toEqual([id]);
  });

  it("fails CLAIM_NOT_DISPUTABLE twice open, after the window, voided or in error", async () => {
    const id = await c.submit([VISIT]);
    await c.ok(c.disputeTx(id));
    await c.fails(c.disputeTx(id), "CLAIM_NOT_DISPUTABLE");
    const late = await c.submit([line("80053", 1_000)]);
    await c.h.block([], 30 * DAY);
    await c.fails(c.disputeTx(late), "CLAIM_NOT_DISPUTABLE");
    const voided = await c.submit([line("97110", 5_000)]);
    await c.ok(c.voidTx(voided));
    await c.fails(c.disputeTx(voided), "CLAIM_NOT_DISPUTABLE");
    const error = await c.submit([VISIT], { serviceDate: c.time + 60_000 });
    await c.fails(c.disputeTx(error), "CLAIM_NOT_DISPUTABLE");
  });

  it("is open to the provider's people only: CLAIM_NOT_FOUND, UNAUTHORIZED", async () => {
    await c.fails(c.disputeTx(freshId()), "CLAIM_NOT_FOUND");
    const id = await c.submit([VISIT]);
    await c.fails(c.disputeTx(id, "clinicClinician", "org-1"), "UNAUTHORIZED");
    await c.fails(c.disputeTx(id, "insurerAgent"), "UNAUTHORIZED");
    await c.ok(c.disputeTx(id, "staff"));
  });
});

describe("claim.resolve", () => {
  it("upheld: the adjudication stands and the claim is payable as before", async () => {
    const id = await c.submit([VISIT]);
    const before = await c.claim(id);
    await c.ok(c.disputeTx(id));
    const receipt = await c.ok(c.resolveTx(id, "upheld"));
    expect(receipt.result).toEqual({
      resolution: "upheld",
      payable: 9_500,
      unpaid: 9_500,
      recoverable: 0,
    });
    const after = await c.claim(id);
    expect(after).toMatchObject({
      status: "adjudicated",
      payable: 9_500,
      response: before.response,
    });
    expect(after.history.at(-1)).toMatchObject({ status: "adjudicated", resolution: "upheld" });
    await c.ok(c.payTx(id, 9_500));
  });

  it("adjusted up: a denied line paid after all, the difference payable, accumulators unchanged", async () => {
    const id = await c.submit([MRI, VISIT]);
    const met = await c.accumulators();
    await c.ok(c.payTx(id, 9_500));
    await c.ok(c.disputeTx(id));
    const receipt = await c.ok(c.resolveTx(id, "adjusted", [{ sequence: 1, benefit: 180_000 }]));
    const claim = await c.claim(id);
    const response = claim.response as Complete;
    expect(response.lines[0]).toEqual({
      sequence: 1,
      submitted: 250_000,
      eligible: 180_000,
      copay: 0,
      deductible: 0,
      coinsurance: 0,
      memberShare: 0,
      benefit: 180_000,
      noncovered: 0,
    });
    expect(response).toMatchObject({ decision: "approved", totals: { benefit: 189_500 } });
    expect(claim).toMatchObject({
      status: "partially-paid",
      payable: 189_500,
      paid: 9_500,
      recoverable: 0,
    });
    expect(receipt.result).toMatchObject({
      resolution: "adjusted",
      payable: 189_500,
      unpaid: 180_000,
    });
    expect(claim.history.at(-1)).toMatchObject({ resolution: "adjusted", amount: 189_500 });
    expect(await c.accumulators()).toEqual(met);
    await c.ok(c.payTx(id, 180_000));
    expect(await c.claim(id)).toMatchObject({ status: "paid" });
  });

  it("adjusted down below what was paid: the excess is recoverable, nothing payable", async () => {
    const id = await c.submit([VISIT]);
    await c.ok(c.payTx(id, 9_500));
    await c.ok(c.disputeTx(id));
    await c.ok(c.resolveTx(id, "adjusted", [{ sequence: 1, benefit: 7_000 }]));
    expect(await c.claim(id)).toMatchObject({
      status: "paid",
      payable: 7_000,
      paid: 9_500,
      recoverable: 2_500,
    });
    await c.fails(c.payTx(id, 1), "CLAIM_NOT_PAYABLE");
    expect(await open()).toEqual([]);
  });

  it("fails CLAIM_NO_DISPUTE without an open dispute, CLAIM_RESOLUTION_INVALID for ill-fitting lines", async () => {
    const id = await c.submit([VISIT, line("80053", 1_000)]);
    await c.fails(c.resolveTx(id, "upheld"), "CLAIM_NO_DISPUTE");
    await c.ok(c.disputeTx(id));
    const invalid = [
      c.resolveTx(id, "upheld", [{ sequence: 1, benefit: 1 }]),
      c.resolveTx(id, "adjusted", []),
      c.resolveTx(id, "adjusted", [{ sequence: 3, benefit: 1 }]),
      c.resolveTx(id, "adjusted", [
        { sequence: 1, benefit: 1 },
        { sequence: 1, benefit: 2 },
      ]),
      // Member share 2,500 + 17,501 > 20,000 submitted.
      c.resolveTx(id, "adjusted", [{ sequence: 1, benefit: 17_501 }]),
    ];
    for (const tx of invalid) await c.fails(tx, "CLAIM_RESOLUTION_INVALID");
    await c.ok(c.resolveTx(id, "adjusted", [{ sequence: 1, benefit: 17_500 }]));
    await c.fails(c.resolveTx(id, "upheld"), "CLAIM_NO_DISPUTE");
  });

  it("is the insurer's alone: UNAUTHORIZED for the provider, CLAIM_NOT_FOUND", async () => {
    const id = await c.submit([VISIT]);
    await c.ok(c.disputeTx(id));
    await c.fails(c.resolveTx(id, "upheld", [], "clinician"), "UNAUTHORIZED");
    await c.fails(c.resolveTx(freshId(), "upheld"), "CLAIM_NOT_FOUND");
  });
});

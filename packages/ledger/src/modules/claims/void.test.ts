import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ClaimsWorld, freshId, HOSPITAL, line } from "./claims.testkit.js";

let c: ClaimsWorld;
beforeEach(async () => {
  c = await ClaimsWorld.create("claims-void");
});
afterEach(() => c.close());

const MRI_LIKE = line("99223", 150_000);

describe("claim.void", () => {
  it("takes the claim's accumulations off, leaves the receivables, and lets it be submitted again", async () => {
    const serviceDate = c.time - 86_400_000;
    const id = await c.submit([MRI_LIKE], { serviceDate });
    expect(await c.accumulators()).toMatchObject({
      deductibleMet: 100_000,
      outOfPocketMet: 110_000,
    });
    await c.ok(c.voidTx(id));
    const voided = await c.claim(id);
    expect(voided).toMatchObject({ status: "voided", payable: 0 });
    expect(voided.history.at(-1)).toMatchObject({ status: "voided" });
    expect(await c.accumulators()).toMatchObject({ deductibleMet: 0, outOfPocketMet: 0 });
    expect(await c.h.query("claim.receivables", { provider: HOSPITAL })).toEqual({
      items: [],
      next: null,
    });
    // The same claim again, under a new id: no duplicate, adjudicated as the first was.
    const again = await c.submit([MRI_LIKE], { serviceDate });
    expect((await c.claim(again)).response).toEqual(voided.response);
    await c.fails(c.voidTx(id), "CLAIM_NOT_VOIDABLE");
  });

  it("fails CLAIM_NOT_VOIDABLE once paid or disputed", async () => {
    const paid = await c.submit([line("99213", 20_000)]);
    await c.ok(c.payTx(paid, 100));
    await c.fails(c.voidTx(paid), "CLAIM_NOT_VOIDABLE");
    const disputed = await c.submit([line("97110", 5_000)]);
    await c.ok(c.disputeTx(disputed));
    await c.fails(c.voidTx(disputed), "CLAIM_NOT_VOIDABLE");
  });

  it("voids a denied or error claim without touching the accumulators", async () => {
    await c.submit([line("99223", 10_000)]);
    const denied = await c.submit([line("D9999", 7_000)]);
    const error = await c.submit([MRI_LIKE], { serviceDate: c.time + 60_000 });
    await c.ok(c.voidTx(denied));
    await c.ok(c.voidTx(error));
    expect(await c.accumulators()).toMatchObject({ deductibleMet: 10_000, outOfPocketMet: 10_000 });
  });

  it("is the provider's alone: UNAUTHORIZED for another provider or the insurer, CLAIM_NOT_FOUND", async () => {
    await c.fails(c.voidTx(freshId()), "CLAIM_NOT_FOUND");
    const id = await c.submit([MRI_LIKE]);
    await c.fails(c.voidTx(id, "clinicClinician", "org-1"), "UNAUTHORIZED");
    await c.fails(c.voidTx(id, "insurerAgent"), "UNAUTHORIZED");
    await c.ok(c.voidTx(id, "staff"));
  });
});

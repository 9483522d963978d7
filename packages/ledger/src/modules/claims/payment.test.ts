import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ClaimsWorld, freshId, HOSPITAL, INSURER, line } from "./claims.testkit.js";

let c: ClaimsWorld;
beforeEach(async () => {
  c = await ClaimsWorld.create("claims-payment");
});
afterEach(() => c.close());

const VISIT = line("99213", 20_000);
const lists = async () => [
  (await c.h.query("claim.receivables", { provider: HOSPITAL })) as { items: unknown[] },
  (await c.h.query("claim.openOfInsurer", { insurer: INSURER })) as { items: unknown[] },
];

describe("claim.pay", () => {
  it("records part, then the rest: partially-paid, paid, off the receivables and open lists", async () => {
    const id = await c.submit([VISIT]);
    const first = await c.ok(c.payTx(id, 4_000));
    expect(first.result).toEqual({ paid: 4_000, unpaid: 5_500, status: "partially-paid" });
    expect(await c.claim(id)).toMatchObject({ status: "partially-paid", paid: 4_000 });
    expect((await lists()).map((list) => list.items.length)).toEqual([1, 1]);
    await c.ok(c.payTx(id, 5_500));
    const claim = await c.claim(id);
    expect(claim).toMatchObject({ status: "paid", paid: 9_500, payable: 9_500 });
    expect(claim.history.slice(1)).toEqual([
      {
        status: "partially-paid",
        at: expect.any(Object),
        amount: 4_000,
        reference: "09".repeat(32),
      },
      { status: "paid", at: expect.any(Object), amount: 5_500, reference: "09".repeat(32) },
    ]);
    expect((await lists()).map((list) => list.items.length)).toEqual([0, 0]);
  });

  it("fails CLAIM_NOT_PAYABLE above what is unpaid, for a denied or an error claim", async () => {
    const id = await c.submit([VISIT]);
    await c.fails(c.payTx(id, 9_501), "CLAIM_NOT_PAYABLE");
    await c.ok(c.payTx(id, 9_500));
    await c.fails(c.payTx(id, 1), "CLAIM_NOT_PAYABLE");
    const denied = await c.submit([line("D9999", 7_000)]);
    await c.fails(c.payTx(denied, 1), "CLAIM_NOT_PAYABLE");
    const error = await c.submit([VISIT], { serviceDate: c.time + 60_000 });
    await c.fails(c.payTx(error, 1), "CLAIM_NOT_PAYABLE");
  });

  it("fails CLAIM_NOT_PAYABLE while a dispute is open and for a voided claim", async () => {
    const disputed = await c.submit([VISIT]);
    await c.ok(c.disputeTx(disputed));
    await c.fails(c.payTx(disputed, 100), "CLAIM_NOT_PAYABLE");
    const voided = await c.submit([line("80053", 1_000)]);
    await c.ok(c.voidTx(voided));
    await c.fails(c.payTx(voided, 100), "CLAIM_NOT_PAYABLE");
  });

  it("fails CLAIM_NOT_FOUND, and UNAUTHORIZED for another insurer or a provider's people", async () => {
    await c.fails(c.payTx(freshId(), 100), "CLAIM_NOT_FOUND");
    const id = await c.submit([VISIT]);
    await c.fails(c.payTx(id, 100, "clinician"), "UNAUTHORIZED");
    const other = c.h.tx(
      "claim.pay",
      { claim: id, insurer: "org-3", amount: 100, reference: new Uint8Array(32) },
      c.h.org(3).admin,
    );
    await c.fails(other, "UNAUTHORIZED");
  });
});

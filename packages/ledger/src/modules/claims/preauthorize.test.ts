import type { PreauthorizationView } from "@careledger/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ClaimsWorld, DAY, freshId, HOSPITAL, INSURER, line, memberKey } from "./claims.testkit.js";

let c: ClaimsWorld;
beforeEach(async () => {
  c = await ClaimsWorld.create("claims-preauth");
});
afterEach(() => c.close());

const MRI = line("70553", 250_000);

async function preauthorize(...args: Parameters<ClaimsWorld["preauthTx"]>) {
  const tx = c.preauthTx(...args);
  const receipt = await c.ok(tx);
  const id = (tx.tx.payload as { id: string }).id;
  const view = (await c.h.query("claim.preauthorization", { id })) as PreauthorizationView;
  return { receipt, view };
}

describe("claim.preauthorize", () => {
  it("approves the covered codes, with the decision in the receipt and the state", async () => {
    const period = { start: c.time, end: c.time + 30 * DAY };
    const { receipt, view } = await preauthorize([MRI], period);
    expect(receipt.result).toEqual({ decision: "approved", approved: ["70553"] });
    expect(view).toEqual({
      id: view.id,
      provider: HOSPITAL,
      insurer: INSURER,
      coverage: c.coverage,
      member: c.memberHex,
      period,
      items: [MRI],
      decision: "approved",
      approved: ["70553"],
      requested: { height: 4, time: expect.any(Number), by: c.w.hex("clinician") },
    });
  });

  it("is partial when some codes are not in the plan, denied ar001 when none is", async () => {
    const partial = await preauthorize([MRI, line("D9999", 7_000)]);
    expect(partial.receipt.result).toEqual({ decision: "partial", approved: ["70553"] });
    const denied = await preauthorize([line("D9999", 7_000)]);
    expect(denied.receipt.result).toEqual({ decision: "denied", approved: [], reason: "ar001" });
  });

  it("is denied coverage-inactive when the coverage is not in force at the period's start", async () => {
    const end = c.time + DAY;
    await c.ok(c.endTx(end));
    const after = await preauthorize([MRI], { start: end, end: end + DAY });
    expect(after.receipt.result).toEqual({
      decision: "denied",
      approved: [],
      reason: "coverage-inactive",
    });
    // The last instant before the end is still in force.
    const before = await preauthorize([MRI], { start: end - 1, end: end + DAY });
    expect(before.receipt.result).toMatchObject({ decision: "approved" });
    // Outside the plan's period there is no version in force either.
    const outside = await preauthorize([MRI], { start: c.period.end, end: c.period.end + DAY });
    expect(outside.receipt.result).toMatchObject({ reason: "coverage-inactive" });
  });

  it("takes staff of the provider; refuses other roles and organizations", async () => {
    await c.ok(c.preauthTx([MRI], undefined, { by: "staff" }));
    await c.fails(c.preauthTx([MRI], undefined, { by: "pharmacist" }), "UNAUTHORIZED");
    await c.fails(c.preauthTx([MRI], undefined, { by: "clinicClinician" }), "UNAUTHORIZED");
  });

  it("fails NOT_A_PROVIDER, ALREADY_EXISTS, PREAUTH_PERIOD_INVALID, COVERAGE_*", async () => {
    // The insurer's own clinician for the insurer.
    await c.fails(
      c.preauthTx([MRI], undefined, { by: "insurerClinician", provider: INSURER }),
      "NOT_A_PROVIDER",
    );
    const id = freshId();
    await c.ok(c.preauthTx([MRI], undefined, { id }));
    await c.fails(c.preauthTx([MRI], undefined, { id }), "ALREADY_EXISTS");
    await c.fails(c.preauthTx([MRI], { start: c.time, end: c.time }), "PREAUTH_PERIOD_INVALID");
    await c.fails(
      c.preauthTx([MRI], undefined, { member: memberKey(5) }),
      "COVERAGE_MEMBER_MISMATCH",
    );
    const unknown = c.h.tx(
      "claim.preauthorize",
      {
        id: freshId(),
        provider: HOSPITAL,
        coverage: "ab".repeat(16),
        member: c.member,
        period: { start: c.time, end: c.time + DAY },
        items: [MRI],
      },
      c.w.signer("clinician"),
    );
    await c.fails(unknown, "COVERAGE_NOT_FOUND");
  });

  it("is read by its parties and operators only", async () => {
    const { view } = await preauthorize([MRI]);
    for (const who of ["clinician", "staff", "insurerAgent"] as const) {
      expect(await c.h.query("claim.preauthorization", { id: view.id }, c.w.caller(who))).toEqual(
        view,
      );
    }
    expect(await c.h.query("claim.preauthorization", { id: view.id }, c.memberCaller())).toEqual(
      view,
    );
    for (const caller of [
      c.w.caller("clinicClinician"),
      c.w.caller("patient"),
      c.memberCaller(memberKey(4)),
    ]) {
      await expect(
        c.h.query("claim.preauthorization", { id: view.id }, caller),
      ).rejects.toMatchObject({
        code: "FORBIDDEN",
      });
    }
  });
});

import type { CoverageView } from "@careledger/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ClaimsWorld, DAY, INSURER, memberKey, PLAN } from "./claims.testkit.js";

let c: ClaimsWorld;
beforeEach(async () => {
  c = await ClaimsWorld.create("claims-coverage");
});
afterEach(() => c.close());

const coverage = async (id = c.coverage) =>
  (await c.h.query("coverage.get", { id })) as CoverageView | null;

describe("coverage.enroll", () => {
  it("stores the coverage, lists it for the member, starts the accumulators at zero", async () => {
    expect(await coverage()).toEqual({
      id: c.coverage,
      insurer: INSURER,
      plan: PLAN,
      member: c.memberHex,
      period: { start: c.period.start },
      enrolled: { height: 3, time: expect.any(Number), by: c.w.hex("insurerAgent") },
    });
    expect(await c.h.query("coverage.ofMember", { member: c.memberHex })).toMatchObject({
      items: [{ id: c.coverage }],
      next: null,
    });
    expect(await c.h.query("coverage.accumulators", { coverage: c.coverage })).toEqual({
      coverage: c.coverage,
      plan: PLAN,
      period: c.period,
      currency: "USD",
      deductible: 100_000,
      deductibleMet: 0,
      outOfPocketMax: 300_000,
      outOfPocketMet: 0,
    });
  });

  it("fails ALREADY_EXISTS, PLAN_NOT_FOUND, UNAUTHORIZED for another insurer's plan", async () => {
    await c.fails(c.enrollTx(memberKey(2), undefined, c.coverage), "ALREADY_EXISTS");
    const noPlan = c.h.tx(
      "coverage.enroll",
      {
        id: "ab".repeat(16),
        insurer: INSURER,
        plan: "nope",
        member: memberKey(2),
        period: { start: c.period.start },
      },
      c.w.signer("insurerAgent"),
    );
    await c.fails(noPlan, "PLAN_NOT_FOUND");
    const other = c.h.tx(
      "coverage.enroll",
      {
        id: "ab".repeat(16),
        insurer: "org-3",
        plan: PLAN,
        member: memberKey(2),
        period: { start: c.period.start },
      },
      c.h.org(3).admin,
    );
    await c.fails(other, "UNAUTHORIZED");
    await c.fails(c.enrollTx(memberKey(2), undefined, undefined, "clinician"), "UNAUTHORIZED");
  });

  it("fails COVERAGE_PERIOD_INVALID outside the plan's period or ending before it starts", async () => {
    const { start, end } = c.period;
    await c.fails(c.enrollTx(memberKey(2), { start: start - 1 }), "COVERAGE_PERIOD_INVALID");
    await c.fails(c.enrollTx(memberKey(2), { start: end }), "COVERAGE_PERIOD_INVALID");
    await c.fails(c.enrollTx(memberKey(2), { start, end: end + 1 }), "COVERAGE_PERIOD_INVALID");
    await c.fails(
      c.enrollTx(memberKey(2), { start: start + DAY, end: start + DAY }),
      "COVERAGE_PERIOD_INVALID",
    );
    // The edges themselves are in.
    await c.ok(c.enrollTx(memberKey(2), { start, end }));
    await c.ok(c.enrollTx(memberKey(3), { start: end - 1 }));
  });
});

describe("coverage.end", () => {
  it("ends the coverage at a time, stamped, and only shortens it", async () => {
    const end = c.time + 5 * DAY;
    await c.ok(c.endTx(end));
    expect(await coverage()).toMatchObject({
      period: { start: c.period.start, end },
      ended: { by: c.w.hex("insurerAgent") },
    });
    await c.fails(c.endTx(end + 1), "COVERAGE_PERIOD_INVALID");
    await c.ok(c.endTx(end - DAY));
  });

  it("fails COVERAGE_NOT_FOUND, UNAUTHORIZED, COVERAGE_PERIOD_INVALID before its start", async () => {
    await c.fails(c.endTx(c.time, "ab".repeat(16)), "COVERAGE_NOT_FOUND");
    const other = c.h.tx(
      "coverage.end",
      { id: c.coverage, insurer: "org-3", end: c.time },
      c.h.org(3).admin,
    );
    await c.fails(other, "UNAUTHORIZED");
    await c.fails(c.endTx(c.period.start - 1), "COVERAGE_PERIOD_INVALID");
    await c.fails(c.endTx(c.period.end + 1), "COVERAGE_PERIOD_INVALID");
  });
});

describe("who reads a coverage", () => {
  it("answers its member, its insurer's people and operators; refuses others even for an unknown id", async () => {
    expect(await c.h.query("coverage.get", { id: c.coverage }, c.memberCaller())).toMatchObject({
      id: c.coverage,
    });
    expect(
      await c.h.query("coverage.get", { id: c.coverage }, c.w.caller("insurerAgent")),
    ).not.toBeNull();
    for (const caller of [
      c.w.caller("clinician"),
      c.memberCaller(memberKey(9)),
      c.w.caller("patient"),
    ]) {
      await expect(c.h.query("coverage.get", { id: c.coverage }, caller)).rejects.toMatchObject({
        code: "FORBIDDEN",
      });
      await expect(
        c.h.query("coverage.accumulators", { coverage: c.coverage }, caller),
      ).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(
        c.h.query("coverage.get", { id: "ab".repeat(16) }, caller),
      ).rejects.toMatchObject({
        code: "FORBIDDEN",
      });
    }
    await expect(
      c.h.query("coverage.ofMember", { member: c.memberHex }, c.w.caller("insurerAgent")),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(
      await c.h.query("coverage.ofMember", { member: c.memberHex }, c.memberCaller()),
    ).toMatchObject({
      items: [{ id: c.coverage }],
    });
  });
});

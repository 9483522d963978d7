import { PLAN_VERSIONS_MAX, type PlanView } from "@careledger/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ClaimsWorld, DAY, EXAMPLE_TERMS, INSURER, PLAN } from "./claims.testkit.js";

let c: ClaimsWorld;
beforeEach(async () => {
  c = await ClaimsWorld.create("claims-plans");
});
afterEach(() => c.close());

const plan = async () => (await c.h.query("plan.get", { id: PLAN })) as PlanView;

describe("plan.register", () => {
  it("stores version 1 in force from the period's start, read back whole by plan.get", async () => {
    expect(await plan()).toEqual({
      id: PLAN,
      insurer: INSURER,
      name: "Gold",
      currency: "USD",
      period: c.period,
      versions: [
        {
          version: 1,
          effective: c.period.start,
          terms: EXAMPLE_TERMS,
          registered: { height: 2, time: expect.any(Number), by: c.w.hex("insurerAgent") },
        },
      ],
    });
    expect(await c.h.query("plan.get", { id: "nope" })).toBeNull();
  });

  it("takes an admin of the insurer too, but no one of another organization or role", async () => {
    const admin = c.h.tx(
      "plan.register",
      {
        id: "silver",
        insurer: INSURER,
        name: "Silver",
        currency: "EUR",
        period: c.period,
        terms: EXAMPLE_TERMS as never,
      },
      c.h.org(2).admin,
    );
    await c.ok(admin);
    await c.fails(c.registerTx("other", EXAMPLE_TERMS, "insurerClinician"), "UNAUTHORIZED");
    await c.fails(c.registerTx("other", EXAMPLE_TERMS, "clinician"), "UNAUTHORIZED");
  });

  it("fails ALREADY_EXISTS, NOT_AN_INSURER and PLAN_TERMS_INVALID", async () => {
    await c.fails(c.registerTx(PLAN, EXAMPLE_TERMS), "ALREADY_EXISTS");
    // A hospital's admin registering a plan of the hospital: the sender may, the kind may not.
    const hospitalPlan = c.h.tx(
      "plan.register",
      {
        id: "h",
        insurer: "org-0",
        name: "H",
        currency: "USD",
        period: c.period,
        terms: EXAMPLE_TERMS as never,
      },
      c.h.org(0).admin,
    );
    await c.fails(hospitalPlan, "NOT_AN_INSURER");
    const deductibleAboveCap = { ...EXAMPLE_TERMS, deductible: EXAMPLE_TERMS.outOfPocketMax + 1 };
    await c.fails(c.registerTx("p2", deductibleAboveCap), "PLAN_TERMS_INVALID");
    const twice = { ...EXAMPLE_TERMS, rules: [...EXAMPLE_TERMS.rules, EXAMPLE_TERMS.rules[0]] };
    await c.fails(c.registerTx("p3", twice as typeof EXAMPLE_TERMS), "PLAN_TERMS_INVALID");
    // The deductible may equal the maximum.
    await c.ok(c.registerTx("p4", { ...EXAMPLE_TERMS, deductible: EXAMPLE_TERMS.outOfPocketMax }));
  });

  it("fails PLAN_TERMS_INVALID for a period that ends before it starts", async () => {
    const tx = c.h.tx(
      "plan.register",
      {
        id: "backwards",
        insurer: INSURER,
        name: "B",
        currency: "USD",
        period: { start: c.period.end, end: c.period.start },
        terms: EXAMPLE_TERMS as never,
      },
      c.w.signer("insurerAgent"),
    );
    await c.fails(tx, "PLAN_TERMS_INVALID");
  });
});

describe("plan.update", () => {
  it("adds version 2 from its effective time on", async () => {
    const effective = c.time + 10 * DAY;
    await c.ok(c.updateTx(effective, { ...EXAMPLE_TERMS, deductible: 50_000 }));
    const { versions } = await plan();
    expect(
      versions.map(({ version, effective, terms }) => [version, effective, terms.deductible]),
    ).toEqual([
      [1, c.period.start, 100_000],
      [2, effective, 50_000],
    ]);
  });

  it("fails PLAN_VERSION_INVALID before the block, after the period or not after the latest", async () => {
    await c.fails(c.updateTx(c.time - 1, EXAMPLE_TERMS), "PLAN_VERSION_INVALID");
    await c.fails(c.updateTx(c.period.end, EXAMPLE_TERMS), "PLAN_VERSION_INVALID");
    const effective = c.time + 10 * DAY;
    await c.ok(c.updateTx(effective, EXAMPLE_TERMS));
    await c.fails(c.updateTx(effective, EXAMPLE_TERMS), "PLAN_VERSION_INVALID");
  });

  it("fails PLAN_NOT_FOUND, UNAUTHORIZED for another insurer, PLAN_TERMS_INVALID", async () => {
    const unknown = c.h.tx(
      "plan.update",
      { id: "nope", insurer: INSURER, effective: c.time + DAY, terms: EXAMPLE_TERMS as never },
      c.w.signer("insurerAgent"),
    );
    await c.fails(unknown, "PLAN_NOT_FOUND");
    // org-3's admin speaks for org-3, which does not hold the plan.
    const other = c.h.tx(
      "plan.update",
      { id: PLAN, insurer: "org-3", effective: c.time + DAY, terms: EXAMPLE_TERMS as never },
      c.h.org(3).admin,
    );
    await c.fails(other, "UNAUTHORIZED");
    const bad = { ...EXAMPLE_TERMS, deductible: EXAMPLE_TERMS.outOfPocketMax + 1 };
    await c.fails(c.updateTx(c.time + DAY, bad), "PLAN_TERMS_INVALID");
  });

  it("fails LIST_FULL past PLAN_VERSIONS_MAX versions", async () => {
    const updates = Array.from({ length: PLAN_VERSIONS_MAX - 1 }, (_, i) =>
      c.updateTx(c.time + (i + 1) * DAY, EXAMPLE_TERMS),
    );
    for (const update of updates) await c.ok(update);
    await c.fails(c.updateTx(c.time + PLAN_VERSIONS_MAX * DAY, EXAMPLE_TERMS), "LIST_FULL");
  });
});

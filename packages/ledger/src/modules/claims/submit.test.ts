import {
  CLAIM_ITEMS_MAX,
  type ClaimResponseView,
  encode,
  RECEIPT_RESULT_BYTES_MAX,
} from "@careledger/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  ClaimsWorld,
  DAY,
  EXAMPLE_TERMS,
  freshId,
  HOSPITAL,
  INSURER,
  line,
  memberKey,
  PLAN,
} from "./claims.testkit.js";

let c: ClaimsWorld;
beforeEach(async () => {
  c = await ClaimsWorld.create("claims-submit");
});
afterEach(() => c.close());

type Complete = Extract<ClaimResponseView, { outcome: "complete" }>;
const VISIT = line("99213", 20_000);
const MRI = line("70553", 250_000);

async function response(id: string): Promise<ClaimResponseView> {
  return (await c.claim(id)).response;
}
const reasons = async (id: string) =>
  ((await response(id)) as Complete).lines.map((adjudicated) => adjudicated.reason ?? null);

describe("claim.submit", () => {
  it("keeps the claim with its response, payable, dispute window and history; lists it open", async () => {
    const id = await c.submit([VISIT], { serviceDate: c.time - DAY });
    const claim = await c.claim(id);
    const at = { height: 4, time: c.time, by: c.w.hex("clinician") };
    expect(claim).toEqual({
      id,
      provider: HOSPITAL,
      insurer: INSURER,
      coverage: c.coverage,
      member: c.memberHex,
      type: "professional",
      serviceDate: c.time - 1_000 - DAY,
      items: [VISIT],
      diagnoses: ["07".repeat(32)],
      evidence: [],
      response: claim.response,
      status: "adjudicated",
      payable: 9_500,
      paid: 0,
      recoverable: 0,
      disputeUntil: c.time + 30 * DAY,
      submitted: at,
      history: [{ status: "adjudicated", at }],
    });
    for (const [name, params] of [
      ["claim.receivables", { provider: HOSPITAL }],
      ["claim.openOfInsurer", { insurer: INSURER }],
      ["claim.ofMember", { member: c.memberHex }],
    ] as const) {
      expect(await c.h.query(name, params)).toMatchObject({ items: [{ id }], next: null });
    }
  });

  it("takes staff of the provider; refuses other roles and organizations, and non-providers", async () => {
    await c.ok(c.submitTx([VISIT], { by: "staff" }));
    await c.fails(c.submitTx([VISIT], { by: "pharmacist" }), "UNAUTHORIZED");
    await c.fails(c.submitTx([VISIT], { by: "clinicClinician" }), "UNAUTHORIZED");
    await c.fails(
      c.submitTx([VISIT], { by: "insurerClinician", provider: INSURER }),
      "NOT_A_PROVIDER",
    );
  });

  it("fails ALREADY_EXISTS, COVERAGE_NOT_FOUND and COVERAGE_MEMBER_MISMATCH", async () => {
    const id = await c.submit([VISIT]);
    await c.fails(c.submitTx([line("80053", 1_000)], { id }), "ALREADY_EXISTS");
    await c.fails(c.submitTx([VISIT], { coverage: "ab".repeat(16) }), "COVERAGE_NOT_FOUND");
    await c.fails(c.submitTx([VISIT], { member: memberKey(7) }), "COVERAGE_MEMBER_MISMATCH");
  });

  it("answers outcome error for a future service date, an unknown or foreign pre-authorization, no plan in force", async () => {
    const clinicPreauth = c.preauthTx([MRI], undefined, {
      by: "clinicClinician",
      provider: "org-1",
    });
    await c.ok(clinicPreauth);
    const foreign = (clinicPreauth.tx.payload as { id: string }).id;
    const cases = [
      [{ serviceDate: c.time + 10_000 }, ["service-date-future"]],
      [{ preauthorization: freshId() }, ["preauth-unknown"]],
      [{ preauthorization: foreign }, ["preauth-mismatch"]],
      [{ serviceDate: c.period.start - 1 }, ["plan-not-in-force"]],
    ] as const;
    for (const [options, errors] of cases) {
      const id = await c.submit([MRI], options);
      expect(await response(id)).toEqual({ outcome: "error", currency: "USD", errors });
      expect(await c.claim(id)).toMatchObject({ status: "error", payable: 0 });
    }
    expect(await c.accumulators()).toMatchObject({ deductibleMet: 0, outOfPocketMet: 0 });
    expect(await c.h.query("claim.receivables", { provider: HOSPITAL })).toEqual({
      items: [],
      next: null,
    });
  });

  it("denies coverage-inactive on and after the coverage's end, not the instant before", async () => {
    const end = c.time - DAY;
    await c.ok(c.endTx(end));
    expect(await reasons(await c.submit([VISIT], { serviceDate: end }))).toEqual([
      "coverage-inactive",
    ]);
    expect(await reasons(await c.submit([VISIT], { serviceDate: end - 1 }))).toEqual([null]);
    // Before the coverage's start too.
    const late = await c.enroll(memberKey(3), { start: c.time - DAY });
    const early = c.submitTx([VISIT], {
      coverage: late,
      member: memberKey(3),
      serviceDate: c.time - 2 * DAY,
    });
    await c.ok(early);
    expect(await reasons((early.tx.payload as { id: string }).id)).toEqual(["coverage-inactive"]);
  });

  it("denies preauth-denied for a code or a date the pre-authorization did not approve", async () => {
    const start = c.time - 2 * DAY;
    const preauth = c.preauthTx([MRI, line("D9999", 1)], { start, end: start + DAY });
    await c.ok(preauth);
    const preauthorization = (preauth.tx.payload as { id: string }).id;
    const inPeriod = await c.submit([MRI], { preauthorization, serviceDate: start });
    expect(await reasons(inPeriod)).toEqual([null]);
    const after = await c.submit([MRI], { preauthorization, serviceDate: start + DAY });
    expect(await reasons(after)).toEqual(["preauth-denied"]);
    const other = c.preauthTx([line("D9999", 1)]);
    await c.ok(other);
    const notApproved = await c.submit([MRI], {
      preauthorization: (other.tx.payload as { id: string }).id,
    });
    expect(await reasons(notApproved)).toEqual(["preauth-denied"]);
  });

  it("denies a duplicate of an earlier claim not denied, whatever the lines' order", async () => {
    const serviceDate = c.time - DAY;
    const lines = [VISIT, line("80053", 1_000)];
    await c.submit(lines, { serviceDate });
    const again = await c.submit([...lines].reverse(), { serviceDate });
    expect(await reasons(again)).toEqual(["duplicate", "duplicate"]);
    expect(await c.claim(again)).toMatchObject({ payable: 0 });
    // Another date, another provider or other lines are other claims.
    expect(await reasons(await c.submit(lines, { serviceDate: serviceDate - 1 }))).toEqual([
      null,
      null,
    ]);
    expect(await reasons(await c.submit([VISIT], { serviceDate }))).toEqual([null]);
  });

  it("lets a denied claim be submitted again: it takes no duplicate key", async () => {
    const serviceDate = c.time - DAY;
    expect(await reasons(await c.submit([MRI], { serviceDate }))).toEqual(["preauth-missing"]);
    expect(await reasons(await c.submit([MRI], { serviceDate }))).toEqual(["preauth-missing"]);
    const preauth = c.preauthTx([MRI], { start: serviceDate, end: serviceDate + DAY });
    await c.ok(preauth);
    const preauthorization = (preauth.tx.payload as { id: string }).id;
    expect(await reasons(await c.submit([MRI], { serviceDate, preauthorization }))).toEqual([null]);
  });

  it("denies late-filing one millisecond past the plan's timely-filing days, not at them", async () => {
    // Each claim goes in the next block, one second later.
    const limit = EXAMPLE_TERMS.timelyFilingDays * DAY;
    const atLimit = c.time + 1_000 - limit;
    expect(await reasons(await c.submit([VISIT], { serviceDate: atLimit }))).toEqual([null]);
    const pastLimit = c.time + 1_000 - limit - 1;
    expect(await reasons(await c.submit([VISIT], { serviceDate: pastLimit }))).toEqual([
      "late-filing",
    ]);
  });

  it("adjudicates under the plan version in force on the service date", async () => {
    const effective = c.time + 10 * DAY;
    const cheaper = {
      ...EXAMPLE_TERMS,
      rules: EXAMPLE_TERMS.rules.map((rule) =>
        rule.code === "99213" ? { ...rule, copay: 1_000 } : rule,
      ),
    };
    await c.ok(c.updateTx(effective, cheaper));
    await c.h.block([], 11 * DAY);
    const before = (await response(
      await c.submit([VISIT], { serviceDate: effective - 1 }),
    )) as Complete;
    expect(before).toMatchObject({ planVersion: 1, totals: { copay: 2_500 } });
    const from = (await response(await c.submit([VISIT], { serviceDate: effective }))) as Complete;
    expect(from).toMatchObject({ planVersion: 2, totals: { copay: 1_000 } });
  });

  it("adjudicates a member's claims of one block in block order", async () => {
    const first = c.submitTx([line("99223", 10_000)]);
    const second = c.submitTx([line("99223", 200_000)]);
    const receipts = await c.h.block([first, second]);
    const [a, b] = receipts.map((receipt) => (receipt as { result: Complete }).result);
    expect(a?.lines[0]).toMatchObject({ deductible: 10_000, benefit: 0 });
    expect(b?.lines[0]).toMatchObject({ deductible: 90_000, coinsurance: 22_000 });
    expect(b?.accumulators).toEqual({ deductibleMet: 100_000, outOfPocketMet: 122_000 });
  });

  it("keeps accumulators per member per plan period, across the member's coverages of the plan", async () => {
    const second = await c.enroll(c.member);
    await c.submit([line("99223", 30_000)]);
    const other = c.submitTx([line("99223", 30_000, 2)], { coverage: second });
    await c.ok(other);
    expect(await c.accumulators(second)).toMatchObject({ deductibleMet: 90_000 });
    expect(await c.accumulators(c.coverage)).toMatchObject({ deductibleMet: 90_000 });
    // Another member starts from zero.
    const stranger = await c.enroll(memberKey(8));
    expect(await c.accumulators(stranger)).toMatchObject({ deductibleMet: 0, outOfPocketMet: 0 });
  });

  it(`carries a ClaimResponse of ${CLAIM_ITEMS_MAX} lines in its receipt`, async () => {
    const items = Array.from({ length: CLAIM_ITEMS_MAX }, (_, i) =>
      line("99223", 9_999_999_999, 9_999 - i),
    );
    const tx = c.submitTx(items);
    const receipt = await c.ok(tx);
    const result = receipt.result as Complete;
    expect(result.lines).toHaveLength(CLAIM_ITEMS_MAX);
    expect(encode(receipt.result as never).length).toBeLessThanOrEqual(RECEIPT_RESULT_BYTES_MAX);
    expect(result.accumulators.outOfPocketMet).toBe(EXAMPLE_TERMS.outOfPocketMax);
  });

  it("answers its parties and operators only, refusing others even for an unknown id", async () => {
    const id = await c.submit([VISIT]);
    for (const caller of [
      c.w.caller("clinician"),
      c.w.caller("staff"),
      c.w.caller("insurerAgent"),
      c.memberCaller(),
      c.w.admin(3),
    ]) {
      expect(await c.h.query("claim.get", { id }, caller)).toMatchObject({ id });
    }
    for (const caller of [
      c.w.caller("clinicClinician"),
      c.w.caller("patient"),
      c.memberCaller(memberKey(2)),
    ]) {
      for (const params of [{ id }, { id: freshId() }]) {
        await expect(c.h.query("claim.get", params, caller)).rejects.toMatchObject({
          code: "FORBIDDEN",
        });
      }
    }
    await expect(
      c.h.query("claim.receivables", { provider: HOSPITAL }, c.w.caller("insurerAgent")),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(
      c.h.query("claim.openOfInsurer", { insurer: INSURER }, c.w.caller("clinician")),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await c.h.query("plan.get", { id: PLAN }, c.w.caller("clinician"))).not.toBeNull();
    await expect(c.h.query("plan.get", { id: PLAN }, c.memberCaller())).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
  });
});

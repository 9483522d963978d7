import {
  CareLedgerError,
  decodeTx,
  keySigner,
  type PlanRegisterPayload,
} from "@careledger/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Claims, Coverages, claimResponseOf, Plans } from "./claims.js";
import { CareLedgerClient } from "./client.js";
import type { FakeCare } from "./fakeCare.testkit.js";
import { startCareNode } from "./fakeCareRoutes.testkit.js";
import { FakeClaims } from "./fakeClaims.testkit.js";
import type { FakeNode } from "./fakeNode.testkit.js";
import { generateKeyPair, type KeyPair } from "./keys.js";

const FAST = { retryDelayMs: 5, retryDelayMsMax: 20, timeoutMs: 2_000, retries: 0 };
const WAIT = { pollIntervalMs: 5, timeoutMs: 2_000 };
const HOSPITAL = "st-mary";
const INSURER = "acme-health";
const HASH = "ab".repeat(32);

const PLAN: PlanRegisterPayload = {
  id: "gold-2027",
  insurer: INSURER,
  name: "Gold 2027",
  currency: "USD",
  period: { start: 0, end: 10_000_000_000_000 },
  terms: {
    deductible: 100_000,
    coinsuranceBp: 2_000,
    outOfPocketMax: 300_000,
    timelyFilingDays: 365,
    disputeWindowDays: 180,
    rules: [
      { code: "99213", allowedPerUnit: 12_000, copay: 2_500, copayOnly: true, preauth: false },
      { code: "70553", allowedPerUnit: 180_000, copay: 5_000, copayOnly: false, preauth: true },
    ],
  },
};

let node: FakeNode;
let care: FakeCare;
let agent: KeyPair;
let clinician: KeyPair;
let member: KeyPair;

beforeEach(async () => {
  let routes: Awaited<ReturnType<typeof startCareNode>>["routes"];
  ({ node, care, routes } = await startCareNode(HOSPITAL));
  new FakeClaims(routes);
  agent = generateKeyPair();
  clinician = generateKeyPair();
  member = generateKeyPair();
  care.register(agent.publicKey, INSURER, ["insurer-agent"]);
  care.register(clinician.publicKey, HOSPITAL, ["clinician"]);
  care.register(member.publicKey, HOSPITAL, ["patient"]);
});
afterEach(() => node.close());

const clientOf = (who: KeyPair) =>
  new CareLedgerClient(node.url, { ...FAST, signer: keySigner(who.secretKey) });
const lastTx = () => decodeTx(node.submitted.at(-1) as Uint8Array).tx;

/** A plan and a coverage of `member`, as the insurer's agent sets them up. */
async function enrolled(): Promise<string> {
  await new Plans(clientOf(agent)).register(PLAN, WAIT);
  return new Coverages(clientOf(agent)).enroll(
    { insurer: INSURER, plan: PLAN.id, member: member.accountId, period: { start: 0 } },
    WAIT,
  );
}

const visit = (coverage: string) => ({
  provider: HOSPITAL,
  coverage,
  member: member.publicKey,
  type: "professional" as const,
  serviceDate: 1_000,
  items: [
    { code: "99213", quantity: 1, unitPrice: 20_000 },
    { code: "70553", quantity: 1, unitPrice: 250_000 },
  ],
  diagnoses: [HASH],
});

describe("plans and coverages", () => {
  it("register a plan and enrol a member under a fresh id; the plan and coverage read back", async () => {
    const coverage = await enrolled();
    expect(coverage).toMatch(/^[0-9a-f]{32}$/);
    expect(lastTx()).toMatchObject({
      type: "coverage.enroll",
      payload: { id: coverage, member: member.publicKey, period: { start: 0 } },
    });
    expect((await new Plans(clientOf(clinician)).get(PLAN.id))?.versions[0]?.terms).toEqual(
      PLAN.terms,
    );
    const coverages = new Coverages(clientOf(member));
    expect(await coverages.get(coverage)).toMatchObject({
      plan: PLAN.id,
      member: member.accountId,
    });
    expect(await coverages.accumulators(coverage)).toMatchObject({
      deductibleMet: 0,
      outOfPocketMet: 0,
      deductible: 100_000,
      currency: "USD",
    });
    expect(node.requests.at(-1)?.signed?.key).toBe(member.accountId);
  });

  it("refuses a plan the contract refuses, before anything is signed", async () => {
    const plans = new Plans(clientOf(agent));
    const bad = { ...PLAN, terms: { ...PLAN.terms, coinsuranceBp: 10_001 } };
    await expect(plans.register(bad, WAIT)).rejects.toMatchObject({ code: "TX_PAYLOAD_INVALID" });
    expect(node.submitted).toHaveLength(0);
  });
});

describe("claims", () => {
  it("submit resolves with the ClaimResponse of the receipt; accumulators move", async () => {
    const coverage = await enrolled();
    const claims = new Claims(clientOf(clinician));
    const claim = await claims.submit(visit(coverage), WAIT);
    expect(lastTx().payload).toMatchObject({
      id: claim.id,
      evidence: [],
      diagnoses: [expect.any(Uint8Array)],
    });
    const { response } = claim;
    if (response.outcome !== "complete") throw new Error("adjudicated");
    expect(response.decision).toBe("approved");
    // The visit: copay only. The MRI: 180,000 allowed, 5,000 copay, 100,000 deductible,
    // 20% of 75,000 = 15,000 coinsurance; the plan pays 60,000.
    expect(response.lines.map((line) => [line.memberShare, line.benefit])).toEqual([
      [2_500, 9_500],
      [120_000, 60_000],
    ]);
    expect(response.totals.benefit).toBe(69_500);
    expect(response.accumulators).toEqual({ deductibleMet: 100_000, outOfPocketMet: 122_500 });
    expect(await new Coverages(clientOf(member)).accumulators(coverage)).toMatchObject(
      response.accumulators,
    );
    expect(await claims.get(claim.id)).toMatchObject({ status: "adjudicated", payable: 69_500 });
  });

  it("a line the plan does not cover comes back denied with ar001", async () => {
    const coverage = await enrolled();
    const { response } = await new Claims(clientOf(clinician)).submit(
      { ...visit(coverage), items: [{ code: "J3490", quantity: 2, unitPrice: 1_000 }] },
      WAIT,
    );
    expect(response).toMatchObject({ outcome: "complete", decision: "denied" });
    expect(response.outcome === "complete" && response.lines[0]?.reason).toBe("ar001");
  });

  it("preauthorize resolves with the plan's decision, and a claim names it", async () => {
    const coverage = await enrolled();
    const claims = new Claims(clientOf(clinician));
    const { id, decision } = await claims.preauthorize(
      { ...visit(coverage), period: { start: 0, end: 5_000 } },
      WAIT,
    );
    expect(decision).toEqual({ decision: "approved", approved: ["99213", "70553"] });
    expect(await claims.preauthorization(id)).toMatchObject({ id, decision: "approved" });
    await claims.submit({ ...visit(coverage), preauthorization: id }, WAIT);
    expect(lastTx().payload).toMatchObject({ preauthorization: id });
  });

  it("pay, dispute and resolve move the status with its history; open claims list it", async () => {
    const coverage = await enrolled();
    const provider = new Claims(clientOf(clinician));
    const insurer = new Claims(clientOf(agent));
    const { id } = await provider.submit(visit(coverage), WAIT);
    expect((await insurer.openOfInsurer(INSURER)).items.map((claim) => claim.id)).toEqual([id]);
    await insurer.pay({ claim: id, insurer: INSURER, amount: 60_000, reference: HASH }, WAIT);
    expect(lastTx().payload).toMatchObject({ reference: expect.any(Uint8Array), amount: 60_000 });
    await expect(
      insurer.pay({ claim: id, insurer: INSURER, amount: 10_000, reference: HASH }, WAIT),
    ).rejects.toMatchObject({ code: "CLAIM_NOT_PAYABLE" });
    await provider.dispute(
      { claim: id, provider: HOSPITAL, reason: "underpayment", evidence: HASH },
      WAIT,
    );
    await insurer.resolve(
      {
        claim: id,
        insurer: INSURER,
        outcome: "adjusted",
        lines: [{ sequence: 2, benefit: 64_000 }],
      },
      WAIT,
    );
    const claim = await provider.get(id);
    expect(claim?.history.map((entry) => entry.status)).toEqual([
      "adjudicated",
      "partially-paid",
      "disputed",
      "adjudicated",
    ]);
    expect(claim?.history[3]).toMatchObject({ resolution: "adjusted", amount: 73_500 });
    expect((await new Claims(clientOf(member)).ofMember()).items).toHaveLength(1);
  });

  it("an upheld resolution sends no lines; void before payment", async () => {
    const coverage = await enrolled();
    const provider = new Claims(clientOf(clinician));
    const { id } = await provider.submit(visit(coverage), WAIT);
    await provider.dispute(
      { claim: id, provider: HOSPITAL, reason: "coding-error", evidence: HASH },
      WAIT,
    );
    await new Claims(clientOf(agent)).resolve(
      { claim: id, insurer: INSURER, outcome: "upheld" },
      WAIT,
    );
    expect(lastTx().payload).toEqual({ claim: id, insurer: INSURER, outcome: "upheld", lines: [] });
    await provider.void({ claim: id, provider: HOSPITAL }, WAIT);
    expect((await provider.get(id))?.status).toBe("voided");
  });

  it("a receipt whose result is not a ClaimResponse is a bad response", () => {
    expect(() => claimResponseOf({ outcome: "complete" })).toThrow(CareLedgerError);
    expect(() =>
      claimResponseOf({ outcome: "error", currency: "USD", errors: ["preauth-unknown"] }),
    ).not.toThrow();
  });

  it("a reference that is not a 32-byte hash is refused before sending", async () => {
    const insurer = new Claims(clientOf(agent));
    await expect(
      insurer.pay({ claim: "a".repeat(32), insurer: INSURER, amount: 1, reference: "abcd" }, WAIT),
    ).rejects.toMatchObject({ code: "ENCODING_INVALID" });
    expect(node.submitted).toHaveLength(0);
  });
});

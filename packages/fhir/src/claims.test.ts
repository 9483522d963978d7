import type { ClaimResponseItemAdjudication } from "fhir/r4.js";
import { describe, expect, it } from "vitest";
import { claimResource } from "./claim.js";
import { claimResponseResource } from "./claimResponse.js";
import {
  COVERAGE_ID,
  coverageView,
  MEMBER,
  mriClaimView,
  PREAUTH_ID,
  partialClaimView,
  planView,
} from "./claimViews.testkit.js";
import { coverageResource } from "./coverage.js";
import { r4Problems } from "./r4Schema.testkit.js";
import { GRANTED_AT, HOSPITAL } from "./views.testkit.js";

const ADJUDICATION = "http://terminology.hl7.org/CodeSystem/adjudication";
const CARIN = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudication";

/** A line's adjudication as `code: value` (amounts, or eligpercent's value). */
function amounts(adjudication: readonly ClaimResponseItemAdjudication[] | undefined) {
  return Object.fromEntries(
    (adjudication ?? []).map((entry) => [
      entry.category.coding?.[0]?.code,
      entry.amount?.value ?? entry.value,
    ]),
  );
}

function coveragePlan() {
  const plan = planView();
  const terms = plan.versions[0]?.terms;
  if (terms === undefined) throw new Error("the test plan has no version");
  return { name: plan.name, currency: plan.currency, period: plan.period, terms };
}

describe("Coverage", () => {
  it("renders the member as beneficiary, the insurer as payor, the plan's figures, and validates", () => {
    const resource = coverageResource(coverageView(), coveragePlan());
    expect(r4Problems(resource)).toEqual([]);
    expect(resource).toMatchObject({
      resourceType: "Coverage",
      id: COVERAGE_ID,
      status: "active",
      beneficiary: { reference: `Patient/${MEMBER}` },
      payor: [{ reference: "Organization/acme-health" }],
      class: [{ value: "gold-2027", name: "Gold 2027" }],
    });
    // Without an end of its own, the coverage runs to its plan period's end.
    expect(resource.period).toEqual({
      start: "2026-12-01T08:00:00.000Z",
      end: "2027-12-01T08:00:00.000Z",
    });
    expect(
      resource.costToBeneficiary?.map((cost) => [cost.type?.coding?.[0]?.code, cost.valueMoney]),
    ).toEqual([
      ["deductible", { value: 1000, currency: "USD" }],
      ["maxoutofpocket", { value: 3000, currency: "USD" }],
    ]);
  });

  it("keeps an ended coverage active with its end, and renders without the plan", () => {
    const end = GRANTED_AT + 86_400_000;
    const ended = coverageView({
      period: { start: GRANTED_AT, end },
      ended: { height: 30, time: end, by: MEMBER },
    });
    const resource = coverageResource(ended, null);
    expect(r4Problems(resource)).toEqual([]);
    expect(resource.status).toBe("active");
    expect(resource.period?.end).toBe(new Date(end).toISOString());
    expect(resource.costToBeneficiary).toBeUndefined();
  });
});

describe("Claim", () => {
  it("renders the worked example's MRI claim, and it validates", () => {
    const resource = claimResource(mriClaimView());
    expect(r4Problems(resource)).toEqual([]);
    expect(resource).toMatchObject({
      resourceType: "Claim",
      status: "active",
      use: "claim",
      type: {
        coding: [
          { system: "http://terminology.hl7.org/CodeSystem/claim-type", code: "professional" },
        ],
      },
      patient: { reference: `Patient/${MEMBER}` },
      provider: { reference: `Organization/${HOSPITAL}` },
      insurer: { reference: "Organization/acme-health" },
      insurance: [
        {
          sequence: 1,
          focal: true,
          coverage: { reference: `Coverage/${COVERAGE_ID}` },
          preAuthRef: [PREAUTH_ID],
        },
      ],
      item: [
        {
          sequence: 1,
          productOrService: { coding: [{ system: "urn:careledger:service-code", code: "70553" }] },
          servicedDate: "2026-12-01",
          quantity: { value: 1 },
          unitPrice: { value: 2500, currency: "USD" },
          net: { value: 2500, currency: "USD" },
        },
      ],
      total: { value: 2500, currency: "USD" },
    });
    expect(JSON.stringify(resource)).not.toContain(mriClaimView().diagnoses[0]);
  });

  it("is cancelled once voided", () => {
    const resource = claimResource(mriClaimView({ status: "voided" }));
    expect(r4Problems(resource)).toEqual([]);
    expect(resource.status).toBe("cancelled");
  });
});

describe("ClaimResponse", () => {
  it("renders C2 as NOTES.md 2.3 writes it: submitted, eligible, deductible, eligpercent 80, benefit", () => {
    const resource = claimResponseResource(mriClaimView(), 2_000);
    expect(r4Problems(resource)).toEqual([]);
    expect(resource).toMatchObject({
      resourceType: "ClaimResponse",
      status: "active",
      use: "claim",
      outcome: "complete",
      request: { reference: `Claim/${mriClaimView().id}` },
      requestor: { reference: `Organization/${HOSPITAL}` },
      extension: [
        {
          valueCodeableConcept: {
            coding: [{ system: "http://hl7.org/fhir/claim-decision", code: "approved" }],
          },
        },
      ],
    });
    expect(amounts(resource.item?.[0]?.adjudication)).toEqual({
      submitted: 2500,
      eligible: 1800,
      deductible: 1000,
      eligpercent: 80,
      coinsurance: 160,
      memberliability: 1160,
      benefit: 640,
    });
    const systems = resource.item?.[0]?.adjudication.map(
      (entry) => entry.category.coding?.[0]?.system,
    );
    expect(new Set(systems)).toEqual(new Set([ADJUDICATION, CARIN]));
    expect(resource.total?.find((t) => t.category.coding?.[0]?.code === "benefit")?.amount).toEqual(
      { value: 640, currency: "USD" },
    );
    expect(resource.payment).toBeUndefined();
  });

  it("gives a not covered line its ar001 reason and the claim its partial decision", () => {
    const resource = claimResponseResource(partialClaimView(), 2_000);
    expect(r4Problems(resource)).toEqual([]);
    const denied = resource.item?.[2]?.adjudication.find((entry) => entry.reason !== undefined);
    expect(denied).toEqual({
      category: { coding: [{ system: CARIN, code: "noncovered" }] },
      amount: { value: 70, currency: "USD" },
      reason: {
        coding: [
          { system: "http://terminology.hl7.org/CodeSystem/adjudication-reason", code: "ar001" },
        ],
      },
    });
    expect(resource.extension?.[0]?.valueCodeableConcept?.coding?.[0]?.code).toBe("partial");
    expect(amounts(resource.item?.[1]?.adjudication)).toMatchObject({
      eligible: 120,
      coinsurance: 24,
      benefit: 96,
    });
  });

  it("names our own reason system for reasons R4 does not define", () => {
    const view = partialClaimView();
    const lines = view.response.outcome === "complete" ? view.response.lines : [];
    const duplicate = {
      ...view,
      response: {
        ...view.response,
        lines: lines.map((line) =>
          line.reason === undefined ? line : { ...line, reason: "duplicate" as const },
        ),
      },
    } as typeof view;
    const resource = claimResponseResource(duplicate, null);
    expect(r4Problems(resource)).toEqual([]);
    const reason = resource.item?.[2]?.adjudication.find((entry) => entry.reason)?.reason;
    expect(reason?.coding?.[0]).toEqual({
      system: "urn:careledger:adjudication-reason",
      code: "duplicate",
    });
    expect(amounts(resource.item?.[0]?.adjudication).eligpercent).toBeUndefined();
  });

  it("carries the payment once paid: partial, then complete", () => {
    const paidAt = GRANTED_AT + 5 * 86_400_000;
    const partly = mriClaimView({
      status: "partially-paid",
      paid: 40_000,
      history: [
        ...mriClaimView().history,
        { status: "partially-paid", at: { height: 40, time: paidAt, by: MEMBER }, amount: 40_000 },
      ],
    });
    const partial = claimResponseResource(partly, 2_000);
    expect(r4Problems(partial)).toEqual([]);
    expect(partial.payment).toEqual({
      type: {
        coding: [
          { system: "http://terminology.hl7.org/CodeSystem/ex-paymenttype", code: "partial" },
        ],
      },
      date: "2026-12-06",
      amount: { value: 400, currency: "USD" },
    });
    const whole = claimResponseResource(mriClaimView({ status: "paid", paid: 64_000 }), 2_000);
    expect(r4Problems(whole)).toEqual([]);
    expect(whole.payment?.type.coding?.[0]?.code).toBe("complete");
    expect(whole.payment?.amount).toEqual({ value: 640, currency: "USD" });
  });

  it("shows an overpayment to recover after an adjusted resolution as a negative a002 adjustment", () => {
    const resource = claimResponseResource(
      mriClaimView({ status: "paid", payable: 50_000, paid: 64_000, recoverable: 14_000 }),
      2_000,
    );
    expect(r4Problems(resource)).toEqual([]);
    expect(resource.payment).toMatchObject({
      adjustment: { value: -140, currency: "USD" },
      adjustmentReason: { coding: [{ code: "a002" }] },
      amount: { value: 640, currency: "USD" },
    });
  });

  it("renders an error outcome with its errors and no adjudication sections", () => {
    const resource = claimResponseResource(
      mriClaimView({
        status: "error",
        payable: 0,
        response: { outcome: "error", currency: "USD", errors: ["plan-not-in-force"] },
      }),
      null,
    );
    expect(r4Problems(resource)).toEqual([]);
    expect(resource.outcome).toBe("error");
    expect(resource.error).toEqual([
      { code: { coding: [{ system: "urn:careledger:claim-error", code: "plan-not-in-force" }] } },
    ]);
    expect(resource.item).toBeUndefined();
    expect(resource.total).toBeUndefined();
    expect(resource.payment).toBeUndefined();
  });

  it("the code checks catch what the schema lets through", () => {
    const resource = claimResponseResource(mriClaimView(), 2_000);
    expect(r4Problems({ ...resource, outcome: "done" })).toContain(
      'outcome "done" is not in its value set',
    );
    expect(r4Problems({ ...resource, use: "bill" })).toContain(
      'use "bill" is not in its value set',
    );
    expect(r4Problems({ ...resource, outcome: "error" })).toContain("an error outcome has item");
    expect(r4Problems({ ...claimResource(mriClaimView()), status: "open" })).toContain(
      'status "open" is not in its value set',
    );
  });
});

import { type Static, Type } from "@sinclair/typebox";
import {
  ClaimIdSchema,
  ClaimItemSchema,
  ClaimTypeSchema,
  ClosedPeriodSchema,
  CurrencySchema,
  DisputeReasonSchema,
  OpenPeriodSchema,
  PlanIdSchema,
  PlanTermsSchema,
} from "../payloads/claims.js";
import { OrganizationIdSchema } from "../payloads/identity.js";
import { isMemberStaff, type QueryCaller } from "./caller.js";
import { ChainStampSchema } from "./consentQueries.js";
import { pagedQuery, singleQuery } from "./queryContract.js";

const KeyHex = Type.String({ pattern: "^[0-9a-f]{64}$" });
const HashHex = Type.String({ pattern: "^[0-9a-f]{64}$" });
const Money = Type.Integer({ minimum: 0 });

/** One version of a plan: the terms for services on or after `effective`. */
export const PlanVersionViewSchema = Type.Object(
  {
    version: Type.Integer({ minimum: 1 }),
    effective: Type.Integer({ minimum: 0 }),
    terms: PlanTermsSchema,
    registered: ChainStampSchema,
  },
  { additionalProperties: false },
);

export const PlanViewSchema = Type.Object(
  {
    id: PlanIdSchema,
    insurer: OrganizationIdSchema,
    name: Type.String(),
    currency: CurrencySchema,
    period: ClosedPeriodSchema,
    versions: Type.Array(PlanVersionViewSchema),
  },
  { additionalProperties: false },
);

/** A coverage: `ended` once `coverage.end` committed (R4 Coverage.status stays `active`). */
export const CoverageViewSchema = Type.Object(
  {
    id: ClaimIdSchema,
    insurer: OrganizationIdSchema,
    plan: PlanIdSchema,
    member: KeyHex,
    period: OpenPeriodSchema,
    enrolled: ChainStampSchema,
    ended: Type.Optional(ChainStampSchema),
  },
  { additionalProperties: false },
);

/** What a member has used of a coverage's plan period. */
export const AccumulatorsViewSchema = Type.Object(
  {
    coverage: ClaimIdSchema,
    plan: PlanIdSchema,
    period: ClosedPeriodSchema,
    currency: CurrencySchema,
    deductible: Money,
    deductibleMet: Money,
    outOfPocketMax: Money,
    outOfPocketMet: Money,
  },
  { additionalProperties: false },
);

/**
 * Why a line was denied: `ar001` (Not covered) is HL7's `adjudication-reason`; the others are
 * ours, `urn:careledger:adjudication-reason` (NOTES.md 2.2: R4 defines only ar001 and ar002).
 */
export const LINE_REASONS = [
  "ar001",
  "coverage-inactive",
  "preauth-missing",
  "preauth-denied",
  "duplicate",
  "late-filing",
] as const;
export const LineReasonSchema = Type.Union(LINE_REASONS.map((code) => Type.Literal(code)));
export const ADJUDICATION_REASON_SYSTEM = "urn:careledger:adjudication-reason";

/** One line's adjudication (NOTES.md 2.3), amounts in minor units. */
export const LineAdjudicationViewSchema = Type.Object(
  {
    sequence: Type.Integer({ minimum: 1 }),
    submitted: Money,
    eligible: Money,
    copay: Money,
    deductible: Money,
    coinsurance: Money,
    memberShare: Money,
    benefit: Money,
    noncovered: Money,
    reason: Type.Optional(LineReasonSchema),
  },
  { additionalProperties: false },
);

export const AdjudicationTotalsSchema = Type.Object(
  {
    submitted: Money,
    eligible: Money,
    copay: Money,
    deductible: Money,
    coinsurance: Money,
    memberShare: Money,
    benefit: Money,
    noncovered: Money,
  },
  { additionalProperties: false },
);

/**
 * Why a claim could not be adjudicated (R4 outcome `error`), ours:
 * `urn:careledger:claim-error`. Nothing accrues and the claim is not payable.
 */
export const CLAIM_ERRORS = [
  "service-date-future",
  "preauth-unknown",
  "preauth-mismatch",
  "plan-not-in-force",
] as const;
export const ClaimErrorSchema = Type.Union(CLAIM_ERRORS.map((code) => Type.Literal(code)));
export const CLAIM_ERROR_SYSTEM = "urn:careledger:claim-error";

/**
 * A ClaimResponse in canonical terms: the receipt result of `claim.submit`, and the claim's
 * state. `complete` carries the decision (R5 `claim-decision`), lines and totals; `error` its
 * error codes and nothing adjudicated (R4: "no adjudication related sections").
 */
export const ClaimResponseViewSchema = Type.Union([
  Type.Object(
    {
      outcome: Type.Literal("complete"),
      decision: Type.Union([
        Type.Literal("approved"),
        Type.Literal("partial"),
        Type.Literal("denied"),
      ]),
      plan: PlanIdSchema,
      planVersion: Type.Integer({ minimum: 1 }),
      currency: CurrencySchema,
      lines: Type.Array(LineAdjudicationViewSchema),
      totals: AdjudicationTotalsSchema,
      /** The member's accumulators after this claim, in block order. */
      accumulators: Type.Object(
        { deductibleMet: Money, outOfPocketMet: Money },
        { additionalProperties: false },
      ),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      outcome: Type.Literal("error"),
      currency: CurrencySchema,
      errors: Type.Array(ClaimErrorSchema, { minItems: 1 }),
    },
    { additionalProperties: false },
  ),
]);

/**
 * A claim's life: `adjudicated` (payable, nothing paid yet; a denied claim stays here with
 * nothing payable), `partially-paid`, `paid`, `disputed` (a dispute open), `voided`, `error`.
 */
export const CLAIM_STATUSES = [
  "adjudicated",
  "partially-paid",
  "paid",
  "disputed",
  "voided",
  "error",
] as const;
export const ClaimStatusSchema = Type.Union(CLAIM_STATUSES.map((code) => Type.Literal(code)));
/** Most entries a claim's history keeps (payments, disputes, resolutions): LIST_FULL past it. */
export const CLAIM_HISTORY_MAX = 64;

export const ClaimHistoryEntrySchema = Type.Object(
  {
    status: ClaimStatusSchema,
    at: ChainStampSchema,
    /** A payment's amount, or an adjusted resolution's new payable. */
    amount: Type.Optional(Money),
    /** A payment's reference hash, or a dispute's evidence hash. */
    reference: Type.Optional(HashHex),
    reason: Type.Optional(DisputeReasonSchema),
    resolution: Type.Optional(Type.Union([Type.Literal("upheld"), Type.Literal("adjusted")])),
  },
  { additionalProperties: false },
);

export const ClaimViewSchema = Type.Object(
  {
    id: ClaimIdSchema,
    provider: OrganizationIdSchema,
    insurer: OrganizationIdSchema,
    coverage: ClaimIdSchema,
    member: KeyHex,
    type: ClaimTypeSchema,
    serviceDate: Type.Integer({ minimum: 0 }),
    items: Type.Array(ClaimItemSchema),
    diagnoses: Type.Array(HashHex),
    evidence: Type.Array(HashHex),
    preauthorization: Type.Optional(ClaimIdSchema),
    response: ClaimResponseViewSchema,
    status: ClaimStatusSchema,
    /** The plan's benefit as adjudicated or as resolved: what the insurer owes. */
    payable: Money,
    paid: Money,
    /** Paid beyond payable after an adjusted resolution: what the provider owes back. */
    recoverable: Money,
    /** The last day (ms) a dispute may be raised. */
    disputeUntil: Type.Integer({ minimum: 0 }),
    submitted: ChainStampSchema,
    history: Type.Array(ClaimHistoryEntrySchema),
  },
  { additionalProperties: false },
);

/** A pre-authorization and the plan's decision on it. */
export const PreauthorizationViewSchema = Type.Object(
  {
    id: ClaimIdSchema,
    provider: OrganizationIdSchema,
    insurer: OrganizationIdSchema,
    coverage: ClaimIdSchema,
    member: KeyHex,
    period: ClosedPeriodSchema,
    items: Type.Array(ClaimItemSchema),
    decision: Type.Union([
      Type.Literal("approved"),
      Type.Literal("partial"),
      Type.Literal("denied"),
    ]),
    /** The codes approved: covered by the plan in force at the period's start. */
    approved: Type.Array(Type.String()),
    reason: Type.Optional(LineReasonSchema),
    requested: ChainStampSchema,
  },
  { additionalProperties: false },
);

/**
 * Whether `caller` is a party to a claim or pre-authorization (the `query` rule of claim.get and
 * claim.preauthorization): its member key, or the people of its provider or insurer organization.
 */
export function isClaimParty(
  caller: QueryCaller,
  claim: { readonly member: string; readonly provider: string; readonly insurer: string },
): boolean {
  return (
    caller.key === claim.member ||
    isMemberStaff(caller, claim.provider) ||
    isMemberStaff(caller, claim.insurer)
  );
}

/** Whether `caller` may read a coverage and its accumulators: its member, its insurer's people. */
export function isCoverageParty(
  caller: QueryCaller,
  coverage: { readonly member: string; readonly insurer: string },
): boolean {
  return caller.key === coverage.member || isMemberStaff(caller, coverage.insurer);
}

const partiesSay = "the claim's provider and insurer organizations' people, and its member";
const coverageSays = "the coverage's insurer organization's people, and its member";

/** Queries of the claims module (DOMAIN.md "claims" and "Who sees what"). */
export const CLAIM_QUERIES = {
  "plan.get": singleQuery({
    name: "plan.get",
    summary: "A plan with every version of its terms, or null.",
    params: { id: PlanIdSchema },
    result: Type.Union([PlanViewSchema, Type.Null()]),
    access: [{ rule: "member-staff" }],
  }),
  "coverage.get": singleQuery({
    name: "coverage.get",
    summary: "A coverage, or null.",
    params: { id: ClaimIdSchema },
    result: Type.Union([CoverageViewSchema, Type.Null()]),
    access: [{ rule: "operator" }, { rule: "query", says: coverageSays }],
  }),
  "coverage.ofMember": pagedQuery({
    name: "coverage.ofMember",
    summary: "A member key's coverages, in id order.",
    params: { member: KeyHex },
    item: CoverageViewSchema,
    access: [{ rule: "self", keyParam: "member" }, { rule: "operator" }],
  }),
  "coverage.accumulators": singleQuery({
    name: "coverage.accumulators",
    summary: "What the member has met of the deductible and out-of-pocket maximum, or null.",
    params: { coverage: ClaimIdSchema },
    result: Type.Union([AccumulatorsViewSchema, Type.Null()]),
    access: [{ rule: "operator" }, { rule: "query", says: coverageSays }],
  }),
  "claim.get": singleQuery({
    name: "claim.get",
    summary: "A claim with its ClaimResponse, payments and status history, or null.",
    params: { id: ClaimIdSchema },
    result: Type.Union([ClaimViewSchema, Type.Null()]),
    access: [{ rule: "operator" }, { rule: "query", says: partiesSay }],
  }),
  "claim.preauthorization": singleQuery({
    name: "claim.preauthorization",
    summary: "A pre-authorization and its decision, or null.",
    params: { id: ClaimIdSchema },
    result: Type.Union([PreauthorizationViewSchema, Type.Null()]),
    access: [{ rule: "operator" }, { rule: "query", says: partiesSay }],
  }),
  "claim.ofMember": pagedQuery({
    name: "claim.ofMember",
    summary: "A member key's claims, in id order.",
    params: { member: KeyHex },
    item: ClaimViewSchema,
    access: [{ rule: "self", keyParam: "member" }, { rule: "operator" }],
  }),
  "claim.openOfInsurer": pagedQuery({
    name: "claim.openOfInsurer",
    summary: "An insurer's claims with something payable and unpaid, or a dispute open.",
    params: { insurer: OrganizationIdSchema },
    item: ClaimViewSchema,
    access: [{ rule: "member-staff", orgParam: "insurer" }, { rule: "operator" }],
  }),
  "claim.receivables": pagedQuery({
    name: "claim.receivables",
    summary: "A provider's claims with something payable and unpaid.",
    params: { provider: OrganizationIdSchema },
    item: ClaimViewSchema,
    access: [{ rule: "member-staff", orgParam: "provider" }, { rule: "operator" }],
  }),
} as const;

export type PlanView = Static<typeof PlanViewSchema>;
export type PlanVersionView = Static<typeof PlanVersionViewSchema>;
export type CoverageView = Static<typeof CoverageViewSchema>;
export type AccumulatorsView = Static<typeof AccumulatorsViewSchema>;
export type LineReason = (typeof LINE_REASONS)[number];
export type LineAdjudicationView = Static<typeof LineAdjudicationViewSchema>;
export type ClaimResponseView = Static<typeof ClaimResponseViewSchema>;
export type ClaimErrorCode = (typeof CLAIM_ERRORS)[number];
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];
export type ClaimHistoryEntry = Static<typeof ClaimHistoryEntrySchema>;
export type ClaimView = Static<typeof ClaimViewSchema>;
export type PreauthorizationView = Static<typeof PreauthorizationViewSchema>;

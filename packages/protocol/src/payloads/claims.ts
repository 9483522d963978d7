import { type Static, Type } from "@sinclair/typebox";
import { PUBLIC_KEY_BYTES } from "../keys.js";
import { payloadChecker } from "./check.js";
import { OrganizationIdSchema } from "./identity.js";

/**
 * Payloads of the claims module (DOMAIN.md "claims", NOTES.md 2): plans, coverage, and claims
 * adjudicated at commit. Service codes and amounts are in the clear because every validator
 * adjudicates; diagnoses and evidence are salted hash commitments the provider opens to the
 * insurer off chain. The member is a key the patient uses for one coverage only.
 *
 * Amounts are integers in the plan currency's minor units, bounded so that every sum the
 * adjudication forms stays below 2^53: a claim's submitted total is at most CLAIM_ITEMS_MAX x
 * QUANTITY_MAX x UNIT_PRICE_MAX, about 5 x 10^15 < 2^53 (9 x 10^15).
 */

/** Largest amount in minor units of a plan term or a payment: 10^12 (ten billion dollars). */
export const AMOUNT_MAX = 1_000_000_000_000;
/** Largest unit price of a claim item: 10^10 minor units. */
export const UNIT_PRICE_MAX = 10_000_000_000;
export const QUANTITY_MAX = 9_999;
export const CLAIM_ITEMS_MAX = 50;
export const PLAN_RULES_MAX = 512;
export const CLAIM_DIAGNOSES_MAX = 12;
export const CLAIM_EVIDENCE_MAX = 16;
/** Versions one plan keeps (register and updates). */
export const PLAN_VERSIONS_MAX = 64;
export const BASIS_POINTS_MAX = 10_000;
const DAYS_MAX = 3_650;

/** ISO 4217 codes the node can export to FHIR Money, with their minor-unit exponents. */
export const CURRENCY_EXPONENTS = {
  USD: 2,
  EUR: 2,
  GBP: 2,
  CHF: 2,
  CAD: 2,
  AUD: 2,
  JPY: 0,
  KRW: 0,
  BHD: 3,
  KWD: 3,
} as const;
export type Currency = keyof typeof CURRENCY_EXPONENTS;
export const CurrencySchema = Type.Union(
  Object.keys(CURRENCY_EXPONENTS).map((code) => Type.Literal(code as Currency)),
);

const Time = Type.Integer({ minimum: 0 });
const Amount = Type.Integer({ minimum: 0, maximum: AMOUNT_MAX });
const publicKey = () =>
  Type.Uint8Array({ minByteLength: PUBLIC_KEY_BYTES, maxByteLength: PUBLIC_KEY_BYTES });
const sha256Bytes = () => Type.Uint8Array({ minByteLength: 32, maxByteLength: 32 });

/** A plan's id, chosen by its insurer (a new benefit year is a new plan: "gold-2027"). */
export const PlanIdSchema = Type.String({ pattern: "^[a-z0-9][a-z0-9-]{0,63}$" });
/** Coverage, claim and pre-authorization ids: 128 random bits as hex, linking to nothing. */
export const ClaimIdSchema = Type.String({ pattern: "^[0-9a-f]{32}$" });
/** A service code (CPT, HCPCS, CDT, a local code): what plan rules and claim items name. */
export const ServiceCodeSchema = Type.String({ pattern: "^[A-Za-z0-9][A-Za-z0-9.-]{0,15}$" });
/** R4 `claim-type`. */
export const CLAIM_TYPES = ["institutional", "oral", "pharmacy", "professional", "vision"] as const;
export const ClaimTypeSchema = Type.Union(CLAIM_TYPES.map((code) => Type.Literal(code)));

/** A closed period in milliseconds since the epoch, start inclusive, end exclusive. */
export const ClosedPeriodSchema = Type.Object(
  { start: Time, end: Time },
  { additionalProperties: false },
);
/** An enrolment period: a missing end means in force until the plan's period ends (R4). */
export const OpenPeriodSchema = Type.Object(
  { start: Time, end: Type.Optional(Time) },
  { additionalProperties: false },
);

/** What a plan pays for one service code. */
export const ServiceRuleSchema = Type.Object(
  {
    code: ServiceCodeSchema,
    /** The contracted allowed amount per unit. */
    allowedPerUnit: Amount,
    /** A fixed copay per line. */
    copay: Type.Optional(Amount),
    /** The copay exempts the line from deductible and coinsurance (an office visit). */
    copayOnly: Type.Boolean(),
    /** A claim line needs an approved pre-authorization for this code. */
    preauth: Type.Boolean(),
  },
  { additionalProperties: false },
);

/** The terms of one version of a plan. Rules' codes are unique (the handler checks). */
export const PlanTermsSchema = Type.Object(
  {
    /** Per member per plan period. At most `outOfPocketMax` (the handler checks). */
    deductible: Amount,
    /** The member's share after the deductible. */
    coinsuranceBp: Type.Integer({ minimum: 0, maximum: BASIS_POINTS_MAX }),
    outOfPocketMax: Amount,
    /** A claim submitted later than this after its service date is denied (late filing). */
    timelyFilingDays: Type.Integer({ minimum: 1, maximum: DAYS_MAX }),
    /** A provider may dispute an adjudication this long after it. */
    disputeWindowDays: Type.Integer({ minimum: 1, maximum: DAYS_MAX }),
    rules: Type.Array(ServiceRuleSchema, { minItems: 1, maxItems: PLAN_RULES_MAX }),
  },
  { additionalProperties: false },
);

/**
 * `plan.register`, by an insurer-agent or admin of `insurer`: version 1 of a plan, in force
 * from `period.start`. The period is the benefit period: accumulators run over it.
 */
export const PlanRegisterPayloadSchema = Type.Object(
  {
    id: PlanIdSchema,
    insurer: OrganizationIdSchema,
    name: Type.String({ minLength: 1, maxLength: 120 }),
    currency: CurrencySchema,
    period: ClosedPeriodSchema,
    terms: PlanTermsSchema,
  },
  { additionalProperties: false },
);

/**
 * `plan.update`, by the plan's insurer: the next version, for services on or after `effective`,
 * which lies in the plan's period, after the latest version's, and not before the block's time
 * (no retroactive change to claims already adjudicated).
 */
export const PlanUpdatePayloadSchema = Type.Object(
  { id: PlanIdSchema, insurer: OrganizationIdSchema, effective: Time, terms: PlanTermsSchema },
  { additionalProperties: false },
);

/** `coverage.enroll`, by the plan's insurer: `member` is in the plan for `period` (within it). */
export const CoverageEnrollPayloadSchema = Type.Object(
  {
    id: ClaimIdSchema,
    insurer: OrganizationIdSchema,
    plan: PlanIdSchema,
    member: publicKey(),
    period: OpenPeriodSchema,
  },
  { additionalProperties: false },
);

/** `coverage.end`, by the insurer: the coverage ends at `end` (not before its start). */
export const CoverageEndPayloadSchema = Type.Object(
  { id: ClaimIdSchema, insurer: OrganizationIdSchema, end: Time },
  { additionalProperties: false },
);

export const ClaimItemSchema = Type.Object(
  {
    code: ServiceCodeSchema,
    quantity: Type.Integer({ minimum: 1, maximum: QUANTITY_MAX }),
    unitPrice: Type.Integer({ minimum: 0, maximum: UNIT_PRICE_MAX }),
  },
  { additionalProperties: false },
);

/**
 * `claim.preauthorize`, by a clinician or staff of `provider`: asks for the services in `items`
 * over `period`. The plan's rules decide at commit (approved for the covered codes while the
 * coverage is in force at the period's start); the receipt's result is the decision.
 */
export const ClaimPreauthorizePayloadSchema = Type.Object(
  {
    id: ClaimIdSchema,
    provider: OrganizationIdSchema,
    coverage: ClaimIdSchema,
    member: publicKey(),
    period: ClosedPeriodSchema,
    items: Type.Array(ClaimItemSchema, { minItems: 1, maxItems: CLAIM_ITEMS_MAX }),
  },
  { additionalProperties: false },
);

/**
 * `claim.submit`, by a clinician or staff of `provider`: adjudicated at commit (NOTES.md 2.3);
 * the receipt's result is the ClaimResponse. `diagnoses` and `evidence` are salted commitments.
 */
export const ClaimSubmitPayloadSchema = Type.Object(
  {
    id: ClaimIdSchema,
    provider: OrganizationIdSchema,
    coverage: ClaimIdSchema,
    member: publicKey(),
    type: ClaimTypeSchema,
    serviceDate: Time,
    items: Type.Array(ClaimItemSchema, { minItems: 1, maxItems: CLAIM_ITEMS_MAX }),
    diagnoses: Type.Array(sha256Bytes(), { maxItems: CLAIM_DIAGNOSES_MAX }),
    evidence: Type.Array(sha256Bytes(), { maxItems: CLAIM_EVIDENCE_MAX }),
    /** The id of an earlier `claim.preauthorize` of this provider, coverage and member. */
    preauthorization: Type.Optional(ClaimIdSchema),
  },
  { additionalProperties: false },
);

/** `claim.pay`, by the insurer: a payment of at most what is payable and unpaid. */
export const ClaimPayPayloadSchema = Type.Object(
  {
    claim: ClaimIdSchema,
    insurer: OrganizationIdSchema,
    amount: Type.Integer({ minimum: 1, maximum: AMOUNT_MAX }),
    /** A hash of the payment's reference (remittance advice, transfer id), salted by the payer. */
    reference: sha256Bytes(),
  },
  { additionalProperties: false },
);

/** Why a provider disputes, a code system of our own (`urn:careledger:dispute-reason`). */
export const DISPUTE_REASONS = [
  "coding-error",
  "coverage-error",
  "duplicate-error",
  "medical-necessity",
  "preauth-on-file",
  "timely-filing-met",
  "underpayment",
] as const;
export const DisputeReasonSchema = Type.Union(DISPUTE_REASONS.map((code) => Type.Literal(code)));

/** `claim.dispute`, by a clinician or staff of the claim's provider, within the dispute window. */
export const ClaimDisputePayloadSchema = Type.Object(
  {
    claim: ClaimIdSchema,
    provider: OrganizationIdSchema,
    reason: DisputeReasonSchema,
    evidence: sha256Bytes(),
  },
  { additionalProperties: false },
);

/**
 * `claim.resolve`, by the insurer, of the open dispute: `upheld` keeps the adjudication (and
 * names no lines); `adjusted` sets the benefit of the lines named (the member's share is
 * unchanged, so eligible becomes member share + benefit), and the difference is payable (or,
 * below what was paid, recoverable). The handler checks `lines` against `outcome`.
 */
export const ClaimResolvePayloadSchema = Type.Object(
  {
    claim: ClaimIdSchema,
    insurer: OrganizationIdSchema,
    outcome: Type.Union([Type.Literal("upheld"), Type.Literal("adjusted")]),
    lines: Type.Array(
      Type.Object(
        { sequence: Type.Integer({ minimum: 1, maximum: CLAIM_ITEMS_MAX }), benefit: Amount },
        { additionalProperties: false },
      ),
      { maxItems: CLAIM_ITEMS_MAX },
    ),
  },
  { additionalProperties: false },
);

/** `claim.void`, by a clinician or staff of the provider, before any payment. */
export const ClaimVoidPayloadSchema = Type.Object(
  { claim: ClaimIdSchema, provider: OrganizationIdSchema },
  { additionalProperties: false },
);

export type ServiceRule = Static<typeof ServiceRuleSchema>;
export type PlanTerms = Static<typeof PlanTermsSchema>;
export type PlanRegisterPayload = Static<typeof PlanRegisterPayloadSchema>;
export type PlanUpdatePayload = Static<typeof PlanUpdatePayloadSchema>;
export type CoverageEnrollPayload = Static<typeof CoverageEnrollPayloadSchema>;
export type CoverageEndPayload = Static<typeof CoverageEndPayloadSchema>;
export type ClaimItem = Static<typeof ClaimItemSchema>;
export type ClaimPreauthorizePayload = Static<typeof ClaimPreauthorizePayloadSchema>;
export type ClaimSubmitPayload = Static<typeof ClaimSubmitPayloadSchema>;
export type ClaimPayPayload = Static<typeof ClaimPayPayloadSchema>;
export type DisputeReason = (typeof DISPUTE_REASONS)[number];
export type ClaimDisputePayload = Static<typeof ClaimDisputePayloadSchema>;
export type ClaimResolvePayload = Static<typeof ClaimResolvePayloadSchema>;
export type ClaimVoidPayload = Static<typeof ClaimVoidPayloadSchema>;

export const planRegisterPayload = payloadChecker(PlanRegisterPayloadSchema);
export const planUpdatePayload = payloadChecker(PlanUpdatePayloadSchema);
export const coverageEnrollPayload = payloadChecker(CoverageEnrollPayloadSchema);
export const coverageEndPayload = payloadChecker(CoverageEndPayloadSchema);
export const claimPreauthorizePayload = payloadChecker(ClaimPreauthorizePayloadSchema);
export const claimSubmitPayload = payloadChecker(ClaimSubmitPayloadSchema);
export const claimPayPayload = payloadChecker(ClaimPayPayloadSchema);
export const claimDisputePayload = payloadChecker(ClaimDisputePayloadSchema);
export const claimResolvePayload = payloadChecker(ClaimResolvePayloadSchema);
export const claimVoidPayload = payloadChecker(ClaimVoidPayloadSchema);

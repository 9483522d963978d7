import {
  claimDisputePayload,
  claimPayPayload,
  claimPreauthorizePayload,
  claimResolvePayload,
  claimSubmitPayload,
  claimVoidPayload,
  coverageEndPayload,
  coverageEnrollPayload,
  planRegisterPayload,
  planUpdatePayload,
} from "../payloads/claims.js";
import type { SenderRule, TxTypeContract } from "./txContract.js";
import { EXAMPLE_HASH, EXAMPLE_ID, EXAMPLE_KEY } from "./txExamples.js";

const EXAMPLE_COVERAGE = "0c1d2e3f405162738495a6b7c8d9eaf0";
const EXAMPLE_TERMS = {
  deductible: 100_000,
  coinsuranceBp: 2_000,
  outOfPocketMax: 300_000,
  timelyFilingDays: 365,
  disputeWindowDays: 180,
  rules: [
    { code: "99213", allowedPerUnit: 12_000, copay: 2_500, copayOnly: true, preauth: false },
    { code: "70553", allowedPerUnit: 180_000, copay: 5_000, copayOnly: false, preauth: true },
  ],
};

/** An insurer-agent of the payload's insurer, or one of its admins. */
const insurerPeople: readonly SenderRule[] = [
  { rule: "role", roles: ["insurer-agent"], orgField: "insurer" },
  { rule: "orgAdmin", orgField: "insurer" },
];
/** A clinician or staff of the payload's provider organization. */
const providerPeople: readonly SenderRule[] = [
  { rule: "role", roles: ["clinician", "staff"], orgField: "provider" },
];

/** The claims module's transaction types (DOMAIN.md "Claims"), spread into TX_TYPES. */
export const CLAIM_TX_TYPES = {
  "plan.register": {
    type: "plan.register",
    summary: "Registers version 1 of an insurer's plan: its currency, benefit period and terms.",
    payload: planRegisterPayload,
    senders: insurerPeople,
    example: {
      id: "gold-2027",
      insurer: "acme-health",
      name: "Gold 2027",
      currency: "USD",
      period: { start: 1_798_761_600_000, end: 1_830_297_600_000 },
      terms: EXAMPLE_TERMS,
    },
  },
  "plan.update": {
    type: "plan.update",
    summary: "Adds the next version of a plan's terms, for services from its effective time on.",
    payload: planUpdatePayload,
    senders: insurerPeople,
    example: {
      id: "gold-2027",
      insurer: "acme-health",
      effective: 1_814_400_000_000,
      terms: EXAMPLE_TERMS,
    },
  },
  "coverage.enroll": {
    type: "coverage.enroll",
    summary: "Enrols a member key in a plan for a period.",
    payload: coverageEnrollPayload,
    senders: insurerPeople,
    example: {
      id: EXAMPLE_COVERAGE,
      insurer: "acme-health",
      plan: "gold-2027",
      member: EXAMPLE_KEY,
      period: { start: 1_798_761_600_000 },
    },
  },
  "coverage.end": {
    type: "coverage.end",
    summary: "Ends a coverage at a time.",
    payload: coverageEndPayload,
    senders: insurerPeople,
    example: { id: EXAMPLE_COVERAGE, insurer: "acme-health", end: 1_814_400_000_000 },
  },
  "claim.preauthorize": {
    type: "claim.preauthorize",
    summary: "Asks the plan to pre-authorize services; the receipt's result is its decision.",
    payload: claimPreauthorizePayload,
    senders: providerPeople,
    example: {
      id: EXAMPLE_ID,
      provider: "st-mary",
      coverage: EXAMPLE_COVERAGE,
      member: EXAMPLE_KEY,
      period: { start: 1_800_000_000_000, end: 1_807_776_000_000 },
      items: [{ code: "70553", quantity: 1, unitPrice: 250_000 }],
    },
  },
  "claim.submit": {
    type: "claim.submit",
    summary: "Submits a claim, adjudicated at commit; the receipt's result is the ClaimResponse.",
    payload: claimSubmitPayload,
    senders: providerPeople,
    example: {
      id: EXAMPLE_ID,
      provider: "st-mary",
      coverage: EXAMPLE_COVERAGE,
      member: EXAMPLE_KEY,
      type: "professional",
      serviceDate: 1_800_000_000_000,
      items: [{ code: "99213", quantity: 1, unitPrice: 20_000 }],
      diagnoses: [EXAMPLE_HASH],
      evidence: [],
    },
  },
  "claim.pay": {
    type: "claim.pay",
    summary: "Records a payment of at most what the claim has payable and unpaid.",
    payload: claimPayPayload,
    senders: insurerPeople,
    example: { claim: EXAMPLE_ID, insurer: "acme-health", amount: 9_500, reference: EXAMPLE_HASH },
  },
  "claim.dispute": {
    type: "claim.dispute",
    summary: "The provider disputes an adjudication within the plan's dispute window.",
    payload: claimDisputePayload,
    senders: providerPeople,
    example: {
      claim: EXAMPLE_ID,
      provider: "st-mary",
      reason: "preauth-on-file",
      evidence: EXAMPLE_HASH,
    },
  },
  "claim.resolve": {
    type: "claim.resolve",
    summary: "The insurer upholds or adjusts a disputed adjudication.",
    payload: claimResolvePayload,
    senders: insurerPeople,
    example: {
      claim: EXAMPLE_ID,
      insurer: "acme-health",
      outcome: "adjusted",
      lines: [{ sequence: 1, benefit: 64_000 }],
    },
  },
  "claim.void": {
    type: "claim.void",
    summary: "The provider voids a claim before any payment; its accumulations are reversed.",
    payload: claimVoidPayload,
    senders: providerPeople,
    example: { claim: EXAMPLE_ID, provider: "st-mary" },
  },
} satisfies Record<string, TxTypeContract>;

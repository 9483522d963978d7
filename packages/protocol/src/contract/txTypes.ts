import type { Static } from "@sinclair/typebox";
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
import {
  accessLogPayload,
  accessReviewPayload,
  consentDelegatePayload,
  consentGrantPayload,
  consentRevokePayload,
  consentUndelegatePayload,
} from "../payloads/consent.js";
import { govProposePayload, govVotePayload } from "../payloads/governance.js";
import {
  identityRegisterPayload,
  identityRevokePayload,
  orgRevokeAdminPayload,
} from "../payloads/identity.js";
import {
  casePackPayload,
  caseUnpackPayload,
  lotRecallPayload,
  packClearPayload,
  packCommissionPayload,
  packDecommissionPayload,
  packDispensePayload,
  packReceivePayload,
  packShipPayload,
  packSuspectPayload,
  productRegisterPayload,
} from "../payloads/provenance.js";
import {
  recordAmendPayload,
  recordAnchorPayload,
  recordForgetPayload,
  recordForgottenPayload,
} from "../payloads/records.js";
import type { SenderRule, TxTypeContract } from "./txContract.js";

const EXAMPLE_KEY = new Uint8Array(32).fill(7);
const EXAMPLE_DELEGATE = new Uint8Array(32).fill(9);
const EXAMPLE_HASH = new Uint8Array(32).fill(3);
const EXAMPLE_ID = "5f0c6a52e3b14d7c9a8e2f61b0d4c3a7";

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

const EXAMPLE_GTIN = "09520123456788";
const EXAMPLE_SSCC = "106141411234567897";
const EXAMPLE_PACKS = [{ gtin: EXAMPLE_GTIN, serials: ["12345", "12346"] }];
/** The people of a supply-chain organization who handle packs, of the payload's `field` org. */
const supplyPeople = (orgField: string): readonly SenderRule[] => [
  { rule: "role", roles: ["manufacturer", "distributor", "pharmacist", "staff"], orgField },
];

/** A patient's own key, or a delegate it named whose delegation is in force (handler-judged). */
const patientOrDelegate: readonly SenderRule[] = [
  { rule: "self", keyField: "patient" },
  { rule: "handler", says: "a delegate the patient named with consent.delegate, in its period" },
];

/**
 * Every built-in transaction type, once: the ledger binds each to its handler (and refuses a
 * handler without an entry here, or an entry without a handler), the SDK derives its builders
 * and payload types from it, the API and its OpenAPI document read it. A new type is an entry
 * here with its payload schema beside the others in `payloads/`.
 */
export const TX_TYPES = {
  "identity.register": {
    type: "identity.register",
    summary: "Binds a public key to an organization with roles.",
    payload: identityRegisterPayload,
    senders: [{ rule: "orgAdmin", orgField: "org" }],
    example: { key: EXAMPLE_KEY, org: "st-mary", roles: ["clinician"] },
  },
  "identity.revoke": {
    type: "identity.revoke",
    summary: "Revokes a registered key from the next block on.",
    payload: identityRevokePayload,
    senders: [
      { rule: "self", keyField: "key" },
      { rule: "keyOrgAdmin", keyField: "key" },
    ],
    example: { key: EXAMPLE_KEY },
  },
  "org.revokeAdmin": {
    type: "org.revokeAdmin",
    summary: "Removes an admin key of an organization at once (never the last one).",
    payload: orgRevokeAdminPayload,
    senders: [{ rule: "orgAdmin", orgField: "org" }],
    example: { org: "st-mary", key: EXAMPLE_KEY },
  },
  "gov.propose": {
    type: "gov.propose",
    summary: "Opens a governance proposal on behalf of an organization.",
    payload: govProposePayload,
    senders: [{ rule: "orgAdmin", orgField: "org" }],
    example: {
      org: "st-mary",
      change: { kind: "validator.remove", key: EXAMPLE_KEY },
      expiresAt: 1_700_000_000_000,
    },
  },
  "gov.vote": {
    type: "gov.vote",
    summary:
      "Votes for an organization on an open proposal; the receipt's result is the tally and status.",
    payload: govVotePayload,
    senders: [{ rule: "orgAdmin", orgField: "org" }],
    example: { proposal: "ab".repeat(32), org: "st-mary", approve: true },
  },
  "consent.grant": {
    type: "consent.grant",
    summary:
      "Grants a key or an organization actions for purposes on the patient's records, with exceptions.",
    payload: consentGrantPayload,
    senders: patientOrDelegate,
    example: {
      id: EXAMPLE_ID,
      patient: EXAMPLE_KEY,
      grantee: { org: "st-mary" },
      actions: ["access"],
      purposes: ["TREAT"],
      classes: ["lab", "medication"],
      period: { start: 1_700_000_000_000, end: 1_800_000_000_000 },
      deny: [{ classes: ["mental-health"] }],
    },
  },
  "consent.revoke": {
    type: "consent.revoke",
    summary: "Revokes a consent from this block on; an unknown id leaves a tombstone.",
    payload: consentRevokePayload,
    senders: patientOrDelegate,
    example: { id: EXAMPLE_ID, patient: EXAMPLE_KEY },
  },
  "consent.delegate": {
    type: "consent.delegate",
    summary: "Names a guardian or proxy who may grant, revoke and forget for the patient.",
    payload: consentDelegatePayload,
    senders: [{ rule: "self", keyField: "patient" }],
    example: {
      patient: EXAMPLE_KEY,
      delegate: EXAMPLE_DELEGATE,
      period: { start: 1_700_000_000_000 },
    },
  },
  "consent.undelegate": {
    type: "consent.undelegate",
    summary: "Ends a delegation at once.",
    payload: consentUndelegatePayload,
    senders: [
      { rule: "self", keyField: "patient" },
      { rule: "self", keyField: "delegate" },
    ],
    example: { patient: EXAMPLE_KEY, delegate: EXAMPLE_DELEGATE },
  },
  "access.log": {
    type: "access.log",
    summary:
      "Records an access before it happens; the receipt's result is the decision and its reason.",
    payload: accessLogPayload,
    senders: [
      {
        rule: "role",
        roles: ["clinician", "staff", "insurer-agent", "pharmacist", "regulator", "patient"],
      },
    ],
    example: { record: EXAMPLE_ID, purpose: "TREAT", action: "access" },
  },
  "access.review": {
    type: "access.review",
    summary: "Closes the review of a break-the-glass access by one of the organization's people.",
    payload: accessReviewPayload,
    senders: [{ rule: "orgAdmin", orgField: "org" }],
    example: { org: "st-mary", access: EXAMPLE_HASH, justified: true },
  },
  "record.anchor": {
    type: "record.anchor",
    summary: "Anchors version 1 of a record held encrypted off chain by its custodian.",
    payload: recordAnchorPayload,
    senders: [{ rule: "role", roles: ["clinician", "staff"], orgField: "custodian" }],
    example: {
      id: EXAMPLE_ID,
      patient: EXAMPLE_KEY,
      class: "lab",
      custodian: "st-mary",
      hash: EXAMPLE_HASH,
    },
  },
  "record.amend": {
    type: "record.amend",
    summary: "Adds the next version of a record; earlier versions stay.",
    payload: recordAmendPayload,
    senders: [{ rule: "role", roles: ["clinician", "staff"], orgField: "custodian" }],
    example: { id: EXAMPLE_ID, custodian: "st-mary", previous: 1, hash: EXAMPLE_HASH },
  },
  "record.forget": {
    type: "record.forget",
    summary: "Asks the custodian to erase every version of a record for good.",
    payload: recordForgetPayload,
    senders: patientOrDelegate,
    example: { id: EXAMPLE_ID, patient: EXAMPLE_KEY },
  },
  "record.forgotten": {
    type: "record.forgotten",
    summary: "The custodian's node reports that a record's keys and ciphertext are erased.",
    payload: recordForgottenPayload,
    senders: [{ rule: "orgNode", orgField: "custodian" }],
    example: { id: EXAMPLE_ID, custodian: "st-mary" },
  },
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
  "product.register": {
    type: "product.register",
    summary: "Registers a GTIN within the manufacturer's GS1 company prefixes, with master data.",
    payload: productRegisterPayload,
    senders: [
      { rule: "role", roles: ["manufacturer"], orgField: "manufacturer" },
      { rule: "orgAdmin", orgField: "manufacturer" },
    ],
    example: {
      gtin: EXAMPLE_GTIN,
      manufacturer: "acme-pharma",
      name: "Amoxicillin 500 mg capsules, 21",
      ndc: "12345-678-90",
      form: "capsule",
      strength: "500 mg",
    },
  },
  "pack.commission": {
    type: "pack.commission",
    summary: "Commissions serialised packs of one GTIN, lot and expiry.",
    payload: packCommissionPayload,
    senders: [{ rule: "role", roles: ["manufacturer"], orgField: "manufacturer" }],
    example: {
      gtin: EXAMPLE_GTIN,
      manufacturer: "acme-pharma",
      lot: "ABC1",
      expiry: "280430",
      serials: ["12345", "12346"],
    },
  },
  "case.pack": {
    type: "case.pack",
    summary: "Aggregates packs the organization holds into a case with a new SSCC.",
    payload: casePackPayload,
    senders: supplyPeople("org"),
    example: { sscc: EXAMPLE_SSCC, org: "acme-pharma", packs: EXAMPLE_PACKS },
  },
  "case.unpack": {
    type: "case.unpack",
    summary: "Takes the packs out of a case the organization holds.",
    payload: caseUnpackPayload,
    senders: supplyPeople("org"),
    example: { sscc: EXAMPLE_SSCC, org: "acme-pharma" },
  },
  "pack.ship": {
    type: "pack.ship",
    summary: "Ships packs and cases the sender holds to another organization.",
    payload: packShipPayload,
    senders: supplyPeople("from"),
    example: { from: "acme-pharma", to: "north-wholesale", packs: [], cases: [EXAMPLE_SSCC] },
  },
  "pack.receive": {
    type: "pack.receive",
    summary: "The addressee receives packs and cases shipped to it, verifying returns.",
    payload: packReceivePayload,
    senders: supplyPeople("to"),
    example: {
      to: "north-wholesale",
      from: "acme-pharma",
      packs: [],
      cases: [EXAMPLE_SSCC],
      verified: [],
    },
  },
  "pack.dispense": {
    type: "pack.dispense",
    summary: "A pharmacy dispenses packs it holds to patients.",
    payload: packDispensePayload,
    senders: [{ rule: "role", roles: ["pharmacist"], orgField: "org" }],
    example: { org: "corner-pharmacy", packs: EXAMPLE_PACKS },
  },
  "pack.decommission": {
    type: "pack.decommission",
    summary: "The custodian takes packs out of the supply chain: destroyed, damaged or returned.",
    payload: packDecommissionPayload,
    senders: supplyPeople("org"),
    example: { org: "north-wholesale", packs: EXAMPLE_PACKS, reason: "damaged" },
  },
  "lot.recall": {
    type: "lot.recall",
    summary: "The manufacturer or a regulator recalls a lot: none of its packs moves on.",
    payload: lotRecallPayload,
    senders: [{ rule: "role", roles: ["manufacturer", "regulator"], orgField: "org" }],
    example: {
      gtin: EXAMPLE_GTIN,
      lot: "ABC1",
      org: "acme-pharma",
      reason: "quality",
      class: "II",
    },
  },
  "pack.suspect": {
    type: "pack.suspect",
    summary: "A regulator or trading partner flags packs suspect for an investigation.",
    payload: packSuspectPayload,
    senders: [
      {
        rule: "role",
        roles: ["regulator", "manufacturer", "distributor", "pharmacist", "staff"],
        orgField: "org",
      },
    ],
    example: { org: "north-wholesale", packs: EXAMPLE_PACKS, reason: "counterfeit" },
  },
  "pack.clear": {
    type: "pack.clear",
    summary: "A regulator, or the organization that raised it, clears a suspicion.",
    payload: packClearPayload,
    senders: [
      {
        rule: "role",
        roles: ["regulator", "manufacturer", "distributor", "pharmacist", "staff"],
        orgField: "org",
      },
    ],
    example: { org: "north-wholesale", packs: EXAMPLE_PACKS },
  },
} satisfies Record<string, TxTypeContract>;

export type TxTypeName = keyof typeof TX_TYPES;

/** The payload a transaction type takes, derived from its schema. */
export type PayloadOf<T extends TxTypeName> = Static<(typeof TX_TYPES)[T]["payload"]["schema"]>;

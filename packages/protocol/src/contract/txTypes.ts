import type { Static } from "@sinclair/typebox";
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
  recordAmendPayload,
  recordAnchorPayload,
  recordForgetPayload,
  recordForgottenPayload,
} from "../payloads/records.js";
import { CLAIM_TX_TYPES } from "./claimTxTypes.js";
import { PROVENANCE_TX_TYPES } from "./provenanceTxTypes.js";
import type { SenderRule, TxTypeContract } from "./txContract.js";
import { EXAMPLE_DELEGATE, EXAMPLE_HASH, EXAMPLE_ID, EXAMPLE_KEY } from "./txExamples.js";

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
  ...CLAIM_TX_TYPES,
  ...PROVENANCE_TX_TYPES,
} satisfies Record<string, TxTypeContract>;

export type TxTypeName = keyof typeof TX_TYPES;

/** The payload a transaction type takes, derived from its schema. */
export type PayloadOf<T extends TxTypeName> = Static<(typeof TX_TYPES)[T]["payload"]["schema"]>;

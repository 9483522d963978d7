import { type Static, Type } from "@sinclair/typebox";
import {
  ConsentActionSchema,
  ConsentDenySchema,
  ConsentIdSchema,
  PeriodSchema,
  PurposeSchema,
} from "../payloads/consent.js";
import { OrganizationIdSchema } from "../payloads/identity.js";
import { RecordClassSchema, RecordIdSchema } from "../payloads/records.js";
import { pagedQuery, singleQuery } from "./queryContract.js";

const KeyHex = Type.String({ pattern: "^[0-9a-f]{64}$" });
const TxIdHex = Type.String({ pattern: "^[0-9a-f]{64}$" });
const Height = Type.Integer({ minimum: 0 });
const Time = Type.Integer({ minimum: 0 });
const codes = <T extends typeof ConsentActionSchema | typeof PurposeSchema>(item: T) =>
  Type.Array(item);

/** Where and by whom something happened on chain. */
export const ChainStampSchema = Type.Object(
  { height: Height, time: Time, by: KeyHex },
  { additionalProperties: false },
);

export const GranteeViewSchema = Type.Union([
  Type.Object({ key: KeyHex }, { additionalProperties: false }),
  Type.Object({ org: OrganizationIdSchema }, { additionalProperties: false }),
]);

/**
 * A consent as queries answer it. `status` is `active` only while it is in force at the head:
 * revoked or past its period's end it reads `inactive` (FHIR R4 has no revoked status, NOTES.md
 * 0.8), and `revoked` / `expired` say why.
 */
export const ConsentViewSchema = Type.Object(
  {
    id: ConsentIdSchema,
    patient: KeyHex,
    grantee: GranteeViewSchema,
    actions: codes(ConsentActionSchema),
    purposes: codes(PurposeSchema),
    classes: Type.Optional(Type.Array(RecordClassSchema)),
    records: Type.Optional(Type.Array(RecordIdSchema)),
    period: PeriodSchema,
    deny: Type.Optional(Type.Array(ConsentDenySchema)),
    status: Type.Union([Type.Literal("active"), Type.Literal("inactive")]),
    expired: Type.Boolean(),
    granted: ChainStampSchema,
    revoked: Type.Optional(ChainStampSchema),
  },
  { additionalProperties: false },
);

/** A delegation: who may act for the patient, and when. */
export const DelegationViewSchema = Type.Object(
  {
    patient: KeyHex,
    delegate: KeyHex,
    period: PeriodSchema,
    granted: ChainStampSchema,
    active: Type.Boolean(),
  },
  { additionalProperties: false },
);

/**
 * Why an access was permitted or denied: by a consent in force (`consent` names it), the
 * patient's own record, break the glass (ETREAT or a descendant, to access or use only, by a
 * clinician of a hospital or clinic, with no consent permitting it: flagged for review), no consent covering it, or a deny
 * exception of a consent that would otherwise permit it (`consent` names it).
 */
export const ACCESS_REASONS = [
  "consent",
  "own-record",
  "break-glass",
  "no-consent",
  "exception",
] as const;
export type AccessReason = (typeof ACCESS_REASONS)[number];

export const AccessDecisionSchema = Type.Object(
  {
    decision: Type.Union([Type.Literal("permit"), Type.Literal("deny")]),
    reason: Type.Union(ACCESS_REASONS.map((reason) => Type.Literal(reason))),
    consent: Type.Union([ConsentIdSchema, Type.Null()]),
    breakGlass: Type.Boolean(),
  },
  { additionalProperties: false },
);

/** The result in an `access.log` receipt: the decision and what it was about. */
export const AccessResultSchema = Type.Object(
  {
    ...AccessDecisionSchema.properties,
    accessor: KeyHex,
    accessorOrg: Type.Union([OrganizationIdSchema, Type.Null()]),
    patient: KeyHex,
    record: RecordIdSchema,
    version: Type.Integer({ minimum: 1 }),
    class: RecordClassSchema,
    custodian: OrganizationIdSchema,
    action: ConsentActionSchema,
    purpose: PurposeSchema,
  },
  { additionalProperties: false },
);

/** One entry of an access history: the committed `access.log`, and its review if any. */
export const AccessEntrySchema = Type.Object(
  {
    ...AccessResultSchema.properties,
    access: TxIdHex,
    height: Height,
    time: Time,
    review: Type.Optional(
      Type.Object(
        { justified: Type.Boolean(), height: Height, time: Time, by: KeyHex },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

const delegateSays = "a delegate of the patient in force";

/** Queries of the consent and access modules (DOMAIN.md "Who sees what"). */
export const CONSENT_QUERIES = {
  "consent.get": singleQuery({
    name: "consent.get",
    summary: "One consent, or null (a tombstone reads as null).",
    params: { id: ConsentIdSchema },
    result: Type.Union([ConsentViewSchema, Type.Null()]),
    access: [
      { rule: "operator" },
      {
        rule: "query",
        says: "the patient, its delegates, and the grantee (the key, or its organization's people)",
      },
    ],
  }),
  "consent.ofPatient": pagedQuery({
    name: "consent.ofPatient",
    summary: "A patient's consents, in id order.",
    params: { patient: KeyHex },
    item: ConsentViewSchema,
    access: [
      { rule: "self", keyParam: "patient" },
      { rule: "operator" },
      { rule: "query", says: delegateSays },
    ],
  }),
  "consent.toKey": pagedQuery({
    name: "consent.toKey",
    summary: "The consents that name a key as grantee, by patient.",
    params: { key: KeyHex },
    item: ConsentViewSchema,
    access: [{ rule: "self", keyParam: "key" }, { rule: "operator" }],
  }),
  "consent.toOrg": pagedQuery({
    name: "consent.toOrg",
    summary: "The consents that name an organization as grantee, by patient.",
    params: { org: OrganizationIdSchema },
    item: ConsentViewSchema,
    access: [{ rule: "member-staff", orgParam: "org" }, { rule: "operator" }],
  }),
  "consent.delegates": singleQuery({
    name: "consent.delegates",
    summary: "Who may act for a patient: its delegations, current and ended.",
    params: { patient: KeyHex },
    result: Type.Array(DelegationViewSchema),
    access: [{ rule: "self", keyParam: "patient" }, { rule: "operator" }],
  }),
  "consent.decision": singleQuery({
    name: "consent.decision",
    summary:
      "The decision for a hypothetical access (a record, or a patient and class) at a time, with its reason.",
    params: {
      accessor: KeyHex,
      record: Type.Optional(RecordIdSchema),
      patient: Type.Optional(KeyHex),
      class: Type.Optional(RecordClassSchema),
      action: ConsentActionSchema,
      purpose: PurposeSchema,
      /** When, in ms; the head's time if absent. */
      time: Type.Optional(Time),
    },
    result: AccessDecisionSchema,
    access: [
      { rule: "self", keyParam: "accessor" },
      { rule: "self", keyParam: "patient" },
      { rule: "operator" },
      {
        rule: "query",
        says: "a delegate of the patient in force, or (a record named alone) its patient or delegate; beside a record, a caller who may not read that record is refused when it is unknown or a patient or class is named",
      },
    ],
  }),
  "access.history": pagedQuery({
    name: "access.history",
    summary: "A patient's access history, newest first, from a node-local index.",
    params: { patient: KeyHex },
    item: AccessEntrySchema,
    access: [
      { rule: "self", keyParam: "patient" },
      { rule: "operator" },
      { rule: "query", says: delegateSays },
    ],
  }),
  "access.ofCustodian": pagedQuery({
    name: "access.ofCustodian",
    summary: "Accesses to the records an organization holds, newest first.",
    params: { org: OrganizationIdSchema },
    item: AccessEntrySchema,
    access: [{ rule: "member-staff", orgParam: "org" }, { rule: "operator" }],
  }),
  "access.breakGlass": pagedQuery({
    name: "access.breakGlass",
    summary: "Break-the-glass accesses by an organization's people awaiting its review.",
    params: { org: OrganizationIdSchema },
    item: AccessEntrySchema,
    access: [{ rule: "admin", orgParam: "org" }, { rule: "operator" }],
  }),
} as const;

export type ConsentView = Static<typeof ConsentViewSchema>;
export type DelegationView = Static<typeof DelegationViewSchema>;
export type AccessDecision = Static<typeof AccessDecisionSchema>;
export type AccessResult = Static<typeof AccessResultSchema>;
export type AccessEntry = Static<typeof AccessEntrySchema>;

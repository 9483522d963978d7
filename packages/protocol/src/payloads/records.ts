import { type Static, Type } from "@sinclair/typebox";
import { PUBLIC_KEY_BYTES } from "../keys.js";
import { payloadChecker } from "./check.js";
import { OrganizationIdSchema } from "./identity.js";

/**
 * Payloads of the records module (DOMAIN.md "records"): the chain holds only a record's random
 * id, its patient's pseudonymous key, its class, its custodian and the hash of its ciphertext
 * (random-keyed, so it links to nothing); the content stays encrypted at the custodian.
 */

/**
 * Record classes, a code system of our own (`urn:careledger:record-class`, NOTES.md 1.3): what
 * consents and their exceptions name. Sensitive classes exist so a patient can deny them.
 */
export const RECORD_CLASSES = [
  "allergy",
  "document",
  "genetic",
  "imaging",
  "immunization",
  "lab",
  "medication",
  "mental-health",
  "note",
  "problem",
  "procedure",
  "sexual-health",
  "substance-use",
  "vital-signs",
] as const;
export type RecordClass = (typeof RECORD_CLASSES)[number];
export const RECORD_CLASS_SYSTEM = "urn:careledger:record-class";

/** 128 random bits as hex: an id says nothing about the patient or the content. */
export const RecordIdSchema = Type.String({ pattern: "^[0-9a-f]{32}$" });
export const RecordClassSchema = Type.Union(RECORD_CLASSES.map((code) => Type.Literal(code)));
/** Most versions one record keeps (anchor and amends). */
export const RECORD_VERSIONS_MAX = 256;

const publicKey = () =>
  Type.Uint8Array({ minByteLength: PUBLIC_KEY_BYTES, maxByteLength: PUBLIC_KEY_BYTES });
const sha256Bytes = () => Type.Uint8Array({ minByteLength: 32, maxByteLength: 32 });

/** `record.anchor`, by a clinician or staff of `custodian`: version 1 of a new record. */
export const RecordAnchorPayloadSchema = Type.Object(
  {
    id: RecordIdSchema,
    patient: publicKey(),
    class: RecordClassSchema,
    custodian: OrganizationIdSchema,
    /** SHA-256 of the ciphertext the custodian stored. */
    hash: sha256Bytes(),
  },
  { additionalProperties: false },
);

/** `record.amend`, by a clinician or staff of the record's custodian: the next version. */
export const RecordAmendPayloadSchema = Type.Object(
  {
    id: RecordIdSchema,
    custodian: OrganizationIdSchema,
    /** The version this one follows: the record's latest, or the amend fails (no lost update). */
    previous: Type.Integer({ minimum: 1, maximum: RECORD_VERSIONS_MAX }),
    hash: sha256Bytes(),
  },
  { additionalProperties: false },
);

/** `record.forget`, by the patient or a delegate: the custodian must erase every version. */
export const RecordForgetPayloadSchema = Type.Object(
  { id: RecordIdSchema, patient: publicKey() },
  { additionalProperties: false },
);

/** `record.forgotten`, by a node of the custodian: its keys and ciphertext are erased. */
export const RecordForgottenPayloadSchema = Type.Object(
  { id: RecordIdSchema, custodian: OrganizationIdSchema },
  { additionalProperties: false },
);

export type RecordAnchorPayload = Static<typeof RecordAnchorPayloadSchema>;
export type RecordAmendPayload = Static<typeof RecordAmendPayloadSchema>;
export type RecordForgetPayload = Static<typeof RecordForgetPayloadSchema>;
export type RecordForgottenPayload = Static<typeof RecordForgottenPayloadSchema>;

export const recordAnchorPayload = payloadChecker(RecordAnchorPayloadSchema);
export const recordAmendPayload = payloadChecker(RecordAmendPayloadSchema);
export const recordForgetPayload = payloadChecker(RecordForgetPayloadSchema);
export const recordForgottenPayload = payloadChecker(RecordForgottenPayloadSchema);

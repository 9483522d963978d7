import { type Static, Type } from "@sinclair/typebox";
import { OrganizationIdSchema } from "../payloads/identity.js";
import { RecordClassSchema, RecordIdSchema } from "../payloads/records.js";
import { ChainStampSchema } from "./consentQueries.js";
import { pagedQuery, singleQuery } from "./queryContract.js";

const KeyHex = Type.String({ pattern: "^[0-9a-f]{64}$" });
const HashHex = Type.String({ pattern: "^[0-9a-f]{64}$" });

/** One version of a record: the hash of its ciphertext at the custodian, and who anchored it. */
export const RecordVersionSchema = Type.Object(
  { version: Type.Integer({ minimum: 1 }), hash: HashHex, anchored: ChainStampSchema },
  { additionalProperties: false },
);

/**
 * A record's metadata (never its content). `forgetting` once the patient asked, `forgotten`
 * once the custodian reported the erasure; the hashes stay, and link to nothing.
 */
export const RecordViewSchema = Type.Object(
  {
    id: RecordIdSchema,
    patient: KeyHex,
    class: RecordClassSchema,
    custodian: OrganizationIdSchema,
    status: Type.Union([
      Type.Literal("active"),
      Type.Literal("forgetting"),
      Type.Literal("forgotten"),
    ]),
    versions: Type.Array(RecordVersionSchema),
    forgetRequested: Type.Optional(ChainStampSchema),
    forgotten: Type.Optional(ChainStampSchema),
  },
  { additionalProperties: false },
);

const recordSays = "the patient, its delegates, and the custodian organization's people";

/** Queries of the records module (DOMAIN.md "Who sees what"). */
export const RECORD_QUERIES = {
  "record.get": singleQuery({
    name: "record.get",
    summary: "A record's metadata and versions, or null.",
    params: { id: RecordIdSchema },
    result: Type.Union([RecordViewSchema, Type.Null()]),
    access: [{ rule: "operator" }, { rule: "query", says: recordSays }],
  }),
  "record.ofPatient": pagedQuery({
    name: "record.ofPatient",
    summary: "A patient's records, in id order.",
    params: { patient: KeyHex },
    item: RecordViewSchema,
    access: [
      { rule: "self", keyParam: "patient" },
      { rule: "operator" },
      { rule: "query", says: "a delegate of the patient in force" },
    ],
  }),
} as const;

export type RecordView = Static<typeof RecordViewSchema>;
export type RecordVersionView = Static<typeof RecordVersionSchema>;

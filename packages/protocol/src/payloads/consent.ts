import { type Static, type TSchema, Type } from "@sinclair/typebox";
import { PUBLIC_KEY_BYTES } from "../keys.js";
import { payloadChecker } from "./check.js";
import { OrganizationIdSchema } from "./identity.js";
import { RecordClassSchema, RecordIdSchema } from "./records.js";

/**
 * Payloads of the consent and access modules (DOMAIN.md "consent and access audit"; NOTES.md
 * 1.1 to 1.4). Every list and string is bounded. Codes are FHIR's: actions from the
 * `consentaction` code system, purposes from v3 ActReason (PurposeOfUse).
 */

/** FHIR R4 `consentaction` codes. */
export const CONSENT_ACTIONS = ["collect", "access", "use", "disclose", "correct"] as const;
export type ConsentAction = (typeof CONSENT_ACTIONS)[number];

/**
 * v3 ActReason PurposeOfUse, with each code's parent (NOTES.md 1.1, CodeSystem 2018-08-12):
 * purposes match by is-a, so a TREAT grant covers ETREAT and BTG requests and HRESCH covers no
 * TREAT one. Roots map to null.
 */
export const PURPOSE_PARENT = {
  TREAT: null,
  CLINTRL: "TREAT",
  COC: "TREAT",
  ETREAT: "TREAT",
  BTG: "ETREAT",
  ERTREAT: "ETREAT",
  POPHLTH: "TREAT",
  HPAYMT: null,
  CLMATTCH: "HPAYMT",
  COVAUTH: "HPAYMT",
  COVERAGE: "HPAYMT",
  ELIGDTRM: "COVERAGE",
  ELIGVER: "COVERAGE",
  ENROLLM: "COVERAGE",
  MILDCRG: "COVERAGE",
  REMITADV: "HPAYMT",
  HOPERAT: null,
  CAREMGT: "HOPERAT",
  DONAT: "HOPERAT",
  FRAUD: "HOPERAT",
  GOV: "HOPERAT",
  HACCRED: "HOPERAT",
  HCOMPL: "HOPERAT",
  HRESCH: null,
  BIORCH: "HRESCH",
  CLINTRCH: "HRESCH",
  CLINTRCHNPC: "CLINTRCH",
  CLINTRCHPC: "CLINTRCH",
  PRECLINTRCH: "CLINTRCH",
  DSRCH: "HRESCH",
  POARCH: "HRESCH",
  TRANSRCH: "HRESCH",
  PUBHLTH: null,
  DISASTER: "PUBHLTH",
  THREAT: "PUBHLTH",
  PATRQT: null,
  FAMRQT: "PATRQT",
  PWATRNY: "PATRQT",
  SUPNWK: "PATRQT",
  HMARKT: null,
} as const satisfies Record<string, string | null>;
export type PurposeCode = keyof typeof PURPOSE_PARENT;
export const PURPOSE_CODES = Object.keys(PURPOSE_PARENT) as PurposeCode[];

/** Whether `requested` is `granted` or one of its descendants (is-a, NOTES.md 1.1). */
export function purposeCovers(granted: PurposeCode, requested: PurposeCode): boolean {
  for (let code: PurposeCode | null = requested; code !== null; code = PURPOSE_PARENT[code]) {
    if (code === granted) return true;
  }
  return false;
}

export const ConsentIdSchema = Type.String({ pattern: "^[0-9a-f]{32}$" });
export const ConsentActionSchema = Type.Union(CONSENT_ACTIONS.map((code) => Type.Literal(code)));
export const PurposeSchema = Type.Union(PURPOSE_CODES.map((code) => Type.Literal(code)));

const publicKey = () =>
  Type.Uint8Array({ minByteLength: PUBLIC_KEY_BYTES, maxByteLength: PUBLIC_KEY_BYTES });
const list = <T extends TSchema>(item: T, maxItems: number) =>
  Type.Array(item, { minItems: 1, maxItems });
const Time = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

/** Most record ids one grant or exception names. */
export const CONSENT_RECORDS_MAX = 64;
/** Most exceptions in one grant, and exceptions to one exception. */
export const CONSENT_EXCEPTIONS_MAX = 16;

/**
 * Who a grant is for: one key, or an organization's registered keys whose role the requested
 * purpose's family is for (treatment: clinicians and pharmacists; payment: insurer agents;
 * operations: staff; research: researchers; public health: regulators; ledger README).
 */
export const GranteeSchema = Type.Union([
  Type.Object({ key: publicKey() }, { additionalProperties: false }),
  Type.Object({ org: OrganizationIdSchema }, { additionalProperties: false }),
]);

/** What a provision matches: each field present narrows it, codes in one field are OR-ed. */
const matchFields = {
  actions: Type.Optional(list(ConsentActionSchema, CONSENT_ACTIONS.length)),
  purposes: Type.Optional(list(PurposeSchema, 16)),
  classes: Type.Optional(list(RecordClassSchema, 16)),
  records: Type.Optional(list(RecordIdSchema, CONSENT_RECORDS_MAX)),
};

/** An exception to an exception: a permit inside a deny (FHIR provision.provision.provision). */
export const ConsentPermitBackSchema = Type.Object(matchFields, { additionalProperties: false });

/** An exception that overrides the grant's permit: a nested `deny` provision. */
export const ConsentDenySchema = Type.Object(
  {
    ...matchFields,
    except: Type.Optional(
      Type.Array(ConsentPermitBackSchema, { minItems: 1, maxItems: CONSENT_EXCEPTIONS_MAX }),
    ),
  },
  { additionalProperties: false },
);

export const PeriodSchema = Type.Object(
  { start: Time, end: Type.Optional(Time) },
  { additionalProperties: false },
);

/**
 * `consent.grant`, by the patient or a delegate in force: permits `grantee` the `actions` for the
 * `purposes` (is-a) on the patient's records of `classes`, or the `records` named, or all of them
 * when neither is given, within `period`, except what a `deny` entry matches.
 */
export const ConsentGrantPayloadSchema = Type.Object(
  {
    id: ConsentIdSchema,
    patient: publicKey(),
    grantee: GranteeSchema,
    actions: list(ConsentActionSchema, CONSENT_ACTIONS.length),
    purposes: list(PurposeSchema, 16),
    classes: Type.Optional(list(RecordClassSchema, 16)),
    records: Type.Optional(list(RecordIdSchema, CONSENT_RECORDS_MAX)),
    period: PeriodSchema,
    deny: Type.Optional(
      Type.Array(ConsentDenySchema, { minItems: 1, maxItems: CONSENT_EXCEPTIONS_MAX }),
    ),
  },
  { additionalProperties: false },
);

/** `consent.revoke`, by the patient or a delegate: from this block on; a tombstone if unknown. */
export const ConsentRevokePayloadSchema = Type.Object(
  { id: ConsentIdSchema, patient: publicKey() },
  { additionalProperties: false },
);

/** `consent.delegate`, by the patient: `delegate` (a guardian, a proxy) may act for it in `period`. */
export const ConsentDelegatePayloadSchema = Type.Object(
  { patient: publicKey(), delegate: publicKey(), period: PeriodSchema },
  { additionalProperties: false },
);

/** `consent.undelegate`, by the patient or the delegate itself: the delegation ends now. */
export const ConsentUndelegatePayloadSchema = Type.Object(
  { patient: publicKey(), delegate: publicKey() },
  { additionalProperties: false },
);

/**
 * `access.log`, by the accessor before it reads: decided at execution against the consents in
 * force at the block; the receipt's result is the AccessDecision. `version` defaults to the
 * record's latest.
 */
export const AccessLogPayloadSchema = Type.Object(
  {
    record: RecordIdSchema,
    version: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    purpose: PurposeSchema,
    action: ConsentActionSchema,
  },
  { additionalProperties: false },
);

/** `access.review`, by an admin of the organization: closes one of its break-the-glass accesses. */
export const AccessReviewPayloadSchema = Type.Object(
  {
    org: OrganizationIdSchema,
    access: Type.Uint8Array({ minByteLength: 32, maxByteLength: 32 }),
    justified: Type.Boolean(),
  },
  { additionalProperties: false },
);

export type Grantee = Static<typeof GranteeSchema>;
export type ConsentDeny = Static<typeof ConsentDenySchema>;
export type ConsentPermitBack = Static<typeof ConsentPermitBackSchema>;
export type ConsentGrantPayload = Static<typeof ConsentGrantPayloadSchema>;
export type ConsentRevokePayload = Static<typeof ConsentRevokePayloadSchema>;
export type ConsentDelegatePayload = Static<typeof ConsentDelegatePayloadSchema>;
export type ConsentUndelegatePayload = Static<typeof ConsentUndelegatePayloadSchema>;
export type AccessLogPayload = Static<typeof AccessLogPayloadSchema>;
export type AccessReviewPayload = Static<typeof AccessReviewPayloadSchema>;

export const consentGrantPayload = payloadChecker(ConsentGrantPayloadSchema);
export const consentRevokePayload = payloadChecker(ConsentRevokePayloadSchema);
export const consentDelegatePayload = payloadChecker(ConsentDelegatePayloadSchema);
export const consentUndelegatePayload = payloadChecker(ConsentUndelegatePayloadSchema);
export const accessLogPayload = payloadChecker(AccessLogPayloadSchema);
export const accessReviewPayload = payloadChecker(AccessReviewPayloadSchema);

import { type Static, Type } from "@sinclair/typebox";
import { payloadChecker } from "./check.js";
import { OrganizationIdSchema } from "./identity.js";

/**
 * Payloads of the drug provenance module (DOMAIN.md "drug provenance", NOTES.md 3 and 4):
 * serialised packs by GS1 identifiers, their custody, cases (SSCC), recalls and investigations.
 * Schemas check shapes; check digits, company prefixes and AI 17 dates are the handlers' rules
 * (with @careledger/gs1), so a bad one fails with its own error code, not TX_PAYLOAD_INVALID.
 */

/** Most serials one transaction names (a case of 1,000 packs moves in one transaction). */
export const PACK_SERIALS_MAX = 1_000;
/** Most GTIN groups one transaction names. */
export const PACK_GROUPS_MAX = 16;
/** Most cases one shipment or receipt names. */
export const CASES_MAX = 64;

/** A GTIN-14, the normal form every payload uses (the SDK normalises GTIN-8/12/13). */
export const Gtin14Schema = Type.String({ pattern: "^[0-9]{14}$" });
/** An SSCC (AI 00): 18 digits, check digit last. */
export const SsccSchema = Type.String({ pattern: "^[0-9]{18}$" });
/** A GLN (AI 414): 13 digits, check digit last. */
export const GlnSchema = Type.String({ pattern: "^[0-9]{13}$" });
/** GS1 AI encodable character set 82, as AI 21 (serial) and AI 10 (lot) allow: 1 to 20 of them. */
const AI82 = "^[!\"%&'()*+,\\-./0-9:;<=>?A-Z_a-z]{1,20}$";
export const SerialSchema = Type.String({ pattern: AI82 });
export const LotSchema = Type.String({ pattern: AI82 });
/** AI 17 expiry as written on the pack, YYMMDD (day 00 allowed: NOTES.md 3.4). */
export const ExpirySchema = Type.String({ pattern: "^[0-9]{6}$" });
/** A US National Drug Code in one of its three 10-digit hyphenated forms. */
export const NdcSchema = Type.String({
  pattern: "^([0-9]{4}-[0-9]{4}-[0-9]{2}|[0-9]{5}-[0-9]{3}-[0-9]{2}|[0-9]{5}-[0-9]{4}-[0-9])$",
});

/** Serials of one GTIN: the packs a transaction names, grouped. Serials unique (handler). */
export const PackGroupSchema = Type.Object(
  {
    gtin: Gtin14Schema,
    serials: Type.Array(SerialSchema, { minItems: 1, maxItems: PACK_SERIALS_MAX }),
  },
  { additionalProperties: false },
);
/** Packs by GTIN; at most PACK_SERIALS_MAX serials in all (the handler checks the sum). */
const packGroups = (minItems: number) =>
  Type.Array(PackGroupSchema, { minItems, maxItems: PACK_GROUPS_MAX });

/** `product.register`, by a manufacturer (or admin) of `manufacturer`: a GTIN and its master data. */
export const ProductRegisterPayloadSchema = Type.Object(
  {
    gtin: Gtin14Schema,
    manufacturer: OrganizationIdSchema,
    name: Type.String({ minLength: 1, maxLength: 120 }),
    ndc: Type.Optional(NdcSchema),
    /** Dosage form, e.g. "tablet", "injection, solution". */
    form: Type.String({ minLength: 1, maxLength: 60 }),
    /** e.g. "500 mg", "10 mg/mL". */
    strength: Type.String({ minLength: 1, maxLength: 60 }),
  },
  { additionalProperties: false },
);

/** `pack.commission`, by the product's manufacturer: new serials of one GTIN, lot and expiry. */
export const PackCommissionPayloadSchema = Type.Object(
  {
    gtin: Gtin14Schema,
    manufacturer: OrganizationIdSchema,
    lot: LotSchema,
    expiry: ExpirySchema,
    serials: Type.Array(SerialSchema, { minItems: 1, maxItems: PACK_SERIALS_MAX }),
  },
  { additionalProperties: false },
);

/** `case.pack`, by the packs' custodian `org`: aggregates packs it holds into a new case. */
export const CasePackPayloadSchema = Type.Object(
  { sscc: SsccSchema, org: OrganizationIdSchema, packs: packGroups(1) },
  { additionalProperties: false },
);

/** `case.unpack`, by the case's custodian: its packs stand alone again, the SSCC is spent. */
export const CaseUnpackPayloadSchema = Type.Object(
  { sscc: SsccSchema, org: OrganizationIdSchema },
  { additionalProperties: false },
);

/**
 * `pack.ship`, by the current custodian `from` to the organization `to`: packs (not in a case)
 * and cases go in transit; nothing in transit ships again until received.
 */
export const PackShipPayloadSchema = Type.Object(
  {
    from: OrganizationIdSchema,
    to: OrganizationIdSchema,
    packs: packGroups(0),
    cases: Type.Array(SsccSchema, { maxItems: CASES_MAX }),
  },
  { additionalProperties: false },
);

/**
 * What a receiver read off a returned pack (DSCSA saleable returns): checked at commit against
 * the commissioned lot and expiry, as the verification responder checks them.
 */
export const ReturnVerificationSchema = Type.Object(
  { gtin: Gtin14Schema, serial: SerialSchema, lot: LotSchema, expiry: ExpirySchema },
  { additionalProperties: false },
);

/**
 * `pack.receive`, by the addressee `to` of a shipment from `from`: the packs and cases become
 * its inventory. A pack coming back to an organization that held it before is a return: it is
 * saleable again only when `verified` names it with the lot and expiry that match.
 */
export const PackReceivePayloadSchema = Type.Object(
  {
    to: OrganizationIdSchema,
    from: OrganizationIdSchema,
    packs: packGroups(0),
    cases: Type.Array(SsccSchema, { maxItems: CASES_MAX }),
    verified: Type.Array(ReturnVerificationSchema, { maxItems: PACK_SERIALS_MAX }),
  },
  { additionalProperties: false },
);

/** `pack.dispense`, by a pharmacist of the pharmacy holding the packs: they leave the chain. */
export const PackDispensePayloadSchema = Type.Object(
  { org: OrganizationIdSchema, packs: packGroups(1) },
  { additionalProperties: false },
);

export const DECOMMISSION_REASONS = ["destroyed", "damaged", "returned"] as const;
export const DecommissionReasonSchema = Type.Union(
  DECOMMISSION_REASONS.map((code) => Type.Literal(code)),
);

/** `pack.decommission`, by the custodian: destroyed, damaged, or returned for good. */
export const PackDecommissionPayloadSchema = Type.Object(
  { org: OrganizationIdSchema, packs: packGroups(1), reason: DecommissionReasonSchema },
  { additionalProperties: false },
);

/** Why a lot is recalled, a code system of our own (`urn:careledger:recall-reason`). */
export const RECALL_REASONS = ["safety", "quality", "labeling", "regulatory"] as const;
export const RecallReasonSchema = Type.Union(RECALL_REASONS.map((code) => Type.Literal(code)));
/** FDA recall classes: I (serious harm likely), II, III. */
export const RecallClassSchema = Type.Union([
  Type.Literal("I"),
  Type.Literal("II"),
  Type.Literal("III"),
]);

/** `lot.recall`, by the product's manufacturer or a regulator: no pack of the lot moves on. */
export const LotRecallPayloadSchema = Type.Object(
  {
    gtin: Gtin14Schema,
    lot: LotSchema,
    org: OrganizationIdSchema,
    reason: RecallReasonSchema,
    class: RecallClassSchema,
  },
  { additionalProperties: false },
);

/** Why packs are suspect, ours (`urn:careledger:suspect-reason`; NOTES.md 4.3 has no CBV code). */
export const SUSPECT_REASONS = [
  "counterfeit",
  "diverted",
  "stolen",
  "tampered",
  "pedigree-mismatch",
  "other",
] as const;
export const SuspectReasonSchema = Type.Union(SUSPECT_REASONS.map((code) => Type.Literal(code)));

/**
 * `pack.suspect`, by a regulator or a trading partner (an organization that held the packs):
 * until cleared they move only to a regulator or back to their manufacturer.
 */
export const PackSuspectPayloadSchema = Type.Object(
  { org: OrganizationIdSchema, packs: packGroups(1), reason: SuspectReasonSchema },
  { additionalProperties: false },
);

/** `pack.clear`, by a regulator or the organization that raised the suspicion. */
export const PackClearPayloadSchema = Type.Object(
  { org: OrganizationIdSchema, packs: packGroups(1) },
  { additionalProperties: false },
);

export type PackGroup = Static<typeof PackGroupSchema>;
export type ProductRegisterPayload = Static<typeof ProductRegisterPayloadSchema>;
export type PackCommissionPayload = Static<typeof PackCommissionPayloadSchema>;
export type CasePackPayload = Static<typeof CasePackPayloadSchema>;
export type CaseUnpackPayload = Static<typeof CaseUnpackPayloadSchema>;
export type PackShipPayload = Static<typeof PackShipPayloadSchema>;
export type ReturnVerification = Static<typeof ReturnVerificationSchema>;
export type PackReceivePayload = Static<typeof PackReceivePayloadSchema>;
export type PackDispensePayload = Static<typeof PackDispensePayloadSchema>;
export type DecommissionReason = (typeof DECOMMISSION_REASONS)[number];
export type PackDecommissionPayload = Static<typeof PackDecommissionPayloadSchema>;
export type RecallReason = (typeof RECALL_REASONS)[number];
export type LotRecallPayload = Static<typeof LotRecallPayloadSchema>;
export type SuspectReason = (typeof SUSPECT_REASONS)[number];
export type PackSuspectPayload = Static<typeof PackSuspectPayloadSchema>;
export type PackClearPayload = Static<typeof PackClearPayloadSchema>;

export const productRegisterPayload = payloadChecker(ProductRegisterPayloadSchema);
export const packCommissionPayload = payloadChecker(PackCommissionPayloadSchema);
export const casePackPayload = payloadChecker(CasePackPayloadSchema);
export const caseUnpackPayload = payloadChecker(CaseUnpackPayloadSchema);
export const packShipPayload = payloadChecker(PackShipPayloadSchema);
export const packReceivePayload = payloadChecker(PackReceivePayloadSchema);
export const packDispensePayload = payloadChecker(PackDispensePayloadSchema);
export const packDecommissionPayload = payloadChecker(PackDecommissionPayloadSchema);
export const lotRecallPayload = payloadChecker(LotRecallPayloadSchema);
export const packSuspectPayload = payloadChecker(PackSuspectPayloadSchema);
export const packClearPayload = payloadChecker(PackClearPayloadSchema);

import { type Static, Type } from "@sinclair/typebox";
import { OrganizationIdSchema } from "../payloads/identity.js";
import {
  DecommissionReasonSchema,
  ExpirySchema,
  Gtin14Schema,
  LotSchema,
  NdcSchema,
  PackGroupSchema,
  RecallClassSchema,
  RecallReasonSchema,
  SerialSchema,
  SsccSchema,
  SuspectReasonSchema,
} from "../payloads/provenance.js";
import { ChainStampSchema } from "./consentQueries.js";
import { pagedQuery, singleQuery } from "./queryContract.js";

const TxIdHex = Type.String({ pattern: "^[0-9a-f]{64}$" });

export const ProductViewSchema = Type.Object(
  {
    gtin: Gtin14Schema,
    manufacturer: OrganizationIdSchema,
    name: Type.String(),
    ndc: Type.Optional(NdcSchema),
    form: Type.String(),
    strength: Type.String(),
    registered: ChainStampSchema,
  },
  { additionalProperties: false },
);

/**
 * Where a pack is in its life: `active` at its custodian, `in-transit` to an addressee,
 * `dispensed` and `decommissioned` for good. Recall, suspicion and expiry are flags beside it.
 */
export const PACK_STATUSES = ["active", "in-transit", "dispensed", "decommissioned"] as const;
export const PackStatusSchema = Type.Union(PACK_STATUSES.map((code) => Type.Literal(code)));

/** The provenance events, one per transaction type; EPCIS renders each (NOTES.md 4.3). */
export const PROVENANCE_EVENTS = [
  "commission",
  "pack",
  "unpack",
  "ship",
  "receive",
  "dispense",
  "decommission",
  "recall",
  "suspect",
  "clear",
] as const;
export const ProvenanceEventKindSchema = Type.Union(
  PROVENANCE_EVENTS.map((code) => Type.Literal(code)),
);
/**
 * Most events `pack.get` shows of a pack's history: its latest ones (`provenance.events` with
 * the pack's GTIN and serial pages through all of them).
 */
export const PACK_HISTORY_MAX = 256;

/** EPCIS 2.0 event actions (NOTES.md 4.3: upper case in JSON). */
export const EPCIS_ACTIONS = ["ADD", "OBSERVE", "DELETE"] as const;
/** A CBV 2.0 term as EPCIS 2.0 JSON writes it: the bare word (NOTES.md 4.3), e.g. `shipping`. */
const CbvWordSchema = Type.String({ pattern: "^[a-z_]{1,40}$" });

/**
 * One provenance event as committed: the transaction (`tx`, and `index` among the events it
 * made), who (`org`), what (packs, cases), and the fields its EPCIS rendering needs.
 */
export const ProvenanceEventViewSchema = Type.Object(
  {
    kind: ProvenanceEventKindSchema,
    /**
     * The EPCIS 2.0 / CBV 2.0 reading of the event (NOTES.md 4.3), decided once by the ledger so
     * every renderer maps alike: an AggregationEvent for `pack` and `unpack` (`parent` set), an
     * ObjectEvent otherwise; for a recall the renderer names the lot as an LGTIN class.
     */
    action: Type.Union(EPCIS_ACTIONS.map((code) => Type.Literal(code))),
    bizStep: CbvWordSchema,
    disposition: CbvWordSchema,
    persistentDisposition: Type.Optional(
      Type.Object(
        {
          set: Type.Optional(Type.Array(CbvWordSchema)),
          unset: Type.Optional(Type.Array(CbvWordSchema)),
        },
        { additionalProperties: false },
      ),
    ),
    tx: TxIdHex,
    index: Type.Integer({ minimum: 0 }),
    at: ChainStampSchema,
    org: OrganizationIdSchema,
    packs: Type.Array(PackGroupSchema),
    cases: Type.Array(SsccSchema),
    /**
     * The case a `pack`/`unpack` event aggregates into or out of. An `unpack` names no packs:
     * every child leaves (EPCIS: a DELETE AggregationEvent without childEPCs).
     */
    parent: Type.Optional(SsccSchema),
    /** Commission (ilmd) and recall (the lot recalled). */
    lot: Type.Optional(LotSchema),
    expiry: Type.Optional(ExpirySchema),
    /** Recall: the GTIN whose lot it is. */
    gtin: Type.Optional(Gtin14Schema),
    from: Type.Optional(OrganizationIdSchema),
    to: Type.Optional(OrganizationIdSchema),
    /**
     * Receive: the packs received as returns, and whether each was verified (disposition
     * `returned` when there is any).
     */
    returns: Type.Optional(
      Type.Array(
        Type.Object(
          { gtin: Gtin14Schema, serial: SerialSchema, verified: Type.Boolean() },
          { additionalProperties: false },
        ),
      ),
    ),
    decommission: Type.Optional(DecommissionReasonSchema),
    recall: Type.Optional(
      Type.Object(
        { reason: RecallReasonSchema, class: RecallClassSchema },
        { additionalProperties: false },
      ),
    ),
    suspect: Type.Optional(SuspectReasonSchema),
  },
  { additionalProperties: false },
);

export const PackViewSchema = Type.Object(
  {
    gtin: Gtin14Schema,
    serial: SerialSchema,
    lot: LotSchema,
    expiry: ExpirySchema,
    manufacturer: OrganizationIdSchema,
    status: PackStatusSchema,
    /** Who holds it (the sender while in transit). */
    custodian: OrganizationIdSchema,
    inTransitTo: Type.Optional(OrganizationIdSchema),
    /** The case it is aggregated in. */
    case: Type.Optional(SsccSchema),
    recalled: Type.Boolean(),
    /** Expired at the head's time (AI 17 rules). */
    expired: Type.Boolean(),
    suspect: Type.Optional(
      Type.Object(
        { reason: SuspectReasonSchema, by: OrganizationIdSchema, at: ChainStampSchema },
        { additionalProperties: false },
      ),
    ),
    /** A return received and not (or not successfully) verified: not saleable. */
    returnUnverified: Type.Boolean(),
    decommission: Type.Optional(DecommissionReasonSchema),
    commissioned: ChainStampSchema,
    /**
     * Its events in commit order, each naming only this pack (and the case it moved in): a
     * shipment of a thousand packs is one event, but one pack's history is not a thousand.
     * Only `pack.get` gives it; the lists leave it out (a page of packs would read every one's).
     */
    history: Type.Optional(Type.Array(ProvenanceEventViewSchema, { maxItems: PACK_HISTORY_MAX })),
  },
  { additionalProperties: false },
);

/** A pack as its public answer may show it: no custodian, no history (commercial data). */
export const PackStatusViewSchema = Type.Object(
  {
    gtin: Gtin14Schema,
    serial: SerialSchema,
    lot: LotSchema,
    expiry: ExpirySchema,
    status: PackStatusSchema,
    recalled: Type.Boolean(),
    expired: Type.Boolean(),
    suspect: Type.Boolean(),
  },
  { additionalProperties: false },
);

export const CaseViewSchema = Type.Object(
  {
    sscc: SsccSchema,
    custodian: OrganizationIdSchema,
    status: Type.Union([
      Type.Literal("active"),
      Type.Literal("in-transit"),
      Type.Literal("unpacked"),
    ]),
    inTransitTo: Type.Optional(OrganizationIdSchema),
    packs: Type.Array(PackGroupSchema),
    packed: ChainStampSchema,
  },
  { additionalProperties: false },
);

export const RecallViewSchema = Type.Object(
  {
    gtin: Gtin14Schema,
    lot: LotSchema,
    by: OrganizationIdSchema,
    reason: RecallReasonSchema,
    class: RecallClassSchema,
    at: ChainStampSchema,
  },
  { additionalProperties: false },
);

const partnersSay =
  "regulators, the product's manufacturer, and organizations that held or were sent the pack";
const eventsSay =
  "regulators see every event; an organization the events it is a party to (org, from or to, or a holder of the packs)";

/** Queries of the provenance module (DOMAIN.md "drug provenance" and "Who sees what"). */
export const PROVENANCE_QUERIES = {
  "product.get": singleQuery({
    name: "product.get",
    summary: "A product's master data, or null.",
    params: { gtin: Gtin14Schema },
    result: Type.Union([ProductViewSchema, Type.Null()]),
    access: [{ rule: "public" }],
  }),
  "pack.status": singleQuery({
    name: "pack.status",
    summary:
      "A pack's status with its lot and expiry (what verification answers from), or null. Member organizations' people only: the public verifies at the pack's Digital Link, which says whether a lot and expiry match and never what they are.",
    params: { gtin: Gtin14Schema, serial: SerialSchema },
    result: Type.Union([PackStatusViewSchema, Type.Null()]),
    access: [{ rule: "member-staff" }],
  }),
  "pack.get": singleQuery({
    name: "pack.get",
    summary: "A pack with its custodian and full history, or null.",
    params: { gtin: Gtin14Schema, serial: SerialSchema },
    result: Type.Union([PackViewSchema, Type.Null()]),
    access: [{ rule: "operator" }, { rule: "query", says: partnersSay }],
  }),
  "case.get": singleQuery({
    name: "case.get",
    summary: "A case and its contents, or null.",
    params: { sscc: SsccSchema },
    result: Type.Union([CaseViewSchema, Type.Null()]),
    access: [{ rule: "operator" }, { rule: "query", says: partnersSay }],
  }),
  "lot.packs": pagedQuery({
    name: "lot.packs",
    summary: "The packs of one lot, in serial order.",
    params: { gtin: Gtin14Schema, lot: LotSchema },
    item: PackViewSchema,
    access: [
      { rule: "operator" },
      { rule: "roles", roles: ["regulator"] },
      { rule: "query", says: "the product's manufacturer's people" },
    ],
  }),
  "pack.inventory": pagedQuery({
    name: "pack.inventory",
    summary:
      "The packs an organization holds or has in transit to it: loose ones by GTIN and lot (in serial order within each shipment that brought them), then those in its cases by SSCC.",
    params: { org: OrganizationIdSchema },
    item: PackViewSchema,
    access: [{ rule: "member-staff", orgParam: "org" }],
  }),
  "lot.recalls": pagedQuery({
    name: "lot.recalls",
    summary: "The recalls in force, in GTIN and lot order.",
    params: {},
    item: RecallViewSchema,
    access: [{ rule: "member" }],
  }),
  "pack.suspects": pagedQuery({
    name: "pack.suspects",
    summary: "The packs suspect and not cleared, in GTIN and serial order.",
    params: {},
    item: PackViewSchema,
    access: [{ rule: "operator" }, { rule: "roles", roles: ["regulator"] }],
  }),
  "provenance.events": pagedQuery({
    name: "provenance.events",
    summary:
      "Provenance events in commit order, filtered by kind, a pack (GTIN and serial) and a time range.",
    params: {
      kind: Type.Optional(ProvenanceEventKindSchema),
      gtin: Type.Optional(Gtin14Schema),
      serial: Type.Optional(SerialSchema),
      /** Event time at or after (ms). */
      from: Type.Optional(Type.Integer({ minimum: 0 })),
      /** Event time before (ms). */
      until: Type.Optional(Type.Integer({ minimum: 0 })),
    },
    item: ProvenanceEventViewSchema,
    access: [{ rule: "operator" }, { rule: "query", says: eventsSay }],
  }),
} as const;

export type ProductView = Static<typeof ProductViewSchema>;
export type PackStatus = (typeof PACK_STATUSES)[number];
export type ProvenanceEventKind = (typeof PROVENANCE_EVENTS)[number];
export type EpcisAction = (typeof EPCIS_ACTIONS)[number];
export type ProvenanceEventView = Static<typeof ProvenanceEventViewSchema>;
export type PackView = Static<typeof PackViewSchema>;
export type PackStatusView = Static<typeof PackStatusViewSchema>;
export type CaseView = Static<typeof CaseViewSchema>;
export type RecallView = Static<typeof RecallViewSchema>;

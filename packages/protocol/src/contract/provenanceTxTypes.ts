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
import type { SenderRule, TxTypeContract } from "./txContract.js";

const EXAMPLE_GTIN = "09520123456788";
const EXAMPLE_SSCC = "106141411234567897";
const EXAMPLE_PACKS = [{ gtin: EXAMPLE_GTIN, serials: ["12345", "12346"] }];
/** The people of a supply-chain organization who handle packs, of the payload's `field` org. */
const supplyPeople = (orgField: string): readonly SenderRule[] => [
  { rule: "role", roles: ["manufacturer", "distributor", "pharmacist", "staff"], orgField },
];

/** The drug provenance module's transaction types (DOMAIN.md "Drug provenance"), spread into TX_TYPES. */
export const PROVENANCE_TX_TYPES = {
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

import type { Organization } from "@careledger/protocol";

/** A member of the devnet's demo consortium, as genesis lists it (keys added by the layout). */
export type ConsortiumMember = Pick<
  Organization,
  "id" | "name" | "kind" | "gln" | "gs1CompanyPrefixes"
>;

/**
 * The organizations of `pnpm devnet` (issue 16 "The demo consortium"): two hospitals, a clinic,
 * an insurer, a manufacturer, a distributor, a pharmacy, a regulator and a licensing body. Node i
 * belongs to member i mod 9, so the first four run the nodes of a 4-node devnet: the hospital
 * whose node is the records custodian, the insurer, the manufacturer and the pharmacy; the others
 * take part through any node's API. The ids read as who they are, so a newcomer's console and
 * receipts say "riverside-hospital" rather than "org-0". Every member has a GLN (13 digits, the
 * check digit last: `responderGLN` of verification answers); the manufacturer holds the GS1
 * company prefix 0361414, within which its GTINs and SSCCs are made. Both are made up.
 */
export const DEVNET_CONSORTIUM: readonly ConsortiumMember[] = [
  {
    id: "riverside-hospital",
    name: "Riverside General Hospital",
    kind: "hospital",
    gln: "0860101000015",
  },
  {
    id: "meridian-health",
    name: "Meridian Health Insurance",
    kind: "insurer",
    gln: "0860202000013",
  },
  {
    id: "northwind-pharma",
    name: "Northwind Pharmaceuticals",
    kind: "manufacturer",
    gln: "0361414000018",
    gs1CompanyPrefixes: ["0361414"],
  },
  { id: "corner-pharmacy", name: "Corner Street Pharmacy", kind: "pharmacy", gln: "0860303000011" },
  {
    id: "bluefield-distribution",
    name: "Bluefield Distribution",
    kind: "distributor",
    gln: "0860404000019",
  },
  {
    id: "medicines-agency",
    name: "National Medicines Agency",
    kind: "regulator",
    gln: "0860505000017",
  },
  { id: "parkside-clinic", name: "Parkside Family Clinic", kind: "clinic", gln: "0860606000015" },
  {
    id: "lakeview-hospital",
    name: "Lakeview University Hospital",
    kind: "hospital",
    gln: "0860707000013",
  },
  {
    id: "medical-board",
    name: "State Medical Board",
    kind: "licensing-body",
    gln: "0860808000011",
  },
];

/** The members by the part they play in the demo's stories (ids of the table above). */
export const DEVNET_ORG = {
  /** Its node (node 0) is the custodian of the demo's records. */
  hospital: "riverside-hospital",
  insurer: "meridian-health",
  manufacturer: "northwind-pharma",
  pharmacy: "corner-pharmacy",
  distributor: "bluefield-distribution",
  regulator: "medicines-agency",
  clinic: "parkside-clinic",
  /** Runs no node in a 4-node devnet: its emergency physician breaks the glass. */
  otherHospital: "lakeview-hospital",
  licensingBody: "medical-board",
} as const;

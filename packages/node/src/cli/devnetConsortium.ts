import { gs1CheckDigit } from "@careledger/gs1";
import type { Organization } from "@careledger/protocol";

/** A member of the devnet's demo consortium, as genesis lists it (keys added by the layout). */
export type ConsortiumMember = Pick<Organization, "id" | "name" | "kind">;

/**
 * The devnet manufacturer's GS1 company prefix: the one of GS1's own examples
 * (`09520123456788`), which the provenance contract's examples use too.
 */
export const DEVNET_COMPANY_PREFIX = "952012";

/** A GLN of the devnet's own (location `n` under the manufacturer's prefix), check digit last. */
export function devnetGln(n: number): string {
  const body = `${DEVNET_COMPANY_PREFIX}${String(n).padStart(6, "0")}`;
  return `${body}${gs1CheckDigit(body)}`;
}

/**
 * The organizations of `pnpm devnet` (issue 16 "The demo consortium"): two hospitals, a clinic,
 * an insurer, a manufacturer, a distributor, a pharmacy, a regulator and a licensing body. Node i
 * belongs to member i mod 9, so the first four run the nodes of a 4-node devnet: the hospital
 * whose node is the records custodian, the insurer, the manufacturer and the pharmacy; the others
 * take part through any node's API. The ids read as who they are, so a newcomer's console and
 * receipts say "riverside-hospital" rather than "org-0". The layout gives member i the GLN
 * `devnetGln(i + 1)` (`responderGLN` of its verification answers) and the manufacturer the
 * company prefix DEVNET_COMPANY_PREFIX, within which its GTINs and SSCCs are made.
 */
export const DEVNET_CONSORTIUM: readonly ConsortiumMember[] = [
  { id: "riverside-hospital", name: "Riverside General Hospital", kind: "hospital" },
  { id: "meridian-health", name: "Meridian Health Insurance", kind: "insurer" },
  { id: "northwind-pharma", name: "Northwind Pharmaceuticals", kind: "manufacturer" },
  { id: "corner-pharmacy", name: "Corner Street Pharmacy", kind: "pharmacy" },
  { id: "bluefield-distribution", name: "Bluefield Distribution", kind: "distributor" },
  { id: "medicines-agency", name: "National Medicines Agency", kind: "regulator" },
  { id: "parkside-clinic", name: "Parkside Family Clinic", kind: "clinic" },
  { id: "lakeview-hospital", name: "Lakeview University Hospital", kind: "hospital" },
  { id: "medical-board", name: "State Medical Board", kind: "licensing-body" },
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

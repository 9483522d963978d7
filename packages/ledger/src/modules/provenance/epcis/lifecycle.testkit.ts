import type { ProvenanceEventView } from "@careledger/protocol";
import { GTIN, ORG, packsOf, type SupplyChain, serials, ssccOf } from "../supplyChain.testkit.js";

export const CASE = ssccOf(1);
export const LOT = "L/1";
/** Day 00: the month's last day (NOTES.md 3.4), so ilmd says 2030-12-31. */
export const EXPIRY = "301200";

/**
 * Every kind of provenance event, in the order a pack's life has them: S1..S4 commissioned; S1
 * and S2 packed into a case that goes to the wholesaler with S3 loose; the case unpacked; S1
 * sent on to the pharmacy and dispensed; S2 destroyed; S3 suspected and cleared; S4 returned to
 * the maker and verified; the lot recalled.
 */
export async function wholeLife(w: SupplyChain): Promise<void> {
  await w.register();
  await w.commission(serials(4), LOT, EXPIRY);
  await w.ok("case.pack", { sscc: CASE, org: ORG.maker, packs: packsOf(["S1", "S2"]) }, "maker");
  await w.move("maker", "wholesaler", packsOf(["S3", "S4"]), [CASE]);
  await w.ok("case.unpack", { sscc: CASE, org: ORG.wholesaler }, "wholesaler");
  await w.move("wholesaler", "pharmacist", packsOf(["S1"]));
  await w.ok("pack.dispense", { org: ORG.pharmacy, packs: packsOf(["S1"]) }, "pharmacist");
  await w.ok(
    "pack.decommission",
    { org: ORG.wholesaler, packs: packsOf(["S2"]), reason: "destroyed" },
    "wholesaler",
  );
  await w.ok(
    "pack.suspect",
    { org: ORG.wholesaler, packs: packsOf(["S3"]), reason: "tampered" },
    "wholesaler",
  );
  await w.ok("pack.clear", { org: ORG.wholesaler, packs: packsOf(["S3"]) }, "wholesaler");
  await w.move(
    "wholesaler",
    "maker",
    packsOf(["S4"]),
    [],
    [{ gtin: GTIN, serial: "S4", lot: LOT, expiry: EXPIRY }],
  );
  await w.ok(
    "lot.recall",
    { gtin: GTIN, lot: LOT, org: ORG.maker, reason: "quality", class: "II" },
    "maker",
  );
}

/** Every event on the chain, in commit order (as an operator sees them). */
export async function allEvents(w: SupplyChain): Promise<ProvenanceEventView[]> {
  const page = (await w.query("provenance.events", { limit: 100 })) as {
    items: ProvenanceEventView[];
    next: string | null;
  };
  if (page.next !== null) throw new Error("more events than one page");
  return page.items;
}

import { gs1CheckDigit } from "@careledger/gs1";
import { Caller } from "@careledger/sdk";
import type { People, Person } from "./identities.js";
import type { DemoWorld } from "./world.js";

/** What the provenance story leaves for a pharmacist to scan. */
export interface SuppliedPacks {
  readonly gtin: string;
  /** Lot, expiry (AI 17, YYMMDD) and serials of the lot that ships in a case and is sold. */
  readonly sold: { readonly lot: string; readonly expiry: string; readonly serials: string[] };
  /** The lot the manufacturer recalls, still at the distributor. */
  readonly recalled: { readonly lot: string; readonly expiry: string; readonly serials: string[] };
  readonly case: string;
  /** The pack of the sold lot the pharmacy dispensed, and the one it flagged suspect. */
  readonly dispensed: string;
  readonly suspect: string;
}

/** The manufacturer's GS1 company prefix, from genesis. */
function companyPrefix(world: DemoWorld, manufacturer: string): string {
  const org = world.genesis.organizations.find((one) => one.id === manufacturer);
  const prefix = org?.gs1CompanyPrefixes?.[0];
  if (prefix === undefined) throw new Error(`${manufacturer} has no GS1 company prefix`);
  return prefix;
}

/** Digits with their GS1 check digit appended. */
const withCheckDigit = (digits: string) => `${digits}${gs1CheckDigit(digits)}`;

/**
 * The packs of the story: one product, two lots, six packs and two, expiring in two years. The
 * GTIN is indicator 0, the prefix, item reference 11, check digit; the SSCC extension digit 0,
 * the prefix, serial reference 1, check digit (references padded to GS1's fixed lengths).
 */
function plan(prefix: string): SuppliedPacks {
  const expiry = `${String((new Date().getUTCFullYear() + 2) % 100).padStart(2, "0")}1231`;
  const serials = (from: number, count: number) =>
    Array.from({ length: count }, (_, i) => `SN${from + i}`);
  const sold = serials(10_001, 6);
  return {
    gtin: withCheckDigit(`0${prefix}${"11".padStart(12 - prefix.length, "0")}`),
    sold: { lot: "NW24A01", expiry, serials: sold },
    recalled: { lot: "NW24A02", expiry, serials: serials(20_001, 2) },
    case: withCheckDigit(`0${prefix}${"1".padStart(16 - prefix.length, "0")}`),
    dispensed: sold[0] as string,
    suspect: sold[5] as string,
  };
}

const callerOf = (world: DemoWorld, person: Person) => new Caller(world.client(person.signer));

/**
 * The drug provenance story (issue 15), by the people of each trading partner: the manufacturer
 * registers a product, commissions two lots and packs the first into a case; ships the case and
 * the second lot's loose packs to the distributor, which receives them and ships the case on to
 * the pharmacy; the pharmacy receives it, unpacks it and dispenses a pack; the manufacturer
 * recalls the second lot (stuck at the distributor); the pharmacist flags a pack suspect.
 */
export async function supplyPacks(world: DemoWorld, people: People): Promise<SuppliedPacks> {
  const { manufacturer: maker, distributor: wholesaler, pharmacist } = people;
  const packs = plan(companyPrefix(world, maker.org));
  const factory = callerOf(world, maker);
  const warehouse = callerOf(world, wholesaler);
  const pharmacy = callerOf(world, pharmacist);
  const manufacturer = maker.org;
  const distributor = wholesaler.org;
  const store = pharmacist.org;
  const group = (serials: readonly string[]) => [{ gtin: packs.gtin, serials: [...serials] }];
  const options = world.commit;

  await factory.commit(
    "product.register",
    {
      gtin: packs.gtin,
      manufacturer,
      name: "Amoxicillin 500 mg capsules, bottle of 30",
      form: "capsule",
      strength: "500 mg",
    },
    options,
  );
  await Promise.all(
    [packs.sold, packs.recalled].map(({ lot, expiry, serials }) =>
      factory.commit(
        "pack.commission",
        { gtin: packs.gtin, manufacturer, lot, expiry, serials },
        options,
      ),
    ),
  );
  await factory.commit(
    "case.pack",
    { sscc: packs.case, org: manufacturer, packs: group(packs.sold.serials) },
    options,
  );
  const toWholesaler = { packs: group(packs.recalled.serials), cases: [packs.case] };
  await factory.commit(
    "pack.ship",
    { from: manufacturer, to: distributor, ...toWholesaler },
    options,
  );
  await warehouse.commit(
    "pack.receive",
    { to: distributor, from: manufacturer, ...toWholesaler, verified: [] },
    options,
  );
  const toPharmacy = { packs: [], cases: [packs.case] };
  await warehouse.commit("pack.ship", { from: distributor, to: store, ...toPharmacy }, options);
  await pharmacy.commit(
    "pack.receive",
    { to: store, from: distributor, ...toPharmacy, verified: [] },
    options,
  );
  await pharmacy.commit("case.unpack", { sscc: packs.case, org: store }, options);
  await Promise.all([
    pharmacy.commit("pack.dispense", { org: store, packs: group([packs.dispensed]) }, options),
    pharmacy.commit(
      "pack.suspect",
      { org: store, packs: group([packs.suspect]), reason: "tampered" },
      options,
    ),
    factory.commit(
      "lot.recall",
      {
        gtin: packs.gtin,
        lot: packs.recalled.lot,
        org: manufacturer,
        reason: "quality",
        class: "II",
      },
      options,
    ),
  ]);
  return packs;
}

import type { PackView } from "@careledger/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GENESIS_TIME } from "../../testing/fixtures.js";
import { GTIN, ORG, packsOf, SupplyChain, serials, ssccOf } from "./supplyChain.testkit.js";

let w: SupplyChain;
beforeEach(async () => {
  w = await SupplyChain.withProduct("provenance-lifecycle");
});
afterEach(() => w.close());

const dispense = (list: string[]) => ({ org: ORG.pharmacy, packs: packsOf(list) });
const ship = (from: string, to: string, list: string[], cases: string[] = []) => ({
  from,
  to,
  packs: list.length === 0 ? [] : packsOf(list),
  cases,
});

/** Packs at the pharmacy, through the wholesaler. */
async function toPharmacy(list: string[], lot = "L1", expiry = "301231") {
  await w.commission(list, lot, expiry);
  await w.move("maker", "wholesaler", packsOf(list));
  await w.move("wholesaler", "pharmacist", packsOf(list));
}

describe("pack.dispense and pack.decommission", () => {
  it("dispenses at the pharmacy; nothing moves after dispense or decommission", async () => {
    await toPharmacy(["D1", "D2", "D3"]);
    await w.ok("pack.dispense", dispense(["D1"]), "pharmacist");
    expect(await w.pack("D1")).toMatchObject({ status: "dispensed", custodian: ORG.pharmacy });
    await w.fails("pack.dispense", dispense(["D1"]), "pharmacist", "PACK_FINAL");
    await w.fails(
      "pack.ship",
      ship(ORG.pharmacy, ORG.wholesaler, ["D1"]),
      "pharmacist",
      "PACK_FINAL",
    );
    await w.ok(
      "pack.decommission",
      { org: ORG.pharmacy, packs: packsOf(["D2"]), reason: "damaged" },
      "pharmacist",
    );
    expect(await w.pack("D2")).toMatchObject({ status: "decommissioned", decommission: "damaged" });
    await w.fails(
      "pack.ship",
      ship(ORG.pharmacy, ORG.wholesaler, ["D2"]),
      "pharmacist",
      "PACK_FINAL",
    );
    await w.fails(
      "pack.decommission",
      { org: ORG.pharmacy, packs: packsOf(["D2"]), reason: "destroyed" },
      "pharmacist",
      "PACK_FINAL",
    );
    // Gone from the pharmacy's inventory; D3 remains.
    const stock = (await w.query("pack.inventory", { org: ORG.pharmacy }, "pharmacist")) as {
      items: PackView[];
    };
    expect(stock.items.map((each) => each.serial)).toEqual(["D3"]);
  });

  it("is for the custodian's pharmacist: elsewhere NOT_CUSTODIAN, other roles UNAUTHORIZED", async () => {
    await w.commission(["D1"]);
    await w.fails("pack.dispense", dispense(["D1"]), "pharmacist", "NOT_CUSTODIAN");
    await w.fails(
      "pack.dispense",
      { org: ORG.maker, packs: packsOf(["D1"]) },
      "maker",
      "UNAUTHORIZED",
    );
    await w.fails(
      "pack.decommission",
      { org: ORG.wholesaler, packs: packsOf(["D1"]), reason: "destroyed" },
      "wholesaler",
      "NOT_CUSTODIAN",
    );
    await w.ok("pack.ship", ship(ORG.maker, ORG.wholesaler, ["D1"]), "maker");
    await w.fails(
      "pack.decommission",
      { org: ORG.maker, packs: packsOf(["D1"]), reason: "destroyed" },
      "maker",
      "PACK_IN_TRANSIT",
    );
  });
});

describe("expiry (AI 17, by the header's time)", () => {
  const Day = 86_400_000;
  // The test chain starts on 2023-11-14 (GENESIS_TIME).
  const stepTo = (utc: number) => utc - w.time;

  it("day 00 is the month's last day: dispensable on 30 November, expired from 1 December", async () => {
    expect(new Date(GENESIS_TIME).toISOString().slice(0, 10)).toBe("2023-11-14");
    await toPharmacy(["E1", "E2"], "L-NOV", "231100");
    const lastDay = Date.UTC(2023, 10, 30, 23, 59, 59);
    const [receipt] = await w.h.block(
      [w.tx("pack.dispense", dispense(["E1"]), "pharmacist")],
      stepTo(lastDay),
    );
    expect(receipt?.status).toBe("ok");
    const [late] = await w.h.block(
      [w.tx("pack.dispense", dispense(["E2"]), "pharmacist")],
      stepTo(Date.UTC(2023, 11, 1)),
    );
    expect(late).toMatchObject({ status: "failed", code: "PACK_EXPIRED" });
    expect(await w.pack("E2")).toMatchObject({ expired: true, status: "active" });
    expect(await w.query("pack.status", { gtin: GTIN, serial: "E2" })).toMatchObject({
      expired: true,
    });
    // An expired pack may still be destroyed.
    await w.ok(
      "pack.decommission",
      { org: ORG.pharmacy, packs: packsOf(["E2"]), reason: "destroyed" },
      "pharmacist",
    );
  });

  it("a given day is usable to its end", async () => {
    await toPharmacy(["E3"], "L-DAY", "231120");
    const [receipt] = await w.h.block(
      [w.tx("pack.dispense", dispense(["E3"]), "pharmacist")],
      stepTo(Date.UTC(2023, 10, 20) + Day),
    );
    expect(receipt).toMatchObject({ status: "failed", code: "PACK_EXPIRED" });
  });
});

describe("lot.recall", () => {
  beforeEach(async () => {
    await w.commission(serials(3), "LOT-A");
    await w.commission(["B1"], "LOT-B");
  });

  it("stops every pack of the lot, loose or in a case; other lots move", async () => {
    await w.ok(
      "case.pack",
      { sscc: ssccOf(1), org: ORG.maker, packs: packsOf(["S1", "S2"]) },
      "maker",
    );
    await w.ok(
      "lot.recall",
      { gtin: GTIN, lot: "LOT-A", org: ORG.maker, reason: "quality", class: "II" },
      "maker",
    );
    await w.fails("pack.ship", ship(ORG.maker, ORG.wholesaler, ["S3"]), "maker", "PACK_RECALLED");
    await w.fails(
      "pack.ship",
      ship(ORG.maker, ORG.wholesaler, [], [ssccOf(1)]),
      "maker",
      "PACK_RECALLED",
    );
    await w.ok("pack.ship", ship(ORG.maker, ORG.wholesaler, ["B1"]), "maker");
    expect(await w.pack("S3")).toMatchObject({ recalled: true });
    expect(await w.query("lot.recalls", {}, "pharmacist")).toEqual({
      items: [
        {
          gtin: GTIN,
          lot: "LOT-A",
          by: ORG.maker,
          reason: "quality",
          class: "II",
          at: { height: w.h.ledger.head.height - 3, time: w.time - 3000, by: w.hex("maker") },
        },
      ],
      next: null,
    });
    await w.fails(
      "lot.recall",
      { gtin: GTIN, lot: "LOT-A", org: ORG.regulator, reason: "safety", class: "I" },
      "inspector",
      "ALREADY_EXISTS",
    );
    // A recalled pack is destroyed where it is.
    await w.ok(
      "pack.decommission",
      { org: ORG.maker, packs: packsOf(["S3"]), reason: "destroyed" },
      "maker",
    );
  });

  it("stops dispensing at the pharmacy", async () => {
    await toPharmacy(["P1"], "LOT-P");
    await w.ok(
      "lot.recall",
      { gtin: GTIN, lot: "LOT-P", org: ORG.regulator, reason: "safety", class: "I" },
      "inspector",
    );
    await w.fails("pack.dispense", dispense(["P1"]), "pharmacist", "PACK_RECALLED");
  });

  it("is the product's manufacturer's or a regulator's", async () => {
    await w.fails(
      "lot.recall",
      { gtin: GTIN, lot: "LOT-A", org: ORG.wholesaler, reason: "quality", class: "III" },
      "otherMaker",
      "UNAUTHORIZED",
    );
    await w.fails(
      "lot.recall",
      { gtin: GTIN, lot: "LOT-A", org: ORG.wholesaler, reason: "quality", class: "III" },
      "wholesaler",
      "UNAUTHORIZED",
    );
  });
});

describe("pack.suspect and pack.clear", () => {
  beforeEach(async () => {
    await w.commission(["Q1", "Q2", "Q3"]);
    await w.move("maker", "wholesaler", packsOf(["Q1", "Q2", "Q3"]));
  });

  it("a suspect pack moves only to a regulator or back to its manufacturer until cleared", async () => {
    await w.ok(
      "pack.suspect",
      { org: ORG.wholesaler, packs: packsOf(["Q1", "Q2"]), reason: "counterfeit" },
      "wholesaler",
    );
    await w.fails(
      "pack.ship",
      ship(ORG.wholesaler, ORG.pharmacy, ["Q1"]),
      "wholesaler",
      "PACK_SUSPECT",
    );
    await w.ok("pack.ship", ship(ORG.wholesaler, ORG.regulator, ["Q1"]), "wholesaler");
    await w.ok("pack.ship", ship(ORG.wholesaler, ORG.maker, ["Q2"]), "wholesaler");
    const suspects = (await w.query("pack.suspects", {}, "inspector")) as { items: PackView[] };
    expect(suspects.items.map((each) => [each.serial, each.suspect?.reason])).toEqual([
      ["Q1", "counterfeit"],
      ["Q2", "counterfeit"],
    ]);
    await w.fails(
      "pack.suspect",
      { org: ORG.wholesaler, packs: packsOf(["Q2"]), reason: "other" },
      "wholesaler",
      "PACK_SUSPECT",
    );
    await w.ok("pack.clear", { org: ORG.regulator, packs: packsOf(["Q1", "Q2"]) }, "inspector");
    expect(((await w.query("pack.suspects", {}, "inspector")) as { items: [] }).items).toEqual([]);
    await w.fails(
      "pack.clear",
      { org: ORG.regulator, packs: packsOf(["Q1"]) },
      "inspector",
      "PACK_NOT_SUSPECT",
    );
  });

  it("is raised by a regulator or a trading partner, and cleared by a regulator or its raiser", async () => {
    await w.fails(
      "pack.suspect",
      { org: ORG.rival, packs: packsOf(["Q1"]), reason: "diverted" },
      "rival",
      "NOT_A_TRADING_PARTNER",
    );
    await w.ok(
      "pack.suspect",
      { org: ORG.regulator, packs: packsOf(["Q1"]), reason: "stolen" },
      "inspector",
    );
    await w.fails(
      "pack.clear",
      { org: ORG.wholesaler, packs: packsOf(["Q1"]) },
      "wholesaler",
      "UNAUTHORIZED",
    );
    // The manufacturer held it before: a trading partner.
    await w.ok(
      "pack.suspect",
      { org: ORG.maker, packs: packsOf(["Q3"]), reason: "tampered" },
      "maker",
    );
    await w.ok("pack.clear", { org: ORG.maker, packs: packsOf(["Q3"]) }, "maker");
    await w.move("wholesaler", "pharmacist", packsOf(["Q3"]));
    await w.ok("pack.dispense", dispense(["Q3"]), "pharmacist");
  });

  it("is not dispensed, and a case holding one moves only to a regulator", async () => {
    await w.move("wholesaler", "pharmacist", packsOf(["Q1"]));
    await w.ok(
      "pack.suspect",
      { org: ORG.pharmacy, packs: packsOf(["Q1"]), reason: "counterfeit" },
      "pharmacist",
    );
    await w.fails("pack.dispense", dispense(["Q1"]), "pharmacist", "PACK_SUSPECT");
    await w.ok(
      "case.pack",
      { sscc: ssccOf(5), org: ORG.wholesaler, packs: packsOf(["Q2", "Q3"]) },
      "wholesaler",
    );
    await w.ok(
      "pack.suspect",
      { org: ORG.wholesaler, packs: packsOf(["Q3"]), reason: "diverted" },
      "wholesaler",
    );
    await w.fails(
      "pack.ship",
      ship(ORG.wholesaler, ORG.pharmacy, [], [ssccOf(5)]),
      "wholesaler",
      "PACK_SUSPECT",
    );
    await w.ok("pack.clear", { org: ORG.wholesaler, packs: packsOf(["Q3"]) }, "wholesaler");
    await w.ok("pack.ship", ship(ORG.wholesaler, ORG.pharmacy, [], [ssccOf(5)]), "wholesaler");
  });
});

import { gtin14 } from "@careledger/gs1";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GTIN, gtinOf, ORG, SupplyChain, serials } from "./supplyChain.testkit.js";

let w: SupplyChain;
beforeEach(async () => {
  w = await SupplyChain.create("provenance-catalog");
});
afterEach(() => w.close());

const product = (gtin: string, manufacturer: string = ORG.maker) => ({
  gtin,
  manufacturer,
  name: "Amoxicillin 500 mg",
  form: "capsule",
  strength: "500 mg",
});

describe("product.register", () => {
  it("registers a GTIN within the manufacturer's prefix, public through product.get", async () => {
    await w.ok("product.register", { ...product(GTIN), ndc: "12345-678-90" }, "maker");
    expect(await w.query("product.get", { gtin: GTIN }, "anonymous")).toEqual({
      ...product(GTIN),
      ndc: "12345-678-90",
      registered: { height: 2, time: w.time, by: w.hex("maker") },
    });
    expect(await w.query("product.get", { gtin: gtinOf(1) }, "anonymous")).toBeNull();
  });

  it("takes a UPC GTIN-12 normalised to GTIN-14, within the U.P.C. prefix written with its 0", async () => {
    const normal = gtin14("012000007897");
    if (!normal.ok) throw new Error("a valid UPC");
    expect(normal.value).toBe("00012000007897");
    await w.ok("product.register", product(normal.value), "maker");
    expect(await w.query("product.get", { gtin: normal.value })).toMatchObject({
      gtin: normal.value,
    });
  });

  it("fails GTIN_INVALID on a check digit, GTIN_OUTSIDE_PREFIX, ALREADY_EXISTS, and a GTIN-13 by schema", async () => {
    await w.fails("product.register", product("09520123456789"), "maker", "GTIN_INVALID");
    // Valid check digit, prefix 952123: not the manufacturer's 952012.
    await w.fails("product.register", product("09521234543213"), "maker", "GTIN_OUTSIDE_PREFIX");
    // An organization without prefixes registers nothing (the distributor's admin).
    const orphan = w.h.tx("product.register", product(GTIN, ORG.wholesaler), w.h.org(1).admin);
    expect((await w.h.single(orphan)).receipt).toMatchObject({ code: "GTIN_OUTSIDE_PREFIX" });
    await w.register();
    await w.fails("product.register", product(GTIN), "maker", "ALREADY_EXISTS");
    await w.refused("product.register", product("9520123456788"), "maker");
  });

  it("is the manufacturer's: another org's people are UNAUTHORIZED", async () => {
    await w.fails("product.register", product(GTIN), "wholesaler", "UNAUTHORIZED");
  });
});

describe("pack.commission", () => {
  beforeEach(() => w.register());

  it("commissions serials active at the manufacturer, in its inventory and the lot's packs", async () => {
    await w.commission(["A2", "A1"], "LOT/1", "300600");
    // Lot and expiry are members' to read: the public verifies at the Digital Link instead.
    await expect(
      w.query("pack.status", { gtin: GTIN, serial: "A1" }, "anonymous"),
    ).rejects.toMatchObject({ code: "REQUEST_UNSIGNED" });
    expect(await w.query("pack.status", { gtin: GTIN, serial: "A1" })).toEqual({
      gtin: GTIN,
      serial: "A1",
      lot: "LOT/1",
      expiry: "300600",
      status: "active",
      recalled: false,
      expired: false,
      suspect: false,
    });
    const page = (await w.query("lot.packs", { gtin: GTIN, lot: "LOT/1" })) as {
      items: { serial: string; custodian: string }[];
    };
    expect(page.items.map((pack) => [pack.serial, pack.custodian])).toEqual([
      ["A1", ORG.maker],
      ["A2", ORG.maker],
    ]);
    const stock = (await w.query("pack.inventory", { org: ORG.maker }, "maker")) as {
      items: { serial: string }[];
    };
    expect(stock.items.map((pack) => pack.serial)).toEqual(["A1", "A2"]);
  });

  it("fails SERIAL_DUPLICATE for a serial named twice or commissioned before", async () => {
    await w.fails(
      "pack.commission",
      { gtin: GTIN, manufacturer: ORG.maker, lot: "L1", expiry: "301231", serials: ["X", "X"] },
      "maker",
      "SERIAL_DUPLICATE",
    );
    await w.commission(["X"]);
    await w.fails(
      "pack.commission",
      { gtin: GTIN, manufacturer: ORG.maker, lot: "L2", expiry: "301231", serials: ["Y", "X"] },
      "maker",
      "SERIAL_DUPLICATE",
    );
  });

  it("checks AI 21 characters, the AI 17 date (day 00 is a date), and that the product exists", async () => {
    const payload = { gtin: GTIN, manufacturer: ORG.maker, lot: "L1", expiry: "301231" };
    await w.refused("pack.commission", { ...payload, serials: ["A 1"] }, "maker");
    await w.refused("pack.commission", { ...payload, serials: ["A#1"] }, "maker");
    await w.refused("pack.commission", { ...payload, serials: ["x".repeat(21)] }, "maker");
    await w.fails(
      "pack.commission",
      { ...payload, expiry: "301301", serials: ["A"] },
      "maker",
      "EXPIRY_INVALID",
    );
    await w.fails(
      "pack.commission",
      { ...payload, expiry: "310229", serials: ["A"] },
      "maker",
      "EXPIRY_INVALID",
    );
    await w.ok("pack.commission", { ...payload, expiry: "320229", serials: ["leap"] }, "maker");
    await w.ok("pack.commission", { ...payload, expiry: "301200", serials: ["day00"] }, "maker");
    await w.fails(
      "pack.commission",
      { ...payload, gtin: gtinOf(7), serials: ["A"] },
      "maker",
      "PRODUCT_NOT_FOUND",
    );
    await w.fails(
      "pack.commission",
      { ...payload, gtin: "09520123456789", serials: ["A"] },
      "maker",
      "GTIN_INVALID",
    );
  });

  it("is the product's manufacturer's alone", async () => {
    const payload = { gtin: GTIN, lot: "L1", expiry: "301231", serials: ["A"] };
    await w.fails(
      "pack.commission",
      { ...payload, manufacturer: ORG.wholesaler },
      "otherMaker",
      "UNAUTHORIZED",
    );
    await w.fails(
      "pack.commission",
      { ...payload, manufacturer: ORG.maker },
      "wholesaler",
      "UNAUTHORIZED",
    );
  });

  it("takes a thousand serials in one transaction, not one more", async () => {
    await w.commission(serials(1000));
    const payload = { gtin: GTIN, manufacturer: ORG.maker, lot: "L1", expiry: "301231" };
    await w.refused("pack.commission", { ...payload, serials: serials(1001, 5000) }, "maker");
    const stock = (await w.query("pack.inventory", { org: ORG.maker, limit: 3 }, "maker")) as {
      items: unknown[];
      next: string | null;
    };
    expect(stock.items).toHaveLength(3);
    expect(stock.next).not.toBeNull();
  });
});

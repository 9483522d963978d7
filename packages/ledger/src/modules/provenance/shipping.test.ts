import { type CaseView, type PackView, toHex } from "@careledger/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { stockKey } from "./inventory.js";
import { GTIN, ORG, packsOf, SupplyChain, serials, ssccOf } from "./supplyChain.testkit.js";

let w: SupplyChain;
beforeEach(async () => {
  w = await SupplyChain.withProduct("provenance-shipping");
});
afterEach(() => w.close());

const ship = (from: string, to: string, packs = packsOf(["S1"]), cases: string[] = []) => ({
  from,
  to,
  packs,
  cases,
});
const receive = (to: string, from: string, packs = packsOf(["S1"]), cases: string[] = []) => ({
  to,
  from,
  packs,
  cases,
  verified: [],
});

describe("a case of 1,000 packs", () => {
  it("is packed, shipped and received in one transaction each, and unpacked at the receiver", async () => {
    const list = serials(1000);
    await w.commission(list);
    const sscc = ssccOf(1);
    await w.ok("case.pack", { sscc, org: ORG.maker, packs: packsOf(list) }, "maker");
    await w.ok("pack.ship", ship(ORG.maker, ORG.wholesaler, [], [sscc]), "maker");
    expect(await w.pack("S500")).toMatchObject({
      status: "in-transit",
      custodian: ORG.maker,
      inTransitTo: ORG.wholesaler,
      case: sscc,
    });
    await w.ok("pack.receive", receive(ORG.wholesaler, ORG.maker, [], [sscc]), "wholesaler");
    expect(await w.pack("S1000")).toMatchObject({ status: "active", custodian: ORG.wholesaler });
    expect(await w.query("case.get", { sscc }, "wholesaler")).toMatchObject({
      sscc,
      custodian: ORG.wholesaler,
      status: "active",
    } satisfies Partial<CaseView>);
    const stock = (await w.query(
      "pack.inventory",
      { org: ORG.wholesaler, limit: 1000 },
      "wholesaler",
    )) as {
      items: PackView[];
      next: string | null;
    };
    expect(stock.items).toHaveLength(1000);
    expect(stock.next).toBeNull();
    expect(
      ((await w.query("pack.inventory", { org: ORG.maker }, "maker")) as { items: [] }).items,
    ).toEqual([]);
    await w.ok("case.unpack", { sscc, org: ORG.wholesaler }, "wholesaler");
    expect(await w.pack("S7")).not.toHaveProperty("case");
    expect(await w.query("case.get", { sscc })).toMatchObject({ status: "unpacked" });
    // The packs stand alone at the wholesaler: it ships one loose.
    await w.ok("pack.ship", ship(ORG.wholesaler, ORG.pharmacy, packsOf(["S7"])), "wholesaler");
  });
});

describe("case.pack and case.unpack", () => {
  beforeEach(() => w.commission(serials(4)));

  it("fails SSCC_INVALID, ALREADY_EXISTS for an SSCC used even after unpack, PACK_IN_CASE", async () => {
    const bad = `${ssccOf(1).slice(0, 17)}${(Number(ssccOf(1)[17]) + 1) % 10}`;
    await w.fails(
      "case.pack",
      { sscc: bad, org: ORG.maker, packs: packsOf(["S1"]) },
      "maker",
      "SSCC_INVALID",
    );
    await w.ok(
      "case.pack",
      { sscc: ssccOf(1), org: ORG.maker, packs: packsOf(["S1", "S2"]) },
      "maker",
    );
    await w.fails(
      "case.pack",
      { sscc: ssccOf(2), org: ORG.maker, packs: packsOf(["S2"]) },
      "maker",
      "PACK_IN_CASE",
    );
    await w.fails(
      "pack.ship",
      ship(ORG.maker, ORG.wholesaler, packsOf(["S1"])),
      "maker",
      "PACK_IN_CASE",
    );
    await w.fails(
      "pack.dispense",
      { org: ORG.maker, packs: packsOf(["S1"]) },
      "maker",
      "UNAUTHORIZED",
    );
    await w.ok("case.unpack", { sscc: ssccOf(1), org: ORG.maker }, "maker");
    await w.fails(
      "case.pack",
      { sscc: ssccOf(1), org: ORG.maker, packs: packsOf(["S3"]) },
      "maker",
      "ALREADY_EXISTS",
    );
    await w.fails("case.unpack", { sscc: ssccOf(1), org: ORG.maker }, "maker", "CASE_NOT_FOUND");
    await w.fails(
      "pack.ship",
      ship(ORG.maker, ORG.wholesaler, [], [ssccOf(1)]),
      "maker",
      "CASE_NOT_FOUND",
    );
  });

  it("packs only packs the org holds, and unpacks only a case it holds that is not in transit", async () => {
    await w.fails(
      "case.pack",
      { sscc: ssccOf(1), org: ORG.wholesaler, packs: packsOf(["S1"]) },
      "wholesaler",
      "NOT_CUSTODIAN",
    );
    await w.fails(
      "case.pack",
      { sscc: ssccOf(1), org: ORG.maker, packs: packsOf(["S9"]) },
      "maker",
      "PACK_NOT_FOUND",
    );
    await w.fails(
      "case.pack",
      { sscc: ssccOf(1), org: ORG.maker, packs: packsOf(["S1", "S1"]) },
      "maker",
      "SERIAL_DUPLICATE",
    );
    await w.ok("case.pack", { sscc: ssccOf(1), org: ORG.maker, packs: packsOf(["S1"]) }, "maker");
    await w.ok("pack.ship", ship(ORG.maker, ORG.wholesaler, [], [ssccOf(1)]), "maker");
    await w.fails("case.unpack", { sscc: ssccOf(1), org: ORG.maker }, "maker", "PACK_IN_TRANSIT");
    await w.fails(
      "case.unpack",
      { sscc: ssccOf(1), org: ORG.wholesaler },
      "wholesaler",
      "NOT_CUSTODIAN",
    );
  });
});

describe("pack.ship and pack.receive", () => {
  beforeEach(() => w.commission(serials(4)));

  it("moves whole stock entries as one, and packs of an entry moved in part into entries of their own", async () => {
    const stored = async (key: string) => (await w.h.ledger.reads.proveState(key)).value;
    const listed = (org: string, tx: Uint8Array) =>
      stored(`provenance/i/${org}/${GTIN}/LOT-T/${toHex(tx)}`);
    const made = await w.commission(["T1", "T2", "T3"], "LOT-T");
    const first = stockKey(toHex(made.tx), GTIN, "LOT-T");
    expect(await stored(first)).toEqual({
      org: ORG.maker,
      serials: ["T1", "T2", "T3"],
      holders: [],
    });
    expect(await listed(ORG.maker, made.tx)).toBe(1);
    // Part of the entry: T3 leaves it for an entry of the shipment's own.
    const part = await w.ok("pack.ship", ship(ORG.maker, ORG.wholesaler, packsOf(["T3"])), "maker");
    const second = stockKey(toHex(part.tx), GTIN, "LOT-T");
    expect(await stored(first)).toMatchObject({ serials: ["T1", "T2"] });
    expect(await stored(second)).toEqual({
      org: ORG.wholesaler,
      serials: ["T3"],
      from: ORG.maker,
      holders: [ORG.maker],
    });
    // The rest of it: the entry itself moves, its packs untouched.
    await w.ok("pack.ship", ship(ORG.maker, ORG.wholesaler, packsOf(["T1", "T2"])), "maker");
    expect(await stored(first)).toEqual({
      org: ORG.wholesaler,
      serials: ["T1", "T2"],
      from: ORG.maker,
      holders: [ORG.maker],
    });
    expect(await listed(ORG.maker, made.tx)).toBeNull();
    expect(await listed(ORG.wholesaler, made.tx)).toBe(1);
    expect(await w.pack("T1")).toMatchObject({
      status: "in-transit",
      custodian: ORG.maker,
      inTransitTo: ORG.wholesaler,
    });
    await w.ok(
      "pack.receive",
      receive(ORG.wholesaler, ORG.maker, packsOf(["T1", "T2", "T3"])),
      "wholesaler",
    );
    expect(await stored(first)).toEqual({
      org: ORG.wholesaler,
      serials: ["T1", "T2"],
      holders: [ORG.maker],
    });
    expect(await w.pack("T1")).toMatchObject({ status: "active", custodian: ORG.wholesaler });
    // Both entries on to the pharmacy; a receipt of part of one splits it.
    await w.ok(
      "pack.ship",
      ship(ORG.wholesaler, ORG.pharmacy, packsOf(["T1", "T2", "T3"])),
      "wholesaler",
    );
    const partial = await w.ok(
      "pack.receive",
      receive(ORG.pharmacy, ORG.wholesaler, packsOf(["T1"])),
      "pharmacist",
    );
    const third = stockKey(toHex(partial.tx), GTIN, "LOT-T");
    expect(await stored(third)).toEqual({ org: ORG.pharmacy, serials: ["T1"], holders: [] });
    expect(await w.pack("T1")).toMatchObject({ status: "active", custodian: ORG.pharmacy });
    expect(await w.pack("T2")).toMatchObject({ status: "in-transit", inTransitTo: ORG.pharmacy });
    await w.fails(
      "pack.dispense",
      { org: ORG.pharmacy, packs: packsOf(["T2"]) },
      "pharmacist",
      "NOT_CUSTODIAN",
    );
    await w.ok(
      "pack.receive",
      receive(ORG.pharmacy, ORG.wholesaler, packsOf(["T2", "T3"])),
      "pharmacist",
    );
    expect((await w.pack("T2")).custodian).toBe(ORG.pharmacy);
    await w.ok(
      "pack.dispense",
      { org: ORG.pharmacy, packs: packsOf(["T1", "T2", "T3"]) },
      "pharmacist",
    );
    for (const key of [first, second, third]) expect(await stored(key)).toBeNull();
    expect(await listed(ORG.pharmacy, made.tx)).toBeNull();
    const stock = (await w.query("pack.inventory", { org: ORG.pharmacy }, "pharmacist")) as {
      items: PackView[];
    };
    expect(stock.items).toEqual([]);
  });

  it("only the custodian ships, and nothing in transit ships again", async () => {
    await w.fails("pack.ship", ship(ORG.wholesaler, ORG.pharmacy), "wholesaler", "NOT_CUSTODIAN");
    await w.ok("pack.ship", ship(ORG.maker, ORG.wholesaler), "maker");
    await w.fails("pack.ship", ship(ORG.maker, ORG.rival), "maker", "PACK_IN_TRANSIT");
    // Nor does the addressee ship what it has not received.
    await w.fails("pack.ship", ship(ORG.wholesaler, ORG.pharmacy), "wholesaler", "NOT_CUSTODIAN");
    await w.ok("case.pack", { sscc: ssccOf(3), org: ORG.maker, packs: packsOf(["S2"]) }, "maker");
    await w.ok("pack.ship", ship(ORG.maker, ORG.wholesaler, [], [ssccOf(3)]), "maker");
    await w.fails(
      "pack.ship",
      ship(ORG.maker, ORG.rival, [], [ssccOf(3)]),
      "maker",
      "PACK_IN_TRANSIT",
    );
  });

  it("only the addressee receives, from the sender that shipped", async () => {
    await w.ok("pack.ship", ship(ORG.maker, ORG.wholesaler), "maker");
    await w.fails("pack.receive", receive(ORG.rival, ORG.maker), "rival", "NOT_ADDRESSEE");
    await w.fails(
      "pack.receive",
      receive(ORG.wholesaler, ORG.rival),
      "wholesaler",
      "NOT_ADDRESSEE",
    );
    // A pack never shipped is received by no one.
    await w.fails(
      "pack.receive",
      receive(ORG.wholesaler, ORG.maker, packsOf(["S2"])),
      "wholesaler",
      "NOT_ADDRESSEE",
    );
    await w.ok("pack.receive", receive(ORG.wholesaler, ORG.maker), "wholesaler");
    await w.fails(
      "pack.receive",
      receive(ORG.wholesaler, ORG.maker),
      "wholesaler",
      "NOT_ADDRESSEE",
    );
    expect(await w.pack("S1")).toMatchObject({ status: "active", custodian: ORG.wholesaler });
    expect(await w.pack("S1")).not.toHaveProperty("inTransitTo");
  });

  it("refuses an empty shipment, one to the sender itself, to an unknown org, or a case named twice", async () => {
    await w.fails("pack.ship", ship(ORG.maker, ORG.wholesaler, []), "maker", "TX_PAYLOAD_INVALID");
    await w.fails("pack.ship", ship(ORG.maker, ORG.maker), "maker", "TX_PAYLOAD_INVALID");
    await w.fails("pack.ship", ship(ORG.maker, "nowhere"), "maker", "ORG_NOT_FOUND");
    await w.ok("case.pack", { sscc: ssccOf(4), org: ORG.maker, packs: packsOf(["S3"]) }, "maker");
    await w.fails(
      "pack.ship",
      ship(ORG.maker, ORG.wholesaler, [], [ssccOf(4), ssccOf(4)]),
      "maker",
      "TX_PAYLOAD_INVALID",
    );
  });
});

describe("a return (DSCSA saleable returns)", () => {
  beforeEach(async () => {
    await w.commission(["R1", "R2", "R3"], "LOT-R", "301231");
    await w.move("maker", "wholesaler", packsOf(["R1", "R2", "R3"]));
    await w.move("wholesaler", "pharmacist", packsOf(["R1", "R2", "R3"]));
    await w.ok(
      "pack.ship",
      ship(ORG.pharmacy, ORG.wholesaler, packsOf(["R1", "R2", "R3"])),
      "pharmacist",
    );
  });

  it("is saleable again only when its receiver verified lot and expiry", async () => {
    const verified = [
      { gtin: GTIN, serial: "R1", lot: "LOT-R", expiry: "301231" },
      // The wrong lot: not verified.
      { gtin: GTIN, serial: "R2", lot: "LOT-X", expiry: "301231" },
    ];
    const receipt = await w.ok(
      "pack.receive",
      { ...receive(ORG.wholesaler, ORG.pharmacy, packsOf(["R1", "R2", "R3"])), verified },
      "wholesaler",
    );
    expect(receipt.result).toEqual({ returns: 3 });
    expect((await w.pack("R1")).returnUnverified).toBe(false);
    expect((await w.pack("R2")).returnUnverified).toBe(true);
    expect((await w.pack("R3")).returnUnverified).toBe(true);
    await w.ok("pack.ship", ship(ORG.wholesaler, ORG.rival, packsOf(["R1"])), "wholesaler");
    await w.fails(
      "pack.ship",
      ship(ORG.wholesaler, ORG.rival, packsOf(["R2"])),
      "wholesaler",
      "PACK_RETURN_UNVERIFIED",
    );
    // Back to its manufacturer, which verifies it, and it is saleable again.
    await w.move(
      "wholesaler",
      "maker",
      packsOf(["R2"]),
      [],
      [{ gtin: GTIN, serial: "R2", lot: "LOT-R", expiry: "301231" }],
    );
    expect((await w.pack("R2")).returnUnverified).toBe(false);
    const events = (await w.query("provenance.events", {
      gtin: GTIN,
      serial: "R3",
      kind: "receive",
    })) as {
      items: { disposition: string; returns?: unknown }[];
    };
    expect(events.items.map((event) => event.disposition)).toEqual([
      "in_progress",
      "in_progress",
      "returned",
    ]);
    expect(events.items[2]?.returns).toEqual([{ gtin: GTIN, serial: "R3", verified: false }]);
  });

  it("fails TX_PAYLOAD_INVALID when `verified` names a pack that is no return of the receipt", async () => {
    await w.fails(
      "pack.receive",
      {
        ...receive(ORG.wholesaler, ORG.pharmacy, packsOf(["R1", "R2", "R3"])),
        verified: [{ gtin: GTIN, serial: "R9", lot: "LOT-R", expiry: "301231" }],
      },
      "wholesaler",
      "TX_PAYLOAD_INVALID",
    );
  });

  it("of a whole case judges each of its packs", async () => {
    await w.ok(
      "pack.receive",
      receive(ORG.wholesaler, ORG.pharmacy, packsOf(["R1", "R2", "R3"])),
      "wholesaler",
    );
    await w.commission(["C1", "C2"], "LOT-C", "301231");
    await w.ok(
      "case.pack",
      { sscc: ssccOf(9), org: ORG.maker, packs: packsOf(["C1", "C2"]) },
      "maker",
    );
    await w.move("maker", "wholesaler", [], [ssccOf(9)]);
    await w.ok("pack.ship", ship(ORG.wholesaler, ORG.maker, [], [ssccOf(9)]), "wholesaler");
    await w.ok(
      "pack.receive",
      {
        ...receive(ORG.maker, ORG.wholesaler, [], [ssccOf(9)]),
        verified: [{ gtin: GTIN, serial: "C1", lot: "LOT-C", expiry: "301231" }],
      },
      "maker",
    );
    expect((await w.pack("C1")).returnUnverified).toBe(false);
    expect((await w.pack("C2")).returnUnverified).toBe(true);
    // The case holds an unverified return: it goes nowhere but a regulator (or its maker).
    await w.fails(
      "pack.ship",
      ship(ORG.maker, ORG.wholesaler, [], [ssccOf(9)]),
      "maker",
      "PACK_RETURN_UNVERIFIED",
    );
    await w.ok("pack.ship", ship(ORG.maker, ORG.regulator, [], [ssccOf(9)]), "maker");
  });
});

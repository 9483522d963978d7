import type { PackView, ProvenanceEventView } from "@careledger/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GTIN, ORG, packsOf, SupplyChain, serials, ssccOf } from "./supplyChain.testkit.js";

let w: SupplyChain;
beforeEach(async () => {
  w = await SupplyChain.withProduct("provenance-queries");
});
afterEach(() => w.close());

type Page<T> = { items: T[]; next: string | null };
const SSCC = ssccOf(1);

/** S1..S3 commissioned; S1 and S2 packed and moved to the wholesaler as a case; S3 shipped loose. */
async function history() {
  await w.commission(serials(3), "LOT-H", "301200");
  await w.ok("case.pack", { sscc: SSCC, org: ORG.maker, packs: packsOf(["S1", "S2"]) }, "maker");
  await w.move("maker", "wholesaler", [], [SSCC]);
  await w.ok(
    "pack.ship",
    { from: ORG.maker, to: ORG.rival, packs: packsOf(["S3"]), cases: [] },
    "maker",
  );
  await w.ok("case.unpack", { sscc: SSCC, org: ORG.wholesaler }, "wholesaler");
  await w.ok(
    "lot.recall",
    { gtin: GTIN, lot: "LOT-H", org: ORG.maker, reason: "labeling", class: "III" },
    "maker",
  );
}

describe("pack.get", () => {
  it("gives a pack's history, each event narrowed to it and the case it moved in, with EPCIS readings", async () => {
    await history();
    const view = (await w.query("pack.get", { gtin: GTIN, serial: "S1" })) as PackView;
    const steps = (view.history ?? []).map((event) => ({
      kind: event.kind,
      action: event.action,
      bizStep: event.bizStep,
      disposition: event.disposition,
      packs: event.packs,
      cases: event.cases,
    }));
    const own = packsOf(["S1"]);
    expect(steps).toEqual([
      {
        kind: "commission",
        action: "ADD",
        bizStep: "commissioning",
        disposition: "active",
        packs: own,
        cases: [],
      },
      {
        kind: "pack",
        action: "ADD",
        bizStep: "packing",
        disposition: "in_progress",
        packs: own,
        cases: [SSCC],
      },
      {
        kind: "ship",
        action: "OBSERVE",
        bizStep: "shipping",
        disposition: "in_transit",
        packs: own,
        cases: [SSCC],
      },
      {
        kind: "receive",
        action: "OBSERVE",
        bizStep: "receiving",
        disposition: "in_progress",
        packs: own,
        cases: [SSCC],
      },
      {
        kind: "unpack",
        action: "DELETE",
        bizStep: "unpacking",
        disposition: "in_progress",
        packs: own,
        cases: [SSCC],
      },
      {
        kind: "recall",
        action: "OBSERVE",
        bizStep: "holding",
        disposition: "recalled",
        packs: [],
        cases: [],
      },
    ]);
    const [commission, , shipped, , , recall] = view.history as ProvenanceEventView[];
    expect(commission).toMatchObject({ org: ORG.maker, lot: "LOT-H", expiry: "301200", index: 0 });
    expect(shipped).toMatchObject({ from: ORG.maker, to: ORG.wholesaler });
    expect(recall).toMatchObject({
      gtin: GTIN,
      lot: "LOT-H",
      persistentDisposition: { set: ["recalled"] },
      recall: { reason: "labeling", class: "III" },
    });
    expect(view).toMatchObject({ custodian: ORG.wholesaler, status: "active", recalled: true });
  });

  it("answers the pack's trading partners and regulators, and refuses others even for an unknown pack", async () => {
    await history();
    expect(await w.query("pack.get", { gtin: GTIN, serial: "S1" }, "wholesaler")).not.toBeNull();
    expect(await w.query("pack.get", { gtin: GTIN, serial: "S1" }, "inspector")).not.toBeNull();
    expect(await w.queryFails("pack.get", { gtin: GTIN, serial: "S1" }, "pharmacist")).toBe(
      "FORBIDDEN",
    );
    expect(await w.queryFails("pack.get", { gtin: GTIN, serial: "S1" }, "rival")).toBe("FORBIDDEN");
    // S3 is in transit to the rival: it may look.
    expect(await w.query("pack.get", { gtin: GTIN, serial: "S3" }, "rival")).toMatchObject({
      status: "in-transit",
      inTransitTo: ORG.rival,
    });
    expect(await w.queryFails("pack.get", { gtin: GTIN, serial: "NONE" }, "pharmacist")).toBe(
      "FORBIDDEN",
    );
    expect(await w.query("pack.get", { gtin: GTIN, serial: "NONE" }, "inspector")).toBeNull();
    // Its org (the wholesaler) never held S3: a regulator's role there opens nothing.
    expect(await w.queryFails("pack.get", { gtin: GTIN, serial: "S3" }, "falseInspector")).toBe(
      "FORBIDDEN",
    );
    expect(await w.queryFails("case.get", { sscc: SSCC }, "pharmacist")).toBe("FORBIDDEN");
    expect(await w.query("case.get", { sscc: SSCC }, "wholesaler")).toMatchObject({
      status: "unpacked",
    });
  });
});

describe("lot.packs and pack.inventory", () => {
  it("pages a lot's packs for the manufacturer and regulators, not for others", async () => {
    await w.commission(serials(5), "LOT-P");
    const first = (await w.query(
      "lot.packs",
      { gtin: GTIN, lot: "LOT-P", limit: 2 },
      "maker",
    )) as Page<PackView>;
    expect(first.items.map((pack) => pack.serial)).toEqual(["S1", "S2"]);
    const second = (await w.query(
      "lot.packs",
      { gtin: GTIN, lot: "LOT-P", limit: 10, cursor: first.next },
      "inspector",
    )) as Page<PackView>;
    expect(second.items.map((pack) => pack.serial)).toEqual(["S3", "S4", "S5"]);
    expect(second.next).toBeNull();
    expect(await w.queryFails("lot.packs", { gtin: GTIN, lot: "LOT-P" }, "wholesaler")).toBe(
      "FORBIDDEN",
    );
  });

  it("pages an org's loose packs, then its cases' packs by SSCC, and only for its people", async () => {
    await w.commission(serials(6));
    await w.ok(
      "case.pack",
      { sscc: ssccOf(2), org: ORG.maker, packs: packsOf(["S4", "S5"]) },
      "maker",
    );
    await w.ok("case.pack", { sscc: ssccOf(1), org: ORG.maker, packs: packsOf(["S1"]) }, "maker");
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const params: Record<string, unknown> = { org: ORG.maker, limit: 2 };
      if (cursor !== null) params.cursor = cursor;
      const page = (await w.query("pack.inventory", params, "maker")) as Page<PackView>;
      seen.push(...page.items.map((pack) => `${pack.case ?? "-"}:${pack.serial}`));
      cursor = page.next;
    } while (cursor !== null);
    expect(seen).toEqual([
      "-:S2",
      "-:S3",
      "-:S6",
      `${ssccOf(1)}:S1`,
      `${ssccOf(2)}:S4`,
      `${ssccOf(2)}:S5`,
    ]);
    expect(await w.queryFails("pack.inventory", { org: ORG.maker }, "wholesaler")).toBe(
      "FORBIDDEN",
    );
  });
});

describe("provenance.events", () => {
  it("filters by kind and time, and shows another member only the events it is a party to", async () => {
    await history();
    const all = (await w.query("provenance.events", {})) as Page<ProvenanceEventView>;
    expect(all.items.map((event) => event.kind)).toEqual([
      "commission",
      "pack",
      "ship",
      "receive",
      "ship",
      "unpack",
      "recall",
    ]);
    const ships = (await w.query(
      "provenance.events",
      { kind: "ship" },
      "inspector",
    )) as Page<ProvenanceEventView>;
    expect(ships.items.map((event) => event.to)).toEqual([ORG.wholesaler, ORG.rival]);
    const [, packed, , received] = all.items as ProvenanceEventView[];
    const window = (await w.query("provenance.events", {
      from: packed?.at.time,
      until: received?.at.time,
    })) as Page<ProvenanceEventView>;
    expect(window.items.map((event) => event.kind)).toEqual(["pack", "ship"]);
    const rivals = (await w.query("provenance.events", {}, "rival")) as Page<ProvenanceEventView>;
    expect(rivals.items.map((event) => [event.kind, event.to])).toEqual([["ship", ORG.rival]]);
    const paged = (await w.query("provenance.events", { limit: 3 })) as Page<ProvenanceEventView>;
    const rest = (await w.query("provenance.events", {
      cursor: paged.next,
    })) as Page<ProvenanceEventView>;
    expect([...paged.items, ...rest.items]).toEqual(all.items);
    expect(await w.queryFails("provenance.events", { gtin: GTIN }, "inspector")).toBe(
      "BAD_REQUEST",
    );
  });

  it("pages one pack's events in commit order when two share a block", async () => {
    await w.commission(["P1"]);
    const move = { to: ORG.wholesaler, from: ORG.maker, packs: packsOf(["P1"]), cases: [] };
    const receipts = await w.h.block([
      w.tx("pack.ship", { ...move, to: ORG.wholesaler, from: ORG.maker }, "maker"),
      w.tx("pack.receive", { ...move, verified: [] }, "wholesaler"),
    ]);
    expect(receipts.map((receipt) => receipt.status)).toEqual(["ok", "ok"]);
    const kinds: string[] = [];
    let cursor: string | null = null;
    do {
      const params: Record<string, unknown> = { gtin: GTIN, serial: "P1", limit: 1 };
      if (cursor !== null) params.cursor = cursor;
      const page = (await w.query("provenance.events", params)) as Page<ProvenanceEventView>;
      kinds.push(...page.items.map((event) => event.kind));
      cursor = page.next;
    } while (cursor !== null);
    expect(kinds).toEqual(["commission", "ship", "receive"]);
  });

  it("lists one pack's events for its trading partners, paged", async () => {
    await history();
    const first = (await w.query(
      "provenance.events",
      { gtin: GTIN, serial: "S2", limit: 4 },
      "wholesaler",
    )) as Page<ProvenanceEventView>;
    const rest = (await w.query(
      "provenance.events",
      { gtin: GTIN, serial: "S2", cursor: first.next },
      "wholesaler",
    )) as Page<ProvenanceEventView>;
    expect([...first.items, ...rest.items].map((event) => event.kind)).toEqual([
      "commission",
      "pack",
      "ship",
      "receive",
      "unpack",
      "recall",
    ]);
    expect(
      await w.queryFails("provenance.events", { gtin: GTIN, serial: "S2" }, "pharmacist"),
    ).toBe("FORBIDDEN");
  });
});

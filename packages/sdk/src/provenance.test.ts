import { CareLedgerError, decodeTx, keySigner } from "@careledger/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CareLedgerClient } from "./client.js";
import type { FakeCare } from "./fakeCare.testkit.js";
import { startCareNode } from "./fakeCareRoutes.testkit.js";
import type { FakeNode } from "./fakeNode.testkit.js";
import { FakeProvenance } from "./fakeProvenance.testkit.js";
import { generateKeyPair, type KeyPair } from "./keys.js";
import { gtin14, nextPageTokenOf, Provenance } from "./provenance.js";

const FAST = { retryDelayMs: 5, retryDelayMsMax: 20, timeoutMs: 2_000, retries: 0 };
const WAIT = { pollIntervalMs: 5, timeoutMs: 2_000 };
const MAKER = "acme-pharma";
const WHOLESALER = "north-wholesale";
const PHARMACY = "corner-pharmacy";
const GTIN = "09520123456788";
const SSCC = "106141411234567897";
const LOT = "ABC1";
const EXPIRY = "280430";

let node: FakeNode;
let care: FakeCare;
let maker: KeyPair;
let wholesaler: KeyPair;
let pharmacist: KeyPair;

beforeEach(async () => {
  let routes: Awaited<ReturnType<typeof startCareNode>>["routes"];
  ({ node, care, routes } = await startCareNode("st-mary"));
  new FakeProvenance(routes);
  maker = generateKeyPair();
  wholesaler = generateKeyPair();
  pharmacist = generateKeyPair();
  care.register(maker.publicKey, MAKER, ["manufacturer"]);
  care.register(wholesaler.publicKey, WHOLESALER, ["distributor"]);
  care.register(pharmacist.publicKey, PHARMACY, ["pharmacist"]);
});
afterEach(() => node.close());

const clientOf = (who?: KeyPair) =>
  new CareLedgerClient(node.url, {
    ...FAST,
    ...(who !== undefined && { signer: keySigner(who.secretKey) }),
  });
const lastTx = () => decodeTx(node.submitted.at(-1) as Uint8Array).tx;
const link = (serial: string, lot = LOT, expiry = EXPIRY) =>
  `https://id.example.com/01/${GTIN}/10/${lot}/21/${serial}?17=${expiry}`;

/** Four packs commissioned, two of them packed into a case at the maker. */
async function commissioned(): Promise<Provenance> {
  const provenance = new Provenance(clientOf(maker));
  await provenance.registerProduct(
    {
      gtin: "9520123456788",
      manufacturer: MAKER,
      name: "Amoxicillin",
      form: "capsule",
      strength: "500 mg",
    },
    WAIT,
  );
  expect(lastTx().payload).toMatchObject({ gtin: GTIN });
  const serials = ["1001", "1002", "1003", "1004"];
  await provenance.commission(
    { gtin: GTIN, manufacturer: MAKER, lot: LOT, expiry: EXPIRY, serials },
    WAIT,
  );
  await provenance.packCase(
    { sscc: SSCC, org: MAKER, packs: [{ gtin: GTIN, serials: ["1001", "1002"] }] },
    WAIT,
  );
  return provenance;
}

describe("GTIN-14", () => {
  it("pads GTIN-8, -12 and -13 and refuses anything else", () => {
    expect(gtin14("95012346")).toBe("00000095012346");
    expect(gtin14("036000291452")).toBe("00036000291452");
    expect(gtin14(GTIN)).toBe(GTIN);
    expect(() => gtin14("1234567")).toThrow(CareLedgerError);
    expect(() => gtin14("0952012345678X")).toThrow(CareLedgerError);
  });
});

describe("provenance", () => {
  it("commission, pack, ship and receive a case: custody moves, the history reads in order", async () => {
    const provenance = await commissioned();
    await provenance.ship({ from: MAKER, to: WHOLESALER, cases: [SSCC] }, WAIT);
    expect(lastTx().payload).toEqual({ from: MAKER, to: WHOLESALER, packs: [], cases: [SSCC] });
    expect((await provenance.status(GTIN, "1001"))?.status).toBe("in-transit");
    const wholesale = new Provenance(clientOf(wholesaler));
    await wholesale.receive({ to: WHOLESALER, from: MAKER, cases: [SSCC] }, WAIT);
    expect(lastTx().payload).toMatchObject({ verified: [], packs: [] });
    const pack = await wholesale.get(GTIN, "1001");
    expect(pack).toMatchObject({ custodian: WHOLESALER, status: "active", case: SSCC });
    expect(pack?.history?.map((event) => event.kind)).toEqual([
      "commission",
      "pack",
      "ship",
      "receive",
    ]);
    const page = await wholesale.history(GTIN, "1001", { limit: 3 });
    expect(page.items).toHaveLength(3);
    expect(page.next).not.toBeNull();
    const all = [];
    for await (const event of wholesale.historyAll(GTIN, "1001", { limit: 1 }))
      all.push(event.kind);
    expect(all).toEqual(["commission", "pack", "ship", "receive"]);
  });

  it("a lot's packs page in serial order; a recalled lot stops moving", async () => {
    const provenance = await commissioned();
    const first = await provenance.lotPacks(GTIN, LOT, { limit: 3 });
    expect(first.items.map((pack) => pack.serial)).toEqual(["1001", "1002", "1003"]);
    const serials = [];
    for await (const pack of provenance.lotPacksAll(GTIN, LOT, { limit: 3 }))
      serials.push(pack.serial);
    expect(serials).toEqual(["1001", "1002", "1003", "1004"]);
    await provenance.recall(
      { gtin: GTIN, lot: LOT, org: MAKER, reason: "quality", class: "II" },
      WAIT,
    );
    await expect(
      provenance.ship(
        { from: MAKER, to: WHOLESALER, packs: [{ gtin: GTIN, serials: ["1003"] }] },
        WAIT,
      ),
    ).rejects.toMatchObject({ code: "PACK_RECALLED" });
  });

  it("verify answers for packs in every state, unsigned, from any host's Digital Link", async () => {
    const provenance = await commissioned();
    await provenance.ship(
      { from: MAKER, to: PHARMACY, packs: [{ gtin: GTIN, serials: ["1003"] }] },
      WAIT,
    );
    const pharmacy = new Provenance(clientOf(pharmacist));
    await pharmacy.receive(
      { to: PHARMACY, from: MAKER, packs: [{ gtin: GTIN, serials: ["1003"] }] },
      WAIT,
    );
    await pharmacy.dispense({ org: PHARMACY, packs: [{ gtin: GTIN, serials: ["1003"] }] }, WAIT);
    await provenance.suspect(
      { org: MAKER, packs: [{ gtin: GTIN, serials: ["1004"] }], reason: "tampered" },
      WAIT,
    );
    const anyone = new Provenance(clientOf());
    const active = await anyone.verify(link("1001"), {
      corrUUID: "2a9f1c1e-0000-4000-8000-000000000001",
    });
    expect(active).toMatchObject({
      data: { verified: true },
      corrUUID: "2a9f1c1e-0000-4000-8000-000000000001",
      "careledger:status": { status: "active", recalled: false },
    });
    expect(active["careledger:custodian"]).toBeUndefined();
    expect(node.requests.at(-1)).toMatchObject({
      url: `/01/${GTIN}/10/${LOT}/21/1001?17=${EXPIRY}&corrUUID=2a9f1c1e-0000-4000-8000-000000000001`,
    });
    expect(node.requests.at(-1)?.signed).toBeUndefined();
    expect((await anyone.verify(link("1003")))["careledger:status"]?.status).toBe("dispensed");
    const prefixed = `https://brand.example/dl/01/${GTIN}/10/${LOT}/21/1001`;
    expect((await anyone.verify(prefixed)).data.verified).toBe(true);
    expect(node.requests.at(-1)?.url).toBe(`/01/${GTIN}/10/${LOT}/21/1001`);
    await expect(anyone.verify("https://brand.example/product/1001")).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    expect((await anyone.verify(link("1004"))).data).toEqual({
      verified: true,
      additionalInfo: "Suspect",
    });
    expect((await anyone.verify(link("1001", "XYZ"))).data).toEqual({
      verified: false,
      verificationFailureReason: "No_match_GTIN_Serial_Lot",
    });
    expect((await anyone.verify(link("1001", LOT, "290101"))).data.verificationFailureReason).toBe(
      "No_match_GTIN_Serial_Expiry",
    );
    expect((await anyone.verify(link("9999"))).data.verificationFailureReason).toBe(
      "No_match_GTIN_Serial",
    );
    await provenance.recall(
      { gtin: GTIN, lot: LOT, org: MAKER, reason: "safety", class: "I" },
      WAIT,
    );
    expect((await anyone.verify(link("1002"))).data).toEqual({
      verified: true,
      additionalInfo: "Recalled",
    });
    await expect(
      anyone.verify(`https://id.example.com/01/09520123456795/10/${LOT}/21/1001`),
    ).rejects.toMatchObject({ code: "PRODUCT_NOT_FOUND" });
  });

  it("a signed verification by a trading partner adds the custodian and the EPCIS history", async () => {
    const provenance = await commissioned();
    const answer = await provenance.verify(link("1001"), { signed: true });
    expect(node.requests.at(-1)?.signed?.key).toBe(maker.accountId);
    expect(answer["careledger:custodian"]).toBe(MAKER);
    expect(answer["careledger:history"]).toMatchObject({ type: "EPCISDocument" });
  });

  it("a verification answer that misses a field, or echoes another corrUUID, is a bad response", async () => {
    await commissioned();
    node.extraRoutes.unshift([
      "GET",
      /^\/01\//,
      (response) =>
        response
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ verificationTimestamp: "x", data: {}, corrUUID: "other" })),
    ]);
    const anyone = new Provenance(clientOf());
    await expect(anyone.verify(link("1001"))).rejects.toMatchObject({
      details: { reason: "bad-response" },
    });
  });

  it("epcis pages the events by the Link header's nextPageToken, filtered by bizStep", async () => {
    const provenance = await commissioned();
    await provenance.ship({ from: MAKER, to: WHOLESALER, cases: [SSCC] }, WAIT);
    const first = await provenance.epcis({ bizStep: ["commissioning", "shipping"] }, { limit: 1 });
    expect(first.document.type).toBe("EPCISQueryDocument");
    expect(first.items.map((event) => event.type)).toEqual(["ObjectEvent"]);
    expect(first.next).toBe("1");
    expect(node.requests.at(-1)?.url).toBe(
      "/epcis/events?EQ_bizStep=commissioning%7Cshipping&perPage=1",
    );
    expect(node.requests.at(-1)?.signed?.key).toBe(maker.accountId);
    const steps = [];
    for await (const event of provenance.epcisAll({}, { limit: 2 })) steps.push(event.type);
    expect(steps).toEqual(["ObjectEvent", "AggregationEvent", "ObjectEvent"]);
    const since = await provenance.epcis({ from: 1_000_000 });
    expect(since.items).toEqual([]);
    expect(since.next).toBeNull();
  });

  it("reads the next page token from a Link header, and refuses a next link without one", () => {
    expect(nextPageTokenOf(null)).toBeNull();
    expect(nextPageTokenOf('<https://n/epcis/events?nextPageToken=abc>; rel="next"')).toBe("abc");
    expect(nextPageTokenOf('<https://n/other>; rel="prev"')).toBeNull();
    expect(() => nextPageTokenOf('<https://n/epcis/events>; rel="next"')).toThrow(CareLedgerError);
  });

  it("writes, the status and scoped reads need a signer; the product does not", async () => {
    await commissioned();
    const anyone = new Provenance(clientOf());
    await expect(anyone.status(GTIN, "1001")).rejects.toMatchObject({ code: "REQUEST_UNSIGNED" });
    expect(await anyone.product("9520123456788")).toMatchObject({ manufacturer: MAKER });
    expect(node.requests.at(-1)?.signed).toBeUndefined();
    await expect(anyone.get(GTIN, "1001")).rejects.toMatchObject({ code: "REQUEST_UNSIGNED" });
    await expect(
      anyone.ship({ from: MAKER, to: WHOLESALER, cases: [SSCC] }, WAIT),
    ).rejects.toMatchObject({ code: "REQUEST_UNSIGNED" });
    await expect(anyone.epcis()).rejects.toMatchObject({ code: "REQUEST_UNSIGNED" });
  });
});

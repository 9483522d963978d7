import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { epcisSchemaErrors } from "../epcis/epcisSchema.testkit.js";
import { GTIN, gtinOf, MAKER_GLN, ORG, packsOf, SupplyChain } from "../supplyChain.testkit.js";
import { type Answer, Responder } from "./responder.testkit.js";

let w: SupplyChain;
let responder: Responder;
beforeEach(async () => {
  w = await SupplyChain.create("verification");
  await w.register();
  // Expiry 31 Dec 2030; the test chain's time is November 2023.
  await w.commission(["S1", "S2", "S3", "S4", "S5", "S6"], "L1", "301231");
  responder = new Responder(w);
});
afterEach(() => w.close());

const link = (serial: string, lot = "L1", expiry = "301231") =>
  `/01/${GTIN}/10/${lot}/21/${serial}?17=${expiry}`;
const dataOf = (answer: Answer) => (answer.body as { data: unknown }).data;
const verify = async (url: string) => {
  const answer = await responder.get(url);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer;
};

describe("the NOTES.md 4.1 mapping, row by row", () => {
  it("a match with nothing to add: verified, no additionalInfo, the pack's status in our field", async () => {
    const answer = await verify(link("S1"));
    expect(answer.body).toEqual({
      verificationTimestamp: new Date(w.time).toISOString(),
      responderGLN: MAKER_GLN,
      data: { verified: true },
      "careledger:status": { status: "active", recalled: false, suspect: false, expired: false },
    });
  });

  it("(GTIN, serial) unknown: not verified, No_match_GTIN_Serial, nothing else told", async () => {
    const answer = await verify(link("NOPE"));
    expect(dataOf(answer)).toEqual({
      verified: false,
      verificationFailureReason: "No_match_GTIN_Serial",
    });
    expect(answer.body).not.toHaveProperty("careledger:status");
  });

  it("GTIN unknown: 404, as a lookup directory answers", async () => {
    const answer = await responder.get(`/01/${gtinOf(1)}/10/L1/21/S1?17=301231`);
    expect([answer.status, (answer.body as { code: string }).code]).toEqual([
      404,
      "PRODUCT_NOT_FOUND",
    ]);
  });

  it("lot differs: No_match_GTIN_Serial_Lot", async () => {
    expect(dataOf(await verify(link("S1", "L2")))).toEqual({
      verified: false,
      verificationFailureReason: "No_match_GTIN_Serial_Lot",
    });
  });

  it("expiry differs: No_match_GTIN_Serial_Expiry (not _Lot, QU4RTET's bug)", async () => {
    const answer = await verify(link("S1", "L1", "301130"));
    expect(dataOf(answer)).toEqual({
      verified: false,
      verificationFailureReason: "No_match_GTIN_Serial_Expiry",
    });
    expect(answer.body).not.toHaveProperty("careledger:status");
  });

  it("both differ: No_match_GTIN_Serial_Lot_Expiry", async () => {
    expect(dataOf(await verify(link("S1", "L2", "301130")))).toEqual({
      verified: false,
      verificationFailureReason: "No_match_GTIN_Serial_Lot_Expiry",
    });
  });

  it("day 00 and the month's last day are the same expiry on both sides", async () => {
    expect(dataOf(await verify(link("S1", "L1", "301200")))).toEqual({ verified: true });
  });

  it("lot recalled: verified, Recalled", async () => {
    await w.ok(
      "lot.recall",
      { gtin: GTIN, lot: "L1", org: ORG.maker, reason: "safety", class: "I" },
      "maker",
    );
    const answer = await verify(link("S1"));
    expect(dataOf(answer)).toEqual({ verified: true, additionalInfo: "Recalled" });
    expect(answer.body).toMatchObject({ "careledger:status": { recalled: true } });
  });

  it("pack.suspect open: verified, Suspect; cleared, plain verified again", async () => {
    await w.move("maker", "wholesaler", packsOf(["S2"]));
    await w.ok(
      "pack.suspect",
      { org: ORG.wholesaler, packs: packsOf(["S2"]), reason: "counterfeit" },
      "wholesaler",
    );
    expect(dataOf(await verify(link("S2")))).toEqual({ verified: true, additionalInfo: "Suspect" });
    await w.ok("pack.clear", { org: ORG.wholesaler, packs: packsOf(["S2"]) }, "wholesaler");
    expect(dataOf(await verify(link("S2")))).toEqual({ verified: true });
  });

  it("expiry before the head's time: verified, Expired", async () => {
    await w.commission(["E1"], "L-NOV", "231100");
    await w.h.block([], Date.UTC(2023, 11, 1) - w.time);
    const answer = await verify(link("E1", "L-NOV", "231100"));
    expect(dataOf(answer)).toEqual({ verified: true, additionalInfo: "Expired" });
    expect(answer.body).toMatchObject({ "careledger:status": { expired: true } });
  });

  it("dispensed or decommissioned: verified, no standard code, the status field says which", async () => {
    await w.move("maker", "pharmacist", packsOf(["S3", "S4"]));
    await w.ok("pack.dispense", { org: ORG.pharmacy, packs: packsOf(["S3"]) }, "pharmacist");
    await w.ok(
      "pack.decommission",
      { org: ORG.pharmacy, packs: packsOf(["S4"]), reason: "damaged" },
      "pharmacist",
    );
    for (const [serial, status] of [
      ["S3", "dispensed"],
      ["S4", "decommissioned"],
    ] as const) {
      const answer = await verify(link(serial));
      expect(dataOf(answer)).toEqual({ verified: true });
      expect(answer.body).toMatchObject({ "careledger:status": { status } });
    }
  });
});

describe("the request forms and their errors", () => {
  it("reads the legacy form VRS clients send, echoing corrUUID", async () => {
    const corrUUID = "2a9f1c1e-3c4b-4d5e-8f90-123456789abc";
    const url =
      `/gtin/${GTIN}/lot/L1/ser/S1?exp=301231&linkType=verificationService` +
      `&context=dscsaSaleableReturn&reqGLN=0363391100002&corrUUID=${corrUUID}`;
    const answer = await verify(url);
    expect(answer.body).toMatchObject({ data: { verified: true }, corrUUID });
    expect(dataOf(await verify(`/gtin/${GTIN}/ser/S1`))).toEqual({ verified: true });
  });

  it("reads /01/{gtin}/21/{serial} with lot and expiry left out (compares what was sent)", async () => {
    expect(dataOf(await verify(`/01/${GTIN}/21/S1`))).toEqual({ verified: true });
    expect(dataOf(await verify(`/01/${GTIN}/21/S1?17=301130`))).toMatchObject({
      verificationFailureReason: "No_match_GTIN_Serial_Expiry",
    });
  });

  it.each([
    ["a wrong GTIN check digit", "/01/09520123456789/21/S1", "AI_LINTER_ERROR"],
    [
      "a lot in the query that belongs in the path",
      `/01/${GTIN}/21/S1?10=L1`,
      "AI_SHOULD_BE_IN_PATH_INFO",
    ],
    ["a month 13 expiry", `/01/${GTIN}/10/L1/21/S1?17=301331`, "AI_LINTER_ERROR"],
    ["a duplicate AI", `/01/${GTIN}/10/L1/21/S1?17=301231&17=301231`, "DUPLICATE_AI"],
    ["an unknown AI", `/01/${GTIN}/10/L1/21/S1?89=X`, "UNKNOWN_AI_IN_QUERY_PARAMS"],
    ["a repeated corrUUID", `/01/${GTIN}/21/S1?corrUUID=a&corrUUID=b`, "VRS_PARAMETER_INVALID"],
  ])("answers 400 DIGITAL_LINK_INVALID for %s, with the GS1 code", async (_what, url, reason) => {
    const answer = await responder.get(url);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: "DIGITAL_LINK_INVALID", details: { reason } });
  });

  it("says which linter failed", async () => {
    const answer = await responder.get("/01/09520123456789/21/S1");
    expect(answer.body).toMatchObject({ details: { ai: "01", linter: "INCORRECT_CHECK_DIGIT" } });
  });

  it("answers Accept: text/html with a plain page saying the same", async () => {
    const page = await responder.get(link("S1"), {
      accept: "text/html,application/xhtml+xml,*/*;q=0.8",
    });
    expect(page.contentType).toBe("text/html");
    expect(page.body).toContain("<h1>Product identifier verified</h1>");
    expect(page.body).toContain(`<dd>${GTIN}</dd>`);
    const refused = await responder.get(link("S1", "A&lt;B"), { accept: "text/html" });
    expect(refused.body).toContain("<h1>Product identifier not verified</h1>");
    expect(refused.body).toContain("A&amp;lt;B");
  });
});

describe("what a signed caller sees besides", () => {
  beforeEach(() => w.move("maker", "wholesaler", packsOf(["S5"])));

  it("a trading partner and a regulator get the custodian and the history as an EPCIS document that validates", async () => {
    for (const who of ["wholesaler", "inspector", "maker"] as const) {
      const answer = await responder.get(link("S5"), { caller: w.caller(who) });
      const body = answer.body as Record<string, unknown>;
      expect(body["careledger:custodian"], who).toBe(ORG.wholesaler);
      const history = body["careledger:history"] as {
        epcisBody: { eventList: { bizStep: string }[] };
      };
      expect(history.epcisBody.eventList.map((event) => event.bizStep)).toEqual([
        "commissioning",
        "shipping",
        "receiving",
      ]);
      expect(epcisSchemaErrors(history)).toEqual([]);
      expect(answer.headers["cache-control"]).toBe("private, no-store");
    }
  });

  it("anyone else, signed or not, gets the public answer alone: commercial data is not public", async () => {
    for (const caller of [w.caller("rival"), w.caller("pharmacist"), undefined]) {
      const answer = await responder.get(link("S5"), caller === undefined ? {} : { caller });
      expect(Object.keys(answer.body as object).sort()).toEqual([
        "careledger:status",
        "data",
        "responderGLN",
        "verificationTimestamp",
      ]);
    }
  });
});

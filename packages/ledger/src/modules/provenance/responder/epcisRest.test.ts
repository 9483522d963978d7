import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { epcisSchemaErrors } from "../epcis/epcisSchema.testkit.js";
import { wholeLife } from "../epcis/lifecycle.testkit.js";
import { GTIN, SupplyChain } from "../supplyChain.testkit.js";
import { type Answer, ORIGIN, Responder } from "./responder.testkit.js";

let w: SupplyChain;
let responder: Responder;
beforeAll(async () => {
  w = await SupplyChain.create("epcis-rest");
  await wholeLife(w);
  responder = new Responder(w);
});
afterAll(() => w.close());

type EventList = { bizStep: string; eventTime: string; epcList?: string[]; childEPCs?: string[] }[];
const eventsOf = (answer: Answer) => {
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  const body = answer.body as {
    epcisBody: { queryResults: { resultsBody: { eventList: EventList } } };
  };
  return body.epcisBody.queryResults.resultsBody.eventList;
};
const asInspector = (url: string) => responder.get(url, { caller: w.caller("inspector") });
const stepsOf = async (url: string) => eventsOf(await asInspector(url)).map((e) => e.bizStep);
const S1 = "urn:epc:id:sgtin:952012.0345678.S1";

describe("GET /epcis/events", () => {
  it("answers a regulator every event as an EPCISQueryDocument that validates, with the EPCIS version headers", async () => {
    const answer = await asInspector("/epcis/events");
    expect(eventsOf(answer)).toHaveLength(14);
    expect(epcisSchemaErrors(answer.body)).toEqual([]);
    expect(answer.headers).toMatchObject({
      "gs1-epcis-version": "2.0.0",
      "gs1-cbv-version": "2.0.0",
    });
    expect(answer.headers.link).toBeUndefined();
  });

  it("filters by EQ_bizStep, one step or a |-list, including steps several kinds share", async () => {
    expect(await stepsOf("/epcis/events?EQ_bizStep=shipping")).toEqual([
      "shipping",
      "shipping",
      "shipping",
    ]);
    expect(await stepsOf("/epcis/events?EQ_bizStep=holding")).toEqual(["holding", "holding"]);
    expect(await stepsOf("/epcis/events?EQ_bizStep=dispensing%7Cdestroying")).toEqual([
      "dispensing",
      "destroying",
    ]);
    expect(await stepsOf("/epcis/events?EQ_bizStep=repairing")).toEqual([]);
  });

  it("filters by MATCH_epc, an SGTIN EPC URI or a Digital Link, to that pack's history", async () => {
    const expected = [
      "commissioning",
      "packing",
      "shipping",
      "receiving",
      "unpacking",
      "shipping",
      "receiving",
      "dispensing",
      "holding",
    ];
    expect(await stepsOf(`/epcis/events?MATCH_epc=${S1}`)).toEqual(expected);
    const link = encodeURIComponent(`https://id.gs1.org/01/${GTIN}/21/S1`);
    expect(await stepsOf(`/epcis/events?MATCH_epc=${link}`)).toEqual(expected);
  });

  it("filters by GE_eventTime (inclusive) and LT_eventTime (exclusive)", async () => {
    const all = eventsOf(await asInspector("/epcis/events"));
    const [from, until] = [all[2]?.eventTime, all[5]?.eventTime] as [string, string];
    const range = `/epcis/events?GE_eventTime=${from}&LT_eventTime=${until}`;
    expect(eventsOf(await asInspector(range))).toEqual(all.slice(2, 5));
  });

  it("pages by perPage, each page's Link header naming the next with its nextPageToken", async () => {
    const all = eventsOf(await asInspector("/epcis/events"));
    const seen: EventList = [];
    let url: string | undefined = "/epcis/events?perPage=4";
    let pages = 0;
    while (url !== undefined && pages < 10) {
      const answer = await asInspector(url);
      seen.push(...eventsOf(answer));
      pages++;
      const link = answer.headers.link;
      url = undefined;
      if (link !== undefined) {
        const [, target] = /^<([^>]+)>; rel="next"$/.exec(link) as RegExpExecArray;
        const next = new URL(target as string);
        expect(next.origin).toBe(ORIGIN);
        expect(next.searchParams.get("perPage")).toBe("4");
        expect(next.searchParams.get("nextPageToken")).not.toBeNull();
        url = `${next.pathname}${next.search}`;
      }
    }
    expect(pages).toBe(4);
    expect(seen).toEqual(all);
  });

  it("shows other members only the events their organization is a party to: commercial data is not public", async () => {
    const pharmacy = eventsOf(
      await responder.get("/epcis/events", { caller: w.caller("pharmacist") }),
    );
    expect(pharmacy.map((event) => event.bizStep)).toEqual(["shipping", "receiving", "dispensing"]);
    const stranger = eventsOf(await responder.get("/epcis/events", { caller: w.caller("rival") }));
    expect(stranger).toEqual([]);
  });

  it.each([
    ["a time that is not ISO 8601", "/epcis/events?GE_eventTime=yesterday"],
    ["an EPC that is no pack's", "/epcis/events?MATCH_epc=urn:epc:id:sscc:952012.10000000001"],
    ["a Digital Link without a serial", `/epcis/events?MATCH_epc=https://id.gs1.org/01/${GTIN}`],
  ])("refuses %s with BAD_REQUEST", async (_what, url) => {
    const answer = await asInspector(url);
    expect([answer.status, (answer.body as { code: string }).code]).toEqual([400, "BAD_REQUEST"]);
  });
});

describe("GET /epcis/epcs/{epc}/events", () => {
  it("answers a pack's events by its SGTIN EPC URI or its percent-encoded Digital Link", async () => {
    const byUrn = eventsOf(await asInspector(`/epcis/epcs/${S1}/events?EQ_bizStep=shipping`));
    expect(byUrn.map((event) => event.bizStep)).toEqual(["shipping", "shipping"]);
    const link = encodeURIComponent(`https://id.gs1.org/01/${GTIN}/21/S1`);
    const byLink = eventsOf(await asInspector(`/epcis/epcs/${link}/events?EQ_bizStep=shipping`));
    expect(byLink).toEqual(byUrn);
  });

  it("refuses a MATCH_epc beside the path's EPC", async () => {
    const answer = await asInspector(`/epcis/epcs/${S1}/events?MATCH_epc=${S1}`);
    expect(answer.status).toBe(400);
  });
});

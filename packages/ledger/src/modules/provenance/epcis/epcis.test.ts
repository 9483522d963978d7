import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MAKER_GLN, ORG, PREFIXES, SupplyChain } from "../supplyChain.testkit.js";
import { epcisDocument, epcisQueryDocument } from "./document.js";
import { epcisSchemaErrors, OFFICIAL_EXAMPLES, officialExample } from "./epcisSchema.testkit.js";
import { epcNames } from "./epcNames.js";
import { type EpcisEvent, epcisEvent } from "./events.js";
import { allEvents, CASE, wholeLife } from "./lifecycle.testkit.js";

const GLNS: Record<string, string> = { [ORG.maker]: MAKER_GLN };
const names = epcNames(PREFIXES, { glnOf: (org) => GLNS[org] });

describe("the EPCIS 2.0 JSON Schema", () => {
  it.each(OFFICIAL_EXAMPLES)(
    "accepts the standard's own %s (the validator is set up right)",
    (name) => {
      expect(epcisSchemaErrors(officialExample(name))).toEqual([]);
    },
  );

  it("refuses what the standard refuses: a CBV URN as bizStep, ilmd with OBSERVE, no eventTime", () => {
    const example = officialExample(OFFICIAL_EXAMPLES[0]) as {
      epcisBody: { eventList: Record<string, unknown>[] };
    };
    const withEvent = (change: (event: Record<string, unknown>) => void) => {
      const copy = structuredClone(example);
      change(copy.epcisBody.eventList[0] as Record<string, unknown>);
      return epcisSchemaErrors(copy);
    };
    expect(withEvent((e) => (e.bizStep = "urn:epcglobal:cbv:bizstep:shipping"))).not.toEqual([]);
    expect(withEvent((e) => (e.ilmd = { "cbvmda:lotNumber": "L1" }))).not.toEqual([]);
    expect(withEvent((e) => delete e.eventTime)).not.toEqual([]);
  });
});

describe("provenance events as EPCIS 2.0", () => {
  let w: SupplyChain;
  let events: EpcisEvent[];
  beforeEach(async () => {
    w = await SupplyChain.create("epcis");
    await wholeLife(w);
    events = (await allEvents(w)).map((event) => epcisEvent(event, names));
  });
  afterEach(() => w.close());

  const byStep = (bizStep: string) => events.filter((event) => event.bizStep === bizStep);

  it("renders every kind of event into documents that validate against the schema", () => {
    expect(events.map((event) => event.bizStep)).toEqual([
      "commissioning",
      "packing",
      "shipping",
      "receiving",
      "unpacking",
      "shipping",
      "receiving",
      "dispensing",
      "destroying",
      "holding",
      "inspecting",
      "shipping",
      "receiving",
      "holding",
    ]);
    expect(epcisSchemaErrors(epcisDocument(events, w.time))).toEqual([]);
    expect(epcisSchemaErrors(epcisQueryDocument(events, w.time))).toEqual([]);
    // Each event alone validates too (the schema reads a bare event by its type).
    for (const event of events) {
      const alone = { "@context": epcisDocument([], 0)["@context"], ...event };
      expect(epcisSchemaErrors(alone), String(event.bizStep)).toEqual([]);
    }
  });

  it("commissions with ADD, SGTIN EPC URIs and ilmd carrying the lot and the expiry as a date", () => {
    const [commission] = byStep("commissioning");
    expect(commission).toMatchObject({
      type: "ObjectEvent",
      action: "ADD",
      disposition: "active",
      epcList: [
        "urn:epc:id:sgtin:952012.0345678.S1",
        "urn:epc:id:sgtin:952012.0345678.S2",
        "urn:epc:id:sgtin:952012.0345678.S3",
        "urn:epc:id:sgtin:952012.0345678.S4",
      ],
      ilmd: { "cbvmda:lotNumber": "L/1", "cbvmda:itemExpirationDate": "2030-12-31" },
      bizLocation: { id: `https://id.gs1.org/414/${MAKER_GLN}` },
    });
    // ilmd belongs to ADD events only (the schema refuses it elsewhere).
    expect(events.filter((event) => event.ilmd !== undefined)).toEqual([commission]);
  });

  it("packs and unpacks cases as AggregationEvents with an SSCC parent", () => {
    const [packed] = byStep("packing");
    const [unpacked] = byStep("unpacking");
    expect(packed).toMatchObject({
      type: "AggregationEvent",
      action: "ADD",
      parentID: `urn:epc:id:sscc:952012.1${CASE.slice(7, 17)}`,
      childEPCs: ["urn:epc:id:sgtin:952012.0345678.S1", "urn:epc:id:sgtin:952012.0345678.S2"],
    });
    // DELETE without children: every child leaves.
    expect(unpacked).toMatchObject({ type: "AggregationEvent", action: "DELETE" });
    expect(unpacked?.childEPCs).toBeUndefined();
  });

  it("ships and receives with OBSERVE, the case and loose packs, and both parties", () => {
    const [shipped] = byStep("shipping");
    expect(shipped).toMatchObject({
      action: "OBSERVE",
      disposition: "in_transit",
      epcList: [
        "urn:epc:id:sgtin:952012.0345678.S3",
        "urn:epc:id:sgtin:952012.0345678.S4",
        `urn:epc:id:sscc:952012.1${CASE.slice(7, 17)}`,
      ],
      sourceList: [
        { type: "owning_party", source: `https://id.gs1.org/414/${MAKER_GLN}` },
        { type: "possessing_party", source: `https://id.gs1.org/414/${MAKER_GLN}` },
      ],
      destinationList: [
        { type: "owning_party", destination: `urn:careledger:org:${ORG.wholesaler}` },
        { type: "possessing_party", destination: `urn:careledger:org:${ORG.wholesaler}` },
      ],
    });
    const received = byStep("receiving").map((event) => event.disposition);
    expect(received).toEqual(["in_progress", "in_progress", "returned"]);
    expect(byStep("receiving")[2]).toMatchObject({
      "careledger:returns": [
        {
          "careledger:gtin": "09520123456788",
          "careledger:serial": "S4",
          "careledger:verified": true,
        },
      ],
    });
  });

  it("dispenses with OBSERVE and destroys with DELETE", () => {
    expect(byStep("dispensing")[0]).toMatchObject({ action: "OBSERVE", disposition: "dispensed" });
    expect(byStep("destroying")[0]).toMatchObject({
      action: "DELETE",
      disposition: "destroyed",
      "careledger:decommissionReason": "destroyed",
    });
  });

  it("sets persistent dispositions for a recall (on the lot's LGTIN class) and a suspicion, and unsets on clearing", () => {
    const [suspect, recall] = byStep("holding");
    expect(suspect).toMatchObject({
      disposition: "non_sellable_other",
      persistentDisposition: { set: ["non_sellable_other"] },
      "careledger:suspectReason": "tampered",
    });
    expect(recall).toMatchObject({
      disposition: "recalled",
      persistentDisposition: { set: ["recalled"] },
      epcList: [],
      quantityList: [{ epcClass: "urn:epc:class:lgtin:952012.0345678.L%2F1" }],
      "careledger:recallReason": "quality",
      "careledger:recallClass": "II",
    });
    expect(byStep("inspecting")[0]).toMatchObject({
      disposition: "conformant",
      persistentDisposition: { unset: ["non_sellable_other"] },
    });
  });

  it("names keys outside every known company prefix by their Digital Links", () => {
    const strangers = epcNames([], { glnOf: () => undefined });
    expect(strangers.pack("09520123456788", "S/1")).toBe(
      "https://id.gs1.org/01/09520123456788/21/S%2F1",
    );
    expect(strangers.case(CASE)).toBe(`https://id.gs1.org/00/${CASE}`);
    expect(strangers.lot("09520123456788", "L1")).toBe(
      "https://id.gs1.org/01/09520123456788/10/L1",
    );
  });
});

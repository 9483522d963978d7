import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { gs1CheckDigit } from "./checkDigit.js";
import { CSET82 } from "./cset82.js";
import {
  lgtinUri,
  parseLgtinUri,
  parseSgtinUri,
  parseSsccUri,
  sgtinUri,
  ssccUri,
} from "./epcUri.js";
import { Gs1Error } from "./result.js";

describe("SGTIN EPC URI (NOTES 3.2)", () => {
  it("builds the NOTES 3.2 table's URIs", () => {
    expect(sgtinUri("80614141123458", "6789", 7)).toBe("urn:epc:id:sgtin:0614141.812345.6789");
    expect(sgtinUri("10614141073464", "2017", 7)).toBe("urn:epc:id:sgtin:0614141.107346.2017");
  });

  it("parses them back, the check digit recomputed", () => {
    expect(parseSgtinUri("urn:epc:id:sgtin:0614141.812345.6789")).toEqual({
      ok: true,
      value: { gtin: "80614141123458", serial: "6789", gcpLength: 7 },
    });
    expect(parseSgtinUri("urn:epc:id:sgtin:0614141.107346.2017")).toMatchObject({
      value: { gtin: "10614141073464", serial: "2017" },
    });
  });

  it("escapes the characters TDS requires escaped, and only those", () => {
    const escaped = sgtinUri("80614141123458", `a"%&/<>?b`, 7);
    expect(escaped).toBe("urn:epc:id:sgtin:0614141.812345.a%22%25%26%2F%3C%3E%3Fb");
    expect(parseSgtinUri(escaped)).toMatchObject({ value: { serial: `a"%&/<>?b` } });
    const bare = sgtinUri("80614141123458", "!'()*+,-.:;=_zZ9", 7);
    expect(bare).toBe("urn:epc:id:sgtin:0614141.812345.!'()*+,-.:;=_zZ9");
    expect(parseSgtinUri(bare)).toMatchObject({ value: { serial: "!'()*+,-.:;=_zZ9" } });
    expect(parseSgtinUri("urn:epc:id:sgtin:0614141.812345.a%2fb")).toMatchObject({
      value: { serial: "a/b" },
    });
  });

  it("refuses a bare character that needs escaping, an escape TDS does not use, a bad serial", () => {
    expect(parseSgtinUri("urn:epc:id:sgtin:0614141.812345.a/b")).toMatchObject({
      error: { code: "EPC_URI_MALFORMED" },
    });
    expect(parseSgtinUri("urn:epc:id:sgtin:0614141.812345.%41")).toMatchObject({
      error: { code: "EPC_URI_MALFORMED" },
    });
    expect(parseSgtinUri("urn:epc:id:sgtin:0614141.812345.%2")).toMatchObject({
      error: { code: "EPC_URI_MALFORMED" },
    });
    expect(parseSgtinUri(`urn:epc:id:sgtin:0614141.812345.${"1".repeat(21)}`)).toMatchObject({
      error: { code: "AI_VALUE_IS_TOO_LONG", ai: "21" },
    });
    expect(parseSgtinUri("urn:epc:id:sgtin:0614141.812345.a b")).toMatchObject({
      error: { code: "AI_LINTER_ERROR", linter: "INVALID_CSET82_CHARACTER" },
    });
  });

  it("refuses a wrong scheme, a prefix outside 6-12 digits, digits that are not 13", () => {
    for (const uri of [
      "urn:epc:id:sgtn:0614141.812345.6789",
      "urn:epc:id:sgtin:06141.81234567.6789",
      "urn:epc:id:sgtin:0614141.81234.6789",
      "urn:epc:id:sgtin:0614141.8123456.6789",
      "urn:epc:id:sgtin:0614141.812345",
      "urn:epc:id:sgtin:0614141.812345.",
      "urn:epc:id:sgtin:0614141.81234x.6789",
      `urn:epc:id:sgtin:0614141.812345.${"%22".repeat(40)}`,
    ]) {
      expect(parseSgtinUri(uri), uri).toMatchObject({ error: { code: "EPC_URI_MALFORMED" } });
    }
  });

  it("throws Gs1Error on an invalid GTIN or serial, RangeError on a GCP length or GTIN-13", () => {
    expect(() => sgtinUri("80614141123459", "1", 7)).toThrow(Gs1Error);
    expect(() => sgtinUri("80614141123458", "", 7)).toThrow(Gs1Error);
    expect(() => sgtinUri("80614141123458", "1", 5)).toThrow(RangeError);
    expect(() => sgtinUri("80614141123458", "1", 13)).toThrow(RangeError);
    expect(() => sgtinUri("9520123456788", "1", 7)).toThrow(RangeError);
  });

  it("property: build then parse gives back GTIN, serial and GCP length", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: 13, maxLength: 13 }),
        fc.string({ unit: fc.constantFrom(...CSET82), minLength: 1, maxLength: 20 }),
        fc.integer({ min: 6, max: 12 }),
        (data, serial, gcpLength) => {
          const gtin = data + gs1CheckDigit(data);
          const parsed = parseSgtinUri(sgtinUri(gtin, serial, gcpLength));
          expect(parsed).toEqual({ ok: true, value: { gtin, serial, gcpLength } });
        },
      ),
    );
  });
});

describe("LGTIN class URI (NOTES 4.3, lot.recall)", () => {
  it("builds and parses the class of a lot", () => {
    const uri = lgtinUri("80614141123458", "LOT/7", 7);
    expect(uri).toBe("urn:epc:class:lgtin:0614141.812345.LOT%2F7");
    expect(parseLgtinUri(uri)).toEqual({
      ok: true,
      value: { gtin: "80614141123458", lot: "LOT/7", gcpLength: 7 },
    });
    expect(parseLgtinUri("urn:epc:id:sgtin:0614141.812345.6789")).toMatchObject({
      error: { code: "EPC_URI_MALFORMED" },
    });
  });
});

describe("SSCC EPC URI", () => {
  it("moves the extension digit behind the company prefix and drops the check digit", () => {
    // SSCC 1 0614141 123456789 + check: extension 1, GCP 0614141, serial reference 123456789.
    const data = "10614141123456789";
    const sscc = data + gs1CheckDigit(data);
    expect(ssccUri(sscc, 7)).toBe("urn:epc:id:sscc:0614141.1123456789");
    expect(parseSsccUri("urn:epc:id:sscc:0614141.1123456789")).toEqual({
      ok: true,
      value: { sscc, gcpLength: 7 },
    });
  });

  it("round-trips the NOTES 3.1 SSCC at every GCP length", () => {
    for (let gcpLength = 6; gcpLength <= 12; gcpLength++) {
      expect(parseSsccUri(ssccUri("123456789012345675", gcpLength))).toEqual({
        ok: true,
        value: { sscc: "123456789012345675", gcpLength },
      });
    }
  });

  it("refuses a bad SSCC, a short URI, a wrong scheme", () => {
    expect(() => ssccUri("123456789012345670", 7)).toThrow(Gs1Error);
    expect(parseSsccUri("urn:epc:id:sscc:0614141.112345678")).toMatchObject({
      error: { code: "EPC_URI_MALFORMED" },
    });
    expect(parseSsccUri("urn:epc:id:sgtin:0614141.1123456789")).toMatchObject({
      error: { code: "EPC_URI_MALFORMED" },
    });
    expect(parseSsccUri("urn:epc:id:sscc:06141.112345678912")).toMatchObject({
      error: { code: "EPC_URI_MALFORMED" },
    });
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { gs1CheckDigit } from "./checkDigit.js";
import { CSET82 } from "./cset82.js";
import type { GtinLinkFields } from "./digitalLink.js";
import { formatDigitalLink } from "./formatDigitalLink.js";
import { formatYymmdd } from "./gs1Date.js";
import { parseDigitalLink } from "./parseDigitalLink.js";
import { Gs1Error } from "./result.js";

describe("formatDigitalLink", () => {
  it("writes the canonical form of NOTES 0.1: qualifiers in the path, expiry in the query", () => {
    expect(
      formatDigitalLink({ gtin: "09520123456788", lot: "ABC1", serial: "12345", expiry: "180426" }),
    ).toBe("https://id.gs1.org/01/09520123456788/10/ABC1/21/12345?17=180426");
    expect(formatDigitalLink({ gtin: "80614141123458", serial: "6789" })).toBe(
      "https://id.gs1.org/01/80614141123458/21/6789",
    );
    expect(formatDigitalLink({ gtin: "10614141073464", serial: "2017" })).toBe(
      "https://id.gs1.org/01/10614141073464/21/2017",
    );
  });

  it("puts the CPV first, escapes path values, adds the link type last", () => {
    expect(
      formatDigitalLink(
        { gtin: "09520123456788", cpv: "2A", lot: "A/B+C", linkType: "gs1:verificationService" },
        "https://vrs.example.com/",
      ),
    ).toBe(
      "https://vrs.example.com/01/09520123456788/22/2A/10/A%2FB%2BC?linkType=gs1%3AverificationService",
    );
  });

  it("keeps a path stem", () => {
    expect(formatDigitalLink({ gtin: "09520123456788" }, "https://brand.example/some/stem")).toBe(
      "https://brand.example/some/stem/01/09520123456788",
    );
  });

  it("throws on fields that do not validate and on a bad stem", () => {
    expect(() => formatDigitalLink({ gtin: "9520123456788" })).toThrow(Gs1Error);
    expect(() => formatDigitalLink({ gtin: "09520123456789" })).toThrow(Gs1Error);
    expect(() => formatDigitalLink({ gtin: "09520123456788", serial: "" })).toThrow(Gs1Error);
    expect(() => formatDigitalLink({ gtin: "09520123456788", lot: "a b" })).toThrow(Gs1Error);
    expect(() => formatDigitalLink({ gtin: "09520123456788", cpv: "x".repeat(21) })).toThrow(
      Gs1Error,
    );
    expect(() => formatDigitalLink({ gtin: "09520123456788", expiry: "261301" })).toThrow(Gs1Error);
    expect(() => formatDigitalLink({ gtin: "09520123456788", linkType: "" })).toThrow(RangeError);
    expect(() => formatDigitalLink({ gtin: "09520123456788" }, "ftp://a")).toThrow(RangeError);
    expect(() => formatDigitalLink({ gtin: "09520123456788" }, "https://a/?x=1")).toThrow(
      RangeError,
    );
  });
});

const digits = (length: number) =>
  fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: length, maxLength: length });
const cset82 = fc.string({ unit: fc.constantFrom(...CSET82), minLength: 1, maxLength: 20 });
const expiry = fc
  .date({ min: new Date("2000-01-01"), max: new Date("2049-12-31"), noInvalidDate: true })
  .chain((d) =>
    fc.boolean().map((monthOnly) =>
      formatYymmdd({
        year: d.getUTCFullYear(),
        month: d.getUTCMonth() + 1,
        day: monthOnly ? 0 : d.getUTCDate(),
      }),
    ),
  );
const fields: fc.Arbitrary<GtinLinkFields> = fc.record(
  {
    gtin: digits(13).map((data) => data + gs1CheckDigit(data)),
    cpv: cset82,
    lot: cset82,
    serial: cset82,
    expiry,
    linkType: fc.constantFrom("gs1:verificationService", "verificationService", "gs1:pip"),
  },
  { requiredKeys: ["gtin"] },
);
const stem = fc.constantFrom(
  "https://id.gs1.org",
  "https://vrs.example.com/verify",
  "http://[::1]:8080",
);

describe("formatDigitalLink then parseDigitalLink", () => {
  it("property: the fields come back unchanged, on any stem, in either parsing mode", () => {
    fc.assert(
      fc.property(fields, stem, fc.boolean(), (value, base, convenienceForms) => {
        const result = parseDigitalLink(formatDigitalLink(value, base), { convenienceForms });
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        const {
          gtin,
          cpv,
          lot,
          serial,
          expiry: exp,
          linkType,
          stem: parsedStem,
          form,
        } = result.value;
        const back = Object.fromEntries(
          Object.entries({ gtin, cpv, lot, serial, expiry: exp, linkType }).filter(
            ([, v]) => v !== undefined,
          ),
        );
        expect(back).toEqual(value);
        expect(parsedStem).toBe(base);
        expect(form).toBe("gs1");
      }),
      { numRuns: 500 },
    );
  });
});

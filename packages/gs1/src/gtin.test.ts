import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { gs1CheckDigit } from "./checkDigit.js";
import { gtin14, gtinWithinPrefixes, indicatorDigit, isGtin14 } from "./gtin.js";

// NOTES 3.1: the vectors of GTIN length (the 18-digit ones are SSCCs, tested below).
const VALID_GTINS = [
  "02345673",
  "416000336108",
  "1234567890128",
  "12345678901231",
  "09520123456788",
  "9520123456788",
  "09521234543213",
  "80614141123458",
  "012345678905",
  "01234565",
  "12341238",
  "012000007897",
  "1234123412344",
  "12341234123413",
];
const INVALID_GTINS = [
  "12345673",
  "416000336109",
  "1234567890129",
  "12345678901232",
  "01234567",
  "012345678906",
];

describe("gtin14", () => {
  it.each(VALID_GTINS)("accepts %s and pads it to 14 digits", (input) => {
    const result = gtin14(input);
    expect(result).toEqual({ ok: true, value: input.padStart(14, "0") });
  });

  it.each(INVALID_GTINS)("rejects %s: INCORRECT_CHECK_DIGIT", (input) => {
    const result = gtin14(input);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toMatchObject({
        code: "AI_LINTER_ERROR",
        linter: "INCORRECT_CHECK_DIGIT",
      });
    }
  });

  it("normalises the NOTES 3.1 examples", () => {
    expect(gtin14("02345673")).toEqual({ ok: true, value: "00000002345673" });
    expect(gtin14("416000336108")).toEqual({ ok: true, value: "00416000336108" });
    expect(gtin14("2112345678900")).toEqual({ ok: true, value: "02112345678900" });
  });

  it("names the failure: wrong length, too long, not digits", () => {
    expect(gtin14("123456789")).toMatchObject({ error: { code: "AI_DATA_HAS_INCORRECT_LENGTH" } });
    expect(gtin14("")).toMatchObject({ error: { code: "AI_DATA_HAS_INCORRECT_LENGTH" } });
    expect(gtin14("123456789012345")).toMatchObject({ error: { code: "AI_VALUE_IS_TOO_LONG" } });
    expect(gtin14("0952012345678X")).toMatchObject({
      error: { code: "AI_LINTER_ERROR", linter: "NON_DIGIT_CHARACTER" },
    });
    expect(gtin14(" 9520123456788")).toMatchObject({ error: { linter: "NON_DIGIT_CHARACTER" } });
  });

  it("property: normalisation keeps the check digit and the result is a GTIN-14", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(8, 12, 13, 14),
        fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: 13, maxLength: 13 }),
        (length, pool) => {
          const data = pool.slice(0, length - 1);
          const input = data + gs1CheckDigit(data);
          const result = gtin14(input);
          return result.ok && result.value.endsWith(input) && isGtin14(result.value);
        },
      ),
    );
  });
});

describe("indicator digit and company prefix", () => {
  it("reads the indicator digit", () => {
    expect(indicatorDigit("80614141123458")).toBe(8);
    expect(indicatorDigit("09520123456788")).toBe(0);
    expect(() => indicatorDigit("9520123456788")).toThrow(RangeError);
  });

  it("matches a company prefix from position 2, its length being the GCP length", () => {
    expect(gtinWithinPrefixes("80614141123458", ["0614141"])).toBe(true);
    expect(gtinWithinPrefixes("10614141073464", ["999999", "0614141"])).toBe(true);
    expect(gtinWithinPrefixes("80614141123458", ["0614142"])).toBe(false);
    // The prefix is not matched from the first digit (the indicator).
    expect(gtinWithinPrefixes("80614141123458", ["806141"])).toBe(false);
    expect(gtinWithinPrefixes("80614141123458", [])).toBe(false);
  });

  it("a DSCSA GTIN carries the labeler's NDC prefix after indicator and 03", () => {
    expect(gtinWithinPrefixes("00363391180998", ["0363391"])).toBe(true);
    expect(gtinWithinPrefixes("00338300905276", ["03383009"])).toBe(true);
  });

  it("a GTIN-8 has no company prefix, whatever the indicator", () => {
    expect(gtinWithinPrefixes("00000002345673", ["000000"])).toBe(false);
    expect(gtinWithinPrefixes("00000002345673", ["000000023456"])).toBe(false);
  });

  it("throws on a prefix that is not 6-12 digits, or a GTIN that is not a GTIN-14", () => {
    expect(() => gtinWithinPrefixes("80614141123458", ["06141"])).toThrow(RangeError);
    expect(() => gtinWithinPrefixes("80614141123458", ["0614141234567"])).toThrow(RangeError);
    expect(() => gtinWithinPrefixes("80614141123458", ["06141x1"])).toThrow(RangeError);
    expect(() => gtinWithinPrefixes("80614141123459", ["0614141"])).toThrow(RangeError);
  });
});

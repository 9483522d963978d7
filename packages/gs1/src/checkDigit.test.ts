import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { gs1CheckDigit, hasValidCheckDigit } from "./checkDigit.js";

// NOTES 3.1, checked there against the General Specifications' algorithm.
const VALID = [
  "02345673",
  "416000336108",
  "1234567890128",
  "12345678901231",
  "123456789012345675",
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
const INVALID = [
  "12345673",
  "416000336109",
  "1234567890129",
  "12345678901232",
  "123456789012345670",
  "01234567",
  "012345678906",
];

const digits = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: min, maxLength: max });

describe("GS1 check digit", () => {
  it.each(VALID)("accepts NOTES 3.1 valid vector %s", (code) => {
    expect(hasValidCheckDigit(code)).toBe(true);
  });

  it.each(INVALID)("rejects NOTES 3.1 invalid vector %s", (code) => {
    expect(hasValidCheckDigit(code)).toBe(false);
  });

  it("computes the DSCSA NDC example: NDC 1234567890 in GTIN-14 ends in 6", () => {
    expect(gs1CheckDigit("0031234567890")).toBe(6);
  });

  it("rejects what is not digits, and a lone check digit", () => {
    expect(hasValidCheckDigit("0952012345678A")).toBe(false);
    expect(hasValidCheckDigit("0")).toBe(false);
    expect(hasValidCheckDigit("")).toBe(false);
    expect(() => gs1CheckDigit("12a")).toThrow(RangeError);
  });

  it("property: data followed by its computed check digit always verifies", () => {
    fc.assert(fc.property(digits(1, 30), (data) => hasValidCheckDigit(data + gs1CheckDigit(data))));
  });

  it("property: changing any single digit is always detected", () => {
    fc.assert(
      fc.property(digits(7, 17), fc.nat(), fc.integer({ min: 1, max: 9 }), (data, at, delta) => {
        const code = data + gs1CheckDigit(data);
        const position = at % code.length;
        const changed = (code.charCodeAt(position) - 48 + delta) % 10;
        const mutated = code.slice(0, position) + changed + code.slice(position + 1);
        return !hasValidCheckDigit(mutated);
      }),
    );
  });

  it("property: leading zeros do not change the check digit", () => {
    fc.assert(
      fc.property(digits(1, 13), fc.integer({ min: 0, max: 5 }), (data, zeros) => {
        return gs1CheckDigit("0".repeat(zeros) + data) === gs1CheckDigit(data);
      }),
    );
  });
});

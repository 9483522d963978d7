import { AMOUNT_MAX, CURRENCY_EXPONENTS } from "@careledger/protocol";
import { describe, expect, it } from "vitest";
import { decimalText, money } from "./money.js";

describe("money", () => {
  it.each([
    [116_000, "USD", "1160.00", 1160],
    [5, "USD", "0.05", 0.05],
    [0, "EUR", "0.00", 0],
    [1_234, "JPY", "1234", 1234],
    [1_234, "BHD", "1.234", 1.234],
    [7, "KWD", "0.007", 0.007],
    [-64_000, "USD", "-640.00", -640],
  ] as const)("%d minor units of %s are %s", (minor, currency, text, value) => {
    expect(decimalText(minor, CURRENCY_EXPONENTS[currency])).toBe(text);
    expect(money(minor, currency)).toEqual({ value, currency });
  });

  it("writes the largest amount exactly in every exponent", () => {
    expect(JSON.stringify(money(AMOUNT_MAX, "USD"))).toBe('{"value":10000000000,"currency":"USD"}');
    expect(JSON.stringify(money(AMOUNT_MAX - 1, "BHD"))).toBe(
      '{"value":999999999.999,"currency":"BHD"}',
    );
    expect(JSON.stringify(money(AMOUNT_MAX - 1, "USD"))).toBe(
      '{"value":9999999999.99,"currency":"USD"}',
    );
  });

  it("refuses a value a JSON number cannot carry exactly", () => {
    expect(() => money(Number.MAX_SAFE_INTEGER, "USD")).toThrow(/does not survive/);
    expect(() => money(0.5, "USD")).toThrow(/safe integer/);
  });
});

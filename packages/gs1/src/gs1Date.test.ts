import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  expiredFromMs,
  expiresBefore,
  formatYymmdd,
  type Gs1Date,
  isExpired,
  isoDateOf,
  lintYymmdd,
  parseGs1Date,
  resolveCentury,
  sameExpiry,
} from "./gs1Date.js";

const IN_2026 = Date.UTC(2026, 11, 2);

function date(value: string, referenceMs = IN_2026): Gs1Date {
  const result = parseGs1Date(value, "17", referenceMs);
  if (!result.ok) throw new Error(`${value}: ${result.error.message}`);
  return result.value;
}

describe("the century rule (NOTES 3.4, lint_yymmd0.c)", () => {
  it("reads YY against the reference year", () => {
    // 2026: c = 26. 77 - 26 = 51 -> 1977; 76 - 26 = 50 -> 2076; 00 - 26 = -26 -> 2000.
    expect(resolveCentury(77, 2026)).toBe(1977);
    expect(resolveCentury(76, 2026)).toBe(2076);
    expect(resolveCentury(0, 2026)).toBe(2000);
    expect(resolveCentury(26, 2026)).toBe(2026);
    // 2080: c = 80. 30 - 80 = -50 is not > -50 -> next century; 31 -> -49 -> this one.
    expect(resolveCentury(30, 2080)).toBe(2130);
    expect(resolveCentury(31, 2080)).toBe(2031);
    expect(resolveCentury(99, 2000)).toBe(1999);
  });

  it("a date's year follows the reference time, not a clock", () => {
    expect(date("991231").year).toBe(1999);
    expect(date("991231", Date.UTC(2060, 0, 1)).year).toBe(2099);
    expect(date("000228", Date.UTC(2060, 0, 1)).year).toBe(2100);
  });
});

describe("YYMMDD validity", () => {
  it("accepts the NOTES 3.4 vectors: day 00 and 29 February 2020", () => {
    expect(date("200600")).toEqual({ year: 2020, month: 6, day: 0 });
    expect(date("200229")).toEqual({ year: 2020, month: 2, day: 29 });
  });

  it("refuses 29 February 2021 (NOTES 3.4) and in 2100, a century that is not a leap year", () => {
    expect(parseGs1Date("210229", "17", IN_2026)).toMatchObject({
      error: { code: "AI_LINTER_ERROR", linter: "ILLEGAL_DAY", ai: "17" },
    });
    expect(parseGs1Date("000229", "17", IN_2026).ok).toBe(true);
    expect(parseGs1Date("000229", "17", Date.UTC(2060, 0, 1))).toMatchObject({
      error: { linter: "ILLEGAL_DAY" },
    });
  });

  it("refuses months 00 and 13 and days past the month's end", () => {
    expect(parseGs1Date("260015", "11", IN_2026)).toMatchObject({
      error: { linter: "ILLEGAL_MONTH", ai: "11" },
    });
    expect(parseGs1Date("261315", "17", IN_2026)).toMatchObject({
      error: { linter: "ILLEGAL_MONTH" },
    });
    expect(parseGs1Date("260431", "17", IN_2026)).toMatchObject({
      error: { linter: "ILLEGAL_DAY" },
    });
    expect(parseGs1Date("260132", "17", IN_2026)).toMatchObject({
      error: { linter: "ILLEGAL_DAY" },
    });
    expect(parseGs1Date("260430", "17", IN_2026).ok).toBe(true);
    expect(parseGs1Date("260131", "17", IN_2026).ok).toBe(true);
  });

  it("refuses what is not six digits", () => {
    expect(parseGs1Date("26011", "17", IN_2026)).toMatchObject({
      error: { linter: "DATE_TOO_SHORT" },
    });
    expect(parseGs1Date("2601011", "17", IN_2026)).toMatchObject({
      error: { linter: "DATE_TOO_LONG" },
    });
    expect(parseGs1Date("26O101", "17", IN_2026)).toMatchObject({
      error: { linter: "NON_DIGIT_CHARACTER" },
    });
  });

  it("day 00 is refused where the format is yymmdd (AI 7003)", () => {
    expect(lintYymmdd("260100", false, 2026)).toEqual({ linter: "ILLEGAL_DAY" });
    expect(lintYymmdd("260100", true, 2026)).toEqual({ date: { year: 2026, month: 1, day: 0 } });
  });

  it("property: every valid date formats back to its YYMMDD", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date("1977-01-01"), max: new Date("2076-12-31"), noInvalidDate: true }),
        (d) => {
          const value = formatYymmdd({
            year: d.getUTCFullYear(),
            month: d.getUTCMonth() + 1,
            day: d.getUTCDate(),
          });
          const parsed = parseGs1Date(value, "17", IN_2026);
          return (
            parsed.ok &&
            parsed.value.year === d.getUTCFullYear() &&
            formatYymmdd(parsed.value) === value
          );
        },
      ),
    );
  });
});

describe("expiry", () => {
  it("day 00 means the last day of the month, leap years included", () => {
    expect(isoDateOf(date("240200"))).toBe("2024-02-29");
    expect(isoDateOf(date("250200"))).toBe("2025-02-28");
    expect(isoDateOf(date("261100"))).toBe("2026-11-30");
    expect(isoDateOf(date("261200"))).toBe("2026-12-31");
    expect(isoDateOf(date("230715"))).toBe("2023-07-15");
  });

  it("a pack is usable through its expiry day (UTC) and expired from the next midnight", () => {
    const expiry = date("260715");
    expect(expiredFromMs(expiry)).toBe(Date.UTC(2026, 6, 16));
    expect(isExpired(expiry, Date.UTC(2026, 6, 15, 23, 59, 59, 999))).toBe(false);
    expect(isExpired(expiry, Date.UTC(2026, 6, 16))).toBe(true);
    expect(isExpired(expiry, Date.UTC(2026, 6, 1))).toBe(false);
  });

  it("a month-only expiry runs to the month's end, across the year end too", () => {
    expect(isExpired(date("241200"), Date.UTC(2024, 11, 31, 23, 59))).toBe(false);
    expect(isExpired(date("241200"), Date.UTC(2025, 0, 1))).toBe(true);
    expect(isExpired(date("240200"), Date.UTC(2024, 1, 29, 12))).toBe(false);
    expect(isExpired(date("240200"), Date.UTC(2024, 2, 1))).toBe(true);
  });

  it("compares expiries with DD = 00 read as the last day on both sides", () => {
    expect(sameExpiry(date("240200"), date("240229"))).toBe(true);
    expect(sameExpiry(date("240200"), date("240228"))).toBe(false);
    expect(expiresBefore(date("240228"), date("240200"))).toBe(true);
    expect(expiresBefore(date("240200"), date("240229"))).toBe(false);
    expect(expiresBefore(date("991231"), date("000101"))).toBe(true);
  });
});

import type { Gs1LinterError, Gs1Result } from "./result.js";
import { lintFail, ok } from "./result.js";

/**
 * A GS1 YYMMDD date (AI 11 production, 17 expiry, 13, 15, 16), its century resolved. `day` is
 * 1-31, or 0 when the value gave only the month (DD = `00`, legal in these AIs, NOTES 3.4).
 */
export interface Gs1Date {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

const DAY_MS = 86_400_000;

/**
 * The century rule of the reference linter (`lint_yymmd0.c`, NOTES 3.4): with c the reference
 * year mod 100, YY - c >= 51 is the previous century, YY - c > -50 this one, else the next.
 * On the chain the reference is the block's time, never a wall clock.
 */
export function resolveCentury(yy: number, referenceYear: number): number {
  if (!Number.isInteger(yy) || yy < 0 || yy > 99) throw new RangeError(`YY ${yy} is not 00-99`);
  if (!Number.isInteger(referenceYear)) throw new RangeError("the reference year is an integer");
  const current = ((referenceYear % 100) + 100) % 100;
  const century = referenceYear - current;
  const difference = yy - current;
  if (difference >= 51) return century - 100 + yy;
  if (difference > -50) return century + yy;
  return century + 100 + yy;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/**
 * Lints a six-digit date as the reference does (`yymmd0` when `dayZero`, else `yymmdd`) and
 * resolves it. Without a reference year the century is unknown, and only YY = 00 depends on it
 * (1900 and 2100 are not leap years, 2000 is): such a date is read in 2000, which is the rule's
 * answer for reference years 1951 to 2049.
 */
export function lintYymmdd(
  value: string,
  dayZero: boolean,
  referenceYear: number | undefined,
): { readonly date: Gs1Date } | { readonly linter: Gs1LinterError } {
  if (value.length < 6) return { linter: "DATE_TOO_SHORT" };
  if (value.length > 6) return { linter: "DATE_TOO_LONG" };
  if (!/^[0-9]{6}$/.test(value)) return { linter: "NON_DIGIT_CHARACTER" };
  const yy = Number(value.slice(0, 2));
  const month = Number(value.slice(2, 4));
  const day = Number(value.slice(4, 6));
  const year = referenceYear === undefined ? 2000 + yy : resolveCentury(yy, referenceYear);
  if (month < 1 || month > 12) return { linter: "ILLEGAL_MONTH" };
  if ((day === 0 && !dayZero) || day > daysInMonth(year, month)) return { linter: "ILLEGAL_DAY" };
  return { date: { year, month, day } };
}

/**
 * Parses the YYMMDD value of a date AI (`ai` names it in errors: "17", "11", ...), the century
 * taken from the year of `referenceMs` (UTC).
 */
export function parseGs1Date(value: string, ai: string, referenceMs: number): Gs1Result<Gs1Date> {
  if (!Number.isFinite(referenceMs)) throw new RangeError("the reference time is a finite number");
  const linted = lintYymmdd(value, true, new Date(referenceMs).getUTCFullYear());
  if ("linter" in linted)
    return lintFail(ai, linted.linter, `not a valid YYMMDD date: ${linted.linter}`);
  return ok(linted.date);
}

/** The last day the date stands for: its day, or the last day of its month for DD = 00. */
export function lastDayOf(date: Gs1Date): number {
  return date.day === 0 ? daysInMonth(date.year, date.month) : date.day;
}

/**
 * The first instant at which a pack with this expiry counts as expired. NOTES 3.4 says which
 * day DD = 00 means (the month's last) but not at which instant of it: the expiry day is usable
 * to its end (GS1 names AI 17 "use by"), so a pack expires at 00:00:00.000 UTC of the next day.
 * UTC because block time is UTC and every validator must agree; no local time zone is used.
 */
export function expiredFromMs(expiry: Gs1Date): number {
  return Date.UTC(expiry.year, expiry.month - 1, lastDayOf(expiry)) + DAY_MS;
}

export function isExpired(expiry: Gs1Date, atMs: number): boolean {
  return atMs >= expiredFromMs(expiry);
}

/** Whether expiry `a` falls on an earlier day than expiry `b`, DD = 00 read as the last day. */
export function expiresBefore(a: Gs1Date, b: Gs1Date): boolean {
  return expiredFromMs(a) < expiredFromMs(b);
}

/**
 * Whether two expiries stand for the same day, DD = 00 read the same way on both sides (NOTES
 * 3.4: a verification responder compares the request's expiry with the commissioned one).
 */
export function sameExpiry(a: Gs1Date, b: Gs1Date): boolean {
  return expiredFromMs(a) === expiredFromMs(b);
}

/** `YYYY-MM-DD` of the last day, as EPCIS ILMD `cbvmda:itemExpirationDate` writes it (NOTES 4.3). */
export function isoDateOf(date: Gs1Date): string {
  const month = String(date.month).padStart(2, "0");
  const day = String(lastDayOf(date)).padStart(2, "0");
  return `${String(date.year).padStart(4, "0")}-${month}-${day}`;
}

/** The YYMMDD form of a date, DD = 00 kept as given. */
export function formatYymmdd(date: Gs1Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(date.year % 100)}${two(date.month)}${two(date.day)}`;
}

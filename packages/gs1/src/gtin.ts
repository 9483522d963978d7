import { hasValidCheckDigit } from "./checkDigit.js";
import { fail, type Gs1Result, lintFail, ok } from "./result.js";

/** The lengths a GTIN comes in: GTIN-8, GTIN-12 (UPC-A), GTIN-13, GTIN-14. */
export const GTIN_LENGTHS = [8, 12, 13, 14] as const;

/** A GS1 Company Prefix is 6 to 12 digits long (NOTES 3.1). */
export const GCP_LENGTH_MIN = 6;
export const GCP_LENGTH_MAX = 12;

/**
 * Validates a GTIN of any length (digits, one of the four lengths, check digit) and normalises
 * it to GTIN-14 by left-padding with zeros, which keeps the check digit (leading zeros add 0 to
 * the weighted sum). Errors name AI (01), the AI a GTIN travels under.
 */
export function gtin14(input: string): Gs1Result<string> {
  if (input.length > 14) return fail("AI_VALUE_IS_TOO_LONG", "a GTIN has at most 14 digits", "01");
  if (!/^[0-9]*$/.test(input)) {
    return lintFail("01", "NON_DIGIT_CHARACTER", "a GTIN has digits only");
  }
  if (!(GTIN_LENGTHS as readonly number[]).includes(input.length)) {
    return fail("AI_DATA_HAS_INCORRECT_LENGTH", "a GTIN has 8, 12, 13 or 14 digits", "01");
  }
  if (!hasValidCheckDigit(input)) {
    return lintFail("01", "INCORRECT_CHECK_DIGIT", "the GTIN's check digit is incorrect");
  }
  return ok(input.padStart(14, "0"));
}

/** Whether `input` is a valid GTIN-14 as it stands (no padding): what AI (01) carries. */
export function isGtin14(input: string): boolean {
  return input.length === 14 && gtin14(input).ok;
}

/**
 * The indicator digit of a GTIN-14: 0 for a base unit, 1-8 for packaging levels, 9 for a
 * variable-measure item.
 */
export function indicatorDigit(gtin: string): number {
  assertGtin14(gtin);
  return gtin.charCodeAt(0) - 48;
}

/**
 * Whether a GTIN-14 belongs to one of the company prefixes (each prefix's length is its GCP
 * length, 6-12 digits; in GTIN-14 the prefix starts after the indicator digit). A GTIN-8 padded
 * to GTIN-13 ("00000" then the GTIN-8, after the indicator) has no company prefix: GTIN-8s are
 * allocated one by one from GS1-8 prefixes, so it is within none, whatever its indicator. A UPC GTIN-12 carries its U.P.C. prefix after "00", so
 * a 12-digit U.P.C. prefix is written with its leading 0 ("0" + the U.P.C. company prefix).
 */
export function gtinWithinPrefixes(gtin: string, prefixes: readonly string[]): boolean {
  assertGtin14(gtin);
  if (gtin.startsWith("00000", 1)) return false;
  return prefixes.some((prefix) => {
    if (!isCompanyPrefix(prefix)) {
      throw new RangeError(`gtinWithinPrefixes: "${prefix}" is not a 6-12 digit company prefix`);
    }
    return gtin.startsWith(prefix, 1);
  });
}

export function isCompanyPrefix(prefix: string): boolean {
  return (
    /^[0-9]+$/.test(prefix) && prefix.length >= GCP_LENGTH_MIN && prefix.length <= GCP_LENGTH_MAX
  );
}

function assertGtin14(gtin: string): void {
  if (!isGtin14(gtin)) throw new RangeError(`"${gtin}" is not a valid GTIN-14`);
}

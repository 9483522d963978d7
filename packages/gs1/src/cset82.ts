import { fail, type Gs1Result, lintFail, ok } from "./result.js";

/**
 * GS1 AI encodable character set 82 (General Specifications, figure 7.11-1): what AI (21)
 * serials and AI (10) lots may hold. No space, and none of `# $ @ [ \ ] ^ \` { | } ~`.
 */
export const CSET82 =
  "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

const CSET82_PATTERN = /^[!"%-?A-Z_a-z]*$/;

/** Whether every character of `text` is in CSET 82 (the empty string is). */
export function isCset82(text: string): boolean {
  // The range %-? in the pattern is 0x25-0x3F, which is CSET 82's "%" to "?" with "#$" outside it.
  return CSET82_PATTERN.test(text);
}

/** AI (21) serial and AI (10) batch/lot: 1 to 20 characters of CSET 82 (NOTES 3.2). */
export const SERIAL_LENGTH_MAX = 20;
export const LOT_LENGTH_MAX = 20;

export function validateSerial(serial: string): Gs1Result<string> {
  return cset82Value(serial, "21", SERIAL_LENGTH_MAX);
}

export function validateLot(lot: string): Gs1Result<string> {
  return cset82Value(lot, "10", LOT_LENGTH_MAX);
}

/** An AI value that is 1 to `lengthMax` characters of CSET 82. */
export function cset82Value(value: string, ai: string, lengthMax: number): Gs1Result<string> {
  if (value.length === 0) return fail("AI_VALUE_IS_TOO_SHORT", `AI (${ai}) value is empty`, ai);
  if (value.length > lengthMax) {
    return fail("AI_VALUE_IS_TOO_LONG", `AI (${ai}) has at most ${lengthMax} characters`, ai);
  }
  if (!isCset82(value)) {
    return lintFail(ai, "INVALID_CSET82_CHARACTER", "a character is not in CSET 82");
  }
  return ok(value);
}

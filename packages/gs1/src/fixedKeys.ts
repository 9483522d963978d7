import { hasValidCheckDigit } from "./checkDigit.js";
import { fail, type Gs1Result, lintFail, ok } from "./result.js";

/** Validates an SSCC (AI 00): 18 digits, extension digit first, check digit last. */
export function validateSscc(input: string): Gs1Result<string> {
  return fixedLengthKey(input, "00", 18, "an SSCC");
}

/** Validates a GLN (AI 414 and the other location AIs): 13 digits, check digit last. */
export function validateGln(input: string): Gs1Result<string> {
  return fixedLengthKey(input, "414", 13, "a GLN");
}

function fixedLengthKey(
  input: string,
  ai: string,
  length: number,
  what: string,
): Gs1Result<string> {
  if (input.length < length)
    return fail("AI_VALUE_IS_TOO_SHORT", `${what} has ${length} digits`, ai);
  if (input.length > length)
    return fail("AI_VALUE_IS_TOO_LONG", `${what} has ${length} digits`, ai);
  if (!/^[0-9]+$/.test(input))
    return lintFail(ai, "NON_DIGIT_CHARACTER", `${what} has digits only`);
  if (!hasValidCheckDigit(input)) {
    return lintFail(ai, "INCORRECT_CHECK_DIGIT", `the check digit of ${what} is incorrect`);
  }
  return ok(input);
}

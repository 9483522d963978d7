/**
 * Every way an input can fail here, named as GS1's reference parser (gs1/gs1-syntax-engine,
 * `tr_EN.h`) names it, so a failure can be looked up against the reference. Const arrays, so a
 * caller can put them in a schema (an API's error enum, a receipt's detail).
 *
 * `AI_VALUE_QUERY_ELEMENT_IN_EMPTY` keeps the reference's spelling ("IN" for "IS").
 * Two are ours, where the reference has nothing to say: `VRS_PARAMETER_INVALID` (it knows no
 * DSCSA request parameters, NOTES 4.1) and `EPC_URI_MALFORMED` (it parses no EPC URIs, NOTES 3.2).
 */
export const GS1_ERROR_CODES = [
  "DATA_TOO_LONG",
  "URI_CONTAINS_ILLEGAL_CHARACTERS",
  "URI_CONTAINS_ILLEGAL_SCHEME",
  "URI_MISSING_DOMAIN_AND_PATH_INFO",
  "DOMAIN_CONTAINS_ILLEGAL_CHARACTERS",
  "NO_GS1_DL_KEYS_FOUND_IN_PATH_INFO",
  "AI_VALUE_PATH_ELEMENT_IS_EMPTY",
  "DECODED_AI_FROM_DL_PATH_INFO_CONTAINS_ILLEGAL_NULL",
  "UNKNOWN_AI_IN_QUERY_PARAMS",
  "AI_VALUE_QUERY_ELEMENT_IN_EMPTY",
  "DECODED_AI_VALUE_FROM_QUERY_PARAMS_CONTAINS_ILLEGAL_NULL",
  "INVALID_KEY_QUALIFIER_SEQUENCE",
  "DUPLICATE_AI",
  "AI_IS_NOT_VALID_DATA_ATTRIBUTE",
  "AI_SHOULD_BE_IN_PATH_INFO",
  "TOO_MANY_AIS",
  "AI_DATA_HAS_INCORRECT_LENGTH",
  "AI_VALUE_IS_TOO_SHORT",
  "AI_VALUE_IS_TOO_LONG",
  "AI_CONTAINS_ILLEGAL_CARAT_CHARACTER",
  "AI_LINTER_ERROR",
  "REQUIRED_AIS_NOT_SATISFIED",
  "INVALID_AI_PAIRS",
  "VRS_PARAMETER_INVALID",
  "EPC_URI_MALFORMED",
] as const;

export type Gs1ErrorCode = (typeof GS1_ERROR_CODES)[number];

/**
 * The reference's linter results (`gs1syntaxdictionary.h`, `GS1_LINTER_*` without the prefix)
 * for the checks this package runs. With `AI_LINTER_ERROR` the `linter` field says which.
 */
export const GS1_LINTER_ERRORS = [
  "NON_DIGIT_CHARACTER",
  "INVALID_CSET82_CHARACTER",
  "INCORRECT_CHECK_DIGIT",
  "DATE_TOO_SHORT",
  "DATE_TOO_LONG",
  "ILLEGAL_MONTH",
  "ILLEGAL_DAY",
  "HOUR_WITH_MINUTE_TOO_SHORT",
  "HOUR_WITH_MINUTE_TOO_LONG",
  "ILLEGAL_HOUR",
  "ILLEGAL_MINUTE",
] as const;

export type Gs1LinterError = (typeof GS1_LINTER_ERRORS)[number];

export interface Gs1Problem {
  readonly code: Gs1ErrorCode;
  readonly message: string;
  /** The AI the problem is about, where there is one. */
  readonly ai?: string;
  /** Set exactly when `code` is `AI_LINTER_ERROR`. */
  readonly linter?: Gs1LinterError;
}

export type Gs1Result<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: Gs1Problem };

export function ok<T>(value: T): Gs1Result<T> {
  return { ok: true, value };
}

export function fail<T>(code: Gs1ErrorCode, message: string, ai?: string): Gs1Result<T> {
  return { ok: false, error: ai === undefined ? { code, message } : { code, message, ai } };
}

export function lintFail<T>(ai: string, linter: Gs1LinterError, message: string): Gs1Result<T> {
  return {
    ok: false,
    error: { code: "AI_LINTER_ERROR", message: `AI (${ai}): ${message}`, ai, linter },
  };
}

/**
 * Thrown only by the builders (`sgtinUri`, `formatDigitalLink`, ...) when handed an identifier
 * that does not validate: validating is the caller's step, so this is the caller's bug, and a
 * builder never emits an identifier that would not parse back.
 */
export class Gs1Error extends Error {
  readonly problem: Gs1Problem;

  constructor(problem: Gs1Problem) {
    super(problem.message);
    this.name = "Gs1Error";
    this.problem = problem;
  }

  get code(): Gs1ErrorCode {
    return this.problem.code;
  }
}

/** The value of a result a builder's caller was obliged to have validated. */
export function unwrap<T>(result: Gs1Result<T>): T {
  if (!result.ok) throw new Gs1Error(result.error);
  return result.value;
}

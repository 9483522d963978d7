import { type AiDefinition, aiMatches, lengthMax, lengthMin } from "./aiTable.js";
import { hasValidCheckDigit } from "./checkDigit.js";
import { isCset82 } from "./cset82.js";
import { lintYymmdd } from "./gs1Date.js";
import type { Gs1LinterError, Gs1Problem } from "./result.js";

export interface AiElement {
  readonly ai: string;
  readonly value: string;
}

/**
 * The length and content check the reference makes as it reads each value, before any
 * component is linted (a check-digit complaint about a value of the wrong length helps no one).
 */
export function lengthProblem(definition: AiDefinition, value: string): Gs1Problem | undefined {
  const { ai } = definition;
  if (value.length < lengthMin(definition)) {
    return { code: "AI_VALUE_IS_TOO_SHORT", message: `AI (${ai}) value is too short`, ai };
  }
  if (value.length > lengthMax(definition)) {
    return { code: "AI_VALUE_IS_TOO_LONG", message: `AI (${ai}) value is too long`, ai };
  }
  if (value.includes("^")) {
    return {
      code: "AI_CONTAINS_ILLEGAL_CARAT_CHARACTER",
      message: `AI (${ai}) contains illegal ^ character`,
      ai,
    };
  }
  return undefined;
}

/**
 * Lints a value against its AI's components: each takes its length from the front (a
 * variable-length one, always the last, takes the rest; an optional one only if data remain),
 * then its character set, then its linters. The value's length was checked first.
 */
export function lintProblem(
  definition: AiDefinition,
  value: string,
  referenceYear: number | undefined,
): Gs1Problem | undefined {
  let at = 0;
  for (const part of definition.components) {
    if (part.optional && at >= value.length) break;
    const piece = value.slice(at, at + part.lengthMax);
    at += piece.length;
    const linter = pieceLinter(part.charset, part.linters, piece, referenceYear);
    if (linter !== undefined) {
      const message = `AI (${definition.ai}): ${linter.toLowerCase().replaceAll("_", " ")}`;
      return { code: "AI_LINTER_ERROR", message, ai: definition.ai, linter };
    }
  }
  return undefined;
}

function pieceLinter(
  charset: "N" | "X",
  linters: AiDefinition["components"][number]["linters"],
  piece: string,
  referenceYear: number | undefined,
): Gs1LinterError | undefined {
  if (charset === "N" && !/^[0-9]*$/.test(piece)) return "NON_DIGIT_CHARACTER";
  if (charset === "X" && !isCset82(piece)) return "INVALID_CSET82_CHARACTER";
  for (const linter of linters) {
    const problem = runLinter(linter, piece, referenceYear);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function runLinter(
  linter: AiDefinition["components"][number]["linters"][number],
  piece: string,
  referenceYear: number | undefined,
): Gs1LinterError | undefined {
  switch (linter) {
    case "csum":
      return hasValidCheckDigit(piece) ? undefined : "INCORRECT_CHECK_DIGIT";
    case "yymmd0":
    case "yymmdd": {
      const linted = lintYymmdd(piece, linter === "yymmd0", referenceYear);
      return "linter" in linted ? linted.linter : undefined;
    }
    case "hhmi": {
      if (piece.length < 4) return "HOUR_WITH_MINUTE_TOO_SHORT";
      if (piece.length > 4) return "HOUR_WITH_MINUTE_TOO_LONG";
      if (Number(piece.slice(0, 2)) > 23) return "ILLEGAL_HOUR";
      return Number(piece.slice(2)) > 59 ? "ILLEGAL_MINUTE" : undefined;
    }
  }
}

/**
 * The dictionary's pairing rules over all the AIs of one link: every `req` entry of each AI
 * is met by some alternative (all of its `+`-joined AIs present), and no AI appears with one
 * its `ex` list names (an AI never excludes itself, even when it matches a pattern).
 */
export function associationProblem(
  elements: readonly AiElement[],
  definitionOf: (ai: string) => AiDefinition,
): Gs1Problem | undefined {
  const present = elements.map((element) => element.ai);
  const has = (pattern: string) => present.some((ai) => aiMatches(pattern, ai));
  for (const { ai } of elements) {
    const definition = definitionOf(ai);
    const excluded = present.find(
      (other) => other !== ai && definition.excludes.some((pattern) => aiMatches(pattern, other)),
    );
    if (excluded !== undefined) {
      return {
        code: "INVALID_AI_PAIRS",
        message: `It is invalid to pair AI (${ai}) with AI (${excluded})`,
        ai,
      };
    }
    for (const requirement of definition.requires) {
      if (!requirement.some((alternative) => alternative.split("+").every(has))) {
        return {
          code: "REQUIRED_AIS_NOT_SATISFIED",
          message: `Required AIs for AI (${ai}) are not satisfied: ${requirement.join(",")}`,
          ai,
        };
      }
    }
  }
  return undefined;
}

import { describe, expect, it } from "vitest";
import { associationProblem, lengthProblem, lintProblem } from "./aiLint.js";
import { type AiDefinition, aiDefinition } from "./aiTable.js";

function definition(ai: string): AiDefinition {
  const found = aiDefinition(ai);
  if (found === undefined) throw new Error(`no AI ${ai}`);
  return found;
}

describe("AI value checks", () => {
  it("checks length before content", () => {
    expect(lengthProblem(definition("01"), "0952012345678")?.code).toBe("AI_VALUE_IS_TOO_SHORT");
    expect(lengthProblem(definition("01"), "0952012345678X")).toBeUndefined();
    expect(lintProblem(definition("01"), "0952012345678X", undefined)?.linter).toBe(
      "NON_DIGIT_CHARACTER",
    );
  });

  it("lints each component in turn: 7003 is a yymmdd date then an hhmi time", () => {
    expect(lintProblem(definition("7003"), "2612310000", 2026)).toBeUndefined();
    expect(lintProblem(definition("7003"), "2612000000", 2026)?.linter).toBe("ILLEGAL_DAY");
    expect(lintProblem(definition("7003"), "2612311260", 2026)?.linter).toBe("ILLEGAL_MINUTE");
  });

  it("pairings: a requirement met by one alternative, an exclusion that never excludes itself", () => {
    const of = definition;
    expect(
      associationProblem(
        [
          { ai: "01", value: "" },
          { ai: "3103", value: "" },
        ],
        of,
      ),
    ).toBeUndefined();
    expect(associationProblem([{ ai: "3103", value: "" }], of)?.code).toBe(
      "REQUIRED_AIS_NOT_SATISFIED",
    );
    expect(
      associationProblem(
        [
          { ai: "01", value: "" },
          { ai: "21", value: "" },
          { ai: "235", value: "" },
        ],
        of,
      )?.code,
    ).toBe("INVALID_AI_PAIRS");
    // 7004 requires 01 and 10 together (req=01+10).
    expect(
      associationProblem(
        [
          { ai: "01", value: "" },
          { ai: "7004", value: "" },
        ],
        of,
      )?.ai,
    ).toBe("7004");
    expect(
      associationProblem(
        [
          { ai: "01", value: "" },
          { ai: "10", value: "" },
          { ai: "7004", value: "" },
        ],
        of,
      ),
    ).toBeUndefined();
  });
});

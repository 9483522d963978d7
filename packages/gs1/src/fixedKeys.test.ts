import { describe, expect, it } from "vitest";
import { validateGln, validateSscc } from "./fixedKeys.js";

describe("SSCC and GLN", () => {
  it("accepts the NOTES 3.1 SSCC and rejects its invalid twin", () => {
    expect(validateSscc("123456789012345675")).toEqual({ ok: true, value: "123456789012345675" });
    expect(validateSscc("123456789012345670")).toMatchObject({
      error: { code: "AI_LINTER_ERROR", linter: "INCORRECT_CHECK_DIGIT", ai: "00" },
    });
    expect(validateSscc("12345678901234567")).toMatchObject({
      error: { code: "AI_VALUE_IS_TOO_SHORT" },
    });
  });

  it("accepts 13-digit GLNs with their check digit", () => {
    expect(validateGln("9520123456788").ok).toBe(true);
    expect(validateGln("0614141000005").ok).toBe(true);
    expect(validateGln("0363391100002").ok).toBe(true);
    expect(validateGln("0363391100003")).toMatchObject({
      error: { linter: "INCORRECT_CHECK_DIGIT" },
    });
    expect(validateGln("036339110000")).toMatchObject({ error: { code: "AI_VALUE_IS_TOO_SHORT" } });
    expect(validateGln("03633911000020")).toMatchObject({
      error: { code: "AI_VALUE_IS_TOO_LONG" },
    });
  });
});

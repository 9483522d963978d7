import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CSET82, isCset82, validateLot, validateSerial } from "./cset82.js";

describe("CSET 82", () => {
  it("holds exactly 82 distinct characters, all printable ASCII", () => {
    expect(new Set(CSET82).size).toBe(82);
    expect(CSET82.length).toBe(82);
    for (const char of CSET82) expect(isCset82(char)).toBe(true);
  });

  it("refuses every printable ASCII character outside it, and space, and non-ASCII", () => {
    const outside: string[] = [];
    for (let code = 0x20; code < 0x7f; code++) {
      const char = String.fromCharCode(code);
      if (!CSET82.includes(char)) outside.push(char);
    }
    expect(outside.join("")).toBe(" #$@[\\]^`{|}~");
    for (const char of [...outside, "é", "\u0000", "\n", "€"]) expect(isCset82(char)).toBe(false);
  });

  it("property: a string is CSET 82 exactly when each of its characters is", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (text) => {
        return isCset82(text) === [...text].every((char) => CSET82.includes(char));
      }),
    );
  });
});

describe("AI (21) serial and AI (10) lot", () => {
  it("accept 1 to 20 characters of CSET 82", () => {
    expect(validateSerial("6789")).toEqual({ ok: true, value: "6789" });
    expect(validateSerial("A".repeat(20)).ok).toBe(true);
    expect(validateSerial(`!"%&'()*+,-./:;<=>?_`).ok).toBe(true);
    expect(validateLot("ABC1").ok).toBe(true);
    expect(validateLot("AutoDbTest").ok).toBe(true);
  });

  it("refuse empty, 21 characters, and characters outside CSET 82, naming the AI", () => {
    expect(validateSerial("")).toMatchObject({
      error: { code: "AI_VALUE_IS_TOO_SHORT", ai: "21" },
    });
    expect(validateSerial("A".repeat(21))).toMatchObject({
      error: { code: "AI_VALUE_IS_TOO_LONG", ai: "21" },
    });
    expect(validateLot("A".repeat(21))).toMatchObject({
      error: { code: "AI_VALUE_IS_TOO_LONG", ai: "10" },
    });
    expect(validateSerial("AB C")).toMatchObject({
      error: { code: "AI_LINTER_ERROR", linter: "INVALID_CSET82_CHARACTER", ai: "21" },
    });
    expect(validateLot("lot#1")).toMatchObject({
      error: { linter: "INVALID_CSET82_CHARACTER", ai: "10" },
    });
  });
});

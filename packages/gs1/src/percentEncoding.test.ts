import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CSET82 } from "./cset82.js";
import { percentDecode, percentEncode } from "./percentEncoding.js";

describe("percent-decoding (NOTES 3.3)", () => {
  it("decodes %hh in either case", () => {
    expect(percentDecode("32a%2Fb", "path")).toBe("32a/b");
    expect(percentDecode("ABC%2d123", "path")).toBe("ABC-123");
  });

  it("reads + as a literal plus in a path, as a space in a query", () => {
    expect(percentDecode("ABC+123", "path")).toBe("ABC+123");
    expect(percentDecode("XYZ+987", "query")).toBe("XYZ 987");
    expect(percentDecode("XYZ%2B987", "query")).toBe("XYZ+987");
  });

  it("keeps a % that starts no escape", () => {
    expect(percentDecode("50%", "path")).toBe("50%");
    expect(percentDecode("5%G0", "path")).toBe("5%G0");
    expect(percentDecode("%2", "query")).toBe("%2");
  });

  it("refuses a decoded NUL", () => {
    expect(percentDecode("1231231231233%003", "path")).toBeNull();
    expect(percentDecode("ABC%00", "query")).toBeNull();
  });

  it("reads escaped bytes as UTF-8", () => {
    expect(percentDecode("caf%C3%A9", "query")).toBe("café");
  });
});

describe("percent-encoding", () => {
  it("keeps unreserved characters and escapes the rest in upper-case hex", () => {
    expect(percentEncode("32a/b", "path")).toBe("32a%2Fb");
    expect(percentEncode("ABC+123", "path")).toBe("ABC%2B123");
    expect(percentEncode("a b", "query")).toBe("a+b");
    expect(percentEncode("A-z.0_9~", "path")).toBe("A-z.0_9~");
  });

  it("property: decoding an encoded CSET 82 value gives it back, in a path and in a query", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...CSET82), maxLength: 30 }), (value) => {
        return (
          percentDecode(percentEncode(value, "path"), "path") === value &&
          percentDecode(percentEncode(value, "query"), "query") === value
        );
      }),
    );
  });

  it("property: any text without NUL round-trips", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 20 }), (value) => {
        fc.pre(!value.includes("\u0000"));
        return percentDecode(percentEncode(value, "query"), "query") === value;
      }),
    );
  });
});

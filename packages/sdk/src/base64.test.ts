import { describe, expect, it } from "vitest";
import { fromBase64, fromBase64Url, toBase64, toBase64Url } from "./base64.js";

/** Longer than one String.fromCharCode chunk, so chunk joins are covered. */
const LONG_BYTES = 0x8000 * 2 + 3;

describe("base64", () => {
  it("matches Node's Buffer for every length, both alphabets, and round-trips", () => {
    for (let length = 0; length < 70; length++) {
      const bytes = crypto.getRandomValues(new Uint8Array(length));
      expect(toBase64(bytes)).toBe(Buffer.from(bytes).toString("base64"));
      expect(toBase64Url(bytes)).toBe(Buffer.from(bytes).toString("base64url"));
      expect(fromBase64(toBase64(bytes))).toEqual(bytes);
      expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes);
    }
  });

  it("round-trips a buffer longer than one conversion chunk", () => {
    const bytes = new Uint8Array(LONG_BYTES).map((_, i) => i & 0xff);
    expect(toBase64(bytes)).toBe(Buffer.from(bytes).toString("base64"));
    expect(fromBase64(toBase64(bytes))).toEqual(bytes);
  });

  it("refuses whitespace, missing padding, the other alphabet and impossible lengths", () => {
    for (const bad of ["QUJD RA==", "QUJDRA", "QUJDRA=", "ab-_", "QQ==QQ==", "Q"]) {
      expect(() => fromBase64(bad)).toThrow(/not base64/);
    }
    for (const bad of ["ab+/", "QUJDRA==", "Q", "a b"]) {
      expect(() => fromBase64Url(bad)).toThrow(/not base64url/);
    }
  });
});

import { Packr } from "msgpackr";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type Canonical, DEFAULT_DECODE_LIMITS, decode, encode } from "./encoding.js";
import { fromHex, toHex } from "./hash.js";

const invalid = expect.objectContaining({ code: "ENCODING_INVALID" });
const utf8 = (text: string): number[] => Array.from(new TextEncoder().encode(text));
type Parts = (number | number[])[];
const bytes = (...parts: Parts): Uint8Array => Uint8Array.from(parts.flat());

// msgpackr's decoder is what allocates; the scanner must refuse hostile input before it runs.
const unpack = vi.spyOn(Packr.prototype, "unpack");
afterEach(() => {
  unpack.mockClear();
});

function expectRefusedBeforeDecoding(input: Uint8Array): void {
  expect(() => decode(input)).toThrow(invalid);
  expect(unpack).not.toHaveBeenCalled();
}

describe("decode refuses hostile input before msgpackr allocates", () => {
  it("refuses nesting beyond depthMax and accepts it at depthMax", () => {
    const nested = (depth: number) => bytes(new Array(depth - 1).fill(0x91), 0x90);
    expect(decode(nested(DEFAULT_DECODE_LIMITS.depthMax))).toBeDefined();
    unpack.mockClear();
    expectRefusedBeforeDecoding(nested(DEFAULT_DECODE_LIMITS.depthMax + 1));
    // Far deeper than any recursive decoder's stack: the scan is iterative.
    expectRefusedBeforeDecoding(nested(1_000_000));
  });

  it.each<[string, Parts]>([
    ["array32", [0xdd, 0xff, 0xff, 0xff, 0xff]],
    ["array16", [0xdc, 0xff, 0xff, 0x01]],
    ["map32", [0xdf, 0xff, 0xff, 0xff, 0xff]],
    ["fixmap of 15 pairs", [0x8f, 0xa1, 0x61, 0x01]],
    ["str32", [0xdb, 0xff, 0xff, 0xff, 0xff, 0x61]],
    ["bin32", [0xc6, 0xff, 0xff, 0xff, 0xff, 0x00]],
    ["bin8", [0xc4, 0x05, 0x00]],
    ["uint64 cut short", [0xcf, 0x00, 0x00]],
  ])("refuses a declared %s length larger than the input", (_name, input) => {
    expectRefusedBeforeDecoding(bytes(...input));
  });

  it.each<[string, Parts]>([
    ["fixext 1", [0xd4, 0x01, 0x00]],
    ["fixext 16", [0xd8, 0x01, new Array<number>(16).fill(0)]],
    ["ext 8", [0xc7, 0x01, 0x01, 0x00]],
    ["ext 16", [0xc8, 0x00, 0x01, 0x01, 0x00]],
    ["ext 32 (msgpackr's timestamp type -1)", [0xc9, 0, 0, 0, 4, 0xff, 0, 0, 0, 0]],
    ["float 32", [0xca, 0x3f, 0x80, 0x00, 0x00]],
    ["float 64", [0xcb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0]],
    ["the reserved byte 0xc1", [0xc1]],
  ])("refuses the type outside the model: %s", (_name, input) => {
    expectRefusedBeforeDecoding(bytes(...input));
  });

  it.each<[string, Parts]>([
    ["integer", [0x81, 0x01, 0x02]],
    ["nil", [0x81, 0xc0, 0x02]],
    ["bytes", [0x81, 0xc4, 0x01, 0x61, 0x02]],
    ["array", [0x81, 0x90, 0x02]],
  ])("refuses a map key that is not a string: %s", (_name, input) => {
    expectRefusedBeforeDecoding(bytes(...input));
  });

  it("refuses empty input", () => {
    expectRefusedBeforeDecoding(bytes());
  });

  it("refuses trailing bytes", () => {
    expectRefusedBeforeDecoding(bytes(Array.from(encode([1, "a"])), 0x00));
  });

  it("refuses more values than valuesMax and more bytes than bytesMax", () => {
    const list = encode([1, 2, 3]);
    expect(() => decode(list, { ...DEFAULT_DECODE_LIMITS, valuesMax: 3 })).toThrow(invalid);
    expect(decode(list, { ...DEFAULT_DECODE_LIMITS, valuesMax: 4 })).toEqual([1, 2, 3]);
    expect(() => decode(list, { ...DEFAULT_DECODE_LIMITS, bytesMax: 3 })).toThrow(
      expect.objectContaining({ code: "ENCODING_TOO_LARGE" }),
    );
    expect(unpack).toHaveBeenCalledTimes(1);
  });
});

describe("decode refuses valid MessagePack that is not the canonical encoding", () => {
  it.each<[string, Parts]>([
    ["uint8 for a fixint", [0xcc, 0x05]],
    ["uint16 for a uint8", [0xcd, 0x00, 0xff]],
    ["uint32 for a uint16", [0xce, 0x00, 0x00, 0xff, 0xff]],
    ["uint64 for a fixint", [0xcf, 0, 0, 0, 0, 0, 0, 0, 0x05]],
    ["uint64 for 2^32 (canonical is int64)", [0xcf, 0, 0, 0, 1, 0, 0, 0, 0]],
    ["int8 for a positive fixint", [0xd0, 0x05]],
    ["int8 for a negative fixint", [0xd0, 0xff]],
    ["int16 for an int8", [0xd1, 0xff, 0x80]],
    ["int32 for an int16", [0xd2, 0xff, 0xff, 0x80, 0x00]],
    ["int64 for an int32", [0xd3, 0xff, 0xff, 0xff, 0xff, 0x80, 0, 0, 0]],
    ["str8 for a fixstr", [0xd9, 0x01, 0x61]],
    ["str16 for a fixstr", [0xda, 0x00, 0x01, 0x61]],
    ["bin16 for a bin8", [0xc5, 0x00, 0x01, 0x00]],
    ["bin32 for a bin8", [0xc6, 0, 0, 0, 1, 0x00]],
    ["array16 for a fixarray", [0xdc, 0x00, 0x01, 0x01]],
    ["array32 for a fixarray", [0xdd, 0, 0, 0, 1, 0x01]],
    ["map16 for a fixmap", [0xde, 0x00, 0x01, 0xa1, 0x61, 0x01]],
    ["unsorted keys", [0x82, 0xa1, 0x62, 0x01, 0xa1, 0x61, 0x02]],
    ["duplicate keys", [0x82, 0xa1, 0x61, 0x01, 0xa1, 0x61, 0x02]],
    ["a __proto__ key", [0x81, 0xa9, utf8("__proto__"), 0x01]],
    ["invalid UTF-8", [0xa2, 0xc3, 0x28]],
    ["a UTF-8 encoded lone surrogate", [0xa3, 0xed, 0xa0, 0x80]],
    ["an overlong UTF-8 encoding", [0xa2, 0xc0, 0xaf]],
  ])("refuses %s", (_name, input) => {
    expect(() => decode(bytes(...input))).toThrow(invalid);
  });

  it("leaves Object.prototype untouched by a __proto__ key", () => {
    const payload = bytes(0x81, 0xa9, utf8("__proto__"), 0x81, 0xa8, utf8("polluted"), 0xc3);
    expect(() => decode(payload)).toThrow(invalid);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("encode", () => {
  it("writes map keys in sorted order, integer-like keys too (a plain object would not)", () => {
    // {"10": 1, "9": 2, "a": 3}: "10" sorts before "9" as a string.
    expect(toHex(encode({ a: 3, 9: 2, 10: 1 }))).toBe("83a2313001a13902a16103");
  });

  it("writes every integer width at its edges as expected", () => {
    const cases: [Canonical, string][] = [
      [127, "7f"],
      [128, "cc80"],
      [-32, "e0"],
      [-33, "d0df"],
      [65_536, "ce00010000"],
      [2 ** 32, "d30000000100000000"],
      [2 ** 53, "d30020000000000000"],
      [2n ** 53n + 1n, "d30020000000000001"],
      [2n ** 63n, "cf8000000000000000"],
      [-(2n ** 63n), "d38000000000000000"],
    ];
    for (const [value, hex] of cases) {
      expect(toHex(encode(value))).toBe(hex);
      expect(decode(fromHex(hex))).toEqual(value);
    }
  });

  it("refuses a __proto__ key instead of dropping it", () => {
    const withProto = JSON.parse('{"__proto__": 1, "a": 2}') as Canonical;
    expect(() => encode(withProto)).toThrow(invalid);
  });

  it("refuses nesting that decode would refuse", () => {
    let deep: Canonical = [];
    for (let depth = 1; depth < DEFAULT_DECODE_LIMITS.depthMax; depth++) deep = [deep];
    expect(decode(encode(deep))).toEqual(deep);
    expect(() => encode([deep])).toThrow(invalid);
  });

  it("refuses a lone surrogate in a string or a key", () => {
    expect(() => encode("a\ud800")).toThrow(invalid);
    expect(() => encode({ "\udc00": 1 })).toThrow(invalid);
    expect(decode(encode("\ud83d\ude00"))).toBe("\u{1f600}");
  });

  it("accepts objects with a null prototype as plain maps", () => {
    const bare = Object.assign(Object.create(null) as Record<string, Canonical>, { b: 1, a: 2 });
    expect(encode(bare)).toEqual(encode({ a: 2, b: 1 }));
  });
});

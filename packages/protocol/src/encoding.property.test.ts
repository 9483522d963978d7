import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bytesEqual, type Canonical, decode, decodeOwn, encode } from "./encoding.js";
import { CareLedgerError } from "./errors.js";
import {
  encodeOkReceipt,
  encodeReceipt,
  RECEIPT_EVENTS_MAX,
  type ReceiptEvent,
} from "./receipt.js";

const INT_MAGNITUDE_MAX = 2 ** 53;
const INT64_MIN = -(1n << 63n);
const UINT64_MAX = (1n << 64n) - 1n;
const RUNS = 400;
const CONTAINER_ITEMS_MAX = 5;
const NESTING_MAX = 4;

// Every integer width of MessagePack, with the edges of each, the 2^53 boundary and both ends
// of the 64-bit range.
const boundaries = [
  0,
  127,
  128,
  255,
  256,
  65_535,
  65_536,
  2 ** 32 - 1,
  2 ** 32,
  -1,
  -32,
  -33,
  -128,
  -129,
  -32_768,
  -32_769,
  -(2 ** 31),
  -(2 ** 31) - 1,
  INT_MAGNITUDE_MAX,
  -INT_MAGNITUDE_MAX,
];
const integer: fc.Arbitrary<number | bigint> = fc.oneof(
  fc.constantFrom(...boundaries),
  fc.integer({ min: -32, max: 127 }),
  fc.integer({ min: -32_768, max: 65_535 }),
  fc.integer(),
  fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  fc.maxSafeInteger(),
  fc.bigInt({ min: INT64_MIN, max: UINT64_MAX }),
  fc.bigInt({ min: (1n << 53n) - 3n, max: (1n << 53n) + 3n }),
  fc.bigInt({ min: -(1n << 53n) - 3n, max: -(1n << 53n) + 3n }),
  fc.constantFrom(INT64_MIN, UINT64_MAX, (1n << 63n) - 1n, 1n << 63n),
);

const text = fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.string({ unit: "grapheme" }));
// Integer-like keys are the ones a plain JavaScript object reorders.
const key = fc
  .oneof(fc.string({ maxLength: 6 }), fc.string({ unit: "binary", maxLength: 4 }), fc.nat(20))
  .map(String)
  .filter((candidate) => candidate !== "__proto__");

const scalar: fc.Arbitrary<Canonical> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  integer,
  text,
  fc.uint8Array({ maxLength: 40 }),
  // Lengths that need 16-bit headers.
  fc.uint8Array({ minLength: 256, maxLength: 300 }),
  fc.string({ minLength: 256, maxLength: 300 }),
);

const { canonical } = fc.letrec<{ canonical: Canonical }>((tie) => ({
  canonical: fc.oneof(
    { maxDepth: NESTING_MAX, depthIdentifier: "canonical" },
    scalar,
    fc.array(tie("canonical"), { maxLength: CONTAINER_ITEMS_MAX, depthIdentifier: "canonical" }),
    fc.dictionary(key, tie("canonical"), {
      maxKeys: CONTAINER_ITEMS_MAX,
      depthIdentifier: "canonical",
    }),
    // Enough keys for a map16 header.
    fc.dictionary(key, scalar, { minKeys: 16, maxKeys: 20 }),
  ),
}));

/** What decode must return for a value: an integer comes back as a number when it is one. */
function model(value: Canonical): Canonical {
  if (typeof value === "bigint" && value >= -(1n << 53n) && value <= 1n << 53n) {
    return Number(value);
  }
  if (value instanceof Uint8Array || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(model);
  return Object.fromEntries(Object.entries(value).map(([k, item]) => [k, model(item)]));
}

/** The same value built differently: keys inserted in another order, integers as bigints. */
function rebuild(value: Canonical, choices: readonly number[], at = { next: 0 }): Canonical {
  const choose = (): number => choices[at.next++ % Math.max(choices.length, 1)] ?? 0;
  if (typeof value === "number" && choose() % 2 === 0) return BigInt(value);
  if (value instanceof Uint8Array) return Uint8Array.from(value);
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item) => rebuild(item, choices, at));
  const entries = Object.entries(value);
  const shuffled: [string, Canonical][] = [];
  while (entries.length > 0) {
    const [entry] = entries.splice(choose() % entries.length, 1);
    if (entry) shuffled.push([entry[0], rebuild(entry[1], choices, at)]);
  }
  return Object.fromEntries(shuffled);
}

type Outcome = { value: Canonical } | { code: string };

/** Decodes; a CareLedgerError of an encoding code is an outcome, anything else a test failure. */
function tryDecode(bytes: Uint8Array): Outcome {
  try {
    return { value: decode(bytes) };
  } catch (error) {
    if (!(error instanceof CareLedgerError)) throw error;
    expect(["ENCODING_INVALID", "ENCODING_TOO_LARGE"]).toContain(error.code);
    return { code: error.code };
  }
}

/** A decoded value is only acceptable if its encoding is exactly the input. */
function expectCanonicalOrRejected(bytes: Uint8Array): Outcome {
  const outcome = tryDecode(bytes);
  if ("value" in outcome) expect(bytesEqual(encode(outcome.value), bytes)).toBe(true);
  return outcome;
}

describe("canonical encoding properties", () => {
  it("decode inverts encode", () => {
    fc.assert(
      fc.property(canonical, (value) => {
        expect(decode(encode(value))).toEqual(model(value));
      }),
      { numRuns: RUNS },
    );
  });

  it("decodeOwn of encode's bytes is what decode gives", () => {
    fc.assert(
      fc.property(canonical, (value) => {
        const bytes = encode(value);
        expect(decodeOwn(bytes)).toEqual(decode(bytes));
      }),
      { numRuns: RUNS },
    );
  });

  const event: fc.Arbitrary<ReceiptEvent> = fc.record({
    type: fc.constantFrom("a.b", "access.logged", "gov.proposal.decided"),
    attributes: fc.dictionary(
      fc.stringMatching(/^[a-z][a-zA-Z0-9]{0,31}$/),
      fc.oneof(fc.string({ maxLength: 256 }), fc.maxSafeInteger(), fc.boolean(), fc.uint8Array()),
      { maxKeys: 16 },
    ),
  });

  it("composes an ok receipt from its encoded result and events into encodeReceipt's bytes", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.option(canonical, { nil: undefined }),
        fc.option(fc.array(event, { minLength: 1, maxLength: RECEIPT_EVENTS_MAX }), {
          nil: undefined,
        }),
        (tx, result, events) => {
          const composed = encodeOkReceipt(
            tx,
            result === undefined ? undefined : encode(result),
            events?.map((item) => encode(item as unknown as Canonical)),
          );
          const receipt = {
            tx,
            status: "ok" as const,
            ...(result !== undefined && { result }),
            ...(events !== undefined && { events }),
          };
          expect(composed).toEqual(encodeReceipt(receipt));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("gives one encoding to one value whatever key order or integer type built it", () => {
    fc.assert(
      fc.property(canonical, fc.array(fc.nat(), { minLength: 1 }), (value, choices) => {
        const rebuilt = rebuild(value, choices);
        expect(encode(rebuilt)).toEqual(encode(value));
      }),
      { numRuns: RUNS },
    );
  });

  it("never crashes on random bytes and never accepts bytes that re-encode differently", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 48 }), (bytes) => {
        expectCanonicalOrRejected(bytes);
      }),
      { numRuns: RUNS * 5 },
    );
  });

  const mutation = fc.record({
    kind: fc.constantFrom("set", "insert", "delete", "truncate", "append"),
    position: fc.nat(),
    byte: fc.integer({ min: 0, max: 255 }),
  });

  it("never crashes on mutated encodings and never accepts bytes that re-encode differently", () => {
    fc.assert(
      fc.property(canonical, fc.array(mutation, { minLength: 1, maxLength: 3 }), (value, edits) => {
        let bytes = Array.from(encode(value));
        for (const { kind, position, byte } of edits) {
          const at = position % (bytes.length + 1);
          if (kind === "set" && at < bytes.length) bytes[at] = byte;
          if (kind === "insert") bytes.splice(at, 0, byte);
          if (kind === "delete") bytes.splice(at, 1);
          if (kind === "truncate") bytes = bytes.slice(0, at);
          if (kind === "append") bytes.push(byte);
        }
        expectCanonicalOrRejected(Uint8Array.from(bytes));
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it("accepts a loose (valid MessagePack, any header width, any key order) encoding only when it is the canonical one", () => {
    let rejected = 0;
    fc.assert(
      fc.property(canonical, fc.array(fc.nat(), { minLength: 1 }), (value, choices) => {
        const bytes = looseEncode(value, choices);
        const outcome = expectCanonicalOrRejected(bytes);
        if ("value" in outcome) expect(outcome.value).toEqual(model(value));
        else rejected += 1;
      }),
      { numRuns: RUNS },
    );
    // The generator must really produce non-canonical bytes, or the property proves nothing.
    expect(rejected).toBeGreaterThan(RUNS / 4);
  });

  const outsideModel: fc.Arbitrary<unknown> = fc.oneof(
    fc.double().filter((number) => !Number.isInteger(number)),
    fc.constantFrom(
      undefined,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      2 ** 53 + 2,
      -(2 ** 53) - 2,
      new Map(),
      new Set(),
      new Date(0),
      new (class Point {
        x = 1;
      })(),
      Symbol("s"),
      () => 1,
      new Uint16Array(2),
      "\ud800",
      1n << 64n,
      INT64_MIN - 1n,
    ),
    fc.bigInt({ min: UINT64_MAX + 1n, max: 1n << 80n }),
  );

  it("refuses values outside the model wherever they are nested", () => {
    fc.assert(
      fc.property(canonical, outsideModel, fc.nat(), (value, bad, seed) => {
        const where = seed % 3;
        const holder =
          where === 0 ? [value, bad] : where === 1 ? { ok: value, bad } : { [`k${seed}`]: [bad] };
        expect(() => encode(holder as Canonical)).toThrow(
          expect.objectContaining({ code: "ENCODING_INVALID" }),
        );
      }),
      { numRuns: RUNS },
    );
  });
});

/**
 * An independent MessagePack writer that picks, at each step, any header that can hold the value
 * (an integer in any wide-enough format, a length in any wide-enough field) and any key order.
 */
function looseEncode(value: Canonical, choices: readonly number[]): Uint8Array {
  let next = 0;
  const out: number[] = [];
  const pickOne = (options: (() => void)[]): void => {
    const choice = (choices[next++ % choices.length] ?? 0) % options.length;
    options[choice]?.();
  };
  const typed = (type: number, number: bigint, bytes: number) => (): void => {
    out.push(type);
    for (let shift = BigInt((bytes - 1) * 8); shift >= 0n; shift -= 8n) {
      out.push(Number((BigInt.asUintN(bytes * 8, number) >> shift) & 0xffn));
    }
  };
  /** `small` is a fix-format type and its bound; `wide` pairs a type with its length bytes. */
  const header = (length: number, small: [number, number] | null, wide: [number, number][]) => {
    const options: (() => void)[] = [];
    if (small && length < small[1]) options.push(() => out.push(small[0] | length));
    for (const [type, bytes] of wide) {
      if (length < 2 ** (8 * bytes)) options.push(typed(type, BigInt(length), bytes));
    }
    pickOne(options);
  };
  const integer = (number: bigint): void => {
    const options: (() => void)[] = [];
    if (number >= -32n && number <= 127n) options.push(() => out.push(Number(number) & 0xff));
    for (const [index, bytes] of [1, 2, 4, 8].entries()) {
      const bits = BigInt(bytes * 8);
      if (number >= 0n && number < 1n << bits) options.push(typed(0xcc + index, number, bytes));
      const half = 1n << (bits - 1n);
      if (number >= -half && number < half) options.push(typed(0xd0 + index, number, bytes));
    }
    pickOne(options);
  };
  const write = (item: Canonical): void => {
    if (item === null) out.push(0xc0);
    else if (typeof item === "boolean") out.push(item ? 0xc3 : 0xc2);
    else if (typeof item === "number" || typeof item === "bigint") integer(BigInt(item));
    else if (typeof item === "string") {
      const utf8 = new TextEncoder().encode(item);
      header(
        utf8.length,
        [0xa0, 32],
        [
          [0xd9, 1],
          [0xda, 2],
          [0xdb, 4],
        ],
      );
      out.push(...utf8);
    } else if (item instanceof Uint8Array) {
      header(item.length, null, [
        [0xc4, 1],
        [0xc5, 2],
        [0xc6, 4],
      ]);
      out.push(...item);
    } else if (Array.isArray(item)) {
      header(
        item.length,
        [0x90, 16],
        [
          [0xdc, 2],
          [0xdd, 4],
        ],
      );
      for (const element of item) write(element);
    } else {
      const entries = Object.entries(item).sort(([a], [b]) => (a < b ? -1 : 1));
      pickOne([() => undefined, () => entries.reverse()]);
      header(
        entries.length,
        [0x80, 16],
        [
          [0xde, 2],
          [0xdf, 4],
        ],
      );
      for (const [key, element] of entries) {
        write(key);
        write(element);
      }
    }
  };
  write(value);
  return Uint8Array.from(out);
}

describe("encode output ownership", () => {
  it("returns bytes that later encodes never overwrite", () => {
    const first = encode({ a: 1, b: "first" });
    const copy = Uint8Array.from(first);
    for (let i = 0; i < 1_000; i++) encode({ a: i, b: "x".repeat(i % 50) });
    expect(bytesEqual(first, copy)).toBe(true);
  });
});

import { type Static, type TSchema, Type } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { describe, expect, expectTypeOf, it } from "vitest";
import { type JsonOf, jsonSchemaOf } from "./jsonSchema.js";

const passes = (schema: TSchema, value: unknown) => TypeCompiler.Compile(schema).Check(value);

describe("jsonSchemaOf", () => {
  it("turns fixed-length bytes into lowercase hex of twice the length", () => {
    const json = jsonSchemaOf(Type.Uint8Array({ minByteLength: 2, maxByteLength: 2 }));
    expect(passes(json, "0a1b")).toBe(true);
    expect(passes(json, "0A1B")).toBe(false);
    expect(passes(json, "0a1")).toBe(false);
    expect(passes(json, "0a1b2c")).toBe(false);
    expect(passes(json, Uint8Array.of(1, 2))).toBe(false);
  });

  it("keeps a byte range as a character range of whole bytes", () => {
    const json = jsonSchemaOf(Type.Uint8Array({ minByteLength: 1, maxByteLength: 3 }));
    expect(json).toMatchObject({ minLength: 2, maxLength: 6 });
    expect(["0a", "0a0b0c"].map((value) => passes(json, value))).toEqual([true, true]);
    expect(["", "0a0", "0a0b0c0d"].map((value) => passes(json, value))).toEqual([
      false,
      false,
      false,
    ]);
  });

  it("turns a bigint into the decimal bigint's toString gives, at most 64-bit long", () => {
    const signed = jsonSchemaOf(Type.BigInt());
    for (const value of [0n, 2n ** 63n - 1n, -(2n ** 63n), -5n]) {
      expect(passes(signed, value.toString()), value.toString()).toBe(true);
    }
    for (const text of ["", "-0", "007", "+1", "1.5", "1e3", "9".repeat(21)]) {
      expect(passes(signed, text), text).toBe(false);
    }
    const unsigned = jsonSchemaOf(Type.BigInt({ minimum: 0n }));
    expect(passes(unsigned, (2n ** 64n - 1n).toString())).toBe(true);
    expect(passes(unsigned, "-1")).toBe(false);
  });

  it("maps inside objects, optionals, arrays, unions and records, keeping their bounds", () => {
    const canonical = Type.Object(
      {
        id: Type.Uint8Array({ minByteLength: 1, maxByteLength: 1 }),
        amount: Type.Optional(Type.BigInt()),
        parts: Type.Array(Type.Union([Type.Uint8Array({ maxByteLength: 2 }), Type.Null()]), {
          maxItems: 2,
        }),
        kind: Type.Literal("a"),
        tags: Type.Record(Type.String(), Type.BigInt(), { maxProperties: 1 }),
        count: Type.Integer({ minimum: 0 }),
      },
      { additionalProperties: false },
    );
    const json = jsonSchemaOf(canonical);
    const answer = { id: "ff", parts: ["0102", null], kind: "a", tags: { x: "12" }, count: 3 };
    expect(passes(json, answer)).toBe(true);
    expect(passes(json, { ...answer, amount: "-3" })).toBe(true);
    expect(passes(json, { ...answer, amount: 3 })).toBe(false);
    expect(passes(json, { ...answer, extra: 1 })).toBe(false);
    expect(passes(json, { ...answer, parts: ["01", "02", "03"] })).toBe(false);
    expect(passes(json, { ...answer, parts: ["010203"] })).toBe(false);
    expect(passes(json, { ...answer, kind: "b" })).toBe(false);
    expect(passes(json, { ...answer, tags: { x: "1", y: "2" } })).toBe(false);
    expect(passes(json, { ...answer, tags: { x: 1 } })).toBe(false);
    expect(passes(json, { ...answer, count: -1 })).toBe(false);
    // A record of any key is an object of any fields: the form OpenAPI 3.0 accepts too.
    expect(json.properties.tags).not.toHaveProperty("patternProperties");
    // The canonical schema is left as it was.
    expect(passes(canonical, { ...answer, id: Uint8Array.of(1), tags: {}, parts: [] })).toBe(true);
  });

  it("refuses a schema with no canonical value, such as Date", () => {
    expect(() => jsonSchemaOf(Type.Object({ at: Type.Date() }))).toThrow(/Date/);
  });

  it("types the answer as JsonOf the canonical type", () => {
    const canonical = Type.Object({
      key: Type.Uint8Array(),
      amount: Type.Optional(Type.BigInt()),
      list: Type.Array(Type.Uint8Array()),
      either: Type.Union([Type.Uint8Array(), Type.Null()]),
      n: Type.Integer(),
    });
    type Expected = {
      key: string;
      amount?: string;
      list: string[];
      either: string | null;
      n: number;
    };
    expectTypeOf<JsonOf<Static<typeof canonical>>>().toEqualTypeOf<Expected>();
    expectTypeOf<
      Static<ReturnType<typeof jsonSchemaOf<typeof canonical>>>
    >().toEqualTypeOf<Expected>();
  });
});

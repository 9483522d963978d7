import {
  Kind,
  OptionalKind,
  type Static,
  type TSchema,
  type TUnsafe,
  Type,
} from "@sinclair/typebox";

/**
 * A canonical value as the API's JSON carries it (api `canonicalToJson`): bytes as lowercase hex,
 * bigints as decimal strings, everything else as it is.
 */
export type JsonOf<T> = T extends Uint8Array
  ? string
  : T extends bigint
    ? string
    : T extends object
      ? { [K in keyof T]: JsonOf<T[K]> }
      : T;

/** Longest decimal of a canonical bigint (64-bit, the encoding's limit): `-9223372036854775808`. */
export const BIGINT_DECIMAL_CHARS_MAX = 20;

/** Kinds with no canonical value, so no JSON form: a schema holding one is a contract bug. */
const NO_JSON_FORM = new Set([
  "Undefined",
  "Void",
  "Date",
  "Function",
  "Constructor",
  "Symbol",
  "Promise",
  "Iterator",
  "AsyncIterator",
  "RegExp",
]);

/** Subschema keywords whose values are one schema, a list of them, or a map of them. */
const ONE = ["items", "not"] as const;
const LIST = ["anyOf", "allOf", "oneOf"] as const;
const MAP = ["properties", "patternProperties"] as const;

/** TypeBox's key pattern of a `Record(String, ...)`: any name. */
const ANY_KEY = "^(.*)$";

/**
 * The schema of a canonical value's JSON answer, derived from its canonical schema so the two are
 * never written twice: `Uint8Array` becomes a lowercase hex string with its byte bounds doubled,
 * `BigInt` a decimal string; objects, arrays, unions, records keep their shape and bounds.
 * A record of any key becomes `additionalProperties`, the form OpenAPI 3.0 also accepts.
 */
export function jsonSchemaOf<S extends TSchema>(schema: S): TUnsafe<JsonOf<Static<S>>> {
  return mapped(schema) as TUnsafe<JsonOf<Static<S>>>;
}

function mapped(schema: TSchema): TSchema {
  const kind = schema[Kind] as string;
  if (NO_JSON_FORM.has(kind)) throw new Error(`a ${kind} schema has no JSON form`);
  const out = kind === "Uint8Array" ? hexOf(schema) : kind === "BigInt" ? decimalOf(schema) : null;
  if (out !== null) return schema[OptionalKind] === undefined ? out : Type.Optional(out);
  // A spread keeps TypeBox's symbol keys (kind, optional), which its compiler reads.
  const copy: TSchema = { ...schema };
  for (const key of ONE) if (copy[key] !== undefined) copy[key] = mapped(copy[key]);
  for (const key of LIST) if (Array.isArray(copy[key])) copy[key] = copy[key].map(mapped);
  for (const key of MAP) {
    const inner = copy[key] as Record<string, TSchema> | undefined;
    if (inner === undefined) continue;
    copy[key] = Object.fromEntries(Object.entries(inner).map(([name, s]) => [name, mapped(s)]));
  }
  if (typeof copy.additionalProperties === "object") {
    copy.additionalProperties = mapped(copy.additionalProperties);
  }
  const anyKey = (copy.patternProperties as Record<string, TSchema> | undefined)?.[ANY_KEY];
  return kind === "Record" && anyKey !== undefined ? openRecord(copy, anyKey) : copy;
}

/** A record of any key as an object of any fields, each `value`, with the record's bounds. */
function openRecord(record: TSchema, value: TSchema): TSchema {
  const { description, minProperties, maxProperties } = record;
  const object = Type.Object(
    {},
    {
      additionalProperties: value,
      ...(description !== undefined && { description }),
      ...(minProperties !== undefined && { minProperties }),
      ...(maxProperties !== undefined && { maxProperties }),
    },
  );
  return record[OptionalKind] === undefined ? object : Type.Optional(object);
}

function hexOf(schema: TSchema): TSchema {
  const { minByteLength, maxByteLength, description } = schema as {
    minByteLength?: number;
    maxByteLength?: number;
    description?: string;
  };
  const text = description === undefined ? "lowercase hex" : `${description}, lowercase hex`;
  if (minByteLength !== undefined && minByteLength === maxByteLength) {
    return Type.String({ pattern: `^[0-9a-f]{${minByteLength * 2}}$`, description: text });
  }
  return Type.String({
    pattern: "^([0-9a-f]{2})*$",
    ...(minByteLength !== undefined && { minLength: minByteLength * 2 }),
    ...(maxByteLength !== undefined && { maxLength: maxByteLength * 2 }),
    description: text,
  });
}

function decimalOf(schema: TSchema): TSchema {
  const { minimum, exclusiveMinimum, description } = schema as {
    minimum?: bigint;
    exclusiveMinimum?: bigint;
    description?: string;
  };
  const nonNegative =
    (minimum !== undefined && minimum >= 0n) ||
    (exclusiveMinimum !== undefined && exclusiveMinimum >= -1n);
  const text = description === undefined ? "decimal" : `${description}, decimal`;
  return Type.String({
    // bigint's toString: no leading zeros, no plus sign, no "-0".
    pattern: nonNegative ? "^(0|[1-9][0-9]*)$" : "^(0|-?[1-9][0-9]*)$",
    maxLength: BIGINT_DECIMAL_CHARS_MAX,
    description: text,
  });
}

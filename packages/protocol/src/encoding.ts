import { Packr } from "msgpackr";
import { CareLedgerError } from "./errors.js";
import { scanMsgpack } from "./msgpackScan.js";

/**
 * A value that has exactly one encoding: null, booleans, integers (numbers up to 2^53 in
 * magnitude, bigints up to 64 bits), strings, bytes, arrays and plain objects with string keys.
 * No undefined, no floats, no Maps, Dates or class instances.
 */
export type Canonical =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | readonly Canonical[]
  | { readonly [key: string]: Canonical };

export interface DecodeLimits {
  /** Largest input accepted, checked before anything is parsed. */
  bytesMax: number;
  /** Deepest nesting of arrays and maps. */
  depthMax: number;
  /** Most values (of any type, nested ones included) in one input. */
  valuesMax: number;
}

export const DEFAULT_DECODE_LIMITS: DecodeLimits = {
  bytesMax: 4 * 1024 * 1024,
  depthMax: 32,
  valuesMax: 1_000_000,
};

const INT_MAGNITUDE_MAX = 2 ** 53;
const UINT64_MAX = (1n << 64n) - 1n;
const INT64_MIN = -(1n << 63n);

// Records, bundled strings and structured cloning are msgpackr extensions that other decoders
// do not read; with them off, msgpackr writes plain MessagePack.
const packr = new Packr({
  useRecords: false,
  mapsAsObjects: true,
  // "auto" (documented, missing from the typings): number up to 2^53, bigint beyond.
  int64AsType: "auto" as "bigint",
  bundleStrings: false,
  // Smallest map header (fixmap for up to 15 keys), as every other MessagePack encoder writes.
  variableMapSize: true,
  moreTypes: false,
  structuredClone: false,
});

/** Encodes a canonical value; throws `ENCODING_INVALID` for anything outside the model. */
export function encode(value: Canonical): Uint8Array {
  const packed = packr.pack(normalize(value, 0));
  // msgpackr packs into one reused buffer, so what it returns is overwritten by a later pack:
  // copy it out, or a transaction's stored bytes would change under it.
  return new Uint8Array(packed);
}

/**
 * Decodes bytes that must be the canonical encoding of a value. The input is scanned without
 * allocation first (size, depth, value count, only the types of the model), then decoded, then
 * re-encoded: anything that is not byte-for-byte canonical is rejected with `ENCODING_INVALID`.
 */
export function decode(bytes: Uint8Array, limits: DecodeLimits = DEFAULT_DECODE_LIMITS): Canonical {
  if (bytes.byteLength > limits.bytesMax) {
    throw new CareLedgerError("ENCODING_TOO_LARGE", `input of ${bytes.byteLength} bytes`, {
      bytesMax: limits.bytesMax,
    });
  }
  scanMsgpack(bytes, limits.depthMax, limits.valuesMax);
  let value: unknown;
  try {
    value = packr.unpack(bytes);
  } catch (error) {
    throw new CareLedgerError("ENCODING_INVALID", `undecodable: ${String(error)}`);
  }
  const decoded = fromDecoded(value, 0);
  const again = encode(decoded);
  if (!bytesEqual(again, bytes)) {
    throw new CareLedgerError("ENCODING_INVALID", "bytes are not the canonical encoding");
  }
  return decoded;
}

/**
 * Decodes bytes that `encode` in this process produced, or that this node's own commit stored
 * from such bytes (its state values): no scan and no re-encoding, which `decode` needs only to
 * refuse what another party could have written. `encode` writes only the canonical encoding, so
 * the check could never fail here; it cost a fifth of an `access.log` (bench/RESULTS.md, issue
 * 13). Never for bytes from the network, a client, or a file another program writes: `decode`.
 */
export function decodeOwn(bytes: Uint8Array): Canonical {
  let value: unknown;
  try {
    value = packr.unpack(bytes);
  } catch (error) {
    throw new CareLedgerError("ENCODING_INVALID", `undecodable: ${String(error)}`);
  }
  return fromDecoded(value, 0);
}

function normalize(value: Canonical, depth: number): unknown {
  switch (typeof value) {
    case "boolean":
      return value;
    case "string":
      return wellFormed(value);
    case "number":
      if (!Number.isInteger(value) || Math.abs(value) > INT_MAGNITUDE_MAX) {
        throw new CareLedgerError("ENCODING_INVALID", `not an integer in range: ${value}`);
      }
      // msgpackr writes integers beyond 32 bits as float64; as a bigint they become int64.
      return value > 0xffff_ffff || value < -0x8000_0000 ? BigInt(value) : value;
    case "bigint":
      if (value > UINT64_MAX || value < INT64_MIN) {
        throw new CareLedgerError("ENCODING_INVALID", "integer beyond 64 bits");
      }
      // One integer, one encoding: a bigint in the number range encodes as that number would.
      if (value <= BigInt(INT_MAGNITUDE_MAX) && value >= -BigInt(INT_MAGNITUDE_MAX)) {
        return normalize(Number(value), depth);
      }
      return value;
    case "object":
      return normalizeObject(value, depth);
    default:
      throw new CareLedgerError("ENCODING_INVALID", `type ${typeof value} has no encoding`);
  }
}

function normalizeObject(value: object | null, depth: number): unknown {
  if (value === null) return null;
  if (value instanceof Uint8Array) return value;
  // `depth` counts the containers around this one; decode accepts at most depthMax in all.
  if (depth >= DEFAULT_DECODE_LIMITS.depthMax) {
    throw new CareLedgerError("ENCODING_INVALID", "nesting too deep");
  }
  if (Array.isArray(value)) return value.map((item: Canonical) => normalize(item, depth + 1));
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    throw new CareLedgerError("ENCODING_INVALID", "only plain objects have an encoding");
  }
  const record = value as { readonly [key: string]: Canonical };
  // A Map keeps the sorted order; a plain object would move integer-like keys ("9" before "10").
  const sorted = new Map<string, unknown>();
  for (const key of Object.keys(record).sort()) {
    // Decoders refuse it, and assigning it to an object would drop it silently.
    if (key === "__proto__") throw new CareLedgerError("ENCODING_INVALID", "reserved key");
    const item = record[key];
    if (item === undefined) {
      throw new CareLedgerError("ENCODING_INVALID", `undefined at key ${key}`);
    }
    sorted.set(wellFormed(key), normalize(item, depth + 1));
  }
  return sorted;
}

const LONE_SURROGATE = /\p{Cs}/u;

/** A lone surrogate has no UTF-8 encoding: msgpackr would write bytes no decoder accepts. */
function wellFormed(text: string): string {
  if (LONE_SURROGATE.test(text)) {
    throw new CareLedgerError("ENCODING_INVALID", "string with a lone surrogate");
  }
  return text;
}

/** Turns msgpackr's output into the canonical model: Buffers become plain Uint8Arrays. */
function fromDecoded(value: unknown, depth: number): Canonical {
  if (depth > DEFAULT_DECODE_LIMITS.depthMax) {
    throw new CareLedgerError("ENCODING_INVALID", "nesting too deep");
  }
  if (value === null || typeof value === "boolean" || typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint") return value;
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (Array.isArray(value)) return value.map((item) => fromDecoded(item, depth + 1));
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, Canonical> = {};
    for (const [key, item] of Object.entries(value)) {
      if (key === "__proto__") throw new CareLedgerError("ENCODING_INVALID", "reserved key");
      out[key] = fromDecoded(item, depth + 1);
    }
    return out;
  }
  throw new CareLedgerError("ENCODING_INVALID", "decoded a type outside the model");
}

/**
 * Node's Buffer.compare (memcmp) when present, else a loop. Measured on this machine: 7 us
 * against 440 us for 280 KB, and every decode compares its input with a re-encoding.
 */
// biome-ignore lint/style/useNamingConvention: Node's global is called Buffer.
const nativeCompare = (globalThis as { Buffer?: { compare(a: Uint8Array, b: Uint8Array): number } })
  .Buffer?.compare;
/** Below this many bytes the loop is as quick as the call into native code. */
const NATIVE_COMPARE_BYTES_MIN = 64;

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  if (nativeCompare !== undefined && a.byteLength >= NATIVE_COMPARE_BYTES_MIN) {
    return nativeCompare(a, b) === 0;
  }
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

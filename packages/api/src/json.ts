import { type Canonical, toHex } from "@careledger/protocol";

/**
 * A canonical value as JSON: bytes as lowercase hex, 64-bit integers beyond the JSON-safe range
 * as decimal strings (the API's rule for amounts and other large values).
 */
export function canonicalToJson(value: Canonical): unknown {
  if (value instanceof Uint8Array) return toHex(value);
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return value.map((item: Canonical) => canonicalToJson(item));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as Record<string, Canonical>)) {
      out[key] = canonicalToJson(item);
    }
    return out;
  }
  return value;
}

import { fromHex } from "@careledger/protocol";
import { localError } from "./errors.js";

/**
 * Readers for the JSON a node answers with. A node is not trusted: every field is checked for
 * type and size, and a wrong one is a `bad-response` error naming where it was found.
 */

export type JsonRecord = Readonly<Record<string, unknown>>;

export function badResponse(where: string, expected: string): never {
  throw localError("bad-response", `${where}: expected ${expected}`);
}

export function recordAt(value: unknown, where: string): JsonRecord {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    badResponse(where, "an object");
  return value as JsonRecord;
}

export function intAt(value: unknown, where: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0)
    badResponse(where, "a non-negative integer");
  return value as number;
}

export function boolAt(value: unknown, where: string): boolean {
  if (typeof value !== "boolean") badResponse(where, "a boolean");
  return value;
}

export function stringAt(value: unknown, where: string): string {
  if (typeof value !== "string") badResponse(where, "a string");
  return value;
}

export function hexAt(value: unknown, where: string, bytes?: number): Uint8Array {
  if (typeof value !== "string") badResponse(where, "hex");
  try {
    return fromHex(value, bytes);
  } catch {
    return badResponse(where, bytes === undefined ? "hex" : `${bytes} bytes of hex`);
  }
}

export function listAt<T>(
  value: unknown,
  where: string,
  itemsMax: number,
  each: (item: unknown, where: string) => T,
): T[] {
  if (!Array.isArray(value) || value.length > itemsMax)
    badResponse(where, `a list of <= ${itemsMax}`);
  return value.map((item, index) => each(item, `${where}[${index}]`));
}

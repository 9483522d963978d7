import { fromHex } from "@careledger/protocol";
import type { Static, TSchema } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { localError } from "./errors.js";

/**
 * Checks of the JSON a node answers with. A node is not trusted: every answer is checked against
 * its schema in the protocol's contract (types, exact hex lengths, list and integer bounds), and
 * a wrong one is a `bad-response` error naming where it was found.
 */

export type JsonRecord = Readonly<Record<string, unknown>>;

export function badResponse(where: string, expected: string): never {
  throw localError("bad-response", `${where}: expected ${expected}`);
}

/**
 * The schema with its objects opened to fields it does not name: a newer node may add a field
 * without breaking this SDK, while every field the SDK reads keeps its checks.
 */
function openObjects(schema: TSchema): TSchema {
  // A spread keeps TypeBox's symbol keys, which its compiler reads.
  const copy: TSchema = { ...schema };
  if (copy.additionalProperties === false) delete copy.additionalProperties;
  const properties = copy.properties as Record<string, TSchema> | undefined;
  if (properties !== undefined) {
    copy.properties = Object.fromEntries(
      Object.entries(properties).map(([name, inner]) => [name, openObjects(inner)]),
    );
  }
  if (copy.items !== undefined) copy.items = openObjects(copy.items as TSchema);
  if (Array.isArray(copy.anyOf)) copy.anyOf = copy.anyOf.map(openObjects);
  return copy;
}

/** A compiled check of one answer against a contract schema; `where` names it in errors. */
export function answerChecker<S extends TSchema>(
  schema: S,
  where: string,
): (value: unknown) => Static<S> {
  const checker = TypeCompiler.Compile(openObjects(schema));
  return (value) => {
    if (checker.Check(value)) return value as Static<S>;
    const first = checker.Errors(value).First();
    return badResponse(`${where}${first?.path.replaceAll("/", ".") ?? ""}`, first?.message ?? "");
  };
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

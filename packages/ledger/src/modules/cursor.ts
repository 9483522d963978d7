import { CareLedgerError, decode, encode } from "@careledger/protocol";

/**
 * A paged query's resume cursor: base64url of the canonical `[query name, last key]`. Opaque to
 * callers; bound to its query, so a cursor from one list cannot be moved to another (the key is
 * also checked to lie under the prefix the query scans).
 */
export function encodeCursor(query: string, lastKey: string): string {
  return Buffer.from(encode([query, lastKey])).toString("base64url");
}

export function decodeCursor(query: string, cursor: string): string {
  let value: unknown;
  try {
    value = decode(Buffer.from(cursor, "base64url"));
  } catch {
    throw new CareLedgerError("BAD_REQUEST", "cursor is not one this node gave");
  }
  if (!Array.isArray(value) || value.length !== 2 || typeof value[1] !== "string") {
    throw new CareLedgerError("BAD_REQUEST", "cursor is not one this node gave");
  }
  if (value[0] !== query) throw new CareLedgerError("BAD_REQUEST", "cursor is for another query");
  return value[1];
}

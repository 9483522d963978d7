import type { CallerIdentity } from "@careledger/api";

/** What the `identity.key` query answers about a key (protocol `QUERIES["identity.key"]`). */
export interface KeyRecord {
  readonly identity: { readonly org: string; readonly roles: readonly string[] } | null;
  readonly adminOf: readonly string[];
  readonly revoked: boolean;
}

/**
 * The identity a signed request runs as, from what `identity.key` says of its key: null for a
 * key neither registered nor an admin, or revoked. Its registration and the organizations it
 * administers stay apart (the read rules check roles at the one, admin rights at the others), so
 * a clinician of A who administers B is no clinician of B, and an admin of several organizations
 * is an admin of each.
 */
export function callerIdentityOf(record: KeyRecord | null): CallerIdentity | null {
  if (record === null || record.revoked) return null;
  if (record.identity === null && record.adminOf.length === 0) return null;
  const identity =
    record.identity === null ? null : { org: record.identity.org, roles: record.identity.roles };
  return { identity, adminOf: record.adminOf };
}

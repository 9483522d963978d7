import { type Canonical, CareLedgerError, mayKnowKey, QUERIES } from "@careledger/protocol";
import { definePagedQuery, defineQuery, type Query, scanPage } from "../module.js";
import { MEMBERS_INDEX } from "./indexes.js";
import {
  type IdentityRecord,
  identityKey,
  ORG_PREFIX,
  orgKey,
  readAdminOf,
  readOrganization,
} from "./state.js";

/**
 * `identity.key?key=<hex>`: who a key is: its registration (if any) and what it administers. Its
 * `query` access rule is judged here, on the key's state (`mayKnowKey`); a null caller is the
 * node's own trusted read.
 */
const whoIs = defineQuery(QUERIES["identity.key"], async (reader, { key }, caller) => {
  const identity = (await reader.get(identityKey(key))) as IdentityRecord | null;
  const adminOf = await readAdminOf(reader, key);
  if (caller !== null && !mayKnowKey(caller, key, { identity, adminOf })) {
    throw new CareLedgerError("FORBIDDEN", "only the key, operators and its organization's staff");
  }
  // A key whose organization governance removed counts as revoked: it authenticates nothing.
  const orgRemoved = identity !== null && (await readOrganization(reader, identity.org)) === null;
  const revoked = identity !== null && (identity.revokedAt !== undefined || orgRemoved);
  return { key, identity: identity as unknown as Canonical, adminOf, revoked };
});

/** `identity.organizations`: every member organization, page by page. */
const organizations = definePagedQuery(
  QUERIES["identity.organizations"],
  async (reader, _params, _caller, page) => {
    const { entries, resumeAfter } = await scanPage(reader, ORG_PREFIX, page);
    return { items: entries.map(([, org]) => org), resumeAfter };
  },
);

/** `identity.organization?id=<id>`: one organization, or null. */
const organization = defineQuery(QUERIES["identity.organization"], (reader, { id }) =>
  reader.get(orgKey(id)),
);

/**
 * `identity.members?org=<id>`: the keys registered to an organization, from the node-local
 * `members` index (`<org>/<key hex>`), each with its current record.
 */
const members = definePagedQuery(
  QUERIES["identity.members"],
  async (reader, { org }, _caller, page) => {
    const prefix = `${org}/`;
    const { entries, resumeAfter } = await scanPage(reader.index(MEMBERS_INDEX), prefix, page);
    const items: Canonical[] = [];
    for (const [entry] of entries) {
      const key = entry.slice(prefix.length);
      const record = (await reader.get(identityKey(key))) as IdentityRecord | null;
      if (record === null) continue;
      const revoked = record.revokedAt !== undefined;
      items.push({ key, record: record as unknown as Canonical, revoked });
    }
    return { items, resumeAfter };
  },
);

export const identityQueries: readonly Query[] = [whoIs, organizations, organization, members];

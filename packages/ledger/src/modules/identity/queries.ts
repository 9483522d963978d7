import { type Canonical, QUERIES } from "@careledger/protocol";
import { definePagedQuery, defineQuery, type Query, scanPage } from "../module.js";
import {
  type IdentityRecord,
  identityKey,
  ORG_PREFIX,
  orgKey,
  readAdminOf,
  readOrganization,
} from "./state.js";

/** `identity.key?key=<hex>`: who a key is: its registration (if any) and what it administers. */
const whoIs = defineQuery(QUERIES["identity.key"], async (reader, { key }) => {
  const identity = (await reader.get(identityKey(key))) as IdentityRecord | null;
  const adminOf = await readAdminOf(reader, key);
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

export const identityQueries: readonly Query[] = [whoIs, organizations, organization];

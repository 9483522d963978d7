import { fromHex, type Organization, toHex } from "@careledger/protocol";
import { QUERY_RESULTS_MAX, type Query, requireParam } from "../module.js";
import { identityKey, ORG_PREFIX, orgKey } from "./state.js";

/** `identity.key?key=<hex>`: who a key is: its registration (if any) and what it administers. */
const whoIs: Query = {
  name: "identity.key",
  async run(reader, params) {
    const keyHex = toHex(fromHex(requireParam(params, "key"), 32));
    const identity = await reader.get(identityKey(keyHex));
    const orgs = await reader.scan(ORG_PREFIX, QUERY_RESULTS_MAX);
    const adminOf = orgs
      .map(([, org]) => org as unknown as Organization)
      .filter((org) => org.adminKeys.includes(keyHex))
      .map((org) => org.id);
    const record = identity as { org: string; revokedAt?: number } | null;
    // A key whose organization governance removed counts as revoked: it authenticates nothing.
    const orgRemoved =
      record !== null &&
      !orgs.some(([, org]) => (org as unknown as Organization).id === record.org);
    const revoked = record !== null && (record.revokedAt !== undefined || orgRemoved);
    return { key: keyHex, identity, adminOf, revoked };
  },
};

/** `identity.organizations`: every member organization. */
const organizations: Query = {
  name: "identity.organizations",
  async run(reader) {
    const orgs = await reader.scan(ORG_PREFIX, QUERY_RESULTS_MAX);
    return orgs.map(([, org]) => org);
  },
};

/** `identity.organization?id=<id>`: one organization, or null. */
const organization: Query = {
  name: "identity.organization",
  run: (reader, params) => reader.get(orgKey(requireParam(params, "id"))),
};

export const identityQueries: readonly Query[] = [whoIs, organizations, organization];

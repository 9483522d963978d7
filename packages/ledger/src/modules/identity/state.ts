import type { Canonical, IdentityRole, Organization } from "@careledger/protocol";
import type { StateAccess } from "../../state/blockState.js";

/** Reads alone: what the sender check needs, from a block's overlay or the committed state. */
export type StateReader = { get(key: string): Canonical | null | Promise<Canonical | null> };

import { reject } from "../module.js";

/**
 * State keys of the identity module, all in its namespace `identity/`: a registered key's record
 * is `identity/<hex>` (hex never holds a slash, so it meets no other key), organizations are
 * `identity/org/<id>`.
 */
export const orgKey = (id: string) => `identity/org/${id}`;
export const identityKey = (keyHex: string) => `identity/${keyHex}`;
export const ORG_PREFIX = "identity/org/";
/**
 * Index of admin keys: `identity/admin/<hex>` lists (sorted) the organizations the key administers, so the
 * sender check of every transaction is one read, not a scan of every organization.
 */
export const adminIndexKey = (keyHex: string) => `identity/admin/${keyHex}`;
/**
 * Index of node keys: `identity/node/<hex>` lists (sorted) the organizations whose `nodeKeys`
 * hold the key, so a node key is admitted as a sender (a custodian reporting an erasure) in the
 * same one read.
 */
export const nodeIndexKey = (keyHex: string) => `identity/node/${keyHex}`;

/** A registered key: its organization and roles; `revokedAt` is the height that revoked it. */
export interface IdentityRecord {
  readonly org: string;
  readonly roles: readonly IdentityRole[];
  readonly registeredAt: number;
  readonly revokedAt?: number;
}

export async function readOrganization(
  state: StateReader,
  id: string,
): Promise<Organization | null> {
  return (await state.get(orgKey(id))) as Organization | null;
}

export async function readIdentity(
  state: StateReader,
  keyHex: string,
): Promise<IdentityRecord | null> {
  return (await state.get(identityKey(keyHex))) as IdentityRecord | null;
}

export function writeIdentity(state: StateAccess, keyHex: string, record: IdentityRecord): void {
  state.put(identityKey(keyHex), record as unknown as Canonical);
}

/**
 * Writes an organization and keeps the admin and node indexes in step with its admin and node
 * keys: keys it gained list it, keys it lost no longer do. Every write of an organization goes
 * through here.
 */
export async function writeOrganization(state: StateAccess, org: Organization): Promise<void> {
  const before = await readOrganization(state, org.id);
  await reindex(state, adminIndexKey, org.id, before?.adminKeys ?? [], org.adminKeys);
  await reindex(state, nodeIndexKey, org.id, before?.nodeKeys ?? [], org.nodeKeys);
  state.put(orgKey(org.id), org as unknown as Canonical);
}

export async function removeOrganization(state: StateAccess, id: string): Promise<void> {
  const before = await readOrganization(state, id);
  await reindex(state, adminIndexKey, id, before?.adminKeys ?? [], []);
  await reindex(state, nodeIndexKey, id, before?.nodeKeys ?? [], []);
  state.delete(orgKey(id));
}

/** Moves `orgId` in the index `indexKey` (admin or node) from the keys `before` to `after`. */
async function reindex(
  state: StateAccess,
  indexKey: (keyHex: string) => string,
  orgId: string,
  before: readonly string[],
  after: readonly string[],
): Promise<void> {
  for (const key of before) {
    if (after.includes(key)) continue;
    const remaining = (await readOrgList(state, indexKey(key))).filter((id) => id !== orgId);
    if (remaining.length === 0) state.delete(indexKey(key));
    else state.put(indexKey(key), remaining);
  }
  for (const key of after) {
    if (before.includes(key)) continue;
    const orgs = await readOrgList(state, indexKey(key));
    if (!orgs.includes(orgId)) state.put(indexKey(key), [...orgs, orgId].sort());
  }
}

async function readOrgList(state: StateReader, key: string): Promise<string[]> {
  return ((await state.get(key)) as string[] | null) ?? [];
}

/** The organizations `keyHex` administers, sorted (from the admin index). */
export function readAdminOf(state: StateReader, keyHex: string): Promise<string[]> {
  return readOrgList(state, adminIndexKey(keyHex));
}

/** The member organizations whose node keys include `keyHex`, sorted (from the node index). */
export function readNodeOf(state: StateReader, keyHex: string): Promise<string[]> {
  return readOrgList(state, nodeIndexKey(keyHex));
}

/** The organization, which must exist (ORG_NOT_FOUND). */
export async function requireOrganization(
  state: StateReader,
  orgId: string,
): Promise<Organization> {
  const org = await readOrganization(state, orgId);
  if (org === null) return reject("ORG_NOT_FOUND", `no organization ${orgId}`);
  return org;
}

/**
 * Who may have transactions admitted and included (DOMAIN.md): a registered, unrevoked identity,
 * an admin of some organization, or a node key a member organization lists. Being admitted is
 * all a node key gets here: only an `orgNode` sender rule lets it do anything (the other rules
 * judge roles and admins). A revoked identity is refused even if it is also an admin or node
 * key: revocation reports a compromise. Returns the broken rule, or null for a known sender.
 * Judged on the state a block executes on (before its transactions), so a key registered or
 * revoked in a block counts from the next block, as revocation always did.
 */
export async function senderRefusal(
  state: StateReader,
  sender: string,
): Promise<{ code: "SENDER_UNKNOWN" | "IDENTITY_REVOKED" | "ORG_REMOVED"; reason: string } | null> {
  const record = await readIdentity(state, sender);
  if (record?.revokedAt !== undefined) {
    return { code: "IDENTITY_REVOKED", reason: `sender was revoked at height ${record.revokedAt}` };
  }
  // An identity belongs to its organization: once governance removed it, its keys sign nothing.
  if (record !== null && (await readOrganization(state, record.org)) === null) {
    return { code: "ORG_REMOVED", reason: `organization ${record.org} was removed` };
  }
  if (record !== null || (await readAdminOf(state, sender)).length > 0) return null;
  // Removing an organization drops its node keys from the index: they are refused from then on.
  if ((await readNodeOf(state, sender)).length > 0) return null;
  return {
    code: "SENDER_UNKNOWN",
    reason: "sender is neither a registered identity, an organization admin nor a member's node",
  };
}

/** The ids of the member organizations, sorted: the electorate of governance. */
export const ORG_IDS_KEY = "identity/orgs";

export async function readOrganizationIds(state: StateAccess): Promise<string[]> {
  return ((await state.get(ORG_IDS_KEY)) as string[] | null) ?? [];
}

export function writeOrganizationIds(state: StateAccess, ids: readonly string[]): void {
  state.put(ORG_IDS_KEY, [...ids].sort());
}

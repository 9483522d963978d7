import type { Canonical, IdentityRole, Organization } from "@careledger/protocol";
import type { StateAccess } from "../../state/blockState.js";
import { reject } from "../module.js";

/** State keys of the identity module. */
export const orgKey = (id: string) => `org/${id}`;
export const identityKey = (keyHex: string) => `identity/${keyHex}`;
export const ORG_PREFIX = "org/";

/** A registered key: its organization and roles; `revokedAt` is the height that revoked it. */
export interface IdentityRecord {
  readonly org: string;
  readonly roles: readonly IdentityRole[];
  readonly registeredAt: number;
  readonly revokedAt?: number;
}

export async function readOrganization(
  state: StateAccess,
  id: string,
): Promise<Organization | null> {
  return (await state.get(orgKey(id))) as Organization | null;
}

export async function readIdentity(
  state: StateAccess,
  keyHex: string,
): Promise<IdentityRecord | null> {
  return (await state.get(identityKey(keyHex))) as IdentityRecord | null;
}

export function writeIdentity(state: StateAccess, keyHex: string, record: IdentityRecord): void {
  state.put(identityKey(keyHex), record as unknown as Canonical);
}

export function writeOrganization(state: StateAccess, org: Organization): void {
  state.put(orgKey(org.id), org as unknown as Canonical);
}

/** The organization, which must exist and list `sender` among its admin keys. */
export async function requireAdminOf(
  state: StateAccess,
  orgId: string,
  sender: string,
): Promise<Organization> {
  const org = await readOrganization(state, orgId);
  if (org === null) return reject("ORG_NOT_FOUND", `no organization ${orgId}`);
  if (!org.adminKeys.includes(sender)) {
    return reject("UNAUTHORIZED", `sender is not an admin of ${orgId}`);
  }
  return org;
}

/**
 * Checked before every transaction of every module: a revoked key can no longer act, from the
 * block after the one that revoked it (a revocation commits in its own block first).
 */
export async function rejectRevokedSender(
  state: StateAccess,
  sender: string,
  height: number,
): Promise<void> {
  const record = await readIdentity(state, sender);
  if (record?.revokedAt !== undefined && record.revokedAt < height) {
    reject("IDENTITY_REVOKED", `key was revoked at height ${record.revokedAt}`);
  }
  // An identity belongs to its organization: once governance removed it, its keys sign nothing.
  if (record !== null && (await readOrganization(state, record.org)) === null) {
    reject("ORG_REMOVED", `organization ${record.org} was removed`);
  }
}

/** The ids of the member organizations, sorted: the electorate of governance. */
export const ORG_IDS_KEY = "orgs";

export async function readOrganizationIds(state: StateAccess): Promise<string[]> {
  return ((await state.get(ORG_IDS_KEY)) as string[] | null) ?? [];
}

export function writeOrganizationIds(state: StateAccess, ids: readonly string[]): void {
  state.put(ORG_IDS_KEY, [...ids].sort());
}

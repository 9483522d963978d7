import { TX_TYPES } from "@careledger/protocol";
import { hexOf } from "../../hex.js";
import { defineTxType, reject } from "../module.js";
import {
  identityKey,
  orgKey,
  readIdentity,
  requireOrganization,
  writeIdentity,
  writeOrganization,
} from "./state.js";

/** `identity.register`: an admin of the organization binds a new key to it with roles. */
export const identityRegister = defineTxType(TX_TYPES["identity.register"], {
  reads: (payload) => [orgKey(payload.org), identityKey(hexOf(payload.key))],
  async execute(ctx, payload) {
    const keyHex = hexOf(payload.key);
    const existing = await readIdentity(ctx.state, keyHex);
    // A revoked key stays revoked: registering it again would undo a compromise report.
    if (existing !== null) reject("ALREADY_EXISTS", `key is already registered to ${existing.org}`);
    writeIdentity(ctx.state, keyHex, {
      org: payload.org,
      roles: [...payload.roles].sort(),
      registeredAt: ctx.height,
    });
  },
});

/**
 * `identity.revoke`: by the key itself or an admin of its organization (the contract's sender
 * rules, checked before this runs); effective from the next block.
 */
export const identityRevoke = defineTxType(TX_TYPES["identity.revoke"], {
  reads: (payload) => [identityKey(hexOf(payload.key))],
  async execute(ctx, payload) {
    const keyHex = hexOf(payload.key);
    const record = await readIdentity(ctx.state, keyHex);
    if (record === null) return reject("NOT_FOUND", "key is not registered");
    if (record.revokedAt !== undefined) {
      reject("IDENTITY_REVOKED", `key was already revoked at height ${record.revokedAt}`);
    }
    writeIdentity(ctx.state, keyHex, { ...record, revokedAt: ctx.height });
  },
});

/**
 * `org.revokeAdmin`: an admin of the organization (another one, or the key itself, for a key it
 * lost or suspects) removes an admin key at once, without waiting for a governance vote. The last
 * admin key stays (LAST_ADMIN): an organization without one could never act again; adding keys
 * is governance's (`gov.propose` with `org.admins`), so a stolen key cannot let in another.
 */
export const orgRevokeAdmin = defineTxType(TX_TYPES["org.revokeAdmin"], {
  reads: (payload) => [orgKey(payload.org)],
  async execute(ctx, payload) {
    const org = await requireOrganization(ctx.state, payload.org);
    const keyHex = hexOf(payload.key);
    if (!org.adminKeys.includes(keyHex)) reject("NOT_FOUND", `key is no admin of ${org.id}`);
    if (org.adminKeys.length <= 1) reject("LAST_ADMIN", `${keyHex} is the last admin of ${org.id}`);
    await writeOrganization(ctx.state, {
      ...org,
      adminKeys: org.adminKeys.filter((key) => key !== keyHex),
    });
  },
});

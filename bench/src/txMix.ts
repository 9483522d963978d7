import { generateKeyPairSync, sign } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { nodeCryptoSigner } from "@careledger/node";
import { ADMIN_KEY_FILE } from "@careledger/node/devnet";
import {
  fromHex,
  IDENTITY_ROLES,
  type IdentityRole,
  NONCE_BYTES,
  type SignedTx,
  type Signer,
  signTx,
} from "@careledger/protocol";

/** One pre-signed transaction, ready to send. */
export interface PreparedTx {
  /** The transaction type (`identity.register`, `access.log`, ...). */
  readonly type: string;
  readonly base64: string;
  readonly idHex: string;
  readonly bytes: number;
}

export interface Org {
  readonly id: string;
  readonly admin: Signer;
}

/** The org admins of a devnet laid out in `dir` (org-i's admin key sits in node-i's home). */
export async function devnetOrgs(dir: string, nodes: number): Promise<Org[]> {
  return Promise.all(
    Array.from({ length: nodes }, async (_, i) => {
      const hex = (await readFile(join(dir, `node-${i}`, ADMIN_KEY_FILE), "utf8")).trim();
      return { id: `org-${i}`, admin: nodeCryptoSigner(fromHex(hex, 32)) };
    }),
  );
}

/** A fresh Ed25519 key signing through node:crypto (noble's key derivation is too slow here). */
export function freshSigner(): Signer {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const x = publicKey.export({ format: "jwk" }).x as string;
  return {
    publicKey: new Uint8Array(Buffer.from(x, "base64url")),
    sign: (message) => new Uint8Array(sign(null, message, privateKey)),
  };
}

const nonce = () => crypto.getRandomValues(new Uint8Array(NONCE_BYTES));

/** A signed transaction in the form the load generator sends and tracks. */
export function prepared(type: string, signed: SignedTx): PreparedTx {
  const buffer = Buffer.from(signed.bytes.buffer, signed.bytes.byteOffset, signed.bytes.byteLength);
  return {
    type,
    base64: buffer.toString("base64"),
    idHex: Buffer.from(signed.id).toString("hex"),
    bytes: signed.bytes.byteLength,
  };
}

/**
 * `identity.register` of `key` into the admin's org. Roles are the first `roleCount` of the
 * registry's list: the only lever the identity payload has on a transaction's size.
 */
export function registerTx(
  org: Org,
  chain: Uint8Array,
  expires: number,
  key: Uint8Array,
  roleCount: number,
): PreparedTx {
  const roles: IdentityRole[] = IDENTITY_ROLES.slice(0, roleCount);
  const payload = { key, org: org.id, roles };
  return prepared(
    "identity.register",
    signTx({ v: 1, chain, type: "identity.register", nonce: nonce(), expires, payload }, org.admin),
  );
}

/** `identity.revoke` of a registered key by the key itself. */
export function selfRevokeTx(account: Signer, chain: Uint8Array, expires: number): PreparedTx {
  const payload = { key: account.publicKey };
  return prepared(
    "identity.revoke",
    signTx({ v: 1, chain, type: "identity.revoke", nonce: nonce(), expires, payload }, account),
  );
}

/** The fewest roles whose register transaction is at least `bytes` long (all of them at most). */
export function roleCountFor(bytes: number | null, sizeOf: (roleCount: number) => number): number {
  if (bytes === null) return 1;
  for (let count = 1; count <= IDENTITY_ROLES.length; count++) {
    if (sizeOf(count) >= bytes) return count;
  }
  return IDENTITY_ROLES.length;
}

/**
 * Whether transaction `index` of a step is a revoke: every `round(1 / share)`-th one, so the mix
 * is spread evenly over the schedule.
 */
export function isRevokeSlot(index: number, revokeShare: number): boolean {
  if (revokeShare <= 0) return false;
  const every = Math.max(1, Math.round(1 / revokeShare));
  return index % every === every - 1;
}

export function revokeCount(total: number, revokeShare: number): number {
  let count = 0;
  for (let i = 0; i < total; i++) if (isRevokeSlot(i, revokeShare)) count++;
  return count;
}

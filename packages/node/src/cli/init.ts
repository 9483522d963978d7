import { access, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  type GenesisPeer,
  generateSecretKey,
  MEMBER_FILE_FORMAT,
  type MemberFile,
  type Organization,
  parseMemberFile,
  publicKeyOf,
  toHex,
} from "@careledger/protocol";
import {
  CONFIG_FILE,
  DEFAULT_NODE_CONFIG,
  MEMBER_FILE,
  NODE_KEY_FILE,
  type NodeConfig,
  parseNodeConfig,
} from "../config.js";
import { announcedAddress } from "../homeGenesis.js";
import { type KeyCustody, writeSecretKey } from "../keyCustody.js";
import { createKeyEncryptionKey, KEK_FILE } from "../keyEncryptionKey.js";
import { readMemberFile } from "./genesis.js";

export const ADMIN_KEY_FILE = "admin.key";

/** Where a node listens and what it announces. */
export interface NodeInit {
  readonly host: string;
  readonly p2pPort: number;
  readonly apiPort: number;
  readonly p2pAnnounce?: string;
}

/** Who an organization is, as its member file says (its keys are made here). */
export type MemberInit = Pick<Organization, "id" | "name" | "kind" | "gs1CompanyPrefixes" | "gln">;

/** A node made in memory, checked, not written yet. */
export interface PreparedNode {
  readonly secret: Uint8Array;
  readonly config: NodeConfig;
  /** Its node key and announced address, as its member file lists them. */
  readonly peer: GenesisPeer;
}

/** An organization's admin key and member file, made in memory and checked. */
export interface PreparedMember {
  readonly adminSecret: Uint8Array;
  readonly member: MemberFile;
}

/** A fresh node key and the node's config; CONFIG_INVALID for an address it cannot announce. */
export function prepareNode(node: NodeInit): PreparedNode {
  const config = parseNodeConfig({
    ...DEFAULT_NODE_CONFIG,
    host: node.host,
    p2pPort: node.p2pPort,
    apiPort: node.apiPort,
    ...(node.p2pAnnounce !== undefined && { p2pAnnounce: node.p2pAnnounce }),
    peers: [],
  });
  const secret = generateSecretKey();
  return {
    secret,
    config,
    peer: { nodeKey: toHex(publicKeyOf(secret)), address: announcedAddress(config) },
  };
}

/** A fresh admin key and the member file listing it and `nodes`; MEMBER_FILE_INVALID on bad input. */
export function prepareMember(org: MemberInit, nodes: readonly GenesisPeer[]): PreparedMember {
  const adminSecret = generateSecretKey();
  const member = parseMemberFile({
    format: MEMBER_FILE_FORMAT,
    version: 1,
    id: org.id,
    name: org.name,
    kind: org.kind,
    adminKeys: [toHex(publicKeyOf(adminSecret))],
    nodes: [...nodes],
    ...(org.gs1CompanyPrefixes !== undefined && { gs1CompanyPrefixes: org.gs1CompanyPrefixes }),
    ...(org.gln !== undefined && { gln: org.gln }),
  });
  return { adminSecret, member };
}

/** Writes a node's key, key-encryption key and config into `home`. */
export async function writeNode(home: string, node: PreparedNode, custody: KeyCustody) {
  await mkdir(home, { recursive: true });
  await writeSecretKey(join(home, NODE_KEY_FILE), "node", node.secret, custody);
  await createKeyEncryptionKey(home, custody);
  await writeFile(join(home, CONFIG_FILE), `${JSON.stringify(node.config, null, 2)}\n`);
}

/** Writes an organization's admin key and its public member file into `home`. */
export async function writeMember(home: string, prepared: PreparedMember, custody: KeyCustody) {
  await mkdir(home, { recursive: true });
  await writeSecretKey(join(home, ADMIN_KEY_FILE), "admin", prepared.adminSecret, custody);
  await writeFile(join(home, MEMBER_FILE), `${JSON.stringify(prepared.member, null, 2)}\n`);
}

/**
 * `careledger init`: makes in `home` the node key, the organization's admin key and the
 * key-encryption key (under the custody's passphrase), the config, and the public member file
 * the organization sends to the others for genesis. Everything is checked before anything is
 * written, and no existing key is replaced.
 */
export async function initHome(
  home: string,
  node: NodeInit,
  org: MemberInit,
  custody: KeyCustody,
): Promise<MemberFile> {
  const prepared = prepareNode(node);
  const member = prepareMember(org, [prepared.peer]);
  await refuseExisting(home, [NODE_KEY_FILE, KEK_FILE, ADMIN_KEY_FILE, MEMBER_FILE]);
  await writeNode(home, prepared, custody);
  await writeMember(home, member, custody);
  return member.member;
}

/**
 * `careledger add-node`: another node of an organization `init` made (a consortium needs at
 * least four validators, so three organizations run four nodes). Makes the node's key,
 * key-encryption key and config in `home`, adds the node to the member file at `memberFile`
 * (rewritten in place) and puts the same member file in `home`. The admin key stays where
 * init made it.
 */
export async function addNode(
  home: string,
  memberFile: string,
  node: NodeInit,
  custody: KeyCustody,
): Promise<MemberFile> {
  const member = await readMemberFile(memberFile);
  const prepared = prepareNode(node);
  const grown = parseMemberFile({ ...member, nodes: [...member.nodes, prepared.peer] });
  await refuseExisting(home, [NODE_KEY_FILE, KEK_FILE, MEMBER_FILE]);
  await writeNode(home, prepared, custody);
  const text = `${JSON.stringify(grown, null, 2)}\n`;
  await writeFile(join(home, MEMBER_FILE), text);
  await writeFile(memberFile, text);
  return grown;
}

async function refuseExisting(home: string, files: readonly string[]): Promise<void> {
  for (const file of files) {
    const path = join(home, file);
    const exists = await access(path).then(
      () => true,
      () => false,
    );
    if (exists) throw new Error(`${path} exists: refusing to replace a key or member file`);
  }
}

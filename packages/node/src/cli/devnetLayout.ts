import { copyFile, readFile } from "node:fs/promises";
import { join } from "node:path";
import { type Genesis, parseGenesis } from "@careledger/protocol";
import { GENESIS_FILE, MEMBER_FILE } from "../config.js";
import type { KeyCustody } from "../keyCustody.js";
import { ensureKeyEncryptionKey } from "../keyEncryptionKey.js";
import { DEVNET_COMPANY_PREFIX, DEVNET_CONSORTIUM, devnetGln } from "./devnetConsortium.js";
import { genesisFromMemberFiles, writeGenesisFile } from "./genesis.js";
import {
  ADMIN_KEY_FILE,
  type MemberInit,
  type PreparedNode,
  prepareMember,
  prepareNode,
  writeMember,
  writeNode,
} from "./init.js";

/** For clients of a devnet that name its organizations. */
export { DEVNET_COMPANY_PREFIX, DEVNET_CONSORTIUM, DEVNET_ORG } from "./devnetConsortium.js";
/** For harnesses that write a node home of their own (a node added after genesis). */
/** Where a devnet home keeps its organization's admin key. */
export { ADMIN_KEY_FILE, ensureKeyEncryptionKey };

export const DEVNET_GENESIS_FILE = "genesis.json";

export interface DevnetOptions {
  readonly nodes: number;
  readonly dir: string;
  readonly apiPort: number;
  readonly p2pPort: number;
  /** Consensus parameters other than the devnet's (tests use short checkpoint intervals). */
  readonly params?: Partial<Genesis["params"]>;
  /**
   * The demo consortium's nine organizations (devnetConsortium.ts; node i belongs to member
   * i mod 9) rather than one organization `org-i` per node. `careledger devnet` asks for it; the
   * cluster tests keep one organization per node, so that the admins of their nodes' orgs are
   * all the organizations there are (governance counts organizations).
   */
  readonly consortium?: boolean;
  /**
   * Node i's p2p host, listened on and announced (a node per network namespace, each with an
   * address of its own: test/harness/netnsCluster.ts). Absent, every node is on 127.0.0.1 and
   * node i takes ports p2pPort + i and apiPort + i; present, every node takes the same two ports.
   */
  readonly hosts?: readonly string[];
}

/** The kinds the devnet's organizations `org-i` cycle through. */
const DEVNET_KINDS = [
  "hospital",
  "insurer",
  "manufacturer",
  "pharmacy",
  "distributor",
  "regulator",
  "clinic",
  "lab",
] as const;

/**
 * Four nodes share one small machine: blocks of at most 1,000 transactions certify well within
 * the 3 s view-change timeout even under load (blocks of 5,000 outlasted a 2 s timeout and set
 * off view changes: bench/RESULTS.md).
 */
export const DEVNET_PARAMS: Genesis["params"] = {
  checkpointInterval: 100,
  window: 8,
  emptyBlockIntervalMs: 1_000,
  requestTimeoutMs: 10_000,
  viewChangeTimeoutMs: 3_000,
  clockSkewMaxMs: 5_000,
  blockTxsMax: 1_000,
};

export function nodeHomeOf(dir: string, index: number): string {
  return join(dir, `node-${index}`);
}

/** A devnet's keys are plain hex (the harnesses and SDK examples read them); start warns. */
const DEVNET_CUSTODY: KeyCustody = { passphrase: null, warn: () => undefined };

/**
 * Writes `DIR/genesis.json` and one home per node (`DIR/node-i`: config, genesis copy, node key,
 * key-encryption key, admin key and member file of its organization), and `DIR/orgs/<id>/` (admin
 * key, member file) for each organization that runs no node (adminKeyFileOf finds either). It is
 * the ceremony of `careledger init` and `careledger genesis` on one machine: each organization's
 * keys and member file made by init's code, the genesis assembled from the member files alone.
 * Keeps an existing layout: a devnet restarted on the same directory reuses its chain (and gets
 * the key-encryption keys a layout written before them lacks).
 */
export async function writeDevnetLayout(options: DevnetOptions): Promise<Genesis> {
  const existing = await readExistingGenesis(options.dir);
  if (existing !== null) {
    for (let i = 0; i < existing.validators.length; i++) {
      await ensureKeyEncryptionKey(nodeHomeOf(options.dir, i));
    }
    return existing;
  }
  const hosts = options.hosts;
  if (hosts !== undefined && hosts.length !== options.nodes) {
    throw new Error(`${hosts.length} hosts for ${options.nodes} nodes`);
  }
  const nodes = Array.from({ length: options.nodes }, (_, i) =>
    prepareNode({
      host: hosts?.[i] ?? "127.0.0.1",
      p2pPort: options.p2pPort + (hosts === undefined ? i : 0),
      apiPort: options.apiPort + (hosts === undefined ? i : 0),
    }),
  );
  const orgs = options.consortium ? consortiumMembers() : perNodeMembers(options.nodes);
  // Node i belongs to organization i mod the number of organizations.
  const homesOf = (org: number) => nodes.flatMap((_, i) => (i % orgs.length === org ? [i] : []));
  const memberFiles: string[] = [];
  for (const [index, org] of orgs.entries()) {
    const homes = homesOf(index);
    const member = prepareMember(
      org,
      homes.map((i) => (nodes[i] as PreparedNode).peer),
    );
    const dirs =
      homes.length > 0
        ? homes.map((i) => nodeHomeOf(options.dir, i))
        : [orgHome(options.dir, org.id)];
    for (const dir of dirs) await writeMember(dir, member, DEVNET_CUSTODY);
    memberFiles.push(join(dirs[0] as string, MEMBER_FILE));
  }
  for (const [i, node] of nodes.entries()) {
    await writeNode(nodeHomeOf(options.dir, i), node, DEVNET_CUSTODY);
  }
  const genesis = await genesisFromMemberFiles(memberFiles, {
    chainName: "careledger-devnet",
    genesisTime: Date.now(),
    members: orgs.map((org) => org.id),
    params: { ...DEVNET_PARAMS, ...options.params },
  });
  const devnetGenesis = join(options.dir, DEVNET_GENESIS_FILE);
  await writeGenesisFile(devnetGenesis, genesis);
  for (let i = 0; i < options.nodes; i++) {
    await copyFile(devnetGenesis, join(nodeHomeOf(options.dir, i), GENESIS_FILE));
  }
  return genesis;
}

/** One organization `org-i` per node, cycling through the kinds a healthcare consortium has. */
function perNodeMembers(count: number): MemberInit[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `org-${i}`,
    name: `Devnet ${DEVNET_KINDS[i % DEVNET_KINDS.length]} ${i}`,
    kind: DEVNET_KINDS[i % DEVNET_KINDS.length] ?? "hospital",
  }));
}

/**
 * The consortium's members, each with a GLN (its verification answers' `responderGLN`), the
 * manufacturer with the company prefix its GTINs are made under. Node i belongs to member
 * i mod 9 (a devnet of more than nine nodes gives some members several).
 */
function consortiumMembers(): MemberInit[] {
  return DEVNET_CONSORTIUM.map((member, i) => ({
    ...member,
    ...(member.kind === "manufacturer" && { gs1CompanyPrefixes: [DEVNET_COMPANY_PREFIX] }),
    gln: devnetGln(i + 1),
  }));
}

/** The home of an organization that runs no node: its admin key and member file. */
function orgHome(dir: string, orgId: string): string {
  return join(dir, "orgs", orgId);
}

/** Where the admin key of an organization that runs no node is kept. */
export function orgAdminKeyFile(dir: string, orgId: string): string {
  return join(orgHome(dir, orgId), ADMIN_KEY_FILE);
}

/**
 * The admin key file of `org` in a devnet under `dir`: in the home of the org's first node, or
 * for an organization without a node `orgAdminKeyFile`.
 */
export function adminKeyFileOf(dir: string, genesis: Genesis, org: string): string {
  const organization = genesis.organizations.find((candidate) => candidate.id === org);
  if (organization === undefined) throw new Error(`no organization ${org} in the devnet genesis`);
  const [nodeKey] = organization.nodeKeys;
  if (nodeKey === undefined) return orgAdminKeyFile(dir, org);
  return join(nodeHomeOf(dir, genesis.validators.indexOf(nodeKey)), ADMIN_KEY_FILE);
}

async function readExistingGenesis(dir: string): Promise<Genesis | null> {
  try {
    return parseGenesis(JSON.parse(await readFile(join(dir, DEVNET_GENESIS_FILE), "utf8")));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

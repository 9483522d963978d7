import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import {
  type Genesis,
  generateSecretKey,
  type Organization,
  parseGenesis,
  publicKeyOf,
  toHex,
} from "@careledger/protocol";
import {
  CONFIG_FILE,
  DEFAULT_NODE_CONFIG,
  GENESIS_FILE,
  NODE_KEY_FILE,
  type NodeConfig,
} from "../config.js";
import { ensureKeyEncryptionKey } from "../keyEncryptionKey.js";
import { DEVNET_COMPANY_PREFIX, DEVNET_CONSORTIUM, devnetGln } from "./devnetConsortium.js";

/** For clients of a devnet that name its organizations. */
export { DEVNET_COMPANY_PREFIX, DEVNET_CONSORTIUM, DEVNET_ORG } from "./devnetConsortium.js";
/** For harnesses that write a node home of their own (a node added after genesis). */
export { ensureKeyEncryptionKey };

export const ADMIN_KEY_FILE = "admin.key";
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
}

/** One organization per node, cycling through the kinds a healthcare consortium has. */
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

/**
 * Writes `DIR/genesis.json` and one home per node (`DIR/node-i`: config, genesis copy, node key,
 * key-encryption key, admin key of its organization), and `DIR/orgs/<id>/admin.key` for each
 * organization that runs no node (adminKeyFileOf finds either). Keeps an existing layout: a devnet
 * restarted on the same directory reuses its chain (and gets the key-encryption keys a layout
 * written before them lacks).
 */
export async function writeDevnetLayout(options: DevnetOptions): Promise<Genesis> {
  const existing = await readExistingGenesis(options.dir);
  if (existing !== null) {
    for (let i = 0; i < existing.validators.length; i++) {
      await ensureKeyEncryptionKey(nodeHomeOf(options.dir, i));
    }
    return existing;
  }
  const nodeSecrets = Array.from({ length: options.nodes }, () => generateSecretKey());
  const orgCount = options.consortium ? DEVNET_CONSORTIUM.length : options.nodes;
  // One admin key per organization; organization i's is also in node i's home when it has one.
  const adminSecrets = Array.from({ length: orgCount }, () => generateSecretKey());
  const nodeKeys = nodeSecrets.map((secret) => toHex(publicKeyOf(secret)));
  const organizations = options.consortium
    ? consortiumOrganizations(nodeKeys, adminSecrets)
    : nodeKeys.map((nodeKey, i) => ({
        id: `org-${i}`,
        name: `Devnet ${DEVNET_KINDS[i % DEVNET_KINDS.length]} ${i}`,
        kind: DEVNET_KINDS[i % DEVNET_KINDS.length] ?? "hospital",
        adminKeys: [toHex(publicKeyOf(adminSecrets[i] as Uint8Array))],
        nodeKeys: [nodeKey],
      }));
  const genesis = parseGenesis({
    chainName: "careledger-devnet",
    genesisTime: Date.now(),
    organizations,
    validators: nodeKeys,
    params: { ...DEVNET_PARAMS, ...options.params },
  });
  const genesisJson = `${JSON.stringify(genesis, null, 2)}\n`;
  await mkdir(options.dir, { recursive: true });
  for (let i = 0; i < options.nodes; i++) {
    const home = nodeHomeOf(options.dir, i);
    await mkdir(home, { recursive: true });
    const config: NodeConfig = {
      ...DEFAULT_NODE_CONFIG,
      p2pPort: options.p2pPort + i,
      apiPort: options.apiPort + i,
      peers: nodeKeys
        .map((nodeKey, j) => ({ nodeKey, address: `/ip4/127.0.0.1/tcp/${options.p2pPort + j}` }))
        .filter((_, j) => j !== i),
    };
    await writeFile(join(home, CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`);
    await writeFile(join(home, GENESIS_FILE), genesisJson);
    await writeFile(join(home, NODE_KEY_FILE), `${toHex(nodeSecrets[i] as Uint8Array)}\n`, {
      mode: 0o600,
    });
    await writeAdminKey(
      join(home, ADMIN_KEY_FILE),
      adminSecrets[i % organizations.length] as Uint8Array,
    );
    await ensureKeyEncryptionKey(home);
  }
  for (const [i, org] of organizations.entries()) {
    if (org.nodeKeys.length > 0) continue;
    const file = orgAdminKeyFile(options.dir, org.id);
    await mkdir(dirname(file), { recursive: true });
    await writeAdminKey(file, adminSecrets[i] as Uint8Array);
  }
  await writeFile(join(options.dir, DEVNET_GENESIS_FILE), genesisJson);
  return genesis;
}

/**
 * The consortium's members, node i listed under member i mod 9 (a devnet of more than nine
 * nodes gives some members several), each with its own admin key and a GLN (its verification
 * answers' `responderGLN`), the manufacturer with the company prefix its GTINs are made under.
 */
function consortiumOrganizations(
  nodeKeys: readonly string[],
  adminSecrets: readonly Uint8Array[],
): Organization[] {
  return DEVNET_CONSORTIUM.map((member, i) => ({
    ...member,
    adminKeys: [toHex(publicKeyOf(adminSecrets[i] as Uint8Array))],
    nodeKeys: nodeKeys.filter((_, node) => node % DEVNET_CONSORTIUM.length === i),
    ...(member.kind === "manufacturer" && { gs1CompanyPrefixes: [DEVNET_COMPANY_PREFIX] }),
    gln: devnetGln(i + 1),
  }));
}

async function writeAdminKey(file: string, secret: Uint8Array): Promise<void> {
  await writeFile(file, `${toHex(secret)}\n`, { mode: 0o600 });
}

/** Where the admin key of an organization that runs no node is kept. */
export function orgAdminKeyFile(dir: string, orgId: string): string {
  return join(dir, "orgs", orgId, ADMIN_KEY_FILE);
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

import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gs1CheckDigit } from "@careledger/gs1";
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
   * Adds the supply-chain organizations (manufacturer, distributor, pharmacy, regulator) the
   * nodes' organizations lack, as members without a node (`careledger devnet` does, for the
   * provenance module). Off by default: they vote in governance, and the cluster tests decide
   * changes with the nodes' organizations alone.
   */
  readonly supplyChain?: boolean;
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

/** The supply chain the provenance module needs: each kind one organization at least. */
const SUPPLY_CHAIN_KINDS = ["manufacturer", "distributor", "pharmacy", "regulator"] as const;
/**
 * The devnet manufacturer's GS1 company prefix: the one of GS1's own examples
 * (`09520123456788`), which the provenance contract's examples use too.
 */
export const DEVNET_COMPANY_PREFIX = "952012";

/** A GLN of the devnet's own (location `n` under the manufacturer's prefix), check digit last. */
const devnetGln = (n: number) => {
  const body = `${DEVNET_COMPANY_PREFIX}${String(n).padStart(6, "0")}`;
  return `${body}${gs1CheckDigit(body)}`;
};

/**
 * What GS1 data an organization gets: every supply-chain organization a GLN (its verification
 * answers' `responderGLN`), a manufacturer the company prefix its GTINs are registered under.
 */
function withGs1(org: Organization, index: number): Organization {
  if (!(SUPPLY_CHAIN_KINDS as readonly string[]).includes(org.kind)) return org;
  return {
    ...org,
    ...(org.kind === "manufacturer" && { gs1CompanyPrefixes: [DEVNET_COMPANY_PREFIX] }),
    gln: devnetGln(index + 1),
  };
}

/** Where the admin key of an organization that runs no node (`org-i` past the nodes) is kept. */
export function orgAdminKeyFile(dir: string, orgId: string): string {
  return join(dir, "orgs", orgId, ADMIN_KEY_FILE);
}

export function nodeHomeOf(dir: string, index: number): string {
  return join(dir, `node-${index}`);
}

/**
 * Writes `DIR/genesis.json` and one home per node (`DIR/node-i`: config, genesis copy, node key,
 * key-encryption key, admin key of its organization), and `DIR/orgs/<id>/admin.key` for each
 * organization without a node. Keeps an existing layout: a devnet
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
  const nodeKeys = nodeSecrets.map((secret) => toHex(publicKeyOf(secret)));
  const kinds: string[] = nodeKeys.map(
    (_, i) => DEVNET_KINDS[i % DEVNET_KINDS.length] ?? "hospital",
  );
  // A small devnet lacks some supply-chain kinds: they join as organizations without a node.
  const missing =
    options.supplyChain === true ? SUPPLY_CHAIN_KINDS.filter((kind) => !kinds.includes(kind)) : [];
  const orgKinds = [...kinds, ...missing];
  const adminSecrets = orgKinds.map(() => generateSecretKey());
  const organizations: Organization[] = orgKinds.map((kind, i) =>
    withGs1(
      {
        id: `org-${i}`,
        name: `Devnet ${kind} ${i}`,
        kind: kind as Organization["kind"],
        adminKeys: [toHex(publicKeyOf(adminSecrets[i] as Uint8Array))],
        nodeKeys: i < nodeKeys.length ? [nodeKeys[i] as string] : [],
      },
      i,
    ),
  );
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
    await writeFile(join(home, ADMIN_KEY_FILE), `${toHex(adminSecrets[i] as Uint8Array)}\n`, {
      mode: 0o600,
    });
    await ensureKeyEncryptionKey(home);
  }
  for (let i = options.nodes; i < organizations.length; i++) {
    const file = orgAdminKeyFile(options.dir, `org-${i}`);
    await mkdir(join(file, ".."), { recursive: true });
    await writeFile(file, `${toHex(adminSecrets[i] as Uint8Array)}\n`, { mode: 0o600 });
  }
  await writeFile(join(options.dir, DEVNET_GENESIS_FILE), genesisJson);
  return genesis;
}

async function readExistingGenesis(dir: string): Promise<Genesis | null> {
  try {
    return parseGenesis(JSON.parse(await readFile(join(dir, DEVNET_GENESIS_FILE), "utf8")));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

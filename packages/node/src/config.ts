import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { ApiTls } from "@careledger/api";
import {
  CareLedgerError,
  type Genesis,
  type MemberFile,
  P2P_ADDRESS_PATTERN,
  parseGenesis,
  parseMemberFile,
  publicKeyOf,
  toHex,
} from "@careledger/protocol";
import { type Static, Type } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { readApiTls } from "./apiTls.js";
import { announcedAddress, assertGenesisHoldsMember, peersToDial } from "./homeGenesis.js";
import { type KeyCustody, readSecretKey } from "./keyCustody.js";
import { readKeyEncryptionKey } from "./keyEncryptionKey.js";

export const CONFIG_FILE = "config.json";
export const GENESIS_FILE = "genesis.json";
export const NODE_KEY_FILE = "node.key";
/** The home's public member file (`careledger init`): what genesis must hold of this home. */
export const MEMBER_FILE = "member.json";

const port = () => Type.Integer({ minimum: 0, maximum: 65_535 });
const path = () => Type.String({ minLength: 1, maxLength: 4_096 });

/** A node home's config.json. Paths are relative to the home. */
export const NodeConfigSchema = Type.Object(
  {
    /** Host the p2p server binds (the p2p listen host); 127.0.0.1 for a devnet. */
    host: Type.String({ minLength: 1, maxLength: 255 }),
    p2pPort: port(),
    /**
     * The p2p address peers dial (`/ip4/A.B.C.D/tcp/P`), when it is not host and p2pPort: a node
     * behind NAT or in a container listens on 0.0.0.0 and announces its public address.
     */
    p2pAnnounce: Type.Optional(Type.String({ pattern: P2P_ADDRESS_PATTERN })),
    /**
     * Host the API binds: 127.0.0.1 when absent (apiTls.ts). Any other than a loopback address
     * needs `apiTls`.
     */
    apiHost: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    apiPort: port(),
    /**
     * HTTPS for the API: certificate and key (PEM files, relative to the home or absolute); with
     * `clientCaFile`, member applications authenticate with client certificates that CA issued,
     * required unless `requireClientCert` is false (apiTls.ts, the api's tls.ts).
     */
    apiTls: Type.Optional(
      Type.Object(
        {
          certFile: path(),
          keyFile: path(),
          clientCaFile: Type.Optional(path()),
          requireClientCert: Type.Optional(Type.Boolean()),
        },
        { additionalProperties: false },
      ),
    ),
    peers: Type.Array(
      Type.Object(
        {
          nodeKey: Type.String({ pattern: "^[0-9a-f]{64}$" }),
          address: Type.String({ pattern: P2P_ADDRESS_PATTERN }),
        },
        { additionalProperties: false },
      ),
      { maxItems: 128 },
    ),
    mempoolTxsMax: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
    mempoolBytesMax: Type.Integer({ minimum: 1024, maximum: 4 * 1024 ** 3 }),
    apiBodyBytesMax: Type.Integer({ minimum: 1024, maximum: 64 * 1024 ** 2 }),
    apiRequestTimeoutMs: Type.Integer({ minimum: 100, maximum: 600_000 }),
    apiRequestsPerMinuteMax: Type.Integer({ minimum: 1, maximum: 10_000_000 }),
    logLevel: Type.Union(["debug", "info", "warn", "error"].map((level) => Type.Literal(level))),
    /**
     * Settings of the modules' node-side parts, by module name (`record`: the custodian's
     * `contentBytesMax` and `accessWindowMs`); each module checks its own section at start.
     */
    modules: Type.Optional(
      Type.Record(Type.String({ pattern: "^[a-z][a-z0-9]{0,31}$" }), Type.Unknown()),
    ),
    /**
     * State sync (sync/stateSync.ts, node README "State sync"): `enabled` makes a node whose
     * data directory holds only genesis fetch a peer's snapshot instead of replaying every
     * block; `snapshotIntervalHeights` is how often this node keeps a snapshot to serve (0:
     * never); `trustValidators` names the validator set (node keys, hex) that must certify the
     * snapshot's header when it changed since genesis (by default, genesis's set).
     */
    stateSync: Type.Optional(
      Type.Object(
        {
          enabled: Type.Optional(Type.Boolean()),
          snapshotIntervalHeights: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
          trustValidators: Type.Optional(
            Type.Array(Type.String({ pattern: "^[0-9a-f]{64}$" }), { minItems: 1, maxItems: 128 }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export type NodeConfig = Static<typeof NodeConfigSchema>;

export const DEFAULT_NODE_CONFIG: Omit<NodeConfig, "p2pPort" | "apiPort" | "peers"> = {
  host: "127.0.0.1",
  mempoolTxsMax: 50_000,
  mempoolBytesMax: 64 * 1024 * 1024,
  apiBodyBytesMax: 8 * 1024 * 1024,
  apiRequestTimeoutMs: 30_000,
  apiRequestsPerMinuteMax: 600_000,
  logLevel: "info",
};

const configCheck = TypeCompiler.Compile(NodeConfigSchema);

/** Checks a config against NodeConfigSchema (CONFIG_INVALID, naming the field). */
export function parseNodeConfig(value: unknown): NodeConfig {
  if (!configCheck.Check(value)) {
    const first = configCheck.Errors(value).First();
    throw new CareLedgerError("CONFIG_INVALID", `${first?.path || "/"}: ${first?.message ?? ""}`);
  }
  return value;
}

export interface NodeHome {
  readonly dir: string;
  /** The config, its `peers` those to dial (homeGenesis.ts `peersToDial`). */
  readonly config: NodeConfig;
  readonly genesis: Genesis;
  readonly nodeSecretKey: Uint8Array;
  /** `kek.key` (keyEncryptionKey.ts): wraps the data keys modules keep in the LocalStore. */
  readonly keyEncryptionKey: Uint8Array;
  /** The API's TLS files, read; absent, the API serves plain HTTP on loopback. */
  readonly apiTls: ApiTls | undefined;
  /** The p2p address this node announces (`p2pAnnounce`, or host and p2pPort). */
  readonly announce: string;
}

export interface LoadOptions {
  /** The passphrase of encrypted key files, and where warnings about plain ones go. */
  readonly custody?: KeyCustody;
  /** The node was admitted by governance after genesis: its genesis cannot list it. */
  readonly joining?: boolean;
}

const PLAIN: KeyCustody = { passphrase: null, warn: () => undefined };

/**
 * Reads and validates a node home: config, genesis, node key, key-encryption key, the API's TLS
 * files (refusing an API beyond loopback without them), and, for a
 * home `careledger init` made (it has member.json) that is not joining later, that the genesis
 * holds its member (homeGenesis.ts). Errors name the file.
 */
export async function loadHome(dir: string, options: LoadOptions = {}): Promise<NodeHome> {
  const custody = options.custody ?? PLAIN;
  const configFile = join(dir, CONFIG_FILE);
  const config = await named(configFile, async () =>
    parseNodeConfig(JSON.parse(await readFile(configFile, "utf8"))),
  );
  const announce = await named(configFile, () => announcedAddress(config));
  const apiTls = await readApiTls(dir, config);
  const genesisFile = join(dir, GENESIS_FILE);
  const genesis = await named(genesisFile, async () =>
    parseGenesis(JSON.parse(await readFile(genesisFile, "utf8"))),
  );
  const nodeSecretKey = await readSecretKey(join(dir, NODE_KEY_FILE), "node", custody);
  const keyEncryptionKey = await readKeyEncryptionKey(dir, custody);
  const nodeKey = toHex(publicKeyOf(nodeSecretKey));
  const member = await readHomeMemberFile(join(dir, MEMBER_FILE));
  if (member !== null && options.joining !== true) {
    await named(genesisFile, () => assertGenesisHoldsMember(genesis, member, nodeKey, announce));
  }
  return {
    dir,
    config: { ...config, peers: peersToDial(config, genesis, nodeKey) },
    genesis,
    nodeSecretKey,
    keyEncryptionKey,
    announce,
    apiTls,
  };
}

/** The home's member file, or null for a home without one (a devnet's before the ceremony). */
async function readHomeMemberFile(file: string): Promise<MemberFile | null> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  return named(file, () => parseMemberFile(JSON.parse(text)));
}

/** Runs `read`, its error naming `file` (a CareLedgerError keeps its code). */
async function named<T>(file: string, read: () => T | Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof CareLedgerError) {
      throw new CareLedgerError(error.code, `${file}: ${error.message}`, { ...error.details });
    }
    throw new Error(`${file}: ${String(error)}`);
  }
}

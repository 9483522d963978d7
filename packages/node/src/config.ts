import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { CareLedgerError, fromHex, type Genesis, parseGenesis } from "@careledger/protocol";
import { type Static, Type } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { readKeyEncryptionKey } from "./keyEncryptionKey.js";

export const CONFIG_FILE = "config.json";
export const GENESIS_FILE = "genesis.json";
export const NODE_KEY_FILE = "node.key";

const port = () => Type.Integer({ minimum: 0, maximum: 65_535 });

/** A node home's config.json. Paths are relative to the home. */
export const NodeConfigSchema = Type.Object(
  {
    /** Host the p2p and API servers bind; 127.0.0.1 for a devnet. */
    host: Type.String({ minLength: 1, maxLength: 255 }),
    p2pPort: port(),
    apiPort: port(),
    peers: Type.Array(
      Type.Object(
        {
          nodeKey: Type.String({ pattern: "^[0-9a-f]{64}$" }),
          address: Type.String({ pattern: "^/ip4/[0-9.]+/tcp/[0-9]+$" }),
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

export interface NodeHome {
  readonly dir: string;
  readonly config: NodeConfig;
  readonly genesis: Genesis;
  readonly nodeSecretKey: Uint8Array;
  /** `kek.key` (keyEncryptionKey.ts): wraps the data keys modules keep in the LocalStore. */
  readonly keyEncryptionKey: Uint8Array;
}

/** Reads and validates a node home: config, genesis, node key and key-encryption key. */
export async function loadHome(dir: string): Promise<NodeHome> {
  const config = JSON.parse(await readFile(join(dir, CONFIG_FILE), "utf8")) as unknown;
  if (!configCheck.Check(config)) {
    const first = configCheck.Errors(config).First();
    throw new Error(`${join(dir, CONFIG_FILE)}: ${first?.path ?? ""} ${first?.message ?? ""}`);
  }
  let genesis: Genesis;
  try {
    genesis = parseGenesis(JSON.parse(await readFile(join(dir, GENESIS_FILE), "utf8")));
  } catch (error) {
    const reason = error instanceof CareLedgerError ? error.message : String(error);
    throw new Error(`${join(dir, GENESIS_FILE)}: ${reason}`);
  }
  const keyHex = (await readFile(join(dir, NODE_KEY_FILE), "utf8")).trim();
  const keyEncryptionKey = await readKeyEncryptionKey(dir);
  return { dir, config, genesis, nodeSecretKey: fromHex(keyHex, 32), keyEncryptionKey };
}

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { ApiTls } from "@careledger/api";
import { CareLedgerError, fromHex, type Genesis, parseGenesis } from "@careledger/protocol";
import { type Static, Type } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { readApiTls } from "./apiTls.js";
import { readKeyEncryptionKey } from "./keyEncryptionKey.js";

export const CONFIG_FILE = "config.json";
export const GENESIS_FILE = "genesis.json";
export const NODE_KEY_FILE = "node.key";

const port = () => Type.Integer({ minimum: 0, maximum: 65_535 });
const path = () => Type.String({ minLength: 1, maxLength: 4_096 });

/** A node home's config.json. Paths are relative to the home. */
export const NodeConfigSchema = Type.Object(
  {
    /** Host the p2p server binds; 127.0.0.1 for a devnet. */
    host: Type.String({ minLength: 1, maxLength: 255 }),
    p2pPort: port(),
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
  /** The API's TLS files, read; absent, the API serves plain HTTP on loopback. */
  readonly apiTls: ApiTls | undefined;
}

/**
 * Reads and validates a node home: config, genesis, node key, key-encryption key and the API's
 * TLS files (refusing an API beyond loopback without them).
 */
export async function loadHome(dir: string): Promise<NodeHome> {
  const config = JSON.parse(await readFile(join(dir, CONFIG_FILE), "utf8")) as unknown;
  if (!configCheck.Check(config)) {
    const first = configCheck.Errors(config).First();
    throw new Error(`${join(dir, CONFIG_FILE)}: ${first?.path ?? ""} ${first?.message ?? ""}`);
  }
  const apiTls = await readApiTls(dir, config);
  let genesis: Genesis;
  try {
    genesis = parseGenesis(JSON.parse(await readFile(join(dir, GENESIS_FILE), "utf8")));
  } catch (error) {
    const reason = error instanceof CareLedgerError ? error.message : String(error);
    throw new Error(`${join(dir, GENESIS_FILE)}: ${reason}`);
  }
  const keyHex = (await readFile(join(dir, NODE_KEY_FILE), "utf8")).trim();
  const keyEncryptionKey = await readKeyEncryptionKey(dir);
  return { dir, config, genesis, nodeSecretKey: fromHex(keyHex, 32), keyEncryptionKey, apiTls };
}

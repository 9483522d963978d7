import { access, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { generateSecretKey, publicKeyOf, toHex } from "@careledger/protocol";
import { CONFIG_FILE, DEFAULT_NODE_CONFIG, NODE_KEY_FILE, type NodeConfig } from "../config.js";

/** Creates a node home with a fresh node key; refuses to overwrite an existing key. */
export async function initHome(home: string, p2pPort: number, apiPort: number): Promise<string> {
  const keyPath = join(home, NODE_KEY_FILE);
  const exists = await access(keyPath).then(
    () => true,
    () => false,
  );
  if (exists) throw new Error(`${keyPath} exists: refusing to replace a node key`);
  await mkdir(home, { recursive: true });
  const secret = generateSecretKey();
  const config: NodeConfig = { ...DEFAULT_NODE_CONFIG, p2pPort, apiPort, peers: [] };
  await writeFile(keyPath, `${toHex(secret)}\n`, { mode: 0o600 });
  await writeFile(join(home, CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`);
  return toHex(publicKeyOf(secret));
}

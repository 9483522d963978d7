import { access, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { generateSecretKey, publicKeyOf, toHex } from "@careledger/protocol";
import { CONFIG_FILE, DEFAULT_NODE_CONFIG, NODE_KEY_FILE, type NodeConfig } from "../config.js";
import { createKeyEncryptionKey, KEK_FILE } from "../keyEncryptionKey.js";

/**
 * Creates a node home with a fresh node key and key-encryption key; refuses to overwrite an
 * existing key of either kind (a home that has a node key but no key-encryption key gets one
 * from `careledger kek`).
 */
export async function initHome(home: string, p2pPort: number, apiPort: number): Promise<string> {
  for (const file of [NODE_KEY_FILE, KEK_FILE]) {
    const path = join(home, file);
    const exists = await access(path).then(
      () => true,
      () => false,
    );
    if (exists) throw new Error(`${path} exists: refusing to replace a key`);
  }
  await mkdir(home, { recursive: true });
  const secret = generateSecretKey();
  const config: NodeConfig = { ...DEFAULT_NODE_CONFIG, p2pPort, apiPort, peers: [] };
  await writeFile(join(home, NODE_KEY_FILE), `${toHex(secret)}\n`, { mode: 0o600 });
  await createKeyEncryptionKey(home);
  await writeFile(join(home, CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`);
  return toHex(publicKeyOf(secret));
}

import { createDecipheriv } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { LocalStore } from "@careledger/ledger";
import { fromHex } from "@careledger/protocol";

/** Every file under `dir`, recursively. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out;
}

/**
 * The files under a stopped node's home whose bytes hold any of `needles`, as
 * `path: needle index`: LevelDB tables and logs, key files, the node's log, everything.
 */
export async function homeFilesHolding(
  home: string,
  needles: readonly Uint8Array[],
): Promise<string[]> {
  const found: string[] = [];
  for (const path of await filesUnder(home)) {
    const bytes = await readFile(path);
    needles.forEach((needle, index) => {
      if (bytes.indexOf(needle) >= 0) found.push(`${path.slice(home.length + 1)}: ${index}`);
    });
  }
  return found;
}

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/**
 * What a stopped custodian node keeps of its records, read from `<home>/local` (record space)
 * and unwrapped with `<home>/kek.key` as the custodian README's layout says: each version's
 * blob, wrapped key and data key, the needles of an erasure scan.
 */
export async function custodianNeedles(home: string): Promise<Uint8Array[]> {
  const kek = fromHex((await readFile(join(home, "kek.key"), "utf8")).trim(), 32);
  const store = await LocalStore.open(join(home, "local"));
  try {
    const space = store.space("record");
    const needles: Uint8Array[] = [];
    for (const [key, blob] of await space.scan({ prefix: "v/" })) {
      if (!key.endsWith("/blob")) continue;
      const hash = key.slice(2, -"/blob".length);
      const wrapped = await space.get(`v/${hash}/key`);
      const meta = await space.get(`v/${hash}/meta`);
      if (wrapped === undefined || meta === undefined) continue;
      const decipher = createDecipheriv("aes-256-gcm", kek, wrapped.subarray(0, NONCE_BYTES));
      // The wrapped key's associated data: its blob's hash, then the upload's binding (meta).
      decipher.setAAD(
        Buffer.concat([Buffer.from(`careledger:record-key:v2:${hash}\n`), Buffer.from(meta)]),
      );
      decipher.setAuthTag(wrapped.subarray(wrapped.byteLength - TAG_BYTES));
      const body = wrapped.subarray(NONCE_BYTES, wrapped.byteLength - TAG_BYTES);
      const dataKey = Buffer.concat([decipher.update(body), decipher.final()]);
      needles.push(blob, wrapped, new Uint8Array(dataKey));
    }
    return needles;
  } finally {
    await store.close();
  }
}

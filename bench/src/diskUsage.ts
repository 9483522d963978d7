import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";

/** Where a node keeps its ledger in its home (careLedgerNode.ts DATA_DIR, which the package does not export). */
const DATA_DIR = "data";

/** Bytes of the regular files under `dir`, recursively (what `du -sb --apparent-size` says). */
export async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await dirBytes(path);
    else if (entry.isFile()) total += (await stat(path)).size;
  }
  return total;
}

/** Each node's data directory (its LevelDB state, blocks and local store), bytes on disk. */
export function dataBytesPerNode(homes: readonly string[]): Promise<number[]> {
  return Promise.all(homes.map((home) => dirBytes(join(home, DATA_DIR))));
}

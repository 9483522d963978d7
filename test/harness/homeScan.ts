import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { ClassicLevel } from "classic-level";

/** Every directory under `dir` (itself included) that holds a LevelDB database. */
async function databasesUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  if (entries.some((entry) => entry.isFile() && entry.name === "CURRENT")) found.push(dir);
  for (const entry of entries) {
    if (entry.isDirectory()) found.push(...(await databasesUnder(join(dir, entry.name))));
  }
  return found;
}

/**
 * The entries of every LevelDB database under a stopped node's home whose key or value holds any
 * of `needles`, as `database: needle index`. The byte scan of the files (homeFilesHolding) reads
 * write-ahead logs and key files as they are, but LevelDB's table files are Snappy-compressed
 * block by block: a needle sharing a few bytes with its block's earlier content is stored as a
 * back-reference, not as its bytes. Reading every entry back decompressed closes that gap.
 */
export async function databaseEntriesHolding(
  home: string,
  needles: readonly Uint8Array[],
): Promise<string[]> {
  const found: string[] = [];
  for (const dir of await databasesUnder(home)) {
    if (!(await stat(dir)).isDirectory()) continue;
    const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, {
      keyEncoding: "view",
      valueEncoding: "view",
      createIfMissing: false,
    });
    await db.open();
    try {
      for await (const [key, value] of db.iterator()) {
        needles.forEach((needle, index) => {
          if (Buffer.from(key).indexOf(needle) >= 0 || Buffer.from(value).indexOf(needle) >= 0) {
            found.push(`${dir.slice(home.length + 1)}: ${index}`);
          }
        });
      }
    } finally {
      await db.close();
    }
  }
  return found;
}

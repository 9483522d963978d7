import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

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

/** Scans of a store that is open, whose background compaction deletes files as we read. */
const SCAN_ATTEMPTS_MAX = 20;

/**
 * The files under `dir` whose raw bytes contain any of `needles`, as `name: needle index`. The
 * store may be open: a file deleted between listing and reading restarts the scan, so a scan
 * that completes has read every file that existed when it listed them.
 */
export async function filesHolding(dir: string, needles: readonly Uint8Array[]): Promise<string[]> {
  for (let attempt = 1; attempt <= SCAN_ATTEMPTS_MAX; attempt++) {
    const found = await scanOnce(dir, needles);
    if (found !== null) return found;
  }
  throw new Error(`files under ${dir} kept vanishing during ${SCAN_ATTEMPTS_MAX} scans`);
}

async function scanOnce(dir: string, needles: readonly Uint8Array[]): Promise<string[] | null> {
  const found: string[] = [];
  for (const path of await filesUnder(dir)) {
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw error;
    }
    needles.forEach((needle, index) => {
      if (bytes.indexOf(needle) >= 0) found.push(`${path.slice(dir.length + 1)}: ${index}`);
    });
  }
  return found;
}

/** How many files under `dir` end in `suffix` (`.ldb` tables, `.log` write-ahead logs). */
export async function countFiles(dir: string, suffix: string): Promise<number> {
  return (await filesUnder(dir)).filter((path) => path.endsWith(suffix)).length;
}

/** A secret worth finding: 32 random bytes, stored raw and as hex. */
export function secretValue(raw: Uint8Array): { value: Uint8Array; needles: Uint8Array[] } {
  const hex = new TextEncoder().encode(Buffer.from(raw).toString("hex"));
  const value = new Uint8Array(raw.byteLength + hex.byteLength);
  value.set(raw, 0);
  value.set(hex, raw.byteLength);
  return { value, needles: [raw, hex] };
}

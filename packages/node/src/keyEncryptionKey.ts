import { randomBytes } from "node:crypto";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * The node's key-encryption key: 32 random bytes as hex in `<home>/kek.key`, mode 0600. It
 * wraps the per-record data keys a custodian keeps in its LocalStore (issue 13): whoever reads
 * it and the store reads every record the node holds, and losing it loses them all.
 */
export const KEK_FILE = "kek.key";
export const KEK_BYTES = 32;
const KEK_HEX = /^[0-9a-f]{64}\n?$/;
/** Group and world permission bits: any of them set and the key is not the node's alone. */
const SHARED_BITS = 0o077;

/**
 * Writes a fresh key-encryption key into `home`, never over an existing one (the records it
 * wraps would be lost): throws if the file exists.
 */
export async function createKeyEncryptionKey(home: string): Promise<void> {
  const path = join(home, KEK_FILE);
  try {
    // `wx`: created here or not at all, so two runs cannot race one key over the other.
    await writeFile(path, `${randomBytes(KEK_BYTES).toString("hex")}\n`, {
      mode: 0o600,
      flag: "wx",
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") {
      throw new Error(`${path} exists: refusing to replace a key-encryption key`);
    }
    throw error;
  }
}

/** Creates the key-encryption key unless `home` has one; true when it created it. */
export async function ensureKeyEncryptionKey(home: string): Promise<boolean> {
  if (await exists(join(home, KEK_FILE))) return false;
  await createKeyEncryptionKey(home);
  return true;
}

/**
 * Reads the key-encryption key at start. Refuses, naming the file and the remedy, a key that
 * is missing, not 64 lowercase hex digits, or readable or writable by group or others.
 */
export async function readKeyEncryptionKey(home: string): Promise<Uint8Array> {
  const path = join(home, KEK_FILE);
  let mode: number;
  try {
    mode = (await stat(path)).mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    throw new Error(
      `${path} is missing: create it with \`careledger kek --home ${home}\` (node README)`,
    );
  }
  if ((mode & SHARED_BITS) !== 0) {
    const shown = (mode & 0o777).toString(8);
    throw new Error(`${path} has mode ${shown}: it must be the node's alone (chmod 600)`);
  }
  const text = await readFile(path, "utf8");
  if (!KEK_HEX.test(text)) {
    throw new Error(`${path} is not ${KEK_BYTES} bytes as 64 lowercase hex digits`);
  }
  return Uint8Array.from(Buffer.from(text.trim(), "hex"));
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return false;
      throw error;
    },
  );
}

import { randomBytes } from "node:crypto";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { type KeyCustody, readSecretKey, writeSecretKey } from "./keyCustody.js";

/**
 * The node's key-encryption key: 32 random bytes in `<home>/kek.key`, mode 0600, encrypted under
 * the home's passphrase (keyFile.ts) or, in a devnet, as plain hex. It wraps the per-record data
 * keys a custodian keeps in its LocalStore (issue 13): whoever reads it and the store reads every
 * record the node holds, and losing it loses them all.
 */
export const KEK_FILE = "kek.key";
export const KEK_BYTES = 32;
/** Group and world permission bits: any of them set and the key is not the node's alone. */
const SHARED_BITS = 0o077;

/** A devnet's custody: plain keys, no passphrase, nothing to warn about while writing. */
const PLAIN: KeyCustody = { passphrase: null, warn: () => undefined };

/** Writes a fresh key-encryption key into `home`; throws if the file exists. */
export async function createKeyEncryptionKey(
  home: string,
  custody: KeyCustody = PLAIN,
): Promise<void> {
  // Never over an existing file (writeSecretKey's `wx`): the records it wraps would be lost.
  await writeSecretKey(join(home, KEK_FILE), "kek", randomBytes(KEK_BYTES), custody);
}

/** Creates the key-encryption key (plain, a devnet's) unless `home` has one; true when it did. */
export async function ensureKeyEncryptionKey(home: string): Promise<boolean> {
  if (await exists(join(home, KEK_FILE))) return false;
  await createKeyEncryptionKey(home);
  return true;
}

/**
 * Reads the key-encryption key at start. Refuses, naming the file and the remedy, a key that
 * is missing, neither 64 lowercase hex digits nor an encrypted key file it can open, or readable
 * or writable by group or others.
 */
export async function readKeyEncryptionKey(
  home: string,
  custody: KeyCustody = PLAIN,
): Promise<Uint8Array> {
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
  return readSecretKey(path, "kek", custody);
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

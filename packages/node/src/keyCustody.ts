import { readFile, writeFile } from "node:fs/promises";
import { CareLedgerError, fromHex } from "@careledger/protocol";
import { type KeyPurpose, openKey, type ScryptParams, sealKey } from "./keyFile.js";

/** The environment variable a service's passphrase may come from (a systemd credential, a secret). */
export const PASSPHRASE_ENV = "CARELEDGER_PASSPHRASE";

/**
 * How a home's key files are read and written: the passphrase (null for plain keys, the devnet's)
 * and where a warning about a plain key goes.
 */
export interface KeyCustody {
  readonly passphrase: string | null;
  readonly warn: (message: string) => void;
  /** scrypt costs of files written; the defaults unless a test asks for cheaper ones. */
  readonly scrypt?: ScryptParams;
}

/**
 * The passphrase from `--passphrase-file` (its first line: a trailing newline is not part of it)
 * or else from CARELEDGER_PASSPHRASE; null when neither is given. An empty one is refused: it
 * would encrypt with no secret at all.
 */
export async function passphraseFrom(
  file: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | null> {
  if (file !== undefined) {
    const text = (await readFile(file, "utf8")).replace(/\r?\n$/, "");
    if (text.length === 0) {
      throw new CareLedgerError("KEY_PASSPHRASE_MISSING", `${file} holds an empty passphrase`);
    }
    return text;
  }
  const value = env[PASSPHRASE_ENV];
  return value === undefined || value.length === 0 ? null : value;
}

const PLAIN_KEY = /^[0-9a-f]{64}\n?$/;

/**
 * Reads a 32-byte secret key: an encrypted key file (keyFile.ts) with the custody's passphrase,
 * or a plain key in 64 hex digits (a devnet's, or a home from before encryption), which loads
 * with a warning. Errors name the file.
 */
export async function readSecretKey(
  path: string,
  purpose: KeyPurpose,
  custody: KeyCustody,
): Promise<Uint8Array> {
  const text = await readFile(path, "utf8");
  if (PLAIN_KEY.test(text)) {
    custody.warn(`${path} is not encrypted: anyone who reads it holds the ${purpose} key`);
    return fromHex(text.trim(), 32);
  }
  try {
    if (!text.trimStart().startsWith("{")) {
      throw new CareLedgerError(
        "KEY_FILE_INVALID",
        "is neither a key of 32 bytes as 64 lowercase hex digits nor an encrypted key file",
      );
    }
    if (custody.passphrase === null) throw new CareLedgerError("KEY_PASSPHRASE_MISSING");
    const secret = await openKey(parseJson(text), purpose, custody.passphrase);
    if (secret.byteLength !== 32) {
      throw new CareLedgerError("KEY_FILE_INVALID", `holds ${secret.byteLength} bytes, not 32`);
    }
    return secret;
  } catch (error) {
    if (!(error instanceof CareLedgerError)) throw error;
    throw new CareLedgerError(error.code, `${path}: ${error.message}`);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new CareLedgerError("KEY_FILE_INVALID", "not valid JSON");
  }
}

/**
 * Writes a secret key, mode 0600, never over an existing file (`wx`): encrypted when the custody
 * has a passphrase, plain hex otherwise.
 */
export async function writeSecretKey(
  path: string,
  purpose: KeyPurpose,
  secret: Uint8Array,
  custody: KeyCustody,
): Promise<void> {
  const text =
    custody.passphrase === null
      ? `${Buffer.from(secret).toString("hex")}\n`
      : `${JSON.stringify(await sealKey(secret, purpose, custody.passphrase, custody.scrypt), null, 2)}\n`;
  try {
    await writeFile(path, text, { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") {
      throw new Error(`${path} exists: refusing to replace a key`);
    }
    throw error;
  }
}

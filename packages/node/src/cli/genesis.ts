import { readFile, writeFile } from "node:fs/promises";
import {
  assembleGenesis,
  CareLedgerError,
  chainIdOf,
  type Genesis,
  type GenesisParams,
  type MemberFile,
  parseGenesisParams,
  parseMemberFile,
  toHex,
} from "@careledger/protocol";

/** A member file from disk, its errors naming the file (MEMBER_FILE_INVALID). */
export async function readMemberFile(path: string): Promise<MemberFile> {
  const text = await readFile(path, "utf8");
  try {
    return parseMemberFile(JSON.parse(text));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CareLedgerError("MEMBER_FILE_INVALID", `${path}: ${reason}`);
  }
}

/** The ceremony's params file (GenesisParams), its errors naming the file (GENESIS_INVALID). */
export async function readGenesisParams(path: string): Promise<GenesisParams> {
  const text = await readFile(path, "utf8");
  try {
    return parseGenesisParams(JSON.parse(text));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CareLedgerError("GENESIS_INVALID", `${path}: ${reason}`);
  }
}

/**
 * The genesis of the member files at `memberFiles` (in any order) under `params`: what
 * `careledger genesis` writes and the devnet starts from.
 */
export async function genesisFromMemberFiles(
  memberFiles: readonly string[],
  params: GenesisParams,
): Promise<Genesis> {
  const members = await Promise.all(memberFiles.map(readMemberFile));
  return assembleGenesis(members, params);
}

/** The chain id operators compare before they start: lowercase hex, as `/v1/status` shows it. */
export function chainIdHex(genesis: Genesis): string {
  return toHex(chainIdOf(genesis));
}

/** Writes a genesis file, never over an existing one (a chain's genesis does not change). */
export async function writeGenesisFile(path: string, genesis: Genesis): Promise<void> {
  try {
    await writeFile(path, `${JSON.stringify(genesis, null, 2)}\n`, { flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") {
      throw new Error(`${path} exists: refusing to replace a genesis`);
    }
    throw error;
  }
}

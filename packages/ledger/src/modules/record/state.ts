import type { Canonical, RecordView } from "@careledger/protocol";
import type { StateAccess } from "../../state/blockState.js";
import type { StateReader } from "../identity/state.js";
import { reject } from "../module.js";

/**
 * State of the records module: `record/<id>` holds exactly a RecordView (keys and hashes as
 * hex), the one value the custodian's node and every query read; `record/h/<hash hex>` the
 * `{id, version}` a ciphertext hash was anchored as, so one upload backs one record version
 * only (ids are hex, so no id reads as `h/...`).
 */
export const recordKey = (id: string) => `record/${id}`;
export const recordHashKey = (hashHex: string) => `record/h/${hashHex}`;

/** Where a ciphertext hash is anchored. */
export interface HashUse {
  readonly id: string;
  readonly version: number;
}

/**
 * Claims `hashHex` for version `version` of record `id`: a hash anchored before, under any
 * record or version, fails RECORD_HASH_REUSED. Else one upload could back another patient's
 * record (its reader would get the first patient's plaintext), and forgetting either would erase
 * the other's content.
 */
export async function claimHash(
  state: StateAccess,
  hashHex: string,
  id: string,
  version: number,
): Promise<void> {
  const used = (await state.get(recordHashKey(hashHex))) as HashUse | null;
  if (used !== null) {
    reject("RECORD_HASH_REUSED", `hash ${hashHex} is anchored as ${used.id} v${used.version}`);
  }
  const use: HashUse = { id, version };
  state.put(recordHashKey(hashHex), use as unknown as Canonical);
}

export async function readRecord(state: StateReader, id: string): Promise<RecordView | null> {
  return (await state.get(recordKey(id))) as RecordView | null;
}

/** The record, which must exist (RECORD_NOT_FOUND). */
export async function requireRecord(state: StateReader, id: string): Promise<RecordView> {
  const record = await readRecord(state, id);
  if (record === null) return reject("RECORD_NOT_FOUND", `no record ${id}`);
  return record;
}

export function writeRecord(state: StateAccess, record: RecordView): void {
  state.put(recordKey(record.id), record as unknown as Canonical);
}

/** The record's latest version number (a record always has version 1). */
export const latestVersion = (record: RecordView): number =>
  (record.versions.at(-1) as RecordView["versions"][number]).version;

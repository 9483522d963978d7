import type { Canonical, RecordView } from "@careledger/protocol";
import type { StateAccess } from "../../state/blockState.js";
import type { StateReader } from "../identity/state.js";
import { reject } from "../module.js";

/**
 * State of the records module: `record/<id>` holds exactly a RecordView (keys and hashes as
 * hex), the one value the custodian's node and every query read.
 */
export const recordKey = (id: string) => `record/${id}`;

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

import type { AccessEntry, AccessResult } from "@careledger/protocol";
import { hexOf } from "../../hex.js";
import type { CommittedTx, IndexDefinition } from "../module.js";

export const HISTORY_INDEX = "history";
export const CUSTODIAN_INDEX = "custodian";

/** Heights counted down, fixed width: key order is newest first. */
export const newestFirst = (height: number) =>
  String(Number.MAX_SAFE_INTEGER - height).padStart(16, "0");

/**
 * The history entry a committed access.log makes, or the entry an access.review rewrote (its
 * result is the whole entry, review included): the same key, so the review replaces it.
 */
function entryOf(committed: CommittedTx): AccessEntry | null {
  const { receipt } = committed;
  if (receipt.status !== "ok" || receipt.result === undefined) return null;
  if (committed.type === "access.review") return receipt.result as AccessEntry;
  const result = receipt.result as AccessResult;
  return {
    ...result,
    access: hexOf(committed.id),
    height: committed.height,
    time: committed.time,
  };
}

/** What an entry's keys are made of. */
type Place = Pick<AccessEntry, "patient" | "custodian" | "height" | "access">;

/** The entry's place without building the entry: the custodian index needs no more. */
function placeOf(committed: CommittedTx): Place | null {
  const { receipt } = committed;
  if (receipt.status !== "ok" || receipt.result === undefined) return null;
  if (committed.type === "access.review") return receipt.result as AccessEntry;
  const { patient, custodian } = receipt.result as AccessResult;
  return { patient, custodian, height: committed.height, access: hexOf(committed.id) };
}

const where = (place: Place) => `${newestFirst(place.height)}/${place.access}`;
const historyKey = (place: Place) => `${place.patient}/${where(place)}`;

/** `history`: `<patient>/<newest first>/<access id>`: a patient's accesses, newest first. */
export const historyIndex: IndexDefinition = {
  name: HISTORY_INDEX,
  version: 1,
  feeds: ["access.log", "access.review"],
  entries(committed) {
    const entry = entryOf(committed);
    return entry === null ? [] : [[historyKey(entry), entry]];
  },
};

/**
 * `custodian`: `<custodian org>/<newest first>/<access id>`, valued by the entry's key in
 * `history` (not a second copy of the entry: one fewer encoding per access, half the disk).
 */
export const custodianIndex: IndexDefinition = {
  name: CUSTODIAN_INDEX,
  version: 1,
  feeds: ["access.log", "access.review"],
  entries(committed) {
    const place = placeOf(committed);
    return place === null ? [] : [[`${place.custodian}/${where(place)}`, historyKey(place)]];
  },
};

import type { StateReader } from "../identity/state.js";
import { reject } from "../module.js";
import { isRegulator, readRecall, type StoredCase, type StoredPack } from "./state.js";

/**
 * The rules every movement of a pack shares (issue 15 "Transactions and rules"), in the order
 * a refusal names them: gone for good, not the sender's, on its way, inside a case.
 */
export function requireHeldLoose(pack: StoredPack, org: string): void {
  const id = `${pack.gtin} ${pack.serial}`;
  if (pack.status === "dispensed" || pack.status === "decommissioned") {
    reject("PACK_FINAL", `pack ${id} is ${pack.status}`);
  }
  if (pack.case !== undefined) reject("PACK_IN_CASE", `pack ${id} is in case ${pack.case}`);
  if (pack.custodian !== org) reject("NOT_CUSTODIAN", `${org} does not hold pack ${id}`);
  if (pack.status === "in-transit") {
    reject("PACK_IN_TRANSIT", `pack ${id} is in transit to ${pack.inTransitTo}`);
  }
}

/** The case must be held by `org`, packed and not on its way. */
export function requireHeldCase(stored: StoredCase | null, sscc: string, org: string): StoredCase {
  if (stored === null || stored.status === "unpacked") {
    return reject("CASE_NOT_FOUND", `no packed case ${sscc}`);
  }
  if (stored.custodian !== org) reject("NOT_CUSTODIAN", `${org} does not hold case ${sscc}`);
  if (stored.status === "in-transit") {
    reject("PACK_IN_TRANSIT", `case ${sscc} is in transit to ${stored.inTransitTo}`);
  }
  return stored;
}

export async function requireNotRecalled(
  state: StateReader,
  gtin: string,
  lot: string,
  what: string,
): Promise<void> {
  if ((await readRecall(state, gtin, lot)) !== null) {
    reject("PACK_RECALLED", `${what}: lot ${lot} of ${gtin} is recalled`);
  }
}

/**
 * Where a pack that is not saleable (suspect, or a return its receiver did not verify) may go:
 * to a regulator, or back to its manufacturer, and nowhere else until that is settled.
 */
export async function mayReceiveUnsaleable(
  state: StateReader,
  to: string,
  manufacturers: readonly string[],
): Promise<boolean> {
  if (manufacturers.length === 1 && manufacturers[0] === to) return true;
  return isRegulator(state, to);
}

/** The checks of shipping a loose pack from its custodian `from` to `to`. */
export async function requireShippable(
  state: StateReader,
  pack: StoredPack,
  from: string,
  to: string,
): Promise<void> {
  const id = `pack ${pack.gtin} ${pack.serial}`;
  requireHeldLoose(pack, from);
  await requireNotRecalled(state, pack.gtin, pack.lot, id);
  if (pack.suspect !== undefined && !(await mayReceiveUnsaleable(state, to, [pack.manufacturer]))) {
    reject("PACK_SUSPECT", `${id} is suspect: only to a regulator or ${pack.manufacturer}`);
  }
  if (pack.returnUnverified && !(await mayReceiveUnsaleable(state, to, [pack.manufacturer]))) {
    reject("PACK_RETURN_UNVERIFIED", `${id} is an unverified return`);
  }
}

/** The same checks for a case, from what the case knows of its packs. */
export async function requireCaseShippable(
  state: StateReader,
  stored: StoredCase,
  to: string,
): Promise<void> {
  const id = `case ${stored.sscc}`;
  for (const { gtin, lot } of stored.lots) await requireNotRecalled(state, gtin, lot, id);
  if (stored.suspects > 0 && !(await mayReceiveUnsaleable(state, to, stored.manufacturers))) {
    reject("PACK_SUSPECT", `${id} holds ${stored.suspects} suspect packs`);
  }
  if (stored.unverified > 0 && !(await mayReceiveUnsaleable(state, to, stored.manufacturers))) {
    reject("PACK_RETURN_UNVERIFIED", `${id} holds ${stored.unverified} unverified returns`);
  }
}

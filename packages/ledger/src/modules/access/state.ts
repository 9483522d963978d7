import type { AccessEntry } from "@careledger/protocol";
import type { StateReader } from "../identity/state.js";

/**
 * State of the access module: only the break-the-glass accesses awaiting their organization's
 * review, `access/btg/<accessor's org>/<access.log tx id>`, each the history entry it made.
 * Every other access lives in its receipt (provable under receiptsRoot) and the node-local
 * histories, so an ordinary `access.log` writes no state.
 */
export const breakGlassKey = (org: string, access: string) => `access/btg/${org}/${access}`;
export const breakGlassPrefix = (org: string) => `access/btg/${org}/`;

export async function readBreakGlass(
  state: StateReader,
  org: string,
  access: string,
): Promise<AccessEntry | null> {
  return (await state.get(breakGlassKey(org, access))) as AccessEntry | null;
}

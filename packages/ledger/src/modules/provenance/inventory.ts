import type { StateAccess } from "../../state/blockState.js";
import type { StateReader } from "../identity/state.js";
import { seg } from "./indexes.js";
import { asCanonical, type StoredPack } from "./state.js";

/**
 * An organization's loose packs, as stock entries: `provenance/i/<org>/<gtin>/<lot>/<tx id>` holds
 * the serials (sorted) of one GTIN and lot that transaction brought there (commissioned,
 * shipped to it, unpacked), and shrinks as they leave; each pack names its entry (`stock`). A
 * loose move of a thousand packs of one lot so writes two entries, not two thousand keys: the
 * packs themselves are the only per-pack writes.
 */
export const stockPrefix = (org: string) => `provenance/i/${org}/`;
export const stockKey = (org: string, gtin: string, lot: string, txId: string) =>
  `${stockPrefix(org)}${gtin}/${seg(lot)}/${txId}`;
/** `<gtin>/<lot>/<tx id>` after the org's prefix: the entry's length past it. */
export const STOCK_ENTRY_SEGMENTS = 3;

export async function readStock(state: StateReader, key: string): Promise<string[]> {
  return ((await state.get(key)) as string[] | null) ?? [];
}

/**
 * Puts packs (of any GTINs and lots) into `org`'s stock as transaction `txId`'s entries, and
 * returns them with `stock` naming their entry.
 */
export async function addStock(
  state: StateAccess,
  org: string,
  txId: string,
  packs: readonly StoredPack[],
): Promise<StoredPack[]> {
  const byEntry = new Map<string, string[]>();
  const placed = packs.map((pack) => {
    const key = stockKey(org, pack.gtin, pack.lot, txId);
    byEntry.set(key, [...(byEntry.get(key) ?? []), pack.serial]);
    return { ...pack, stock: key };
  });
  for (const [key, serials] of byEntry) {
    const held = await readStock(state, key);
    state.put(key, asCanonical([...new Set([...held, ...serials])].sort()));
  }
  return placed;
}

/** Takes packs out of the stock entries they are in (an emptied entry is deleted). */
export async function removeStock(
  state: StateAccess,
  packs: readonly StoredPack[],
): Promise<StoredPack[]> {
  const byEntry = new Map<string, Set<string>>();
  for (const pack of packs) {
    if (pack.stock === undefined) continue;
    byEntry.set(pack.stock, (byEntry.get(pack.stock) ?? new Set()).add(pack.serial));
  }
  for (const [key, leaving] of byEntry) {
    const kept = (await readStock(state, key)).filter((serial) => !leaving.has(serial));
    if (kept.length === 0) state.delete(key);
    else state.put(key, asCanonical(kept));
  }
  return packs.map(({ stock: _left, ...pack }) => pack);
}

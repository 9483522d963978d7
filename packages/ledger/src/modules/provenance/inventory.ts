import type { StateAccess } from "../../state/blockState.js";
import type { StateReader } from "../identity/state.js";
import { seg } from "./indexes.js";
import { asCanonical, type StoredPack } from "./state.js";

/**
 * An organization's loose packs, as stock entries: `provenance/i/<org>/<gtin>/<lot>/<tx id>` holds
 * the serials (sorted) of one GTIN and lot that transaction brought there (commissioned,
 * shipped to it, unpacked), and shrinks as they leave; each pack names its entry (`stock`). An
 * entry a shipment made names its sender (`from`) until received: a receipt of all its packs
 * clears that, one write, and the packs read as received (state.ts readPack). A loose shipment
 * of a thousand packs of one lot so writes each pack and two entries, its receipt one entry.
 */
export interface StockEntry {
  readonly serials: readonly string[];
  /** The sender, while the entry is a shipment in transit to its org. */
  readonly from?: string;
}

export const stockPrefix = (org: string) => `provenance/i/${org}/`;
export const stockKey = (org: string, gtin: string, lot: string, txId: string) =>
  `${stockPrefix(org)}${gtin}/${seg(lot)}/${txId}`;
/** `<gtin>/<lot>/<tx id>` after the org's prefix: the entry's length past it. */
export const STOCK_ENTRY_SEGMENTS = 3;

export async function readStock(state: StateReader, key: string): Promise<StockEntry | null> {
  return (await state.get(key)) as StockEntry | null;
}

function writeStock(state: StateAccess, key: string, entry: StockEntry): void {
  if (entry.serials.length === 0) state.delete(key);
  else state.put(key, asCanonical(entry));
}

/**
 * Puts packs (of any GTINs and lots) into `org`'s stock as transaction `txId`'s entries (in
 * transit from `from` when given), and returns them with `stock` naming their entry.
 */
export async function addStock(
  state: StateAccess,
  org: string,
  txId: string,
  packs: readonly StoredPack[],
  from?: string,
): Promise<StoredPack[]> {
  const byEntry = new Map<string, string[]>();
  const placed = packs.map((pack) => {
    const key = stockKey(org, pack.gtin, pack.lot, txId);
    byEntry.set(key, [...(byEntry.get(key) ?? []), pack.serial]);
    return { ...pack, stock: key };
  });
  for (const [key, serials] of byEntry) {
    const held = (await readStock(state, key))?.serials ?? [];
    const all = [...new Set([...held, ...serials])].sort();
    writeStock(state, key, from === undefined ? { serials: all } : { serials: all, from });
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
    const entry = await readStock(state, key);
    if (entry === null) continue;
    writeStock(state, key, { ...entry, serials: entry.serials.filter((s) => !leaving.has(s)) });
  }
  return packs.map(({ stock: _left, ...pack }) => pack);
}

/**
 * Receives packs in transit to `org` (their records and entries checked by the caller): an
 * entry all of whose packs are named stops being in transit (one write; the packs read as
 * received), and the named packs of an entry named in part move to an entry of `txId` of their
 * own, written. Returns the packs whose records the caller must write, as received.
 */
export async function receiveStock(
  state: StateAccess,
  org: string,
  txId: string,
  packs: readonly StoredPack[],
): Promise<StoredPack[]> {
  const byEntry = new Map<string, StoredPack[]>();
  for (const pack of packs) {
    const key = pack.stock as string;
    byEntry.set(key, [...(byEntry.get(key) ?? []), pack]);
  }
  const split: StoredPack[] = [];
  for (const [key, named] of byEntry) {
    const entry = (await readStock(state, key)) as StockEntry;
    if (named.length === entry.serials.length) {
      writeStock(state, key, { serials: entry.serials });
    } else {
      split.push(...(await removeStock(state, named)));
    }
  }
  const arrived = split.map(({ inTransitTo: _arrived, ...pack }) => ({
    ...pack,
    status: "active" as const,
    custodian: org,
  }));
  return addStock(state, org, txId, arrived);
}

import type { StateAccess } from "../../state/blockState.js";
import type { StateReader } from "../identity/state.js";
import { seg } from "./indexes.js";
import { addSorted, asCanonical, type StoredPack } from "./state.js";

/**
 * Loose packs live in stock entries, as packs live in cases: `provenance/st/<tx id>/<gtin>/<lot>`
 * lists the serials (sorted) of one GTIN and lot a transaction brought to an organization
 * (commissioned, shipped, unpacked there) and carries their custody: the organization, the
 * sender while it is a shipment in transit to it (`from`), and the organizations that held the
 * entry before. Each pack names its entry (`stock`); state.ts readPack reads a loose pack's
 * custody from it. The organization lists its entries at `provenance/i/<org>/<gtin>/<lot>/<tx
 * id>`. So a shipment of whole entries, and its receipt, rewrite two or three keys per entry
 * whatever it holds; packs taken out of an entry (part of it shipped, received, packed,
 * dispensed) are written once each, into an entry of their own.
 */
export interface StockEntry {
  readonly org: string;
  readonly serials: readonly string[];
  /** The sender, while the entry is a shipment in transit to `org`. */
  readonly from?: string;
  /** Organizations that held the entry before `org` (sorted). */
  readonly holders: readonly string[];
}

export const stockKey = (txId: string, gtin: string, lot: string) =>
  `provenance/st/${txId}/${gtin}/${seg(lot)}`;
export const stockPrefix = (org: string) => `provenance/i/${org}/`;
/** `<gtin>/<lot>/<tx id>` after the org's prefix: an entry's listing key. */
export const STOCK_ENTRY_SEGMENTS = 3;
const listingKey = (org: string, entryKey: string) => {
  const [txId, gtin, lot] = entryKey.slice("provenance/st/".length).split("/");
  return `${stockPrefix(org)}${gtin}/${lot}/${txId}`;
};
/** The entry an organization's listing key names. */
export const entryOf = (listing: string, org: string) => {
  const [gtin, lot, txId] = listing.slice(stockPrefix(org).length).split("/");
  return `provenance/st/${txId}/${gtin}/${lot}`;
};

export async function readStock(state: StateReader, key: string): Promise<StockEntry | null> {
  return (await state.get(key)) as StockEntry | null;
}

/** Writes an entry and its listing; an emptied one goes, with its listing. */
function writeStock(state: StateAccess, key: string, entry: StockEntry): void {
  if (entry.serials.length === 0) {
    state.delete(key);
    state.delete(listingKey(entry.org, key));
    return;
  }
  state.put(key, asCanonical(entry));
  state.put(listingKey(entry.org, key), 1);
}

/**
 * The custody a loose pack's entry gives it: held by the entry's organization, or in transit
 * from `from` to it; its holders with the entry's.
 */
export function withEntryCustody(pack: StoredPack, entry: StockEntry): StoredPack {
  const { inTransitTo: _before, ...rest } = pack;
  const holders = [
    ...pack.holders,
    ...entry.holders,
    ...(entry.from === undefined ? [entry.org] : []),
  ];
  const custody =
    entry.from === undefined
      ? { status: "active" as const, custodian: entry.org }
      : { status: "in-transit" as const, custodian: entry.from, inTransitTo: entry.org };
  return { ...rest, ...custody, holders: [...new Set(holders)].sort() };
}

/**
 * Puts packs (of any GTINs and lots) into new entries of transaction `txId` at `org` (in
 * transit from `from` when given), and returns them with `stock` naming their entry.
 */
export function addStock(
  state: StateAccess,
  org: string,
  txId: string,
  packs: readonly StoredPack[],
  from?: string,
): StoredPack[] {
  const byEntry = new Map<string, string[]>();
  const placed = packs.map((pack) => {
    const key = stockKey(txId, pack.gtin, pack.lot);
    byEntry.set(key, [...(byEntry.get(key) ?? []), pack.serial]);
    return { ...pack, stock: key };
  });
  const holders = from === undefined ? [] : [from];
  for (const [key, serials] of byEntry) {
    const serialsSorted = [...serials].sort();
    const entry: StockEntry =
      from === undefined
        ? { org, serials: serialsSorted, holders }
        : { org, serials: serialsSorted, from, holders };
    writeStock(state, key, entry);
  }
  return placed;
}

/** Takes packs out of their entries; they come back without `stock`. */
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

/** Packs by the entry they are in, with whether they are all of it. */
async function byEntry(
  state: StateReader,
  packs: readonly StoredPack[],
): Promise<Array<{ key: string; entry: StockEntry; packs: StoredPack[]; whole: boolean }>> {
  const groups = new Map<string, StoredPack[]>();
  for (const pack of packs) {
    const key = pack.stock as string;
    groups.set(key, [...(groups.get(key) ?? []), pack]);
  }
  const found = [];
  for (const [key, named] of groups) {
    const entry = (await readStock(state, key)) as StockEntry;
    found.push({ key, entry, packs: named, whole: named.length === entry.serials.length });
  }
  return found;
}

/**
 * Ships loose packs (checked by the caller) from `from` to `to`: a whole entry moves as one
 * (its packs untouched); packs of an entry shipped in part go to a new entry of `txId`. Returns
 * the packs whose records the caller must write.
 */
export async function shipStock(
  state: StateAccess,
  from: string,
  to: string,
  txId: string,
  packs: readonly StoredPack[],
): Promise<StoredPack[]> {
  const split: StoredPack[] = [];
  for (const group of await byEntry(state, packs)) {
    if (group.whole) {
      state.delete(listingKey(from, group.key));
      const holders = addSorted(group.entry.holders, from);
      writeStock(state, group.key, { ...group.entry, org: to, from, holders });
    } else {
      split.push(...(await removeStock(state, group.packs)));
    }
  }
  const leaving = split.map((pack) => ({
    ...pack,
    status: "in-transit" as const,
    inTransitTo: to,
  }));
  return addStock(state, to, txId, leaving, from);
}

/**
 * Receives loose packs in transit to `org` (checked by the caller): an entry all of whose
 * packs are named stops being in transit, one write; the named packs of an entry named in part
 * go to a new entry of `txId`. Returns the packs whose records the caller must write.
 */
export async function receiveStock(
  state: StateAccess,
  org: string,
  txId: string,
  packs: readonly StoredPack[],
): Promise<StoredPack[]> {
  const split: StoredPack[] = [];
  for (const group of await byEntry(state, packs)) {
    if (group.whole) {
      const { from: _arrived, ...entry } = group.entry;
      writeStock(state, group.key, entry);
    } else {
      split.push(...(await removeStock(state, group.packs)));
    }
  }
  const arrived = split.map(({ inTransitTo: _arrived, ...pack }) => ({
    ...pack,
    status: "active" as const,
    custodian: org,
  }));
  return addStock(state, org, txId, arrived);
}

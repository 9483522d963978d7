import { expiredFromMs, parseGs1Date } from "@careledger/gs1";
import type {
  Canonical,
  DecommissionReason,
  PackGroup,
  PackStatus,
  ProductView,
  RecallView,
  SuspectReason,
} from "@careledger/protocol";
import type { StateAccess } from "../../state/blockState.js";
import type { ChainStamp } from "../consent/state.js";
import { requireOrganization, type StateReader } from "../identity/state.js";
import { reject } from "../module.js";

/**
 * State of the provenance module, all under `provenance/` (a GTIN is 14 digits and an org id
 * holds no `/`, so a lot or serial, which may hold one, is always the key's last segment):
 * - `provenance/p/<gtin>`: a product (ProductView);
 * - `provenance/k/<gtin>/<serial>`: a pack (StoredPack);
 * - `provenance/c/<sscc>`: a case (StoredCase), kept after it is unpacked (the SSCC is spent);
 * - `provenance/r/<gtin>/<lot>`: a recall in force (RecallView);
 * - `provenance/s/<gtin>/<serial>`: a suspect pack not cleared yet;
 * - `provenance/i/<org>/<gtin>/<lot>/<tx id>`: loose packs the org holds or has in transit to it
 *   (inventory.ts), the serials one transaction brought there;
 * - `provenance/ic/<org>/<sscc>`: a case the org holds or has in transit to it;
 * - `provenance/rt/<tx id>`: the returns a `pack.receive` took, with whether each was verified.
 *
 * The inventory and suspect lists shrink, so they live here (the framework's indexes only grow).
 * A pack in a case keeps pointing at it, and the case carries custody for all its packs: a case
 * of a thousand packs ships and is received by rewriting two keys, not a thousand.
 */
export const productKey = (gtin: string) => `provenance/p/${gtin}`;
export const packKey = (gtin: string, serial: string) => `provenance/k/${gtin}/${serial}`;
export const caseKey = (sscc: string) => `provenance/c/${sscc}`;
export const RECALL_PREFIX = "provenance/r/";
export const recallKey = (gtin: string, lot: string) => `${RECALL_PREFIX}${gtin}/${lot}`;
export const SUSPECT_PREFIX = "provenance/s/";
export const suspectKey = (gtin: string, serial: string) => `${SUSPECT_PREFIX}${gtin}/${serial}`;
export const caseInventoryPrefix = (org: string) => `provenance/ic/${org}/`;
export const caseInventoryKey = (org: string, sscc: string) => `${caseInventoryPrefix(org)}${sscc}`;
export const returnsKey = (txId: string) => `provenance/rt/${txId}`;

/** GTIN-14 is 14 digits: what follows `<gtin>/` in a key is the serial or the lot. */
export const GTIN_SEGMENT = 15;

/** A suspicion raised on a pack and not cleared. */
export interface Suspicion {
  readonly reason: SuspectReason;
  readonly by: string;
  readonly at: ChainStamp;
}

/**
 * A pack as stored. While it is in a case (`case` set) its `custodian`, `status` and
 * `inTransitTo` are those it had when packed: the case's are the ones in force.
 */
export interface StoredPack {
  readonly gtin: string;
  readonly serial: string;
  readonly lot: string;
  readonly expiry: string;
  readonly manufacturer: string;
  readonly status: PackStatus;
  readonly custodian: string;
  readonly inTransitTo?: string;
  readonly case?: string;
  /** The stock entry (inventory.ts) listing it, while it is loose and not gone for good. */
  readonly stock?: string;
  /** Organizations that held it loose (sorted); a case's holders count while it is in one. */
  readonly holders: readonly string[];
  readonly suspect?: Suspicion;
  readonly returnUnverified?: true;
  readonly decommission?: DecommissionReason;
  /**
   * The first instant it counts as expired (AI 17 resolved once, at commission, by that block's
   * time: the century rule would read the same YYMMDD otherwise as the chain grows old).
   */
  readonly expiresAt: number;
  readonly commissioned: ChainStamp;
}

/**
 * A case as stored: custody of all its packs, and what moving it must know about them without
 * reading them (their lots for recalls, their manufacturers, how many are suspect or unverified
 * returns, every organization any of them was held by, which tells a possible return).
 */
export interface StoredCase {
  readonly sscc: string;
  readonly custodian: string;
  readonly status: "active" | "in-transit" | "unpacked";
  readonly inTransitTo?: string;
  readonly packs: readonly PackGroup[];
  readonly lots: ReadonlyArray<{ readonly gtin: string; readonly lot: string }>;
  readonly manufacturers: readonly string[];
  /** Organizations that held the case itself (sorted). */
  readonly holders: readonly string[];
  /** Organizations that held any of its packs before they were packed (sorted). */
  readonly packHolders: readonly string[];
  readonly suspects: number;
  readonly unverified: number;
  readonly packed: ChainStamp;
}

/** A return a `pack.receive` took: the pack, and whether its receiver verified it. */
export interface ReturnEntry {
  readonly gtin: string;
  readonly serial: string;
  readonly verified: boolean;
}

export const asCanonical = (value: unknown) => value as Canonical;

export const addSorted = (list: readonly string[], item: string): string[] =>
  list.includes(item) ? [...list] : [...list, item].sort();

export const union = (a: readonly string[], b: readonly string[]): string[] =>
  [...new Set([...a, ...b])].sort();

export async function readProduct(state: StateReader, gtin: string): Promise<ProductView | null> {
  return (await state.get(productKey(gtin))) as ProductView | null;
}

export async function requireProduct(state: StateReader, gtin: string): Promise<ProductView> {
  const product = await readProduct(state, gtin);
  if (product === null) return reject("PRODUCT_NOT_FOUND", `no product ${gtin}`);
  return product;
}

/** The organization whose stock `provenance/i/<org>/...` is. */
export const stockOrgOf = (stockKey: string) => stockKey.split("/")[2] as string;

/**
 * A pack as it stands. Its record is the truth but for one thing: a receipt that took a whole
 * stock entry in transit (inventory.ts) flipped the entry, not its packs, so a pack whose record
 * still says in transit, in an entry no longer in transit, is active at the entry's org, which
 * holds it.
 */
export async function readPack(
  state: StateReader,
  gtin: string,
  serial: string,
): Promise<StoredPack | null> {
  const pack = (await state.get(packKey(gtin, serial))) as StoredPack | null;
  if (pack?.stock === undefined || pack.status !== "in-transit") return pack;
  const entry = (await state.get(pack.stock)) as { from?: string } | null;
  if (entry === null || entry.from !== undefined) return pack;
  const org = stockOrgOf(pack.stock);
  const { inTransitTo: _arrived, ...rest } = pack;
  return { ...rest, status: "active", custodian: org, holders: addSorted(pack.holders, org) };
}

export async function requirePack(
  state: StateReader,
  gtin: string,
  serial: string,
): Promise<StoredPack> {
  const pack = await readPack(state, gtin, serial);
  if (pack === null) return reject("PACK_NOT_FOUND", `no pack ${gtin} ${serial}`);
  return pack;
}

export function writePack(state: StateAccess, pack: StoredPack): void {
  state.put(packKey(pack.gtin, pack.serial), asCanonical(pack));
}

export async function readCase(state: StateReader, sscc: string): Promise<StoredCase | null> {
  return (await state.get(caseKey(sscc))) as StoredCase | null;
}

export function writeCase(state: StateAccess, stored: StoredCase): void {
  state.put(caseKey(stored.sscc), asCanonical(stored));
}

export async function readRecall(
  state: StateReader,
  gtin: string,
  lot: string,
): Promise<RecallView | null> {
  return (await state.get(recallKey(gtin, lot))) as RecallView | null;
}

/** Whether the organization is a regulator (the kind genesis or governance gave it). */
export async function isRegulator(state: StateReader, org: string): Promise<boolean> {
  return (await requireOrganization(state, org)).kind === "regulator";
}

/** Every (gtin, serial) of pack groups, in order. */
export function* serialsOf(groups: readonly PackGroup[]): Generator<[string, string]> {
  for (const group of groups) for (const serial of group.serials) yield [group.gtin, serial];
}

/** The state keys of the packs named. */
export const packKeys = (groups: readonly PackGroup[]) =>
  [...serialsOf(groups)].map(([gtin, serial]) => packKey(gtin, serial));

/**
 * Pack groups as a transaction names them: at most PACK_SERIALS_MAX serials in all (the schema
 * bounds each group), and no pack twice (SERIAL_DUPLICATE).
 */
export function checkGroups(groups: readonly PackGroup[], max: number): void {
  let count = 0;
  const seen = new Set<string>();
  for (const [gtin, serial] of serialsOf(groups)) {
    count++;
    const id = `${gtin}/${serial}`;
    if (seen.has(id)) reject("SERIAL_DUPLICATE", `pack ${gtin} ${serial} is named twice`);
    seen.add(id);
  }
  if (count > max) reject("TX_PAYLOAD_INVALID", `${count} packs named, at most ${max}`);
}

/** Packs grouped by GTIN, in GTIN then serial order. */
export function groupPacks(packs: Iterable<readonly [string, string]>): PackGroup[] {
  const byGtin = new Map<string, string[]>();
  for (const [gtin, serial] of packs) byGtin.set(gtin, [...(byGtin.get(gtin) ?? []), serial]);
  return [...byGtin.keys()]
    .sort()
    .map((gtin) => ({ gtin, serials: [...(byGtin.get(gtin) as string[])].sort() }));
}

/**
 * The instant from which a pack with this AI 17 expiry is expired (UTC, day 00 read as the
 * month's last day), its century resolved at `time`; EXPIRY_INVALID for no such date.
 */
export function expiresAtOf(expiry: string, time: number): number {
  const parsed = parseGs1Date(expiry, "17", time);
  if (!parsed.ok) return reject("EXPIRY_INVALID", `${expiry}: ${parsed.error.message}`);
  return expiredFromMs(parsed.value);
}

export const stamp = (ctx: { height: number; time: number; sender: string }): ChainStamp => ({
  height: ctx.height,
  time: ctx.time,
  by: ctx.sender,
});

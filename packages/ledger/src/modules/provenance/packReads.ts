import {
  type Canonical,
  isMemberStaff,
  isSubject,
  type PackStatusView,
  type PackView,
  type ProvenanceEventView,
  type QueryCaller,
} from "@careledger/protocol";
import { readOrganization } from "../identity/state.js";
import type { KeyValueReader, QueryReader } from "../module.js";
import {
  BY_CASE_INDEX,
  BY_PACK_INDEX,
  EVENTS_INDEX,
  eventKeyOf,
  LOT_EVENTS_INDEX,
  lotPrefix,
  packPrefix,
} from "./indexes.js";
import {
  type ReturnEntry,
  readCase,
  readPack,
  readRecall,
  returnsKey,
  type StoredPack,
  serialsOf,
  union,
} from "./state.js";

/**
 * The provenance queries' shared reads (queries.ts defines the queries): who a caller speaks
 * for, a pack's custody and view, its history narrowed to it, and its status as verification
 * answers from it. Each reads the head through the module's QueryReader and judges nothing.
 */
const asCanonical = (value: unknown) => value as Canonical;
/** Most index entries one pack's history reads (its own, its cases', its lot's recalls). */
const HISTORY_SCAN_MAX = 4_096;

/** The organizations a caller speaks for: where its key is registered, and those it administers. */
export function callerOrgs(caller: QueryCaller): string[] {
  if (isSubject(caller)) return [];
  return union(caller.identity === null ? [] : [caller.identity.org], caller.adminOf);
}

/**
 * A regulator: a key with the role at an organization of the regulator kind. The role alone
 * is not enough: any organization's admin may register keys with any role.
 */
export async function isRegulatorCaller(
  reader: QueryReader,
  caller: QueryCaller,
): Promise<boolean> {
  const { identity } = caller;
  if (identity === null || isSubject(caller) || !identity.roles.includes("regulator")) return false;
  return (await readOrganization(reader, identity.org))?.kind === "regulator";
}

/** Custody in force: the case's while the pack is in one. */
export interface Custody {
  readonly status: PackView["status"];
  readonly custodian: string;
  readonly inTransitTo?: string;
  readonly holders: readonly string[];
}

export async function custodyOf(reader: QueryReader, pack: StoredPack): Promise<Custody> {
  const stored = pack.case === undefined ? null : await readCase(reader, pack.case);
  if (stored === null) return pack;
  return {
    status: stored.status === "in-transit" ? "in-transit" : "active",
    custodian: stored.custodian,
    ...(stored.inTransitTo !== undefined && { inTransitTo: stored.inTransitTo }),
    holders: union(pack.holders, stored.holders),
  };
}

/** Whether the caller is one `pack.get` answers about this pack (besides operators). */
export async function packParty(
  reader: QueryReader,
  caller: QueryCaller,
  pack: StoredPack,
  custody: Custody,
): Promise<boolean> {
  if (await isRegulatorCaller(reader, caller)) return true;
  const parties = [pack.manufacturer, custody.custodian, ...custody.holders];
  if (custody.inTransitTo !== undefined) parties.push(custody.inTransitTo);
  return parties.some((org) => isMemberStaff(caller, org));
}

export async function packView(
  reader: QueryReader,
  pack: StoredPack,
  custody: Custody,
  history?: ProvenanceEventView[],
): Promise<PackView> {
  return {
    gtin: pack.gtin,
    serial: pack.serial,
    lot: pack.lot,
    expiry: pack.expiry,
    manufacturer: pack.manufacturer,
    status: custody.status,
    custodian: custody.custodian,
    ...(custody.inTransitTo !== undefined && { inTransitTo: custody.inTransitTo }),
    ...(pack.case !== undefined && { case: pack.case }),
    recalled: (await readRecall(reader, pack.gtin, pack.lot)) !== null,
    expired: reader.time >= pack.expiresAt,
    ...(pack.suspect !== undefined && { suspect: pack.suspect }),
    returnUnverified: pack.returnUnverified === true,
    ...(pack.decommission !== undefined && { decommission: pack.decommission }),
    commissioned: pack.commissioned,
    ...(history !== undefined && { history }),
  };
}

export async function listedPack(
  reader: QueryReader,
  gtin: string,
  serial: string,
): Promise<Canonical> {
  const pack = (await readPack(reader, gtin, serial)) as StoredPack;
  return asCanonical(await packView(reader, pack, await custodyOf(reader, pack)));
}

/** An event from the events index, with the returns a receipt took (kept in the state). */
export async function readEvent(reader: QueryReader, key: string): Promise<ProvenanceEventView> {
  const event = (await reader.index(EVENTS_INDEX).get(key)) as unknown as ProvenanceEventView;
  if (event.kind !== "receive" || event.disposition !== "returned") return event;
  const returns = (await reader.get(returnsKey(event.tx))) as unknown as ReturnEntry[];
  return { ...event, returns };
}

async function keysUnder(index: KeyValueReader, prefix: string): Promise<string[]> {
  const found = await index.scan(prefix, { limit: HISTORY_SCAN_MAX });
  return found.map(([key]) => eventKeyOf(key));
}

/**
 * A pack's events in commit order, each narrowed to the pack: those naming it, those of the
 * cases it was packed in (an SSCC is packed once, so all of a case's events are its packs'),
 * and the recalls of its lot.
 */
export async function packHistory(
  reader: QueryReader,
  pack: StoredPack,
): Promise<Array<[string, ProvenanceEventView]>> {
  const own = await keysUnder(reader.index(BY_PACK_INDEX), packPrefix(pack.gtin, pack.serial));
  const viaCase = new Map<string, string>();
  for (const key of own) {
    const event = await readEvent(reader, key);
    if (event.kind !== "pack" || event.parent === undefined) continue;
    for (const caseEvent of await keysUnder(reader.index(BY_CASE_INDEX), `${event.parent}/`)) {
      viaCase.set(caseEvent, event.parent);
    }
  }
  const recalls = await keysUnder(reader.index(LOT_EVENTS_INDEX), lotPrefix(pack.gtin, pack.lot));
  const keys = [...new Set([...own, ...viaCase.keys(), ...recalls])].sort();
  const history: Array<[string, ProvenanceEventView]> = [];
  for (const key of keys) {
    history.push([key, narrow(await readEvent(reader, key), pack, viaCase.get(key))]);
  }
  return history;
}

/** An event as one pack's history shows it: that pack alone, and the case it moved in. */
function narrow(
  event: ProvenanceEventView,
  pack: StoredPack,
  sscc: string | undefined,
): ProvenanceEventView {
  if (event.kind === "recall") return event;
  const named = [...serialsOf(event.packs)].some(
    ([gtin, serial]) => gtin === pack.gtin && serial === pack.serial,
  );
  const { returns, ...rest } = event;
  const own = returns?.filter((entry) => entry.gtin === pack.gtin && entry.serial === pack.serial);
  const parent = sscc ?? event.parent;
  return {
    ...rest,
    packs: named || sscc !== undefined ? [{ gtin: pack.gtin, serials: [pack.serial] }] : [],
    cases: parent === undefined ? [] : [parent],
    ...(own !== undefined && own.length > 0 && { returns: own }),
    ...(event.kind === "receive" && {
      disposition: own !== undefined && own.length > 0 ? "returned" : "in_progress",
    }),
  };
}

/**
 * A pack's status, lot and expiry: what a verification answers from (no custodian, no history).
 * The verification responder reads it directly (it answers the public only whether a lot and
 * expiry match); the `pack.status` query gives it to member organizations' people.
 */
export async function readPackStatus(
  reader: QueryReader,
  gtin: string,
  serial: string,
): Promise<PackStatusView | null> {
  const pack = await readPack(reader, gtin, serial);
  if (pack === null) return null;
  const custody = await custodyOf(reader, pack);
  return {
    gtin,
    serial,
    lot: pack.lot,
    expiry: pack.expiry,
    status: custody.status,
    recalled: (await readRecall(reader, gtin, pack.lot)) !== null,
    expired: reader.time >= pack.expiresAt,
    suspect: pack.suspect !== undefined,
  };
}

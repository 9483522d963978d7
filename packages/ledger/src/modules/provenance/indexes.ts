import type {
  Canonical,
  CasePackPayload,
  CaseUnpackPayload,
  LotRecallPayload,
  PackClearPayload,
  PackCommissionPayload,
  PackDecommissionPayload,
  PackDispensePayload,
  PackReceivePayload,
  PackShipPayload,
  PackSuspectPayload,
  ProvenanceEventView,
} from "@careledger/protocol";
import { toHex } from "@careledger/protocol";
import type { CommittedTx, IndexDefinition } from "../module.js";
import { serialsOf } from "./state.js";

export const EVENTS_INDEX = "events";
export const BY_PACK_INDEX = "byPack";
export const BY_CASE_INDEX = "byCase";
export const BY_KIND_INDEX = "byKind";
export const BY_LOT_INDEX = "byLot";
export const LOT_EVENTS_INDEX = "lotEvents";

/** A lot or serial inside an index key, where it is not the last segment (either may hold `/`). */
export const seg = (value: string) => value.replaceAll("%", "%25").replaceAll("/", "%2F");

const pad = (value: number, width: number) => String(value).padStart(width, "0");
/** Time first: header times rise with height, so key order is commit order and time ranges scan. */
export const timeKey = (time: number) => pad(time, 15);
/** An event's key: `<time>/<height>/<tx index>/<event index>`, in commit order. */
export const eventKey = (committed: CommittedTx, index: number) =>
  `${timeKey(committed.time)}/${pad(committed.height, 12)}/${pad(committed.index, 5)}/${pad(index, 2)}`;
/** The event key at the end of an entry's key (it is always the last four segments). */
export const eventKeyOf = (key: string) => key.split("/").slice(-4).join("/");

export const packPrefix = (gtin: string, serial: string) => `${gtin}/${seg(serial)}/`;
export const lotPrefix = (gtin: string, lot: string) => `${gtin}/${seg(lot)}/`;

const PROVENANCE_TYPES = [
  "pack.commission",
  "case.pack",
  "case.unpack",
  "pack.ship",
  "pack.receive",
  "pack.dispense",
  "pack.decommission",
  "lot.recall",
  "pack.suspect",
  "pack.clear",
] as const;

type EventFields = Omit<ProvenanceEventView, "tx" | "index" | "at">;

/** NOTES.md 4.3's row for each way a pack is decommissioned. */
const DECOMMISSION_EPCIS = {
  destroyed: { action: "DELETE", bizStep: "destroying", disposition: "destroyed" },
  damaged: { action: "OBSERVE", bizStep: "inspecting", disposition: "damaged" },
  returned: { action: "DELETE", bizStep: "decommissioning", disposition: "inactive" },
} as const;
/** No CBV 2.0 "suspect" disposition exists: holding, non_sellable_other, persistent (NOTES.md 4.3). */
const SUSPECT_DISPOSITION = "non_sellable_other";

/** The packs an event names loose, by the org that acted (no case moves with them). */
const loosePacks = (p: { org: string; packs: PackDispensePayload["packs"] }) => ({
  org: p.org,
  packs: p.packs,
  cases: [],
});
/** What a shipment and its receipt both name: the packs and cases moved, and between whom. */
const transfer = (p: PackShipPayload | PackReceivePayload) => ({
  packs: p.packs,
  cases: p.cases,
  from: p.from,
  to: p.to,
});

/**
 * The provenance event a committed transaction of the module made, with its EPCIS reading, from
 * its payload alone (what an index sees). A receipt's returns are in the state (`provenance/rt/`)
 * and added by the queries: the receipt's result is too small to list a case of them.
 */
export function eventFields(committed: CommittedTx): EventFields | null {
  const none = { packs: [], cases: [] };
  switch (committed.type) {
    case "pack.commission": {
      const p = committed.payload as PackCommissionPayload;
      return {
        kind: "commission",
        action: "ADD",
        bizStep: "commissioning",
        disposition: "active",
        org: p.manufacturer,
        packs: [{ gtin: p.gtin, serials: [...p.serials] }],
        cases: [],
        lot: p.lot,
        expiry: p.expiry,
      };
    }
    case "case.pack": {
      const p = committed.payload as CasePackPayload;
      return {
        kind: "pack",
        action: "ADD",
        bizStep: "packing",
        disposition: "in_progress",
        org: p.org,
        packs: p.packs,
        cases: [p.sscc],
        parent: p.sscc,
      };
    }
    case "case.unpack": {
      const p = committed.payload as CaseUnpackPayload;
      return {
        kind: "unpack",
        action: "DELETE",
        bizStep: "unpacking",
        disposition: "in_progress",
        org: p.org,
        packs: [],
        cases: [p.sscc],
        parent: p.sscc,
      };
    }
    case "pack.ship": {
      const p = committed.payload as PackShipPayload;
      return {
        kind: "ship",
        action: "OBSERVE",
        bizStep: "shipping",
        disposition: "in_transit",
        org: p.from,
        ...transfer(p),
      };
    }
    case "pack.receive": {
      const p = committed.payload as PackReceivePayload;
      const { receipt } = committed;
      const result = receipt.status === "ok" ? receipt.result : undefined;
      const returned = (result as { returns?: number } | undefined)?.returns;
      return {
        kind: "receive",
        action: "OBSERVE",
        bizStep: "receiving",
        disposition: returned === undefined ? "in_progress" : "returned",
        org: p.to,
        ...transfer(p),
      };
    }
    case "pack.dispense": {
      const p = committed.payload as PackDispensePayload;
      return {
        kind: "dispense",
        action: "OBSERVE",
        bizStep: "dispensing",
        disposition: "dispensed",
        ...loosePacks(p),
      };
    }
    case "pack.decommission": {
      const p = committed.payload as PackDecommissionPayload;
      return {
        kind: "decommission",
        ...DECOMMISSION_EPCIS[p.reason],
        ...loosePacks(p),
        decommission: p.reason,
      };
    }
    case "lot.recall": {
      const p = committed.payload as LotRecallPayload;
      return {
        kind: "recall",
        action: "OBSERVE",
        bizStep: "holding",
        disposition: "recalled",
        persistentDisposition: { set: ["recalled"] },
        org: p.org,
        ...none,
        gtin: p.gtin,
        lot: p.lot,
        recall: { reason: p.reason, class: p.class },
      };
    }
    case "pack.suspect": {
      const p = committed.payload as PackSuspectPayload;
      return {
        kind: "suspect",
        action: "OBSERVE",
        bizStep: "holding",
        disposition: SUSPECT_DISPOSITION,
        persistentDisposition: { set: [SUSPECT_DISPOSITION] },
        ...loosePacks(p),
        suspect: p.reason,
      };
    }
    case "pack.clear": {
      const p = committed.payload as PackClearPayload;
      return {
        kind: "clear",
        action: "OBSERVE",
        bizStep: "inspecting",
        disposition: "conformant",
        persistentDisposition: { unset: [SUSPECT_DISPOSITION] },
        ...loosePacks(p),
      };
    }
    default:
      return null;
  }
}

/** Each committed transaction feeds five indexes: its event is built once. */
const built = new WeakMap<CommittedTx, ProvenanceEventView | null>();

/** The event of an ok provenance transaction, as the events index stores it. */
export function eventOf(committed: CommittedTx): ProvenanceEventView | null {
  if (!built.has(committed)) built.set(committed, buildEvent(committed));
  return built.get(committed) as ProvenanceEventView | null;
}

function buildEvent(committed: CommittedTx): ProvenanceEventView | null {
  if (committed.receipt.status !== "ok") return null;
  const fields = eventFields(committed);
  if (fields === null) return null;
  return {
    ...fields,
    tx: toHex(committed.id),
    index: 0,
    at: { height: committed.height, time: committed.time, by: committed.sender },
  };
}

const asCanonical = (value: unknown) => value as Canonical;

type Entries = ReadonlyArray<readonly [string, Canonical]>;

/** An index fed by the event of each ok provenance transaction, given that event and its key. */
const eventIndex = (
  name: string,
  entriesOf: (event: ProvenanceEventView, key: string) => Entries,
  feeds: IndexDefinition["feeds"] = PROVENANCE_TYPES,
): IndexDefinition => ({
  name,
  version: 1,
  feeds,
  entries(committed) {
    const event = eventOf(committed);
    return event === null ? [] : entriesOf(event, eventKey(committed, 0));
  },
});

/** `events`: `<event key>` to the ProvenanceEventView, every event in commit order. */
export const provenanceEvents = eventIndex(EVENTS_INDEX, (event, key) => [
  [key, asCanonical(event)],
]);

/** `byKind`: `<kind>/<event key>`: the events of one kind. */
export const eventsByKind = eventIndex(BY_KIND_INDEX, (event, key) => [
  [`${event.kind}/${key}`, 1],
]);

/**
 * `byPack`: `<gtin>/<serial>/<event key>` for each pack an event names (a loose move of a
 * thousand packs writes a thousand entries; a case move writes one, in `byCase`).
 */
export const eventsByPack = eventIndex(BY_PACK_INDEX, (event, key) =>
  [...serialsOf(event.packs)].map(([gtin, serial]) => [`${packPrefix(gtin, serial)}${key}`, 1]),
);

/** `byCase`: `<sscc>/<event key>` for each case an event names. */
export const eventsByCase = eventIndex(BY_CASE_INDEX, (event, key) =>
  event.cases.map((sscc) => [`${sscc}/${key}`, 1]),
);

/** `lotEvents`: `<gtin>/<lot>/<event key>` for recalls, which name a lot, not packs. */
export const eventsByLot = eventIndex(
  LOT_EVENTS_INDEX,
  (event, key) =>
    event.gtin === undefined || event.lot === undefined
      ? []
      : [[`${lotPrefix(event.gtin, event.lot)}${key}`, 1]],
  ["lot.recall"],
);

/** `byLot`: `<gtin>/<lot>/<serial>` for every pack commissioned: a lot's packs, in serial order. */
export const packsByLot: IndexDefinition = {
  name: BY_LOT_INDEX,
  version: 1,
  feeds: ["pack.commission"],
  entries(committed) {
    if (committed.receipt.status !== "ok") return [];
    const p = committed.payload as PackCommissionPayload;
    return p.serials.map((serial) => [`${lotPrefix(p.gtin, p.lot)}${serial}`, 1]);
  },
};

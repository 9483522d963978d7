import { isoDateOf, parseGs1Date } from "@careledger/gs1";
import type { ProvenanceEventView } from "@careledger/protocol";
import type { EpcNames } from "./epcNames.js";

/** An EPCIS 2.0 event as JSON-LD (EPCIS-JSON-Schema.json), a plain JSON object. */
export type EpcisEvent = Record<string, unknown>;

/**
 * The prefix our own extension fields use (`careledger:recallReason`), defined in each
 * document's `@context`; EPCIS 2.0 allows any URI-named field beside the standard ones.
 */
export const CARELEDGER_CONTEXT = { careledger: "urn:careledger:epcis:" } as const;

/** Times are the block header's, in UTC. */
const UTC = "+00:00";

function ilmdOf(event: ProvenanceEventView): Record<string, string> | undefined {
  if (event.kind !== "commission" || event.lot === undefined || event.expiry === undefined) {
    return undefined;
  }
  // The century of an AI 17 date is read against the time it was written (NOTES.md 3.4).
  const expiry = parseGs1Date(event.expiry, "17", event.at.time);
  if (!expiry.ok) throw new Error(`a committed expiry does not parse: ${event.expiry}`);
  return {
    "cbvmda:lotNumber": event.lot,
    "cbvmda:itemExpirationDate": isoDateOf(expiry.value),
  };
}

/** Our fields the CBV has no term for: why a pack left, why a lot is recalled or suspect. */
function extensionsOf(event: ProvenanceEventView): Record<string, unknown> {
  return {
    ...(event.decommission !== undefined && {
      "careledger:decommissionReason": event.decommission,
    }),
    ...(event.recall !== undefined && {
      "careledger:recallReason": event.recall.reason,
      "careledger:recallClass": event.recall.class,
    }),
    ...(event.suspect !== undefined && { "careledger:suspectReason": event.suspect }),
    ...(event.returns !== undefined && {
      "careledger:returns": event.returns.map((entry) => ({
        "careledger:gtin": entry.gtin,
        "careledger:serial": entry.serial,
        "careledger:verified": entry.verified,
      })),
    }),
  };
}

/** Who sent and who received a shipment: owner and holder alike (custody moves with ownership). */
function partiesOf(event: ProvenanceEventView, names: EpcNames) {
  if (event.from === undefined || event.to === undefined) return {};
  const list = (org: string, field: "source" | "destination") =>
    (["owning_party", "possessing_party"] as const).map((type) => ({
      type,
      [field]: names.party(org),
    }));
  return {
    sourceList: list(event.from, "source"),
    destinationList: list(event.to, "destination"),
  };
}

function packEpcs(event: ProvenanceEventView, names: EpcNames): string[] {
  return event.packs.flatMap((group) =>
    group.serials.map((serial) => names.pack(group.gtin, serial)),
  );
}

/**
 * One provenance event as EPCIS 2.0 (NOTES.md 4.3, with the action, bizStep, disposition and
 * persistent disposition the ledger decided): an AggregationEvent for packing and unpacking a
 * case, an ObjectEvent otherwise; a recall names its lot as an LGTIN class in a quantity list.
 */
export function epcisEvent(event: ProvenanceEventView, names: EpcNames): EpcisEvent {
  const time = new Date(event.at.time).toISOString();
  const common = {
    eventID: `urn:careledger:event:${event.tx}:${event.index}`,
    eventTime: time,
    recordTime: time,
    eventTimeZoneOffset: UTC,
  };
  const what = {
    bizStep: event.bizStep,
    disposition: event.disposition,
    bizLocation: { id: names.party(event.org) },
  };
  if (event.parent !== undefined) {
    const children = packEpcs(event, names);
    return {
      type: "AggregationEvent",
      ...common,
      parentID: names.case(event.parent),
      ...(children.length > 0 && { childEPCs: children }),
      action: event.action,
      ...what,
      ...extensionsOf(event),
    };
  }
  const ilmd = ilmdOf(event);
  const lotClass =
    event.kind === "recall" && event.gtin !== undefined && event.lot !== undefined
      ? [{ epcClass: names.lot(event.gtin, event.lot) }]
      : [];
  return {
    type: "ObjectEvent",
    ...common,
    epcList: [...packEpcs(event, names), ...event.cases.map((sscc) => names.case(sscc))],
    ...(lotClass.length > 0 && { quantityList: lotClass }),
    action: event.action,
    ...what,
    ...(event.persistentDisposition !== undefined && {
      persistentDisposition: event.persistentDisposition,
    }),
    ...partiesOf(event, names),
    ...(ilmd !== undefined && { ilmd }),
    ...extensionsOf(event),
  };
}

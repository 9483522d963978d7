import { parseDigitalLink, parseSgtinUri } from "@careledger/gs1";
import {
  CareLedgerError,
  type ProvenanceEventKind,
  type ProvenanceEventView,
  type QueryCaller,
} from "@careledger/protocol";
import { Type } from "@sinclair/typebox";
import type { ModuleServices } from "../../module.js";
import { epcisQueryDocument } from "../epcis/document.js";
import { epcisEvent } from "../epcis/events.js";
import { directoryOf } from "./directory.js";

/**
 * The read side of the EPCIS 2.0 REST query interface (`GET /events` with SimpleEventQuery
 * parameters, `GET /epcs/{epc}/events`), over `provenance.events` run for the caller, so it
 * shows no one more than that query: the parameters we serve, each refused when malformed, and
 * the standard's paging (`perPage`, then `nextPageToken` from the `Link: <…>; rel="next"`
 * header).
 */
/** The SimpleEventQuery parameters we serve, named as the standard names them. */
export const EPCIS_PARAMS = {
  bizStep: "EQ_bizStep",
  epc: "MATCH_epc",
  from: "GE_eventTime",
  until: "LT_eventTime",
} as const;

export const EpcisQuerySchema = Type.Object(
  {
    // A `|`-separated list, as the REST binding writes lists.
    [EPCIS_PARAMS.bizStep]: Type.Optional(Type.String({ maxLength: 400 })),
    [EPCIS_PARAMS.epc]: Type.Optional(Type.String({ maxLength: 2048 })),
    [EPCIS_PARAMS.from]: Type.Optional(Type.String({ maxLength: 40 })),
    [EPCIS_PARAMS.until]: Type.Optional(Type.String({ maxLength: 40 })),
    perPage: Type.Optional(Type.String({ pattern: "^[0-9]{1,4}$" })),
    nextPageToken: Type.Optional(Type.String({ maxLength: 1024 })),
  },
  { additionalProperties: false },
);

/**
 * The event kinds whose events may carry each CBV bizStep (indexes.ts decides each event's
 * reading; NOTES.md 4.3): a filter on one kind is served by its index, others are filtered here.
 */
const KINDS_OF_BIZSTEP: Readonly<Record<string, readonly ProvenanceEventKind[]>> = {
  commissioning: ["commission"],
  packing: ["pack"],
  unpacking: ["unpack"],
  shipping: ["ship"],
  receiving: ["receive"],
  dispensing: ["dispense"],
  decommissioning: ["decommission"],
  destroying: ["decommission"],
  inspecting: ["decommission", "clear"],
  holding: ["recall", "suspect"],
};

type Filters = Readonly<Record<string, string | undefined>>;

const badRequest = (message: string): never => {
  throw new CareLedgerError("BAD_REQUEST", message);
};

/** A pack's EPC: its SGTIN URN or its Digital Link. */
export function packOfEpc(epc: string): { gtin: string; serial: string } {
  if (epc.startsWith("urn:")) {
    const sgtin = parseSgtinUri(epc);
    if (!sgtin.ok) return badRequest(`MATCH_epc is not an SGTIN EPC URI: ${sgtin.error.message}`);
    return { gtin: sgtin.value.gtin, serial: sgtin.value.serial };
  }
  const link = parseDigitalLink(epc);
  const { gtin, serial } = link.ok ? link.value : { gtin: undefined, serial: undefined };
  if (gtin === undefined || serial === undefined) {
    return badRequest("MATCH_epc names a pack by its SGTIN EPC URI or its Digital Link");
  }
  return { gtin, serial };
}

function timeOf(name: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text) || Number.isNaN(ms) || ms < 0) {
    badRequest(`${name} is not an ISO 8601 date-time`);
  }
  return String(ms);
}

export interface EpcisPage {
  readonly document: ReturnType<typeof epcisQueryDocument>;
  /** The cursor of the next page, or null on the last. */
  readonly next: string | null;
}

/** One page of the events `filters` select, for `caller`, as an EPCISQueryDocument. */
export async function epcisEventsPage(
  services: ModuleServices,
  filters: Filters,
  caller: QueryCaller | null,
): Promise<EpcisPage> {
  const steps = filters[EPCIS_PARAMS.bizStep]?.split("|");
  const kinds = new Set(steps?.flatMap((step) => KINDS_OF_BIZSTEP[step] ?? []));
  const head = services.head();
  // Asked only for steps no event of ours has: nothing matches (a standard answer, not an error).
  if (steps !== undefined && kinds.size === 0) {
    return { document: epcisQueryDocument([], head.time), next: null };
  }
  const epc = filters[EPCIS_PARAMS.epc];
  const pack = epc === undefined ? undefined : packOfEpc(epc);
  const params: Record<string, string> = {
    ...(kinds.size === 1 && { kind: [...kinds][0] as string }),
    ...(pack !== undefined && pack),
  };
  const from = timeOf(EPCIS_PARAMS.from, filters[EPCIS_PARAMS.from]);
  const until = timeOf(EPCIS_PARAMS.until, filters[EPCIS_PARAMS.until]);
  if (from !== undefined) params.from = from;
  if (until !== undefined) params.until = until;
  if (filters.perPage !== undefined) params.limit = filters.perPage;
  if (filters.nextPageToken !== undefined) params.cursor = filters.nextPageToken;
  const page = (await services.query("provenance.events", params, caller)) as {
    items: ProvenanceEventView[];
    next: string | null;
  };
  const events = page.items.filter((event) => steps === undefined || steps.includes(event.bizStep));
  const directory = await directoryOf(head);
  const rendered = events.map((event) => epcisEvent(event, directory.names));
  return { document: epcisQueryDocument(rendered, head.time), next: page.next };
}

/** The `Link` header of the next page: the same request with the next page's token. */
export function nextPageLink(origin: string, url: string, next: string): string {
  const target = new URL(url, origin);
  target.searchParams.set("nextPageToken", next);
  return `<${target.toString()}>; rel="next"`;
}

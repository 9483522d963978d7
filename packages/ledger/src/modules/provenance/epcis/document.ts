import { CARELEDGER_CONTEXT, type EpcisEvent } from "./events.js";

/** The EPCIS 2.0 JSON-LD context every document names, then our extension prefix. */
export const EPCIS_CONTEXT = [
  "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
  CARELEDGER_CONTEXT,
] as const;
export const EPCIS_SCHEMA_VERSION = "2.0";
/** The query name of the EPCIS REST `GET /events` (the standard's SimpleEventQuery). */
export const SIMPLE_EVENT_QUERY = "SimpleEventQuery";

/** An EPCISDocument of events, created at `createdMs` (the head's time, not a clock's). */
export function epcisDocument(events: readonly EpcisEvent[], createdMs: number) {
  return {
    "@context": EPCIS_CONTEXT,
    type: "EPCISDocument",
    schemaVersion: EPCIS_SCHEMA_VERSION,
    creationDate: new Date(createdMs).toISOString(),
    epcisBody: { eventList: events },
  };
}

/** An EPCISQueryDocument: a page of a query's results, as the REST interface answers. */
export function epcisQueryDocument(events: readonly EpcisEvent[], createdMs: number) {
  return {
    "@context": EPCIS_CONTEXT,
    type: "EPCISQueryDocument",
    schemaVersion: EPCIS_SCHEMA_VERSION,
    creationDate: new Date(createdMs).toISOString(),
    epcisBody: {
      queryResults: { queryName: SIMPLE_EVENT_QUERY, resultsBody: { eventList: events } },
    },
  };
}

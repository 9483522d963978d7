import {
  type Canonical,
  CareLedgerError,
  type CaseView,
  isMemberStaff,
  isOperator,
  PACK_HISTORY_MAX,
  type ProvenanceEventView,
  QUERIES,
} from "@careledger/protocol";
import { admittedByContract } from "../consent/queries.js";
import {
  definePagedQuery,
  defineQuery,
  type PageRequest,
  type Query,
  type QueryPage,
  type QueryReader,
  scanPage,
} from "../module.js";
import {
  BY_KIND_INDEX,
  BY_LOT_INDEX,
  EVENTS_INDEX,
  eventKeyOf,
  lotPrefix,
  timeKey,
} from "./indexes.js";
import { entryOf, STOCK_ENTRY_SEGMENTS, type StockEntry, stockPrefix } from "./inventory.js";
import {
  callerOrgs,
  custodyOf,
  isRegulatorCaller,
  listedPack,
  packHistory,
  packParty,
  packView,
  readEvent,
  readPackStatus,
} from "./packReads.js";
import {
  caseInventoryPrefix,
  GTIN_SEGMENT,
  RECALL_PREFIX,
  readCase,
  readPack,
  readProduct,
  type StoredCase,
  type StoredPack,
  SUSPECT_PREFIX,
  serialsOf,
} from "./state.js";

const forbidden = (why: string): never => {
  throw new CareLedgerError("FORBIDDEN", why);
};
const asCanonical = (value: unknown) => value as Canonical;
/** Index entries one page of `provenance.events` looks at past those the caller may not see. */
const EVENT_SCAN_PAGES = 8;

const productGet = defineQuery(QUERIES["product.get"], async (reader, { gtin }) =>
  asCanonical(await readProduct(reader, gtin)),
);

const packStatus = defineQuery(QUERIES["pack.status"], async (reader, { gtin, serial }) =>
  asCanonical(await readPackStatus(reader, gtin, serial)),
);

/**
 * `pack.get`: operators, regulators, the manufacturer, and the organizations that held the pack
 * or have it in transit to them. Anyone else is refused even for an unknown pack, so a refusal
 * says nothing about whether it exists.
 */
const packGet = defineQuery(QUERIES["pack.get"], async (reader, params, caller) => {
  const pack = await readPack(reader, params.gtin, params.serial);
  const custody = pack === null ? null : await custodyOf(reader, pack);
  if (caller !== null && !admittedByContract(QUERIES["pack.get"], caller, params)) {
    const party =
      pack !== null && custody !== null
        ? await packParty(reader, caller, pack, custody)
        : await isRegulatorCaller(reader, caller);
    if (!party) forbidden("only the pack's trading partners, regulators and operators");
  }
  if (pack === null || custody === null) return null;
  const history = (await packHistory(reader, pack))
    .slice(-PACK_HISTORY_MAX)
    .map(([, event]) => event);
  return asCanonical(await packView(reader, pack, custody, history));
});

function caseView(stored: StoredCase): CaseView {
  return {
    sscc: stored.sscc,
    custodian: stored.custodian,
    status: stored.status,
    ...(stored.inTransitTo !== undefined && { inTransitTo: stored.inTransitTo }),
    packs: [...stored.packs],
    packed: stored.packed,
  };
}

/** `case.get`: as `pack.get`, with the case's holders and its packs' manufacturers. */
const caseGet = defineQuery(QUERIES["case.get"], async (reader, params, caller) => {
  const stored = await readCase(reader, params.sscc);
  if (caller !== null && !admittedByContract(QUERIES["case.get"], caller, params)) {
    const parties =
      stored === null
        ? []
        : [
            stored.custodian,
            ...stored.holders,
            ...stored.manufacturers,
            ...(stored.inTransitTo === undefined ? [] : [stored.inTransitTo]),
          ];
    const party =
      parties.some((org) => isMemberStaff(caller, org)) ||
      (await isRegulatorCaller(reader, caller));
    if (!party) forbidden("only the case's trading partners, regulators and operators");
  }
  return stored === null ? null : asCanonical(caseView(stored));
});

/**
 * `lot.packs`: operators, regulators, and the product's manufacturer's people (a `regulator`
 * role the contract admits counts only at a regulator organization).
 */
const lotPacks = definePagedQuery(QUERIES["lot.packs"], async (reader, params, caller, page) => {
  if (caller !== null && !isOperator(caller) && !(await isRegulatorCaller(reader, caller))) {
    const product = await readProduct(reader, params.gtin);
    if (product === null || !isMemberStaff(caller, product.manufacturer)) {
      forbidden("only the product's manufacturer, regulators and operators");
    }
  }
  const prefix = lotPrefix(params.gtin, params.lot);
  const { entries, resumeAfter } = await scanPage(reader.index(BY_LOT_INDEX), prefix, page);
  const items: Canonical[] = [];
  for (const [key] of entries) {
    items.push(await listedPack(reader, params.gtin, key.slice(prefix.length)));
  }
  return { items, resumeAfter };
});

/** One entry of an inventory list, expanded: each pack's position in it, GTIN and serial. */
type Expand = (key: string, value: Canonical) => Promise<Array<readonly [string, string, string]>>;

/**
 * The packs of the inventory entries under `prefix` (each key `segments` segments past it), in
 * key order, each with its resume key: the entry's key, `/`, the pack's position in the entry.
 */
async function* entryPacks(
  reader: QueryReader,
  prefix: string,
  segments: number,
  after: string | null,
  expand: Expand,
): AsyncGenerator<[string, string, string]> {
  let cursor: string | null = null;
  let resumeIn: { key: string; position: string } | null = null;
  if (after !== null) {
    const parts = after.slice(prefix.length).split("/");
    const key = `${prefix}${parts.slice(0, segments).join("/")}`;
    resumeIn = { key, position: parts.slice(segments).join("/") };
    cursor = key;
  }
  const Batch = 64;
  for (;;) {
    const batch = await reader.scan(prefix, { limit: Batch, after: cursor });
    // The entry the cursor stopped in, if the org still has it.
    if (resumeIn !== null) {
      const value = await reader.get(resumeIn.key);
      if (value !== null) batch.unshift([resumeIn.key, value]);
    }
    for (const [key, value] of batch) {
      for (const [position, gtin, serial] of await expand(key, value)) {
        if (resumeIn !== null && key === resumeIn.key && position <= resumeIn.position) continue;
        yield [`${key}/${position}`, gtin, serial];
      }
    }
    resumeIn = null;
    const last = batch.at(-1);
    if (batch.length < Batch || last === undefined) return;
    cursor = last[0];
  }
}

/**
 * The packs an organization holds or has in transit to it, with resume keys: its loose stock
 * entries (by GTIN, lot, then the transaction that brought them; serials in order), then its
 * cases by SSCC.
 */
async function* inventory(
  reader: QueryReader,
  org: string,
  after: string | null,
): AsyncGenerator<[string, string, string]> {
  const loose = stockPrefix(org);
  const cases = caseInventoryPrefix(org);
  if (after !== null && !after.startsWith(loose) && !after.startsWith(cases)) {
    throw new CareLedgerError("BAD_REQUEST", "cursor is not one this node gave");
  }
  if (after === null || after.startsWith(loose)) {
    yield* entryPacks(reader, loose, STOCK_ENTRY_SEGMENTS, after, async (key) => {
      const gtin = key.slice(loose.length, loose.length + GTIN_SEGMENT - 1);
      const entry = (await reader.get(entryOf(key, org))) as StockEntry | null;
      const serials = entry?.serials ?? [];
      return serials.map((serial) => [serial, gtin, serial] as const);
    });
  }
  const caseAfter = after?.startsWith(cases) ? after : null;
  yield* entryPacks(reader, cases, 1, caseAfter, async (key) => {
    const stored = await readCase(reader, key.slice(cases.length));
    if (stored === null) return [];
    return [...serialsOf(stored.packs)].map(
      ([gtin, serial]) => [`${gtin}/${serial}`, gtin, serial] as const,
    );
  });
}

/** `pack.inventory`: the org's people (the contract checks it), loose packs then cases'. */
const packInventory = definePagedQuery(
  QUERIES["pack.inventory"],
  async (reader, { org }, _caller, page: PageRequest): Promise<QueryPage> => {
    const items: Canonical[] = [];
    let lastKey: string | null = null;
    for await (const [key, gtin, serial] of inventory(reader, org, page.after)) {
      if (items.length === page.limit) return { items, resumeAfter: lastKey };
      items.push(await listedPack(reader, gtin, serial));
      lastKey = key;
    }
    return { items, resumeAfter: null };
  },
);

/** `lot.recalls`: every member's people; the recalls in force, by GTIN and lot. */
const lotRecalls = definePagedQuery(QUERIES["lot.recalls"], async (reader, _params, _c, page) => {
  const { entries, resumeAfter } = await scanPage(reader, RECALL_PREFIX, page);
  return { items: entries.map(([, value]) => value), resumeAfter };
});

/** `pack.suspects`: operators and regulators (of a regulator organization, as `lot.packs`). */
const packSuspects = definePagedQuery(
  QUERIES["pack.suspects"],
  async (reader, _p, caller, page) => {
    if (caller !== null && !isOperator(caller) && !(await isRegulatorCaller(reader, caller))) {
      forbidden("only regulators and operators");
    }
    const { entries, resumeAfter } = await scanPage(reader, SUSPECT_PREFIX, page);
    const items: Canonical[] = [];
    for (const [key] of entries) {
      const rest = key.slice(SUSPECT_PREFIX.length);
      items.push(
        await listedPack(reader, rest.slice(0, GTIN_SEGMENT - 1), rest.slice(GTIN_SEGMENT)),
      );
    }
    return { items, resumeAfter };
  },
);

type EventsParams = {
  kind?: ProvenanceEventView["kind"];
  from?: number;
  until?: number;
};

const inRange = (event: ProvenanceEventView, params: EventsParams) =>
  (params.kind === undefined || event.kind === params.kind) &&
  (params.from === undefined || event.at.time >= params.from) &&
  (params.until === undefined || event.at.time < params.until);

/** A page of one pack's events (all of them, for a caller `pack.get` would answer). */
async function packEventsPage(
  reader: QueryReader,
  pack: StoredPack,
  params: EventsParams,
  page: PageRequest,
): Promise<QueryPage> {
  const all = (await packHistory(reader, pack)).filter(([, event]) => inRange(event, params));
  // Event keys, in commit order (two events of one block keep their transactions' order).
  const rest = all.filter(([key]) => page.after === null || key > page.after);
  const items = rest.slice(0, page.limit);
  const last = items.at(-1);
  return {
    items: items.map(([, event]) => asCanonical(event)),
    resumeAfter: rest.length > page.limit && last !== undefined ? last[0] : null,
  };
}

/**
 * `provenance.events`: operators and regulators see every event; another member's people the
 * events their organization is a party to (its `org`, `from` or `to`), and every event of a
 * pack it held or has in transit to it when the query names that pack. Events in commit order;
 * a page may hold fewer than `limit` when the caller may not see some of those scanned.
 */
const provenanceEventsQuery = definePagedQuery(
  QUERIES["provenance.events"],
  async (reader, params, caller, page) => {
    const sees =
      caller === null || admittedByContract(QUERIES["provenance.events"], caller, params);
    const all = sees || (caller !== null && (await isRegulatorCaller(reader, caller)));
    const orgs = caller === null ? [] : callerOrgs(caller);
    if (!all && orgs.length === 0) forbidden("only members' people and operators");
    if ((params.gtin === undefined) !== (params.serial === undefined)) {
      throw new CareLedgerError("BAD_REQUEST", "name a pack by both gtin and serial, or neither");
    }
    if (params.gtin !== undefined && params.serial !== undefined) {
      const pack = await readPack(reader, params.gtin, params.serial);
      if (pack === null) {
        if (!all) forbidden("only the pack's trading partners, regulators and operators");
        return { items: [], resumeAfter: null };
      }
      const custody = await custodyOf(reader, pack);
      if (!all && caller !== null && !(await packParty(reader, caller, pack, custody))) {
        forbidden("only the pack's trading partners, regulators and operators");
      }
      return packEventsPage(reader, pack, params, page);
    }
    const prefix = params.kind === undefined ? "" : `${params.kind}/`;
    const index = reader.index(params.kind === undefined ? EVENTS_INDEX : BY_KIND_INDEX);
    const start = params.from === undefined ? null : `${prefix}${timeKey(params.from)}`;
    let after = page.after !== null && (start === null || page.after > start) ? page.after : start;
    if (after !== null && !after.startsWith(prefix)) {
      throw new CareLedgerError("BAD_REQUEST", "cursor is not one this node gave");
    }
    const items: Canonical[] = [];
    for (let round = 0; round < EVENT_SCAN_PAGES; round++) {
      const batch = await index.scan(prefix, { limit: page.limit + 1, after });
      for (const [key] of batch) {
        const event = await readEvent(reader, eventKeyOf(key));
        if (params.until !== undefined && event.at.time >= params.until) {
          return { items, resumeAfter: null };
        }
        const party = [event.org, event.from, event.to].some(
          (org) => org !== undefined && orgs.includes(org),
        );
        if (!all && !party) {
          after = key;
          continue;
        }
        if (items.length === page.limit) return { items, resumeAfter: after };
        items.push(asCanonical(event));
        after = key;
      }
      if (batch.length < page.limit + 1) return { items, resumeAfter: null };
    }
    return { items, resumeAfter: after };
  },
);

export const provenanceQueries: readonly Query[] = [
  productGet,
  packStatus,
  packGet,
  caseGet,
  lotPacks,
  packInventory,
  lotRecalls,
  packSuspects,
  provenanceEventsQuery,
];

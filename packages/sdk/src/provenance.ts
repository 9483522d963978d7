import {
  CareLedgerError,
  type DecommissionReason,
  type PackGroup,
  type ProductRegisterPayload,
  type ProvenanceEventKind,
  type QueryResultJson,
  type RecallReason,
  type ReturnVerification,
  type Signer,
  type SuspectReason,
  VerificationAnswerSchema,
} from "@careledger/protocol";
import { type Static, Type } from "@sinclair/typebox";
import { Caller, type CommitOptions } from "./caller.js";
import type { CareLedgerClient } from "./client.js";
import { localError } from "./errors.js";
import type { HttpBytesAnswer } from "./http.js";
import { answerChecker, badResponse } from "./json.js";
import { allItems, type Page, type PageOptions } from "./paging.js";
import type { CommittedTx } from "./wait.js";

export type PackViewJson = NonNullable<QueryResultJson<"pack.get">>;
export type PackStatusJson = NonNullable<QueryResultJson<"pack.status">>;
export type ProvenanceEventJson = QueryResultJson<"provenance.events">["items"][number];
export type RecallViewJson = QueryResultJson<"lot.recalls">["items"][number];

/**
 * A GTIN-8, -12, -13 or -14 as the GTIN-14 every payload and query uses (NOTES.md 3.1: left
 * padded with zeros). The check digit is the ledger's rule (GTIN_CHECK_DIGIT), not checked here.
 */
export function gtin14(gtin: string): string {
  if (!/^(\d{8}|\d{12}|\d{13}|\d{14})$/.test(gtin)) {
    throw new CareLedgerError("BAD_REQUEST", `${gtin} is not a GTIN-8, -12, -13 or -14`);
  }
  return gtin.padStart(14, "0");
}

/** Packs by GTIN, any GTIN form. */
export type PackGroupInput = { readonly gtin: string; readonly serials: readonly string[] };

const groups = (packs: readonly PackGroupInput[] = []): PackGroup[] =>
  packs.map((group) => ({ gtin: gtin14(group.gtin), serials: [...group.serials] }));

/**
 * An EPCIS 2.0 JSON-LD document as the node serves it: checked for the fields this SDK reads
 * (the events themselves are the standard's, validated by the node's tests against the GS1
 * schema, and passed on as they are).
 */
const EpcisDocumentSchema = Type.Object({
  "@context": Type.Unknown(),
  type: Type.Union([Type.Literal("EPCISDocument"), Type.Literal("EPCISQueryDocument")]),
  schemaVersion: Type.String(),
  creationDate: Type.String(),
  epcisBody: Type.Object({}),
});
const EventListSchema = Type.Array(Type.Object({ type: Type.String() }));
const EpcisQueryDocumentSchema = Type.Object({
  ...EpcisDocumentSchema.properties,
  type: Type.Literal("EPCISQueryDocument"),
  epcisBody: Type.Object({
    queryResults: Type.Object({
      queryName: Type.String(),
      resultsBody: Type.Object({ eventList: EventListSchema }),
    }),
  }),
});
export type EpcisDocument = Static<typeof EpcisDocumentSchema>;
export type EpcisQueryDocument = Static<typeof EpcisQueryDocumentSchema>;
export type EpcisEventJson = Static<typeof EventListSchema>[number];

/** The verification answer (protocol's schema), its EPCIS history checked as a document. */
const CheckedAnswerSchema = Type.Object({
  ...VerificationAnswerSchema.properties,
  "careledger:history": Type.Optional(EpcisDocumentSchema),
});
/** What `verify` resolves with: protocol's VerificationAnswer, its history an EPCIS document. */
export type CheckedVerificationAnswer = Static<typeof CheckedAnswerSchema>;

const verificationCheck = answerChecker(CheckedAnswerSchema, "verification");
const epcisQueryCheck = answerChecker(EpcisQueryDocumentSchema, "epcis");

/** What a verification request adds to the Digital Link (NOTES.md 4.1 query parameters). */
export interface VerifyOptions {
  /** Echoed back in the answer. */
  readonly corrUUID?: string;
  /** The requester's 13-digit GLN. */
  readonly reqGLN?: string;
  /** e.g. `dscsaSaleableReturn`. */
  readonly context?: string;
  /**
   * Sign the request with the client's signer: a trading partner or regulator then gets the
   * custodian and the history too. Unsigned (the public answer) by default.
   */
  readonly signed?: boolean;
  readonly signal?: AbortSignal;
}

/** The EPCIS 2.0 REST query parameters the node serves (`GET /epcis/events`). */
export interface EpcisFilter {
  /** CBV business steps (`shipping`, `receiving`, ...); any of them. */
  readonly bizStep?: readonly string[];
  /** A pack's SGTIN EPC URI or Digital Link. */
  readonly epc?: string;
  /** Event time at or after, ms since the epoch. */
  readonly from?: number;
  /** Event time before, ms since the epoch. */
  readonly until?: number;
}

/** One page of EPCIS events: the query document, its events, and the next page's token. */
export interface EpcisPage extends Page<EpcisEventJson> {
  readonly document: EpcisQueryDocument;
}

/** The `nextPageToken` of a `Link: <...>; rel="next"` header, or null on the last page. */
export function nextPageTokenOf(link: string | null): string | null {
  if (link === null) return null;
  const next = /<([^>]*)>\s*;\s*rel="?next"?/.exec(link);
  if (next === null) return null;
  const token = new URL(next[1] as string, "http://node.invalid").searchParams.get("nextPageToken");
  if (token === null) badResponse("epcis Link", "a next page URL with nextPageToken");
  return token;
}

function jsonOf(answer: HttpBytesAnswer, where: string): unknown {
  const type = answer.contentType?.split(";")[0]?.trim().toLowerCase();
  if (type !== "application/json" && type !== "application/ld+json") {
    throw localError("bad-response", `${where}: expected JSON, got ${type}`);
  }
  try {
    return JSON.parse(new TextDecoder().decode(answer.bytes));
  } catch {
    throw localError("bad-response", `${where}: answer is not JSON`);
  }
}

/** The path from the primary key on, and the query, of a Digital Link at any host (or a bare path). */
function linkPath(digitalLink: string, options: VerifyOptions): string {
  let url: URL;
  try {
    url = new URL(digitalLink, "http://node.invalid");
  } catch {
    throw new CareLedgerError("BAD_REQUEST", `${digitalLink} is not a URI`);
  }
  const extra = { corrUUID: options.corrUUID, reqGLN: options.reqGLN, context: options.context };
  for (const [name, value] of Object.entries(extra)) {
    if (value !== undefined) url.searchParams.set(name, value);
  }
  // A resolver may serve links under a path of its own (GS1 Digital Link allows a prefix before
  // the primary key): the node answers at the key's path.
  const key = /\/(01|gtin)\//.exec(url.pathname);
  if (key === null) {
    throw new CareLedgerError("BAD_REQUEST", `${digitalLink} names no GTIN (/01/ or /gtin/)`);
  }
  return url.pathname.slice(key.index) + url.search;
}

/**
 * The drug supply chain (issue 15) as an organization's people use it: a manufacturer
 * registers products, commissions packs and recalls lots; custodians pack cases, ship and
 * receive, dispense and decommission; trading partners and regulators flag and clear suspects.
 * Writes commit as the client's signer and resolve after a successful receipt. Anyone may
 * verify a pack at its Digital Link; its status (with lot and expiry), the history, lots,
 * inventory and EPCIS events are scoped reads signed by that key.
 *
 * The file is over 400 lines: one short method for each of the 11 transaction types and 14
 * reads, with the EPCIS answer checks above them; the checks are the part to move out next.
 */
export class Provenance {
  private caller: Caller | undefined;

  /** A client without a signer may verify packs and read products only. */
  constructor(readonly client: CareLedgerClient) {}

  /** The signer's caller, built on first use: writes need one (REQUEST_UNSIGNED otherwise). */
  private get as(): Caller {
    this.caller ??= new Caller(this.client);
    return this.caller;
  }

  async registerProduct(
    product: ProductRegisterPayload,
    options: CommitOptions = {},
  ): Promise<CommittedTx> {
    return this.as.commit("product.register", { ...product, gtin: gtin14(product.gtin) }, options);
  }

  /** New serialised packs of one GTIN, lot and AI 17 expiry (YYMMDD). */
  async commission(
    input: {
      readonly gtin: string;
      readonly manufacturer: string;
      readonly lot: string;
      readonly expiry: string;
      readonly serials: readonly string[];
    },
    options: CommitOptions = {},
  ): Promise<CommittedTx> {
    return this.as.commit(
      "pack.commission",
      { ...input, gtin: gtin14(input.gtin), serials: [...input.serials] },
      options,
    );
  }

  /** Aggregates packs `org` holds into a new case (`case.pack`). */
  async packCase(
    input: {
      readonly sscc: string;
      readonly org: string;
      readonly packs: readonly PackGroupInput[];
    },
    options: CommitOptions = {},
  ): Promise<CommittedTx> {
    return this.as.commit("case.pack", { ...input, packs: groups(input.packs) }, options);
  }

  async unpackCase(
    input: { readonly sscc: string; readonly org: string },
    options: CommitOptions = {},
  ): Promise<CommittedTx> {
    return this.as.commit("case.unpack", { ...input }, options);
  }

  /** Ships loose packs and cases `from` holds to `to`. */
  async ship(
    input: {
      readonly from: string;
      readonly to: string;
      readonly packs?: readonly PackGroupInput[];
      readonly cases?: readonly string[];
    },
    options: CommitOptions = {},
  ): Promise<CommittedTx> {
    const { from, to } = input;
    const move = { from, to, packs: groups(input.packs), cases: [...(input.cases ?? [])] };
    return this.as.commit("pack.ship", move, options);
  }

  /** The addressee receives a shipment; returned packs are named in `verified` to sell on. */
  async receive(
    input: {
      readonly to: string;
      readonly from: string;
      readonly packs?: readonly PackGroupInput[];
      readonly cases?: readonly string[];
      readonly verified?: readonly ReturnVerification[];
    },
    options: CommitOptions = {},
  ): Promise<CommittedTx> {
    const verified = (input.verified ?? []).map((pack) => ({ ...pack, gtin: gtin14(pack.gtin) }));
    const { to, from } = input;
    const move = { to, from, packs: groups(input.packs), cases: [...(input.cases ?? [])] };
    return this.as.commit("pack.receive", { ...move, verified }, options);
  }

  async dispense(
    input: { readonly org: string; readonly packs: readonly PackGroupInput[] },
    options: CommitOptions = {},
  ): Promise<CommittedTx> {
    return this.as.commit("pack.dispense", { org: input.org, packs: groups(input.packs) }, options);
  }

  async decommission(
    input: {
      readonly org: string;
      readonly packs: readonly PackGroupInput[];
      readonly reason: DecommissionReason;
    },
    options: CommitOptions = {},
  ): Promise<CommittedTx> {
    const { org, reason } = input;
    return this.as.commit(
      "pack.decommission",
      { org, reason, packs: groups(input.packs) },
      options,
    );
  }

  async recall(
    input: {
      readonly gtin: string;
      readonly lot: string;
      readonly org: string;
      readonly reason: RecallReason;
      readonly class: "I" | "II" | "III";
    },
    options: CommitOptions = {},
  ): Promise<CommittedTx> {
    return this.as.commit("lot.recall", { ...input, gtin: gtin14(input.gtin) }, options);
  }

  async suspect(
    input: {
      readonly org: string;
      readonly packs: readonly PackGroupInput[];
      readonly reason: SuspectReason;
    },
    options: CommitOptions = {},
  ): Promise<CommittedTx> {
    const { org, reason } = input;
    return this.as.commit("pack.suspect", { org, reason, packs: groups(input.packs) }, options);
  }

  async clear(
    input: { readonly org: string; readonly packs: readonly PackGroupInput[] },
    options: CommitOptions = {},
  ): Promise<CommittedTx> {
    return this.as.commit("pack.clear", { org: input.org, packs: groups(input.packs) }, options);
  }

  /** A product's master data, or null (public). */
  product(gtin: string): Promise<QueryResultJson<"product.get">> {
    return this.client.query("product.get", { gtin: gtin14(gtin) });
  }

  /** A pack's public status, or null (public: what verification answers from). */
  status(gtin: string, serial: string): Promise<QueryResultJson<"pack.status">> {
    return this.client.query("pack.status", { gtin: gtin14(gtin), serial });
  }

  /** A pack with its custodian and latest history (its trading partners, regulators). */
  async get(gtin: string, serial: string): Promise<QueryResultJson<"pack.get">> {
    return this.as.client.query("pack.get", { gtin: gtin14(gtin), serial });
  }

  /** A page of one pack's events, in commit order: all of its history, beyond what `get` shows. */
  async history(
    gtin: string,
    serial: string,
    page: PageOptions = {},
  ): Promise<Page<ProvenanceEventJson>> {
    return this.events({ gtin, serial }, page);
  }

  /** Every event of one pack, page after page. */
  historyAll(
    gtin: string,
    serial: string,
    options: PageOptions = {},
  ): AsyncGenerator<ProvenanceEventJson> {
    return allItems((page) => this.history(gtin, serial, page), options);
  }

  /** A page of the provenance events the caller may see, filtered. */
  async events(
    filter: {
      readonly kind?: ProvenanceEventKind;
      readonly gtin?: string;
      readonly serial?: string;
      readonly from?: number;
      readonly until?: number;
    },
    page: PageOptions = {},
  ): Promise<Page<ProvenanceEventJson>> {
    const { gtin, ...rest } = filter;
    return this.as.client.query("provenance.events", {
      ...rest,
      ...(gtin !== undefined && { gtin: gtin14(gtin) }),
      ...page,
    });
  }

  /** A case and its contents, or null. */
  async case(sscc: string): Promise<QueryResultJson<"case.get">> {
    return this.as.client.query("case.get", { sscc });
  }

  /** A page of one lot's packs, in serial order (its manufacturer, regulators). */
  async lotPacks(gtin: string, lot: string, page: PageOptions = {}): Promise<Page<PackViewJson>> {
    return this.as.client.query("lot.packs", { gtin: gtin14(gtin), lot, ...page });
  }

  /** Every pack of one lot, page after page. */
  lotPacksAll(gtin: string, lot: string, options: PageOptions = {}): AsyncGenerator<PackViewJson> {
    return allItems((page) => this.lotPacks(gtin, lot, page), options);
  }

  /** A page of what an organization holds or has in transit to it (its own people). */
  async inventory(org: string, page: PageOptions = {}): Promise<Page<PackViewJson>> {
    return this.as.client.query("pack.inventory", { org, ...page });
  }

  /** A page of the recalls in force. */
  async recalls(page: PageOptions = {}): Promise<Page<RecallViewJson>> {
    return this.as.client.query("lot.recalls", { ...page });
  }

  /** A page of the packs suspect and not cleared (regulators). */
  async suspects(page: PageOptions = {}): Promise<Page<PackViewJson>> {
    return this.as.client.query("pack.suspects", { ...page });
  }

  /**
   * Verifies a pack at its GS1 Digital Link (`https://any.host/01/{gtin}/10/{lot}/21/{serial}
   * ?17={YYMMDD}`, the short `/01/.../21/...` form, or the `/gtin/.../lot/.../ser/...` form VRS
   * clients send) with this client's node as the DSCSA verification responder: the link's path
   * and query go to the node whatever host the link names. An invalid link is the node's coded
   * 400, an unknown GTIN its 404 (PRODUCT_NOT_FOUND); otherwise the answer of NOTES.md 4.1.
   */
  async verify(
    digitalLink: string,
    options: VerifyOptions = {},
  ): Promise<CheckedVerificationAnswer> {
    const signer = options.signed === true ? this.as.signer : undefined;
    const answer = await this.routeGet(linkPath(digitalLink, options), signer, options.signal);
    const checked = verificationCheck(jsonOf(answer, "verification"));
    if (options.corrUUID !== undefined && checked.corrUUID !== options.corrUUID) {
      badResponse("verification.corrUUID", options.corrUUID);
    }
    return checked;
  }

  /**
   * A page of the EPCIS 2.0 events the caller may see, from the node's EPCIS REST query
   * interface (`GET /epcis/events`, signed: commercial data is not public), as an
   * EPCISQueryDocument; `next` is the `nextPageToken` of its `Link` header.
   */
  async epcis(
    filter: EpcisFilter = {},
    page: { readonly limit?: number; readonly cursor?: string } = {},
  ): Promise<EpcisPage> {
    const search = new URLSearchParams();
    if (filter.bizStep !== undefined) search.set("EQ_bizStep", filter.bizStep.join("|"));
    if (filter.epc !== undefined) search.set("MATCH_epc", filter.epc);
    if (filter.from !== undefined) search.set("GE_eventTime", new Date(filter.from).toISOString());
    if (filter.until !== undefined) {
      search.set("LT_eventTime", new Date(filter.until).toISOString());
    }
    if (page.limit !== undefined) search.set("perPage", String(page.limit));
    if (page.cursor !== undefined) search.set("nextPageToken", page.cursor);
    const query = search.toString();
    const path = `/epcis/events${query === "" ? "" : `?${query}`}`;
    const answer = await this.routeGet(path, this.as.signer);
    const document = epcisQueryCheck(jsonOf(answer, "epcis"));
    const items = document.epcisBody.queryResults.resultsBody.eventList;
    return { document, items, next: nextPageTokenOf(answer.link) };
  }

  /** Every EPCIS event `filter` selects, page after page. */
  epcisAll(filter: EpcisFilter = {}, options: PageOptions = {}): AsyncGenerator<EpcisEventJson> {
    return allItems((page) => this.epcis(filter, page), options);
  }

  private routeGet(path: string, signer: Signer | undefined, signal?: AbortSignal) {
    return this.client.getRoute(path, {
      ...(signer !== undefined && { signer }),
      ...(signal !== undefined && { signal }),
    });
  }
}

import {
  type Canonical,
  CareLedgerError,
  type PackGroup,
  type PackView,
  type ProductRegisterPayload,
  type ProvenanceEventView,
  REQUEST_KEY_HEADER,
  type SignedTx,
  toHex,
} from "@careledger/protocol";
import type { FakeCareRoutes, QueryParamsIn } from "./fakeCareRoutes.testkit.js";
import { send } from "./fakeNode.testkit.js";

/**
 * The provenance module in miniature, on a FakeNode with FakeCareRoutes: packs with custody,
 * cases, recalls and suspects, their events, the queries the SDK reads, a verification
 * responder at `/01/...` (the NOTES.md 4.1 mapping for lot, expiry, recall and suspect; the
 * history for a signed caller) and the EPCIS `GET /epcis/events` read side paged by a `Link`
 * header. Rules are a sketch (custody, in transit, final states); the real ones are the
 * ledger's, tested there.
 */

type Stamp = PackView["commissioned"];
const RESPONDER_GLN = "0614141000005";
/** CBV 2.0 business steps of the events this sketch makes (NOTES.md 4.3). */
const BIZ_STEPS: Readonly<Record<string, string>> = {
  commission: "commissioning",
  pack: "packing",
  ship: "shipping",
  receive: "receiving",
  dispense: "dispensing",
  recall: "holding",
  suspect: "holding",
};

export class FakeProvenance {
  readonly products = new Map<string, ProductRegisterPayload>();
  readonly packs = new Map<string, PackView>();
  readonly cases = new Map<string, { custodian: string; packs: PackGroup[] }>();
  readonly events: ProvenanceEventView[] = [];

  constructor(readonly routes: FakeCareRoutes) {
    routes.node.modules.push((signed, height) => this.execute(signed, height));
    routes.answers.push((name, params) => this.answer(name, params));
    routes.node.extraRoutes.push(
      [
        "GET",
        /^\/01\/(\d{14})\/10\/([^/]+)\/21\/([^/]+)$/,
        (response, match, { request, url }) =>
          this.verify(response, match, url, request.headers[REQUEST_KEY_HEADER] !== undefined),
      ],
      ["GET", /^\/epcis\/events$/, (response, _match, { url }) => this.epcis(response, url)],
    );
  }

  private execute(signed: SignedTx, height: number): { result?: Canonical } | undefined {
    const payload = signed.tx.payload as Record<string, unknown>;
    const at: Stamp = { height, time: height * 1_000, by: toHex(signed.tx.from) };
    const event = (kind: ProvenanceEventView["kind"], fields: Partial<ProvenanceEventView>) =>
      this.events.push({
        kind,
        action: kind === "commission" ? "ADD" : "OBSERVE",
        bizStep: BIZ_STEPS[kind] ?? kind,
        disposition: "active",
        tx: toHex(signed.id),
        index: 0,
        at,
        org: String(payload.org ?? payload.manufacturer ?? payload.from ?? payload.to),
        packs: [],
        cases: [],
        ...fields,
      });
    switch (signed.tx.type) {
      case "product.register": {
        const product = payload as unknown as ProductRegisterPayload;
        this.products.set(product.gtin, product);
        return {};
      }
      case "pack.commission": {
        const { gtin, lot, expiry, serials, manufacturer } = payload as {
          gtin: string;
          lot: string;
          expiry: string;
          serials: string[];
          manufacturer: string;
        };
        if (!this.products.has(gtin)) throw new CareLedgerError("PRODUCT_NOT_FOUND");
        for (const serial of serials) {
          const pack: PackView = {
            gtin,
            serial,
            lot,
            expiry,
            manufacturer,
            status: "active",
            custodian: manufacturer,
            recalled: false,
            expired: false,
            returnUnverified: false,
            commissioned: at,
          };
          this.packs.set(`${gtin}/${serial}`, pack);
        }
        event("commission", { packs: [{ gtin, serials }], lot, expiry });
        return {};
      }
      case "case.pack": {
        const { sscc, org, packs } = payload as { sscc: string; org: string; packs: PackGroup[] };
        this.each(packs, (pack) => this.held(pack, org) && { ...pack, case: sscc });
        this.cases.set(sscc, { custodian: org, packs });
        event("pack", { packs, parent: sscc, action: "ADD" });
        return {};
      }
      case "pack.ship": {
        const { from, to, packs, cases } = payload as {
          from: string;
          to: string;
          packs: PackGroup[];
          cases: string[];
        };
        const moved = [...packs, ...cases.flatMap((sscc) => this.cases.get(sscc)?.packs ?? [])];
        this.each(moved, (pack) => {
          if (pack.status === "in-transit") throw new CareLedgerError("PACK_IN_TRANSIT");
          return this.held(pack, from) && { ...pack, status: "in-transit", inTransitTo: to };
        });
        event("ship", { packs, cases, from, to, disposition: "in_transit" });
        return {};
      }
      case "pack.receive": {
        const { from, to, packs, cases } = payload as {
          from: string;
          to: string;
          packs: PackGroup[];
          cases: string[];
        };
        const moved = [...packs, ...cases.flatMap((sscc) => this.cases.get(sscc)?.packs ?? [])];
        this.each(moved, ({ inTransitTo: _to, ...pack }) => {
          if (_to !== to) throw new CareLedgerError("FORBIDDEN", "not the addressee");
          return { ...pack, status: "active", custodian: to };
        });
        for (const sscc of cases) this.cases.set(sscc, { custodian: to, packs: moved });
        event("receive", { packs, cases, from, to });
        return { result: { returns: 0 } };
      }
      case "pack.dispense": {
        const { org, packs } = payload as { org: string; packs: PackGroup[] };
        this.each(packs, (pack) => this.held(pack, org) && { ...pack, status: "dispensed" });
        event("dispense", { packs, disposition: "dispensed" });
        return {};
      }
      case "lot.recall": {
        const { gtin, lot } = payload as { gtin: string; lot: string };
        for (const [key, pack] of this.packs) {
          if (pack.gtin === gtin && pack.lot === lot)
            this.packs.set(key, { ...pack, recalled: true });
        }
        event("recall", { gtin, lot, disposition: "recalled" });
        return {};
      }
      case "pack.suspect": {
        const { org, packs, reason } = payload as {
          org: string;
          packs: PackGroup[];
          reason: NonNullable<PackView["suspect"]>["reason"];
        };
        this.each(packs, (pack) => ({ ...pack, suspect: { reason, by: org, at } }));
        event("suspect", { packs, suspect: reason });
        return {};
      }
      default:
        return undefined;
    }
  }

  /** The pack, when `org` holds it and it is not final or recalled. */
  private held(pack: PackView, org: string): PackView {
    if (pack.custodian !== org) throw new CareLedgerError("FORBIDDEN", "not the custodian");
    if (pack.status === "dispensed" || pack.status === "decommissioned") {
      throw new CareLedgerError("PACK_FINAL");
    }
    if (pack.recalled) throw new CareLedgerError("PACK_RECALLED");
    return pack;
  }

  private each(groups: readonly PackGroup[], change: (pack: PackView) => PackView): void {
    const changed = groups.flatMap(({ gtin, serials }) =>
      serials.map((serial) => {
        const pack = this.packs.get(`${gtin}/${serial}`);
        if (pack === undefined) throw new CareLedgerError("PACK_NOT_FOUND", `${gtin} ${serial}`);
        return change(pack);
      }),
    );
    // All or nothing, as a transaction.
    for (const pack of changed) this.packs.set(`${pack.gtin}/${pack.serial}`, pack);
  }

  private historyOf(gtin: string, serial: string): ProvenanceEventView[] {
    const pack = this.packs.get(`${gtin}/${serial}`);
    return this.events.filter(
      (event) =>
        event.packs.some((group) => group.gtin === gtin && group.serials.includes(serial)) ||
        (pack?.case !== undefined && event.cases.includes(pack.case)) ||
        (event.kind === "recall" && event.gtin === gtin && event.lot === pack?.lot),
    );
  }

  private answer(name: string, params: QueryParamsIn): unknown {
    const limit = typeof params.limit === "number" ? params.limit : 100;
    const offset = typeof params.cursor === "string" ? Number(params.cursor.slice(1)) : 0;
    const page = <T>(items: readonly T[]) => ({
      items: items.slice(offset, offset + limit),
      next: offset + limit < items.length ? `p${offset + limit}` : null,
    });
    const key = `${params.gtin}/${params.serial}`;
    switch (name) {
      case "product.get": {
        const product = this.products.get(String(params.gtin));
        return product === undefined ? null : { ...product, registered: this.events[0]?.at };
      }
      case "pack.status": {
        const pack = this.packs.get(key);
        if (pack === undefined) return null;
        const { gtin, serial, lot, expiry, status, recalled, expired } = pack;
        return { gtin, serial, lot, expiry, status, recalled, expired, suspect: !!pack.suspect };
      }
      case "pack.get": {
        const pack = this.packs.get(key);
        if (pack === undefined) return null;
        return { ...pack, history: this.historyOf(pack.gtin, pack.serial) };
      }
      case "lot.packs":
        return page(
          [...this.packs.values()]
            .filter((pack) => pack.gtin === params.gtin && pack.lot === params.lot)
            .sort((a, b) => (a.serial < b.serial ? -1 : 1)),
        );
      case "provenance.events":
        return page(
          params.serial === undefined
            ? this.events.filter((event) => params.kind === undefined || event.kind === params.kind)
            : this.historyOf(String(params.gtin), String(params.serial)),
        );
      default:
        return undefined;
    }
  }

  /** NOTES.md 4.1's mapping, for the fields the SDK reads. */
  private verify(
    response: Parameters<typeof send>[0],
    match: RegExpExecArray,
    url: URL,
    signed: boolean,
  ): void {
    const [, gtin = "", lot = "", serial = ""] = match;
    if (!this.products.has(gtin)) throw new CareLedgerError("PRODUCT_NOT_FOUND", gtin);
    const pack = this.packs.get(`${gtin}/${decodeURIComponent(serial)}`);
    const expiry = url.searchParams.get("17");
    const lotMatches = pack?.lot === decodeURIComponent(lot);
    const expiryMatches = expiry === null || pack?.expiry === expiry;
    const failure =
      pack === undefined
        ? "No_match_GTIN_Serial"
        : !lotMatches && !expiryMatches
          ? "No_match_GTIN_Serial_Lot_Expiry"
          : !lotMatches
            ? "No_match_GTIN_Serial_Lot"
            : !expiryMatches
              ? "No_match_GTIN_Serial_Expiry"
              : undefined;
    const info = pack?.recalled ? "Recalled" : pack?.suspect ? "Suspect" : undefined;
    const corrUUID = url.searchParams.get("corrUUID");
    send(response, 200, {
      verificationTimestamp: new Date(this.routes.node.height * 1_000).toISOString(),
      responderGLN: RESPONDER_GLN,
      data: {
        verified: failure === undefined,
        ...(failure !== undefined && { verificationFailureReason: failure }),
        ...(failure === undefined && info !== undefined && { additionalInfo: info }),
      },
      ...(corrUUID !== null && { corrUUID }),
      ...(pack !== undefined &&
        failure === undefined && {
          "careledger:status": {
            status: pack.status,
            recalled: pack.recalled,
            suspect: pack.suspect !== undefined,
            expired: pack.expired,
          },
        }),
      ...(signed &&
        pack !== undefined && {
          "careledger:custodian": pack.custodian,
          "careledger:history": this.document("EPCISDocument", this.historyOf(gtin, pack.serial)),
        }),
    });
  }

  private document(type: string, events: readonly ProvenanceEventView[]) {
    const eventList = events.map((event) => ({
      type: event.kind === "pack" ? "AggregationEvent" : "ObjectEvent",
      action: event.action,
      bizStep: event.bizStep,
      eventTime: new Date(event.at.time).toISOString(),
    }));
    return {
      "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
      type,
      schemaVersion: "2.0",
      creationDate: new Date(0).toISOString(),
      epcisBody:
        type === "EPCISDocument"
          ? { eventList }
          : { queryResults: { queryName: "SimpleEventQuery", resultsBody: { eventList } } },
    };
  }

  /** `GET /epcis/events`: bizStep and time filters, `perPage` and a `Link` to the next page. */
  private epcis(response: Parameters<typeof send>[0], url: URL): void {
    const steps = url.searchParams.get("EQ_bizStep")?.split("|");
    const from = url.searchParams.get("GE_eventTime");
    const perPage = Number(url.searchParams.get("perPage") ?? 100);
    const offset = Number(url.searchParams.get("nextPageToken") ?? 0);
    const chosen = this.events.filter(
      (event) =>
        (steps === undefined || steps.includes(event.bizStep)) &&
        (from === null || event.at.time >= Date.parse(from)),
    );
    const body = this.document("EPCISQueryDocument", chosen.slice(offset, offset + perPage));
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (offset + perPage < chosen.length) {
      const next = new URL(url);
      next.searchParams.set("nextPageToken", String(offset + perPage));
      headers.link = `<${next.toString()}>; rel="next"`;
    }
    response.writeHead(200, headers).end(JSON.stringify(body));
  }
}

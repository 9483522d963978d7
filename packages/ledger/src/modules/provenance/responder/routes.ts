import { formatDigitalLink, percentDecode } from "@careledger/gs1";
import {
  CareLedgerError,
  type ModuleRoute,
  type ModuleRouteRequest,
  type ModuleRouteResponse,
  VerificationAnswerSchema,
} from "@careledger/protocol";
import { type TSchema, Type } from "@sinclair/typebox";
import type { ModuleServices } from "../../module.js";
import { readPackStatus } from "../packReads.js";
import { verificationAnswer } from "./answer.js";
import { type PackLink, packLinkOf, withoutLastSegment } from "./digitalLinkRequest.js";
import { EPCIS_PARAMS, EpcisQuerySchema, epcisEventsPage, nextPageLink } from "./epcisQuery.js";
import { verificationPage } from "./page.js";
import { qrPng, qrSvg } from "./qr.js";
import { verificationOf } from "./verification.js";

/**
 * The provenance module's HTTP face, at the root where the standards put it (api
 * MODULE_ROOT_PREFIXES): the DSCSA verification responder at a pack's GS1 Digital Link
 * (canonical and legacy forms, JSON or a page), the link as a QR image, and the EPCIS 2.0 REST
 * query interface's read side. Every answer is a query's, run for the caller.
 */

/** Path parameters are declared for the router; the handler reads the raw URI by GS1's rules. */
const segments = (...names: string[]): TSchema =>
  Type.Object(Object.fromEntries(names.map((name) => [name, Type.String()])));

/** The Digital Link paths of a pack: canonical (NOTES.md 0.1) and the legacy DSCSA form. */
const PACK_LINKS = [
  { path: "/01/:gtin/10/:lot/21/:serial", params: ["gtin", "lot", "serial"] },
  { path: "/01/:gtin/21/:serial", params: ["gtin", "serial"] },
  { path: "/gtin/:gtin/lot/:lot/ser/:serial", params: ["gtin", "lot", "serial"] },
  { path: "/gtin/:gtin/ser/:serial", params: ["gtin", "serial"] },
] as const;

const wantsHtml = (accept: string | null) => accept?.includes("text/html") === true;

function verifyRoute(
  services: ModuleServices,
  path: string,
  params: readonly string[],
): ModuleRoute {
  return {
    module: "provenance",
    method: "GET",
    path,
    root: true,
    summary:
      "DSCSA verification of a pack's identifier at its GS1 Digital Link (NOTES.md 4.1); signed by a trading partner or regulator, with its custodian and EPCIS history",
    access: "public-or-signed",
    params: segments(...params),
    responseTypes: ["application/json", "text/html"],
    response: VerificationAnswerSchema,
    async handler({ origin, url, caller, accept }): Promise<ModuleRouteResponse> {
      const link = packLinkOf(origin, url);
      const answer = await verificationAnswer(
        services,
        {
          gtin: link.gtin,
          serial: link.serial,
          ...(link.lot !== undefined && { lot: link.lot }),
          ...(link.expiry !== undefined && { expiry: link.expiry }),
          ...(link.vrs.corrUUID !== undefined && { corrUUID: link.vrs.corrUUID }),
        },
        caller,
      );
      // An answer for a signed caller is that caller's; no shared cache may keep it. The type
      // answered follows the Accept header.
      const headers = {
        "cache-control": caller === null ? "no-cache" : "private, no-store",
        vary: "accept",
      };
      if (wantsHtml(accept)) {
        return {
          status: 200,
          contentType: "text/html",
          headers,
          body: verificationPage(answer, link),
        };
      }
      return { status: 200, contentType: "application/json", headers, body: answer };
    },
  };
}

/** The pack's canonical Digital Link, at this node: what its QR code carries. */
async function canonicalLink(services: ModuleServices, origin: string, link: PackLink) {
  const { gtin, serial } = link;
  const product = await services.query("product.get", { gtin }, null);
  if (product === null) throw new CareLedgerError("PRODUCT_NOT_FOUND", `no product ${gtin}`);
  const pack = await readPackStatus(services.head(), gtin, serial);
  if (pack === null) throw new CareLedgerError("PACK_NOT_FOUND", `no pack ${gtin} ${serial}`);
  // A lot or expiry the pack does not have gets what an unknown pack gets: verification answers
  // a No_match_* for it, and a code of the canonical link would show the real lot and expiry.
  if (!verificationOf(link, pack, services.head().time).verified) {
    throw new CareLedgerError(
      "PACK_NOT_FOUND",
      `no pack ${gtin} ${serial} with that lot and expiry`,
    );
  }
  return formatDigitalLink({ gtin, lot: pack.lot, serial, expiry: pack.expiry }, origin);
}

function qrRoute(
  services: ModuleServices,
  path: string,
  params: readonly string[],
  image: "svg" | "png",
): ModuleRoute {
  return {
    module: "provenance",
    method: "GET",
    path: `${path}/qr.${image}`,
    root: true,
    summary: `The pack's canonical GS1 Digital Link as a QR code (${image.toUpperCase()})`,
    access: "public",
    params: segments(...params),
    responseTypes: [image === "svg" ? "image/svg+xml" : "image/png"],
    async handler({ origin, url }) {
      const text = await canonicalLink(
        services,
        origin,
        packLinkOf(origin, withoutLastSegment(url)),
      );
      return image === "svg"
        ? { status: 200, contentType: "image/svg+xml", body: await qrSvg(text) }
        : { status: 200, contentType: "image/png", body: await qrPng(text) };
    },
  };
}

const EpcisDocumentSchema = Type.Object({
  "@context": Type.Unknown(),
  type: Type.String(),
  schemaVersion: Type.String(),
  creationDate: Type.String(),
  epcisBody: Type.Unknown(),
});

/** The headers EPCIS 2.0 REST answers carry (the versions it speaks), and the next page's link. */
function epcisHeaders(origin: string, url: string, next: string | null): Record<string, string> {
  return {
    "gs1-epcis-version": "2.0.0",
    "gs1-cbv-version": "2.0.0",
    "cache-control": "private, no-store",
    ...(next !== null && { link: nextPageLink(origin, url, next) }),
  };
}

async function epcisAnswer(
  services: ModuleServices,
  request: ModuleRouteRequest,
  epc: string | undefined,
): Promise<ModuleRouteResponse> {
  const filters = request.query as Record<string, string | undefined>;
  if (epc !== undefined && filters[EPCIS_PARAMS.epc] !== undefined) {
    throw new CareLedgerError("BAD_REQUEST", "the path names the EPC: no MATCH_epc beside it");
  }
  const chosen = epc === undefined ? filters : { ...filters, [EPCIS_PARAMS.epc]: epc };
  const { document, next } = await epcisEventsPage(services, chosen, request.caller);
  return {
    status: 200,
    contentType: "application/json",
    headers: epcisHeaders(request.origin, request.url, next),
    body: document,
  };
}

/** The `{epc}` segment as sent, decoded once (a Digital Link EPC has its `/` encoded). */
function epcSegment(url: string): string {
  const path = url.split("?")[0] as string;
  const encoded = path.split("/")[3] as string;
  const decoded = percentDecode(encoded, "path");
  if (decoded === null)
    throw new CareLedgerError("BAD_REQUEST", "the EPC's percent-encoding is bad");
  return decoded;
}

function epcisRoutes(services: ModuleServices): ModuleRoute[] {
  const common = {
    module: "provenance",
    method: "GET",
    root: true,
    access: "signed",
    query: EpcisQuerySchema,
    responseTypes: ["application/json"],
    response: EpcisDocumentSchema,
  } as const;
  return [
    {
      ...common,
      path: "/epcis/events",
      summary:
        "EPCIS 2.0 REST: provenance events the caller may see (EQ_bizStep, MATCH_epc, GE_eventTime, LT_eventTime; perPage, nextPageToken)",
      handler: (request) => epcisAnswer(services, request, undefined),
    },
    {
      ...common,
      path: "/epcis/epcs/:epc/events",
      summary: "EPCIS 2.0 REST: a pack's events (its SGTIN EPC URI or Digital Link)",
      params: segments("epc"),
      handler: (request) => epcisAnswer(services, request, epcSegment(request.url)),
    },
  ];
}

/** Every route of the provenance module, built once at start with the node's services. */
export function provenanceRoutes(services: ModuleServices): readonly ModuleRoute[] {
  return [
    ...PACK_LINKS.map(({ path, params }) => verifyRoute(services, path, params)),
    ...PACK_LINKS.filter(({ path }) => path.startsWith("/01/")).flatMap(({ path, params }) => [
      qrRoute(services, path, params, "svg"),
      qrRoute(services, path, params, "png"),
    ]),
    ...epcisRoutes(services),
  ];
}

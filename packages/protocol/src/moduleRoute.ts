import type { TSchema } from "@sinclair/typebox";
import type { QueryCaller } from "./contract/caller.js";

/**
 * An HTTP route a module serves (a record's content, the Digital Link resolver, a FHIR or EPCIS
 * rendering, a QR image), declared where the module lives and mounted by the api package at
 * `/v1/m/<module><path>`, or for a FHIR rendering under the node's FHIR base (`fhir` below). It
 * is here, with types only, because the ledger (which declares modules) and the api (which
 * mounts them) may both import the protocol and not each other.
 */
export const MODULE_ROUTE_PREFIX = "/v1/m";

/**
 * The only prefixes a `root` route may be mounted under, outside `/v1`: the places a standard
 * fixes for its clients, which cannot be told to add a prefix. A GS1 Digital Link is
 * `/01/{gtin}/...` (and the legacy DSCSA form `/gtin/{gtin}/...`: NOTES.md 3.3, 4.1), and EPCIS 2.0
 * query tools address `/epcis/events`. Anything else stays under its module.
 */
export const MODULE_ROOT_PREFIXES = ["/01", "/gtin", "/epcis"] as const;

/**
 * The node's FHIR R4 base: module FHIR routes, and `GET /fhir/R4/metadata` (the
 * CapabilityStatement the api builds from them). Every answer under it is
 * `application/fhir+json`, errors included (an OperationOutcome carrying our error code).
 */
export const FHIR_BASE = "/fhir/R4";
export const FHIR_VERSION = "4.0.1";
/**
 * Where an OperationOutcome issue carries our error code (`issue[0].details.coding[0]`), so
 * clients read the same codes as in receipts and other answers.
 */
export const FHIR_ERROR_SYSTEM = "urn:careledger:error";

/** The FHIR interactions a module may serve: read-only ones. */
export const FHIR_INTERACTIONS = ["read", "search-type"] as const;
export type FhirInteraction = (typeof FHIR_INTERACTIONS)[number];

/** FHIR R4 search parameter types (SearchParamType). */
export const FHIR_SEARCH_PARAM_TYPES = [
  "number",
  "date",
  "string",
  "token",
  "reference",
  "composite",
  "quantity",
  "uri",
  "special",
] as const;

export interface FhirSearchParam {
  /** The parameter's name in the query (`patient`); the route's `query` schema must declare it. */
  readonly name: string;
  readonly type: (typeof FHIR_SEARCH_PARAM_TYPES)[number];
  readonly documentation?: string;
}

/**
 * A FHIR REST interaction a module route serves: mounted at `/fhir/R4/<resource>/:id` (read)
 * or `/fhir/R4/<resource>` (search-type) instead of under `/v1/m/<module>`, listed in the
 * CapabilityStatement, answering `application/fhir+json` only, errors as OperationOutcome.
 */
export interface FhirRouteDeclaration {
  /** The FHIR resource type, as FHIR spells it (`Consent`, `AuditEvent`). */
  readonly resource: string;
  readonly interaction: FhirInteraction;
  /** The search parameters a search-type route supports (none for read). */
  readonly searchParams?: readonly FhirSearchParam[];
}

/** The path below FHIR_BASE a FHIR route must declare: `/<resource>/:id` or `/<resource>`. */
export function fhirRoutePath(fhir: FhirRouteDeclaration): string {
  return fhir.interaction === "read" ? `/${fhir.resource}/:id` : `/${fhir.resource}`;
}

/** Content types a module route may answer with. */
export const MODULE_RESPONSE_TYPES = [
  "application/json",
  "application/fhir+json",
  "application/octet-stream",
  "image/svg+xml",
  "image/png",
  "text/html",
] as const;
export type ModuleResponseType = (typeof MODULE_RESPONSE_TYPES)[number];

/**
 * Content types a module route may accept as its body: JSON ones arrive parsed and checked
 * against the route's `body` schema; `application/octet-stream` arrives as the raw bytes.
 */
export const MODULE_BODY_TYPES = [
  "application/json",
  "application/fhir+json",
  "application/octet-stream",
] as const;
export type ModuleBodyType = (typeof MODULE_BODY_TYPES)[number];

/**
 * Who sent a signed request: the key, its registration and the organizations it administers
 * (the same caller queries get; `isOperator` and `isMemberStaff` judge it).
 */
export type RouteCaller = QueryCaller;

/**
 * Who a route answers: `public` anyone, unsigned; `signed` only a registered key's signed
 * request; `public-or-signed` anyone, with the verified caller when the request is signed (a
 * request with bad or partial signing headers is refused, never read as anonymous), for an
 * answer that shows a signed caller more (a verification answer with the pack's history).
 */
export type ModuleRouteAccess = "public" | "signed" | "public-or-signed";

/** What a handler receives: input already checked against the route's schemas. */
export interface ModuleRouteRequest {
  readonly params: Readonly<Record<string, unknown>>;
  readonly query: Readonly<Record<string, unknown>>;
  /** The parsed JSON body, the raw bytes for `application/octet-stream`, or undefined. */
  readonly body: unknown;
  /**
   * The verified caller of a `signed` route, or of a signed request to a `public-or-signed`
   * one; null otherwise.
   */
  readonly caller: RouteCaller | null;
  /**
   * The path and query string exactly as the client sent them, still percent-encoded
   * (`/01/09520123456788/10/AB%2F1/21/7?17=301231`), for routes that read the URI by a
   * standard's rules (a Digital Link) rather than by the router's decoding.
   */
  readonly url: string;
  /** The request's Accept header, or null: for a route that answers in several types. */
  readonly accept: string | null;
  /**
   * Scheme and authority the client addressed (`http://127.0.0.1:8081`), for answers that name
   * absolute URLs (a FHIR Bundle's fullUrl and links, a Digital Link); from the Host header, so
   * never trusted for anything but echoing back.
   */
  readonly origin: string;
}

export interface ModuleRouteResponse {
  /** 2xx, or 3xx for a redirect (the resolver). */
  readonly status: number;
  /** One of the route's `responseTypes`. */
  readonly contentType: ModuleResponseType;
  /** Further headers (`location`, `cache-control`, ...); never `content-type`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** A JSON value for JSON types; bytes or text for the others. */
  readonly body: unknown;
}

export interface ModuleRoute {
  /** The module's name: the route is mounted under `/v1/m/<module>` (unless `fhir` or `root`). */
  readonly module: string;
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  /**
   * Below the module's prefix: `/` and segments, `:name` for a parameter (`/items/:id/qr`). For
   * a FHIR route, below FHIR_BASE and exactly `fhirRoutePath(fhir)` (checked at start); for a
   * `root` one, the whole path (`/01/:gtin/21/:serial`).
   */
  readonly path: string;
  /** A FHIR rendering: a GET mounted under FHIR_BASE (see FhirRouteDeclaration). */
  readonly fhir?: FhirRouteDeclaration;
  /**
   * Mounted at `path` itself, which must start with one of MODULE_ROOT_PREFIXES: for URIs a
   * standard fixes (a Digital Link, the EPCIS query interface). Never with `fhir`.
   */
  readonly root?: boolean;
  /** One line for the OpenAPI document. */
  readonly summary: string;
  readonly access: ModuleRouteAccess;
  /** Schemas of the path parameters (an object with one property per `:name`), query, body. */
  readonly params?: TSchema;
  readonly query?: TSchema;
  readonly body?: TSchema;
  /** Body content types accepted; JSON when a `body` schema is given, none otherwise. */
  readonly bodyTypes?: readonly ModuleBodyType[];
  /** Largest body accepted, in bytes; the server's bound when absent, never above it. */
  readonly bodyBytesMax?: number;
  /** What it answers with (at least one), for the OpenAPI document and a check of each answer. */
  readonly responseTypes: readonly ModuleResponseType[];
  /** The JSON answer's schema, when it answers JSON: documented, and only its fields are sent. */
  readonly response?: TSchema;
  handler(request: ModuleRouteRequest): Promise<ModuleRouteResponse>;
}

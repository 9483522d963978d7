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

/** What a handler receives: input already checked against the route's schemas. */
export interface ModuleRouteRequest {
  readonly params: Readonly<Record<string, unknown>>;
  readonly query: Readonly<Record<string, unknown>>;
  /** The parsed JSON body, the raw bytes for `application/octet-stream`, or undefined. */
  readonly body: unknown;
  /** The verified caller of a `signed` route; null on a `public` one. */
  readonly caller: RouteCaller | null;
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
  /** The module's name: the route is mounted under `/v1/m/<module>` (unless `fhir`). */
  readonly module: string;
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  /**
   * Below the module's prefix: `/` and segments, `:name` for a parameter (`/items/:id/qr`). For
   * a FHIR route, below FHIR_BASE and exactly `fhirRoutePath(fhir)` (checked at start).
   */
  readonly path: string;
  /** A FHIR rendering: a GET mounted under FHIR_BASE (see FhirRouteDeclaration). */
  readonly fhir?: FhirRouteDeclaration;
  /** One line for the OpenAPI document. */
  readonly summary: string;
  /** `public` routes answer anyone; `signed` ones only a registered key's signed request. */
  readonly access: "public" | "signed";
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

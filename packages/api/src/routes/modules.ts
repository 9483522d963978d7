import {
  CareLedgerError,
  ErrorResponse,
  FHIR_BASE,
  FHIR_INTERACTIONS,
  FHIR_SEARCH_PARAM_TYPES,
  fhirRoutePath,
  MODULE_BODY_TYPES,
  MODULE_RESPONSE_TYPES,
  MODULE_ROOT_PREFIXES,
  MODULE_ROUTE_PREFIX,
  type ModuleRoute,
  type ModuleRouteResponse,
  QUERY_ROUTES,
  ROUTES,
  type RouteCaller,
} from "@careledger/protocol";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { FHIR_JSON, OperationOutcomeSchema } from "../fhir/operationOutcome.js";
import type { ReadScopes } from "../scopes.js";
import { FHIR_METADATA_OPERATION_ID } from "./fhir.js";

/** A module's name, as it appears in the route prefix. */
const MODULE_NAME = /^[a-z][a-z0-9-]{0,31}$/;
/** `/` then segments of unreserved characters or `:name` parameters; no wildcards, no regexes. */
const ROUTE_PATH = /^(\/([A-Za-z0-9._~-]+|:[a-zA-Z][a-zA-Z0-9]{0,31}))+$/;
const HEADER_NAME = /^[a-z0-9-]{1,64}$/;
/** Headers the server sets itself, or that would change how the connection is framed. */
const RESERVED_HEADERS = new Set([
  "content-type",
  "content-length",
  "transfer-encoding",
  "connection",
  "set-cookie",
]);
const JSON_TYPES = new Set<string>(["application/json", "application/fhir+json"]);
/** How OpenAPI describes an answer of bytes or text. */
const BINARY = { type: "string", format: "binary" };
/** A FHIR resource type as FHIR spells them (`Consent`, `AuditEvent`). */
const FHIR_RESOURCE = /^[A-Z][A-Za-z]{1,63}$/;
/** A FHIR search parameter name (`patient`, `_id`, `date`). */
const FHIR_PARAM_NAME = /^[a-z_][a-z0-9_-]{0,63}$/;
/** Operation ids the core routes use, which a module route's must not repeat. */
const CORE_OPERATION_IDS: ReadonlySet<string> = new Set([
  ...[...Object.values(ROUTES), ...Object.values(QUERY_ROUTES)].map((route) => route.operationId),
  FHIR_METADATA_OPERATION_ID,
]);

/** A route as the router sees it: method and path with parameter names blanked. */
export interface RouteShape {
  readonly method: string;
  readonly url: string;
}

function shapeOf(method: string, url: string): string {
  return `${method} ${url.replace(/:[^/]+/g, ":")}`;
}

/**
 * The full path a module route is served at: under its module, under the FHIR base, or at the
 * root for a `root` route.
 */
export function moduleRouteUrl(route: ModuleRoute): string {
  if (route.fhir !== undefined) return `${FHIR_BASE}${route.path}`;
  if (route.root === true) return route.path;
  return `${MODULE_ROUTE_PREFIX}/${route.module}${route.path}`;
}

const capitalized = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);
/** Letters only, each part capitalized: `item-lots2` is `ItemLots`. */
const wordOf = (text: string) =>
  text
    .split(/[^A-Za-z]+/)
    .filter((part) => part !== "")
    .map(capitalized)
    .join("");

/**
 * The OpenAPI operation id of a module route, from what declares it: `fhirReadConsent`,
 * `fhirSearchAuditEvent`, or method, module and path (`getProvenanceItemsByGtinQr`).
 */
export function moduleOperationId(route: ModuleRoute): string {
  if (route.fhir !== undefined) {
    const verb = route.fhir.interaction === "read" ? "Read" : "Search";
    return `fhir${verb}${route.fhir.resource}`;
  }
  const segments = route.path
    .split("/")
    .filter((segment) => segment !== "")
    .map((segment) => (segment.startsWith(":") ? `By${wordOf(segment)}` : wordOf(segment)));
  return `${route.method.toLowerCase()}${wordOf(route.module)}${segments.join("")}`;
}

/**
 * Checks every module route before any is mounted: well formed, consistent with its schemas
 * (and a FHIR route with its declaration), colliding with no core route and no other module
 * route (the same method and path up to parameter names), with an operation id of its own.
 * Throws, so a node with a bad module never starts serving.
 */
export function checkModuleRoutes(
  routes: readonly ModuleRoute[],
  coreRoutes: readonly RouteShape[],
  bodyBytesMax: number,
): void {
  const taken = new Map<string, string>();
  const operationIds = new Set(CORE_OPERATION_IDS);
  for (const core of coreRoutes) taken.set(shapeOf(core.method, core.url), "a core route");
  for (const route of routes) {
    const where = `module ${route.module}: ${route.method} ${route.path}`;
    checkRouteShape(route, where, bodyBytesMax);
    if (route.fhir !== undefined) checkFhirRoute(route, where);
    if (route.root === true) checkRootRoute(route, where);
    const shape = shapeOf(route.method, moduleRouteUrl(route));
    const holder = taken.get(shape);
    if (holder !== undefined) throw new Error(`${where} collides with ${holder}`);
    taken.set(shape, `module ${route.module}'s route ${route.method} ${route.path}`);
    // HEAD is answered for every GET: a core HEAD route would collide too.
    if (route.method === "GET") taken.set(shapeOf("HEAD", moduleRouteUrl(route)), where);
    // Derived from method, module and path (letters only): distinct routes can still meet.
    const operationId = moduleOperationId(route);
    if (operationIds.has(operationId)) {
      throw new Error(`${where}: operation id ${operationId} is taken; rename a path segment`);
    }
    operationIds.add(operationId);
  }
}

function checkRouteShape(route: ModuleRoute, where: string, bodyBytesMax: number): void {
  if (!MODULE_NAME.test(route.module)) throw new Error(`${where}: module name is not a name`);
  if (!ROUTE_PATH.test(route.path)) throw new Error(`${where}: path is not a plain route path`);
  const names = [...route.path.matchAll(/:([^/]+)/g)].map((match) => match[1] as string);
  const declared = Object.keys((route.params?.properties as object | undefined) ?? {});
  if (names.length > 0 && route.params === undefined) {
    throw new Error(`${where}: path parameters need a params schema`);
  }
  if ([...names].sort().join() !== [...declared].sort().join() && route.params !== undefined) {
    throw new Error(`${where}: params schema names ${declared} but the path has ${names}`);
  }
  if (route.responseTypes.length === 0) throw new Error(`${where}: answers no content type`);
  for (const type of route.responseTypes) {
    if (!(MODULE_RESPONSE_TYPES as readonly string[]).includes(type)) {
      throw new Error(`${where}: cannot answer ${type}`);
    }
  }
  const bodyTypes = bodyTypesOf(route);
  for (const type of bodyTypes) {
    if (!(MODULE_BODY_TYPES as readonly string[]).includes(type)) {
      throw new Error(`${where}: cannot accept ${type}`);
    }
    if (!JSON_TYPES.has(type) && route.body !== undefined) {
      throw new Error(`${where}: a body schema checks JSON bodies, not ${type}`);
    }
  }
  if (bodyTypes.length > 0 && (route.method === "GET" || route.method === "DELETE")) {
    throw new Error(`${where}: ${route.method} takes no body`);
  }
  const bound = route.bodyBytesMax;
  if (bound !== undefined && (!Number.isSafeInteger(bound) || bound < 1 || bound > bodyBytesMax)) {
    throw new Error(`${where}: bodyBytesMax ${bound} is not in 1..${bodyBytesMax}`);
  }
}

/**
 * A FHIR route: a read-only GET at the FHIR path its declaration implies, answering FHIR JSON
 * alone, with search parameters (search-type only) that its query schema declares.
 */
function checkFhirRoute(route: ModuleRoute, where: string): void {
  const fhir = route.fhir;
  if (fhir === undefined) return;
  if (route.method !== "GET") throw new Error(`${where}: a FHIR route is a GET (read-only)`);
  if (!FHIR_RESOURCE.test(fhir.resource)) throw new Error(`${where}: not a FHIR resource type`);
  if (!(FHIR_INTERACTIONS as readonly string[]).includes(fhir.interaction)) {
    throw new Error(`${where}: FHIR interaction ${fhir.interaction} is not served`);
  }
  if (route.path !== fhirRoutePath(fhir)) {
    throw new Error(`${where}: a FHIR ${fhir.interaction} is at ${fhirRoutePath(fhir)}`);
  }
  if (route.responseTypes.length !== 1 || route.responseTypes[0] !== FHIR_JSON) {
    throw new Error(`${where}: a FHIR route answers ${FHIR_JSON} only`);
  }
  const params = fhir.searchParams ?? [];
  if (fhir.interaction === "read" && params.length > 0) {
    throw new Error(`${where}: a FHIR read takes no search parameters`);
  }
  const declared = Object.keys((route.query?.properties as object | undefined) ?? {});
  const names = new Set<string>();
  for (const param of params) {
    if (!FHIR_PARAM_NAME.test(param.name) || names.has(param.name)) {
      throw new Error(`${where}: search parameter ${param.name} is not a unique FHIR name`);
    }
    names.add(param.name);
    if (!(FHIR_SEARCH_PARAM_TYPES as readonly string[]).includes(param.type)) {
      throw new Error(`${where}: search parameter ${param.name} has no FHIR type ${param.type}`);
    }
    if (!declared.includes(param.name)) {
      throw new Error(`${where}: search parameter ${param.name} is not in the query schema`);
    }
  }
}

/** A root route: under one of the allowed root prefixes, a plain route and not a FHIR one. */
function checkRootRoute(route: ModuleRoute, where: string): void {
  if (route.fhir !== undefined) throw new Error(`${where}: a FHIR route is under ${FHIR_BASE}`);
  const allowed = MODULE_ROOT_PREFIXES.some(
    (prefix) => route.path === prefix || route.path.startsWith(`${prefix}/`),
  );
  if (!allowed) {
    throw new Error(`${where}: a root route is under ${MODULE_ROOT_PREFIXES.join(", ")}`);
  }
}

function bodyTypesOf(route: ModuleRoute): readonly string[] {
  return route.bodyTypes ?? (route.body === undefined ? [] : ["application/json"]);
}

function plainBytes(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

function mediaTypeOf(request: FastifyRequest): string | undefined {
  return request.headers["content-type"]?.split(";")[0]?.trim().toLowerCase();
}

/** The OpenAPI description fastify's schema carries: tags, summary, content types, errors. */
function routeSchema(route: ModuleRoute, bodyTypes: readonly string[]) {
  const answers = Object.fromEntries(
    route.responseTypes.map((type) => [
      type,
      { schema: JSON_TYPES.has(type) ? (route.response ?? {}) : BINARY },
    ]),
  );
  // Errors under the FHIR base are OperationOutcomes (errors.ts sendError).
  const errors =
    route.fhir === undefined
      ? ErrorResponse
      : {
          description: "an OperationOutcome",
          content: { [FHIR_JSON]: { schema: OperationOutcomeSchema } },
        };
  return {
    operationId: moduleOperationId(route),
    summary: route.summary,
    tags:
      route.fhir === undefined ? [`module ${route.module}`] : ["fhir", `module ${route.module}`],
    ...(route.params && { params: route.params }),
    ...(route.query && { querystring: route.query }),
    ...(route.body && { body: route.body }),
    ...(bodyTypes.length > 0 && { consumes: [...bodyTypes] }),
    ...(route.access === "signed" && {
      description: "A signed request (x-careledger-* headers) by a key registered on chain.",
    }),
    ...(route.access === "public-or-signed" && {
      description:
        "Public; a request signed (x-careledger-* headers) by a key registered on chain may be answered more.",
    }),
    response: {
      "2xx": { description: route.summary, content: answers },
      "4xx": errors,
      "5xx": errors,
    },
  };
}

function checkBodyType(request: FastifyRequest, bodyTypes: readonly string[]): void {
  if (request.body === undefined) {
    if (bodyTypes.length > 0) throw new CareLedgerError("BAD_REQUEST", "a body is required");
    return;
  }
  const type = mediaTypeOf(request);
  if (type === undefined || !bodyTypes.includes(type)) {
    throw new CareLedgerError(
      "UNSUPPORTED_MEDIA_TYPE",
      `send ${bodyTypes.join(" or ") || "no body"}`,
    );
  }
}

/** The verified caller of each signed request in progress, from its check to its handler. */
const callers = new WeakMap<FastifyRequest, RouteCaller>();

function acceptOf(request: FastifyRequest): string | null {
  const accept = request.headers.accept;
  return typeof accept === "string" ? accept : null;
}

/** Mounts checked module routes: the same error model, body bounds and authentication. */
export function mountModuleRoutes(
  app: FastifyInstance,
  routes: readonly ModuleRoute[],
  scopes: ReadScopes,
): void {
  for (const route of routes) {
    const bodyTypes = bodyTypesOf(route);
    app.route({
      method: route.method,
      url: moduleRouteUrl(route),
      schema: routeSchema(route, bodyTypes),
      ...(route.bodyBytesMax !== undefined && { bodyLimit: route.bodyBytesMax }),
      // Before the input is checked against the schemas: a wrong content type is 415, not a
      // schema mismatch, and a caller who is not authenticated learns nothing of the schemas.
      preValidation: async (request) => {
        checkBodyType(request, bodyTypes);
        if (route.access === "signed") callers.set(request, await scopes.signed(request));
        if (route.access === "public-or-signed") {
          const caller = await scopes.optional(request);
          if (caller !== null) callers.set(request, caller);
        }
      },
      handler: async (request, reply) => {
        const caller = callers.get(request) ?? null;
        const answer = await route.handler({
          params: request.params as Record<string, unknown>,
          query: request.query as Record<string, unknown>,
          body: request.body instanceof Buffer ? plainBytes(request.body) : request.body,
          caller,
          origin: `${request.protocol}://${request.host}`,
          url: request.url,
          accept: acceptOf(request),
        });
        return send(reply, route, answer);
      },
    });
  }
}

/** Sends a handler's answer, refusing (500) one that breaks the route's own declaration. */
function send(reply: FastifyReply, route: ModuleRoute, answer: ModuleRouteResponse) {
  const where = `module ${route.module}: ${route.method} ${route.path}`;
  if (!Number.isInteger(answer.status) || answer.status < 200 || answer.status > 399) {
    throw new Error(`${where} answered status ${answer.status}`);
  }
  if (!route.responseTypes.includes(answer.contentType)) {
    throw new Error(`${where} answered ${answer.contentType}, which it does not declare`);
  }
  for (const [name, value] of Object.entries(answer.headers ?? {})) {
    if (!HEADER_NAME.test(name) || RESERVED_HEADERS.has(name) || /[\r\n]/.test(value)) {
      throw new Error(`${where} set header ${JSON.stringify(name)}`);
    }
    reply.header(name, value);
  }
  reply.status(answer.status).type(answer.contentType);
  if (JSON_TYPES.has(answer.contentType)) return reply.send(answer.body);
  if (answer.body instanceof Uint8Array) return reply.send(Buffer.from(answer.body));
  if (typeof answer.body === "string") return reply.send(answer.body);
  throw new Error(`${where} answered ${answer.contentType} with neither bytes nor text`);
}

import {
  QUERY_ROUTES,
  type QueryRoute,
  ROUTES,
  type RouteContract,
  SignedRequestHeaders,
} from "@careledger/protocol";
import type { SwaggerOptions } from "@fastify/swagger";
import type { TSchema } from "@sinclair/typebox";

/**
 * The OpenAPI document's options. The document comes from the routes' fastify schemas (each made
 * by `routeSchema` from its contract entry), with two things fastify cannot validate as written
 * put back from the contract: raw-byte request bodies, a free-form query map (which
 * @fastify/swagger would otherwise spell out as parameters named after its schema keywords), and
 * the headers of a signed request, which the api's authenticator checks itself (so that a
 * missing one is REQUEST_UNSIGNED, not a schema error). Each query's own route (`QUERY_ROUTES`)
 * gets its named parameters and its precise result back from the contract: the api takes its
 * query string as a map and serializes its answer generically (routes/queries.ts).
 */

const CONTRACTS = new Map<string, RouteContract>(
  [...Object.values(ROUTES), ...Object.values(QUERY_ROUTES)].map((route) => [
    `${route.method} ${route.path}`,
    route,
  ]),
);

function isQueryRoute(route: RouteContract): route is QueryRoute {
  return "query" in route;
}

const TAGS = [
  { name: "node", description: "the node's own view of the chain" },
  { name: "blocks", description: "headers, certificates and transaction ids, for light clients" },
  { name: "transactions", description: "submission, status and proofs" },
  { name: "proofs", description: "Merkle and state proofs against certified headers" },
  { name: "state", description: "the authenticated world state" },
  { name: "queries", description: "the modules' queries" },
  { name: "events", description: "Server-Sent Events of committed blocks and receipts" },
  { name: "health", description: "probes and metrics" },
  {
    name: "fhir",
    description:
      "FHIR R4 renderings under /fhir/R4 (application/fhir+json; errors are OperationOutcomes " +
      "whose issue[0].details.coding[0].code is the error code)",
  },
];

/** A querystring that is a map of any names (TypeBox Record) rather than named fields. */
function isQueryMap(schema: TSchema): boolean {
  return schema.patternProperties !== undefined && schema.properties === undefined;
}

/**
 * The map as one object parameter, serialized `style: form, explode: true` (`?a=1&b=2`), the
 * OpenAPI way to say "any parameters"; @fastify/swagger copies style and explode from the
 * container onto its parameters.
 */
function queryMapParameter(map: TSchema): TSchema {
  return {
    type: "object",
    properties: { params: map },
    style: "form",
    explode: true,
  } as unknown as TSchema;
}

function documentedSchema(route: RouteContract, schema: Record<string, unknown>) {
  const documented: Record<string, unknown> = { ...schema };
  if (route.body !== undefined) {
    const content: Record<string, { schema: TSchema }> = {};
    for (const [type, body] of Object.entries(route.body)) content[type] = { schema: body };
    documented.body = { content };
  }
  if (route.querystring !== undefined && isQueryMap(route.querystring)) {
    documented.querystring = queryMapParameter(route.querystring);
  }
  if (isQueryRoute(route)) {
    const answer = route.responses[200];
    documented.querystring = route.querystring;
    documented.response = {
      ...(schema.response as Record<string, unknown>),
      200: { ...answer.schema, description: answer.description },
    };
  }
  if (route.signed === true) documented.headers = SignedRequestHeaders;
  return documented;
}

export const SWAGGER_OPTIONS: SwaggerOptions = {
  openapi: {
    openapi: "3.0.3",
    info: {
      title: "CareLedger node API",
      version: "1",
      description:
        "Errors always have the shape {error: {code, message, details}}; `code` is from the " +
        "protocol's registry, and each operation lists the codes it may answer per status.",
    },
    tags: TAGS,
  },
  transform: ({ schema, url, route }) => {
    const method = Array.isArray(route.method) ? route.method[0] : route.method;
    const contract = CONTRACTS.get(`${method} ${url}`);
    if (contract === undefined || schema === undefined) return { schema, url };
    return { schema: documentedSchema(contract, schema as Record<string, unknown>), url };
  },
};

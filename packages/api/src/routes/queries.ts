import {
  CareLedgerError,
  checkQueryAccess,
  checkQueryParams,
  QUERIES,
  QUERY_ROUTES,
  type QueryContract,
  QueryParamsMap,
  QueryResponse,
  ROUTES,
} from "@careledger/protocol";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import { canonicalToJson } from "../json.js";
import type { NodeApi } from "../nodeApi.js";
import { routeSchema } from "../routeSchema.js";
import type { ReadScopes } from "../scopes.js";

const CONTRACT: Readonly<Record<string, QueryContract>> = QUERIES;

/**
 * Module queries, by name, from protocol's query contract: a new module's queries appear here
 * with no change to this package (`GET /v1/queries` lists them). A request with signed headers
 * runs as its verified signer; one without runs anonymous, which only a public query admits
 * (REQUEST_UNSIGNED otherwise). The caller is settled first, then the parameters, then the
 * access (whose rules may read the parameters), all against the contract before the node is
 * asked, and the ledger checks them again: an unsigned caller of a query it may not run learns
 * nothing of its parameters' schema.
 *
 * Each query is also its own route, `GET /v1/query/<name>` (protocol `QUERY_ROUTES`), so the
 * OpenAPI document describes its parameters, result and access; the generic route answers the
 * same for a known name, and NOT_FOUND for any other. Both take the query string as a map of
 * strings, which `checkQueryParams` converts and checks strictly (fastify's coercion would read
 * `0x10` as 16), and both serialize with the generic answer schema: the precise one is the
 * document's and the SDK's (openapi.ts).
 */
export function queryRoutes(node: NodeApi, scopes: ReadScopes): FastifyPluginAsyncTypebox {
  return async (app) => {
    const run = async (name: string, request: FastifyRequest) => {
      const contract = Object.hasOwn(CONTRACT, name) ? CONTRACT[name] : undefined;
      if (contract === undefined) throw new CareLedgerError("NOT_FOUND", `no query ${name}`);
      const query = request.query as Readonly<Record<string, string>>;
      const caller = await scopes.optional(request);
      if (caller === null && !contract.access.some((rule) => rule.rule === "public")) {
        throw new CareLedgerError("REQUEST_UNSIGNED", `query ${name} needs a signed request`);
      }
      const params = checkQueryParams(contract, query) as Record<string, unknown>;
      checkQueryAccess(contract, caller, params);
      return { name, result: canonicalToJson(await node.query(name, query, caller)) };
    };
    app.get(ROUTES.queries.path, { schema: routeSchema(ROUTES.queries) }, async () => ({
      queries: [...node.queryNames()],
    }));
    app.get(ROUTES.query.path, { schema: routeSchema(ROUTES.query) }, async (request) =>
      run(request.params.name, request),
    );
    for (const route of Object.values(QUERY_ROUTES)) {
      const schema = routeSchema(route);
      const served = {
        ...schema,
        querystring: QueryParamsMap,
        response: { ...schema.response, 200: { ...QueryResponse, description: "the result" } },
      };
      app.get(route.path, { schema: served }, async (request) => run(route.query.name, request));
    }
  };
}

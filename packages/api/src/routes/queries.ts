import { ROUTES } from "@careledger/protocol";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { canonicalToJson } from "../json.js";
import type { NodeApi } from "../nodeApi.js";
import { routeSchema } from "../routeSchema.js";
import type { ReadScopes } from "../scopes.js";

/**
 * Module queries, by name, from the ledger's registry: a new module's queries appear here with
 * no change to this package (`GET /v1/queries` lists them).
 */
export function queryRoutes(node: NodeApi, scopes: ReadScopes): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(ROUTES.queries.path, { schema: routeSchema(ROUTES.queries) }, async () => ({
      queries: [...node.queryNames()],
    }));
    app.get(ROUTES.query.path, { schema: routeSchema(ROUTES.query) }, async (request) => {
      await scopes.query(request);
      return {
        name: request.params.name,
        result: canonicalToJson(await node.query(request.params.name, request.query)),
      };
    });
  };
}

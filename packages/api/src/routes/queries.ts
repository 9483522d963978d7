import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { canonicalToJson } from "../json.js";
import type { NodeApi } from "../nodeApi.js";
import type { ReadScopes } from "../scopes.js";

const QueryParams = Type.Object({ name: Type.String({ pattern: "^[a-z][a-zA-Z0-9.]{0,63}$" }) });
const QueryString = Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 1_024 }), {
  maxProperties: 16,
});

/**
 * Module queries, by name, from the ledger's registry: a new module's queries appear here with
 * no change to this package (`GET /v1/queries` lists them).
 */
export function queryRoutes(node: NodeApi, scopes: ReadScopes): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get("/v1/queries", async () => ({ queries: node.queryNames() }));
    app.get(
      "/v1/query/:name",
      { schema: { params: QueryParams, querystring: QueryString } },
      async (request) => {
        await scopes.query(request);
        return {
          name: request.params.name,
          result: canonicalToJson(await node.query(request.params.name, request.query)),
        };
      },
    );
  };
}

import {
  CareLedgerError,
  checkQueryAccess,
  checkQueryParams,
  QUERIES,
  type QueryCaller,
  type QueryContract,
  REQUEST_KEY_HEADER,
} from "@careledger/protocol";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyRequest } from "fastify";
import type { RequestAuthenticator } from "../auth.js";
import { canonicalToJson } from "../json.js";
import type { NodeApi } from "../nodeApi.js";

const QueryParams = Type.Object({ name: Type.String({ pattern: "^[a-z][a-zA-Z0-9.]{0,63}$" }) });
const QueryString = Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 1_024 }), {
  maxProperties: 16,
});

const CONTRACT: Readonly<Record<string, QueryContract>> = QUERIES;

/**
 * Module queries, by name, from protocol's query contract: a new module's queries appear here
 * with no change to this package (`GET /v1/queries` lists them). A request with signed headers
 * runs as its verified signer; one without runs anonymous, which only a public query admits
 * (REQUEST_UNSIGNED otherwise). Parameters and access are checked here against the contract
 * before the node is asked, and the ledger checks them again.
 */
export function queryRoutes(node: NodeApi, auth: RequestAuthenticator): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get("/v1/queries", async () => ({ queries: node.queryNames() }));
    app.get(
      "/v1/query/:name",
      { schema: { params: QueryParams, querystring: QueryString } },
      async (request) => {
        const { name } = request.params;
        const contract = Object.hasOwn(CONTRACT, name) ? CONTRACT[name] : undefined;
        if (contract === undefined) throw new CareLedgerError("NOT_FOUND", `no query ${name}`);
        const params = checkQueryParams(contract, request.query) as Record<string, unknown>;
        const caller = await callerOf(request, auth);
        checkQueryAccess(contract, caller, params);
        return { name, result: canonicalToJson(await node.query(name, request.query, caller)) };
      },
    );
  };
}

/** The verified signer of a request that carries signed headers, or null for an unsigned one. */
async function callerOf(
  request: FastifyRequest,
  auth: RequestAuthenticator,
): Promise<QueryCaller | null> {
  if (request.headers[REQUEST_KEY_HEADER] === undefined) return null;
  return auth.authenticate(request);
}

import {
  CareLedgerError,
  checkQueryAccess,
  checkQueryParams,
  QUERIES,
  type QueryContract,
  ROUTES,
} from "@careledger/protocol";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
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
 */
export function queryRoutes(node: NodeApi, scopes: ReadScopes): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(ROUTES.queries.path, { schema: routeSchema(ROUTES.queries) }, async () => ({
      queries: [...node.queryNames()],
    }));
    app.get(ROUTES.query.path, { schema: routeSchema(ROUTES.query) }, async (request) => {
      const { name } = request.params;
      const contract = Object.hasOwn(CONTRACT, name) ? CONTRACT[name] : undefined;
      if (contract === undefined) throw new CareLedgerError("NOT_FOUND", `no query ${name}`);
      const caller = await scopes.optional(request);
      if (caller === null && !contract.access.some((rule) => rule.rule === "public")) {
        throw new CareLedgerError("REQUEST_UNSIGNED", `query ${name} needs a signed request`);
      }
      const params = checkQueryParams(contract, request.query) as Record<string, unknown>;
      checkQueryAccess(contract, caller, params);
      return { name, result: canonicalToJson(await node.query(name, request.query, caller)) };
    });
  };
}

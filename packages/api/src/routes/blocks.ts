import { CareLedgerError, ROUTES } from "@careledger/protocol";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { NodeApi } from "../nodeApi.js";
import { routeSchema } from "../routeSchema.js";
import type { ReadScopes } from "../scopes.js";
import { blockTxsView, blockView } from "../views.js";

export function blockRoutes(node: NodeApi, scopes: ReadScopes): FastifyPluginAsyncTypebox {
  return async (app) => {
    const respond = async (height: number) => {
      const certified = await node.blockAt(height);
      if (certified === null)
        throw new CareLedgerError("NOT_FOUND", `no block at height ${height}`);
      return blockView(certified);
    };
    app.get(ROUTES.latestBlock.path, { schema: routeSchema(ROUTES.latestBlock) }, async () =>
      respond(node.status().height),
    );
    // Headers, certificates and ids (hashes) are public; raw payloads are for member operators.
    app.get(ROUTES.blockTxs.path, { schema: routeSchema(ROUTES.blockTxs) }, async (request) => {
      await scopes.blockBodies(request);
      const certified = await node.blockAt(request.params.height);
      if (certified === null)
        throw new CareLedgerError("NOT_FOUND", `no block at height ${request.params.height}`);
      return blockTxsView(certified);
    });
    app.get(ROUTES.block.path, { schema: routeSchema(ROUTES.block) }, async (request) =>
      respond(request.params.height),
    );
  };
}

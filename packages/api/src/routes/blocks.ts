import { CareLedgerError, IDENTITY_ROLES, ROUTES } from "@careledger/protocol";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { RequestAuthenticator } from "../auth.js";
import type { NodeApi } from "../nodeApi.js";
import { routeSchema } from "../routeSchema.js";
import { blockTxsView, blockView } from "../views.js";

/** Roles that may read raw transaction payloads: a member organization's people, not patients or devices. */
const PAYLOAD_READER_ROLES = new Set<string>(
  IDENTITY_ROLES.filter((role) => role !== "patient" && role !== "device"),
);

export function blockRoutes(node: NodeApi, auth: RequestAuthenticator): FastifyPluginAsyncTypebox {
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
    // Raw payloads are for identities of member organizations: the request must be signed.
    app.get(ROUTES.blockTxs.path, { schema: routeSchema(ROUTES.blockTxs) }, async (request) => {
      const caller = await auth.authenticate(request);
      if (!caller.admin && !caller.roles.some((role) => PAYLOAD_READER_ROLES.has(role))) {
        throw new CareLedgerError(
          "FORBIDDEN",
          "raw transactions are for member organizations' staff",
        );
      }
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

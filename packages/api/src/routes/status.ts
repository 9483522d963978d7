import { ROUTES } from "@careledger/protocol";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { NodeApi } from "../nodeApi.js";
import { routeSchema } from "../routeSchema.js";
import { statusView } from "../views.js";

export function statusRoutes(node: NodeApi): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(ROUTES.status.path, { schema: routeSchema(ROUTES.status) }, async () =>
      statusView(node.status()),
    );
  };
}

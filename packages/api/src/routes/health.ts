import { ROUTES } from "@careledger/protocol";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { sendError } from "../errors.js";
import type { NodeApi } from "../nodeApi.js";
import { routeSchema } from "../routeSchema.js";

export function healthRoutes(node: NodeApi): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(ROUTES.healthz.path, { schema: routeSchema(ROUTES.healthz) }, async () => ({
      ok: true as const,
    }));
    // Ready once the node has caught up with its peers, and never again once consensus halted.
    app.get(ROUTES.readyz.path, { schema: routeSchema(ROUTES.readyz) }, async (_request, reply) => {
      const { syncing, halted } = node.status();
      if (halted) return sendError(reply, "NOT_READY", 503, "consensus halted; node restarts");
      if (syncing) return sendError(reply, "NOT_READY", 503, "node is syncing");
      return { ok: true as const };
    });
    app.get(
      ROUTES.metrics.path,
      { schema: routeSchema(ROUTES.metrics) },
      async (_request, reply) => {
        reply.type("text/plain; version=0.0.4");
        return node.metrics();
      },
    );
  };
}

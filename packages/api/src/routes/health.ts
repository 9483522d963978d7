import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { sendError } from "../errors.js";
import type { NodeApi } from "../nodeApi.js";

export function healthRoutes(node: NodeApi): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get("/healthz", async () => ({ ok: true }));
    // Ready once the node has caught up with its peers, and never again once consensus halted.
    app.get("/readyz", async (_request, reply) => {
      const { syncing, halted } = node.status();
      if (halted) return sendError(reply, "NOT_READY", 503, "consensus halted; node restarts");
      if (syncing) return sendError(reply, "NOT_READY", 503, "node is syncing");
      return { ok: true };
    });
    app.get("/metrics", async (_request, reply) => {
      reply.type("text/plain; version=0.0.4");
      return node.metrics();
    });
  };
}

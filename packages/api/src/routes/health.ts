import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { sendError } from "../errors.js";
import type { NodeApi } from "../nodeApi.js";

export function healthRoutes(node: NodeApi): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get("/healthz", async () => ({ ok: true }));
    // Ready once the node has caught up with its peers.
    app.get("/readyz", async (_request, reply) => {
      if (node.status().syncing) return sendError(reply, "NOT_READY", 503, "node is syncing");
      return { ok: true };
    });
    app.get("/metrics", async (_request, reply) => {
      reply.type("text/plain; version=0.0.4");
      return node.metrics();
    });
  };
}

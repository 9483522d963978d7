import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { NodeApi } from "../nodeApi.js";
import { StatusResponse } from "../schemas.js";
import { statusView } from "../views.js";

export function statusRoutes(node: NodeApi): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get("/v1/status", { schema: { response: { 200: StatusResponse } } }, async () =>
      statusView(node.status()),
    );
  };
}

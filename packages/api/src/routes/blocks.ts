import { CareLedgerError } from "@careledger/protocol";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { NodeApi } from "../nodeApi.js";
import { BlockResponse } from "../schemas.js";
import { blockView } from "../views.js";

const HeightParams = Type.Object({
  height: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
});

export function blockRoutes(node: NodeApi): FastifyPluginAsyncTypebox {
  return async (app) => {
    const respond = async (height: number) => {
      const certified = await node.blockAt(height);
      if (certified === null)
        throw new CareLedgerError("NOT_FOUND", `no block at height ${height}`);
      return blockView(certified);
    };
    app.get("/v1/blocks/latest", { schema: { response: { 200: BlockResponse } } }, async () =>
      respond(node.status().height),
    );
    app.get(
      "/v1/blocks/:height",
      { schema: { params: HeightParams, response: { 200: BlockResponse } } },
      async (request) => respond(request.params.height),
    );
  };
}

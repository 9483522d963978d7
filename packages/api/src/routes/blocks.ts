import { CareLedgerError, toHex } from "@careledger/protocol";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { canonicalToJson } from "../json.js";
import type { NodeApi } from "../nodeApi.js";
import { BlockResponse } from "../schemas.js";
import type { ReadScopes } from "../scopes.js";
import { blockView } from "../views.js";

const HeightParams = Type.Object({
  height: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
});

export function blockRoutes(node: NodeApi, scopes: ReadScopes): FastifyPluginAsyncTypebox {
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
    // Headers, certificates and ids (hashes) are public; raw payloads are for member operators.
    app.get("/v1/blocks/:height/txs", { schema: { params: HeightParams } }, async (request) => {
      await scopes.blockBodies(request);
      const certified = await node.blockAt(request.params.height);
      if (certified === null)
        throw new CareLedgerError("NOT_FOUND", `no block at height ${request.params.height}`);
      return {
        height: request.params.height,
        txs: certified.block.txs.map(({ tx, id, bytes }) => ({
          id: toHex(id),
          type: tx.type,
          from: toHex(tx.from),
          nonce: toHex(tx.nonce),
          expires: tx.expires,
          payload: canonicalToJson(tx.payload),
          sig: toHex(tx.sig),
          bytes: Buffer.from(bytes).toString("base64"),
        })),
      };
    });
    app.get(
      "/v1/blocks/:height",
      { schema: { params: HeightParams, response: { 200: BlockResponse } } },
      async (request) => respond(request.params.height),
    );
  };
}

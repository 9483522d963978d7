import { CareLedgerError, IDENTITY_ROLES, toHex } from "@careledger/protocol";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { RequestAuthenticator } from "../auth.js";
import { canonicalToJson } from "../json.js";
import type { NodeApi } from "../nodeApi.js";
import { BlockResponse } from "../schemas.js";
import { blockView } from "../views.js";

const HeightParams = Type.Object({
  height: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
});

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
    app.get("/v1/blocks/latest", { schema: { response: { 200: BlockResponse } } }, async () =>
      respond(node.status().height),
    );
    // Raw payloads are for identities of member organizations: the request must be signed.
    app.get("/v1/blocks/:height/txs", { schema: { params: HeightParams } }, async (request) => {
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

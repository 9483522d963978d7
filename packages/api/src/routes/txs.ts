import { CareLedgerError, fromHex, TX_BYTES_MAX, toHex } from "@careledger/protocol";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import type { FastifyRequest } from "fastify";
import { retryAfterOf } from "../errors.js";
import type { NodeApi } from "../nodeApi.js";
import { TxAccepted, TxStatusResponse, TxSubmitJson } from "../schemas.js";
import type { ReadScopes } from "../scopes.js";

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const submitJsonCheck = TypeCompiler.Compile(TxSubmitJson);

/** The transaction bytes of a POST: raw for msgpack, base64 inside `{tx}` for JSON. */
function requestTxBytes(request: FastifyRequest): Uint8Array {
  const { body } = request;
  const mediaType = (request.headers["content-type"] ?? "").split(";")[0]?.trim();
  if (mediaType === "application/msgpack" && body instanceof Uint8Array) return body;
  if (mediaType !== "application/json") {
    throw new CareLedgerError(
      "UNSUPPORTED_MEDIA_TYPE",
      "send application/msgpack or application/json",
    );
  }
  if (!submitJsonCheck.Check(body)) {
    throw new CareLedgerError("BAD_REQUEST", 'JSON body must be {"tx": "<base64>"}');
  }
  return base64TxBytes(body.tx);
}

function base64TxBytes(tx: string): Uint8Array {
  if (tx.length % 4 !== 0 || !BASE64.test(tx)) {
    throw new CareLedgerError("ENCODING_INVALID", "tx must be base64 of the canonical bytes");
  }
  const bytes = Buffer.from(tx, "base64");
  if (bytes.byteLength > TX_BYTES_MAX) throw new CareLedgerError("TX_TOO_LARGE");
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Most transactions in one batch request. */
export const TXS_PER_BATCH_MAX = 1_000;

const TxBatchJson = Type.Object(
  {
    txs: Type.Array(Type.String({ maxLength: 100_000 }), {
      minItems: 1,
      maxItems: TXS_PER_BATCH_MAX,
    }),
  },
  { additionalProperties: false },
);

const TxBatchResponse = Type.Object({
  results: Type.Array(
    Type.Union([
      Type.Object({ id: Type.String() }),
      Type.Object({ error: Type.Object({ code: Type.String(), message: Type.String() }) }),
    ]),
  ),
});

const IdParams = Type.Object({ id: Type.String({ pattern: "^[0-9a-f]{64}$" }) });

export function txRoutes(node: NodeApi, scopes: ReadScopes): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      "/v1/txs",
      {
        // The body is checked by txBytesOf: its shape depends on the content type.
        schema: { response: { 202: TxAccepted } },
      },
      async (request, reply) => {
        const id = await node.submitTx(requestTxBytes(request));
        return reply.status(202).send({ id: toHex(id) });
      },
    );
    // Each transaction is admitted or refused on its own; the answer lists them in order.
    app.post(
      "/v1/txs/batch",
      { schema: { body: TxBatchJson, response: { 200: TxBatchResponse } } },
      async (request, reply) => {
        let retryAfterS: number | null = null;
        const results = request.body.txs.map(async (tx) => {
          try {
            return { id: toHex(await node.submitTx(base64TxBytes(tx))) };
          } catch (error) {
            if (!(error instanceof CareLedgerError)) throw error;
            if (error.status === 503) retryAfterS = retryAfterOf(error);
            return { error: { code: error.code, message: error.message } };
          }
        });
        const answered = { results: await Promise.all(results) };
        // Some were shed: the client learns when to send those again.
        if (retryAfterS !== null) reply.header("retry-after", String(retryAfterS));
        return answered;
      },
    );
    // Public: the path holds only ids, which block headers publish anyway.
    app.get("/v1/txs/:id/proof", { schema: { params: IdParams } }, async (request) => {
      const found = await node.txProof(fromHex(request.params.id, 32));
      if (found === null)
        throw new CareLedgerError("NOT_FOUND", "no committed transaction with that id");
      const { index, total, siblings } = found.proof;
      return {
        id: request.params.id,
        height: found.height,
        proof: { index, total, siblings: siblings.map(toHex) },
      };
    });
    // The receipt is its sender's (who verifies it as a light client) and the operators'.
    app.get("/v1/txs/:id/receipt-proof", { schema: { params: IdParams } }, async (request) => {
      const caller = await scopes.signed(request);
      const found = await node.receiptProof(fromHex(request.params.id, 32));
      if (found === null)
        throw new CareLedgerError("NOT_FOUND", "no committed transaction with that id");
      const { index, total, siblings } = found.proof;
      if (!(await scopes.receiptVisible(caller, found.height, index))) {
        throw new CareLedgerError("FORBIDDEN", "a receipt is for its sender and member operators");
      }
      return {
        id: request.params.id,
        height: found.height,
        receipt: toHex(found.receipt),
        proof: { index, total, siblings: siblings.map(toHex) },
      };
    });
    app.get(
      "/v1/txs/:id",
      { schema: { params: IdParams, response: { 200: TxStatusResponse } } },
      async (request) => {
        const caller = await scopes.optional(request);
        const lookup = await node.txById(fromHex(request.params.id, 32));
        if (lookup.status !== "committed") return { id: request.params.id, ...lookup };
        const { status, height, index } = lookup;
        // Anyone learns where it committed (headers list every id); the receipt is scoped.
        if (!(await scopes.receiptVisible(caller, height, index))) {
          return { id: request.params.id, status, height, index };
        }
        return { id: request.params.id, ...lookup };
      },
    );
  };
}

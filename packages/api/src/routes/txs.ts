import {
  CareLedgerError,
  fromHex,
  ROUTES,
  TX_BYTES_MAX,
  TxSubmitJson,
  toHex,
} from "@careledger/protocol";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import type { FastifyRequest } from "fastify";
import { retryAfterOf } from "../errors.js";
import type { NodeApi } from "../nodeApi.js";
import { routeSchema } from "../routeSchema.js";
import type { ReadScopes } from "../scopes.js";
import { receiptProofView, txProofView } from "../views.js";

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const submitJsonCheck = TypeCompiler.Compile(TxSubmitJson);

/**
 * The transaction bytes of a POST: raw for msgpack, base64 inside `{tx}` for JSON. fastify has
 * checked a JSON body against the contract already; the check here narrows its type.
 */
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

export function txRoutes(node: NodeApi, scopes: ReadScopes): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      ROUTES.submitTx.path,
      { schema: routeSchema(ROUTES.submitTx) },
      async (request, reply) => {
        const id = await node.submitTx(requestTxBytes(request));
        return reply.status(202).send({ id: toHex(id) });
      },
    );
    // Each transaction is admitted or refused on its own; the answer lists them in order.
    app.post(
      ROUTES.submitTxBatch.path,
      { schema: routeSchema(ROUTES.submitTxBatch) },
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
    app.get(ROUTES.txProof.path, { schema: routeSchema(ROUTES.txProof) }, async (request) => {
      const found = await node.txProof(fromHex(request.params.id, 32));
      if (found === null)
        throw new CareLedgerError("NOT_FOUND", "no committed transaction with that id");
      return txProofView(request.params.id, found);
    });
    // The receipt is its sender's (who verifies it as a light client) and the operators'.
    app.get(
      ROUTES.receiptProof.path,
      { schema: routeSchema(ROUTES.receiptProof) },
      async (request) => {
        const caller = await scopes.signed(request);
        const found = await node.receiptProof(fromHex(request.params.id, 32));
        if (found === null)
          throw new CareLedgerError("NOT_FOUND", "no committed transaction with that id");
        if (!(await scopes.receiptVisible(caller, found.height, found.proof.index))) {
          throw new CareLedgerError(
            "FORBIDDEN",
            "a receipt is for its sender and member operators",
          );
        }
        return receiptProofView(request.params.id, found);
      },
    );
    app.get(ROUTES.tx.path, { schema: routeSchema(ROUTES.tx) }, async (request) => {
      const caller = await scopes.optional(request);
      const lookup = await node.txById(fromHex(request.params.id, 32));
      if (lookup.status !== "committed") return { id: request.params.id, ...lookup };
      const { status, height, index } = lookup;
      // Anyone learns where it committed (headers list every id); the receipt is scoped.
      if (!(await scopes.receiptVisible(caller, height, index))) {
        return { id: request.params.id, status, height, index };
      }
      return { id: request.params.id, ...lookup };
    });
  };
}

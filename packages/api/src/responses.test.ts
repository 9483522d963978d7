import { generateSecretKey, keySigner, toHex } from "@careledger/protocol";
import type { preSerializationAsyncHookHandler } from "fastify";
import { describe, expect, it } from "vitest";
import { memoryNode, sampleTx } from "./memoryNode.testkit.js";
import type { NodeApi } from "./nodeApi.js";
import { buildApiServer } from "./server.js";
import { signedHeaders } from "./signed.testkit.js";

/**
 * A node whose answers use every optional part of the contract: a committed transaction with a
 * failed receipt, a block with a certificate.
 */
async function richNode() {
  const base = memoryNode();
  const operator = keySigner(generateSecretKey());
  base.callers.set(toHex(operator.publicKey), {
    identity: { org: "org-0", roles: ["operator"] },
    adminOf: [],
  });
  const tx = sampleTx();
  await base.submitTx(tx.bytes);
  base.commitBlock();
  const node: NodeApi = {
    ...base,
    txById: async () => ({
      status: "committed",
      height: 1,
      index: 0,
      receipt: { ok: false, code: "UNAUTHORIZED", reason: "not an admin" },
    }),
    blockAt: async (height) => {
      const block = await base.blockAt(height);
      if (block === null) return null;
      const votes = [{ validator: 0, sig: new Uint8Array(64).fill(5) }];
      return { ...block, certificate: { height, view: 0, blockHash: block.hash, votes } };
    },
  };
  return { node, operator, tx };
}

describe("answers serialized through the contract's response schemas", () => {
  it("keep every field each handler produced, on every route, errors included", async () => {
    const { node, operator, tx } = await richNode();
    const produced: unknown[] = [];
    const capture: preSerializationAsyncHookHandler = async (_request, _reply, payload) => {
      produced.push(payload);
      return payload;
    };
    const app = await buildApiServer(node, {
      onRoute: (route) => {
        route.preSerialization = [[route.preSerialization ?? []].flat(), capture].flat();
      },
    });
    const id = toHex(tx.id);
    const base64 = Buffer.from(tx.bytes).toString("base64");
    const requests = [
      { method: "GET", url: "/v1/status" },
      { method: "GET", url: "/healthz" },
      { method: "GET", url: "/readyz" },
      { method: "GET", url: "/v1/blocks/latest" },
      { method: "GET", url: "/v1/blocks/1" },
      { method: "GET", url: "/v1/blocks/9" },
      {
        method: "GET",
        url: "/v1/blocks/1/txs",
        headers: signedHeaders(operator, { method: "GET", url: "/v1/blocks/1/txs" }),
      },
      { method: "GET", url: `/v1/txs/${id}` },
      { method: "GET", url: `/v1/txs/${id}/proof` },
      { method: "GET", url: `/v1/txs/${id}/receipt-proof` },
      { method: "GET", url: `/v1/txs/${"00".repeat(32)}/proof` },
      { method: "GET", url: `/v1/state/${Buffer.from("present").toString("hex")}?proof=true` },
      { method: "GET", url: `/v1/state/${Buffer.from("absent").toString("hex")}` },
      { method: "GET", url: "/v1/queries" },
      { method: "GET", url: "/v1/query/identity.key?key=ab" },
      {
        method: "POST",
        url: "/v1/txs",
        payload: { tx: Buffer.from(sampleTx().bytes).toString("base64") },
      },
      { method: "POST", url: "/v1/txs", payload: { tx: base64 } },
      { method: "POST", url: "/v1/txs/batch", payload: { txs: [base64, "@@@@"] } },
    ] as const;
    for (const request of requests) {
      const response = await app.inject(request);
      const where = `${request.method} ${request.url} (${response.statusCode})`;
      expect(produced, where).toHaveLength(1);
      expect(response.json(), where).toEqual(JSON.parse(JSON.stringify(produced[0])));
      produced.length = 0;
    }
  });
});

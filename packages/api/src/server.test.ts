import {
  CareLedgerError,
  decodeTx,
  generateSecretKey,
  keySigner,
  type SignedTx,
  signTx,
  toHex,
} from "@careledger/protocol";
import { describe, expect, it } from "vitest";
import type { NodeApi, NodeStatus } from "./nodeApi.js";
import { buildApiServer } from "./server.js";

const CHAIN = new Uint8Array(32).fill(9);

/**
 * A NodeApi over an in-memory list of admitted transactions: enough to drive every route and
 * error path of the HTTP layer in-process. The real node is exercised in test/ cluster tests.
 */
function memoryNode(): NodeApi & { admitted: SignedTx[] } {
  const admitted: SignedTx[] = [];
  const status: NodeStatus = {
    chainId: CHAIN,
    nodeKey: new Uint8Array(32).fill(1),
    height: 0,
    headHash: new Uint8Array(32),
    stateRoot: new Uint8Array(32),
    view: 0,
    primary: new Uint8Array(32).fill(1),
    validators: [new Uint8Array(32).fill(1)],
    peers: 0,
    syncing: false,
  };
  return {
    admitted,
    status: () => status,
    blockAt: async () => null,
    submitTx: (bytes) => {
      const signed = decodeTx(bytes);
      if (admitted.some((tx) => toHex(tx.id) === toHex(signed.id))) {
        throw new CareLedgerError("TX_DUPLICATE");
      }
      admitted.push(signed);
      return signed.id;
    },
    txById: async (id) =>
      admitted.some((tx) => toHex(tx.id) === toHex(id))
        ? { status: "pending" }
        : { status: "unknown" },
    metrics: async () => "careledger_height 0\n",
  };
}

function sampleTx(): SignedTx {
  return signTx(
    {
      v: 1,
      chain: CHAIN,
      type: "identity.register",
      nonce: new Uint8Array(8).fill(3),
      expires: 100,
      payload: { key: new Uint8Array(32) },
    },
    keySigner(generateSecretKey()),
  );
}

describe("api server", () => {
  it("reports status with hex keys", async () => {
    const app = buildApiServer(memoryNode());
    const response = await app.inject({ method: "GET", url: "/v1/status" });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ chain: toHex(CHAIN), height: 0, syncing: false });
  });

  it("accepts a transaction as msgpack and as JSON base64, then reports it pending", async () => {
    const node = memoryNode();
    const app = buildApiServer(node);
    const first = sampleTx();
    const raw = await app.inject({
      method: "POST",
      url: "/v1/txs",
      headers: { "content-type": "application/msgpack" },
      payload: Buffer.from(first.bytes),
    });
    expect(raw.statusCode).toBe(202);
    expect(raw.json()).toEqual({ id: toHex(first.id) });
    const second = sampleTx();
    const json = await app.inject({
      method: "POST",
      url: "/v1/txs",
      payload: { tx: Buffer.from(second.bytes).toString("base64") },
    });
    expect(json.statusCode).toBe(202);
    const lookup = await app.inject({ method: "GET", url: `/v1/txs/${toHex(second.id)}` });
    expect(lookup.json()).toEqual({ id: toHex(second.id), status: "pending" });
  });

  it.each([
    ["bad base64", { tx: "***" }, "application/json", 400, "ENCODING_INVALID"],
    [
      "not a tx",
      { tx: Buffer.from([1, 2, 3]).toString("base64") },
      "application/json",
      400,
      "TX_MALFORMED",
    ],
    ["wrong content type", "hello", "text/plain", 415, "UNSUPPORTED_MEDIA_TYPE"],
    ["malformed JSON", "{", "application/json", 400, "BAD_REQUEST"],
    ["extra JSON field", { tx: "", x: 1 }, "application/json", 400, "BAD_REQUEST"],
  ])("refuses %s with its code", async (_name, payload, contentType, status, code) => {
    const node = memoryNode();
    const app = buildApiServer(node);
    const response = await app.inject({
      method: "POST",
      url: "/v1/txs",
      headers: { "content-type": contentType },
      payload: typeof payload === "string" ? payload : JSON.stringify(payload),
    });
    expect(response.statusCode).toBe(status);
    expect(response.json().error.code).toBe(code);
    expect(node.admitted).toHaveLength(0);
  });

  it("refuses a duplicate with TX_DUPLICATE and an oversized body with ENCODING_TOO_LARGE", async () => {
    const app = buildApiServer(memoryNode(), { bodyBytesMax: 2048 });
    const tx = sampleTx();
    const post = (payload: Buffer) =>
      app.inject({
        method: "POST",
        url: "/v1/txs",
        headers: { "content-type": "application/msgpack" },
        payload,
      });
    expect((await post(Buffer.from(tx.bytes))).statusCode).toBe(202);
    const duplicate = await post(Buffer.from(tx.bytes));
    expect([duplicate.statusCode, duplicate.json().error.code]).toEqual([409, "TX_DUPLICATE"]);
    const huge = await post(Buffer.alloc(4096));
    expect([huge.statusCode, huge.json().error.code]).toEqual([413, "ENCODING_TOO_LARGE"]);
  });

  it("answers unknown routes, missing blocks and bad ids in the error shape", async () => {
    const app = buildApiServer(memoryNode());
    const missing = await app.inject({ method: "GET", url: "/v1/blocks/5" });
    expect([missing.statusCode, missing.json().error.code]).toEqual([404, "NOT_FOUND"]);
    const badHeight = await app.inject({ method: "GET", url: "/v1/blocks/-1" });
    expect(badHeight.json().error.code).toBe("BAD_REQUEST");
    const badId = await app.inject({ method: "GET", url: "/v1/txs/zz" });
    expect(badId.json().error.code).toBe("BAD_REQUEST");
    const nowhere = await app.inject({ method: "GET", url: "/nowhere" });
    expect([nowhere.statusCode, nowhere.json().error.code]).toEqual([404, "NOT_FOUND"]);
  });
});

import { generateSecretKey, keySigner, toHex } from "@careledger/protocol";
import { describe, expect, it } from "vitest";
import { CHAIN, memoryNode, sampleTx } from "./memoryNode.testkit.js";
import { buildApiServer } from "./server.js";
import { signedHeaders } from "./signed.testkit.js";

describe("api server", () => {
  it("reports status with hex keys", async () => {
    const app = await buildApiServer(memoryNode());
    const response = await app.inject({ method: "GET", url: "/v1/status" });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ chain: toHex(CHAIN), height: 0, syncing: false });
  });

  it("accepts a transaction as msgpack and as JSON base64, then reports it pending", async () => {
    const node = memoryNode();
    const app = await buildApiServer(node);
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
    const app = await buildApiServer(node);
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
    const app = await buildApiServer(memoryNode(), { bodyBytesMax: 2048 });
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
    const app = await buildApiServer(memoryNode());
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

describe("api server extras", () => {
  it("admits a batch transaction by transaction, reporting each refusal in place", async () => {
    const app = await buildApiServer(memoryNode());
    const tx = Buffer.from(sampleTx().bytes).toString("base64");
    const response = await app.inject({
      method: "POST",
      url: "/v1/txs/batch",
      payload: { txs: [tx, tx, "@@@@"] },
    });
    expect(response.statusCode).toBe(200);
    const { results } = response.json();
    expect(results[0].id).toMatch(/^[0-9a-f]{64}$/);
    expect(results[1].error.code).toBe("TX_DUPLICATE");
    expect(results[2].error.code).toBe("ENCODING_INVALID");
  });

  it("serves the OpenAPI document and the docs page", async () => {
    const app = await buildApiServer(memoryNode());
    const openapi = await app.inject({ method: "GET", url: "/openapi.json" });
    expect(Object.keys(openapi.json().paths)).toEqual(
      expect.arrayContaining(["/v1/status", "/v1/txs"]),
    );
    const docs = await app.inject({ method: "GET", url: "/docs/" });
    expect(docs.statusCode).toBe(200);
  });

  it("limits requests per client with RATE_LIMITED", async () => {
    const app = await buildApiServer(memoryNode(), { requestsPerMinuteMax: 3 });
    const codes: number[] = [];
    for (let i = 0; i < 4; i++)
      codes.push((await app.inject({ method: "GET", url: "/healthz" })).statusCode);
    expect(codes).toEqual([200, 200, 200, 429]);
    const limited = await app.inject({ method: "GET", url: "/healthz" });
    expect(limited.json().error.code).toBe("RATE_LIMITED");
  });

  it("streams committed events over real HTTP, filtered, and resumes from Last-Event-ID", async () => {
    const node = memoryNode();
    const app = await buildApiServer(node);
    const address = await app.listen({ port: 0, host: "127.0.0.1" });
    try {
      const first = sampleTx();
      await node.submitTx(first.bytes);
      node.commitBlock();
      const second = sampleTx();
      await node.submitTx(second.bytes);
      // Resume after block 1's transaction: the replay holds block 2 and its transaction only.
      // Transaction events are for signed subscribers; an operator key sees them all.
      const operator = keySigner(generateSecretKey());
      node.callers.set(toHex(operator.publicKey), {
        identity: { org: "org-0", roles: ["operator"] },
        adminOf: [],
      });
      const controller = new AbortController();
      const response = await fetch(`${address}/v1/events`, {
        headers: {
          "last-event-id": "1-0",
          ...signedHeaders(operator, { method: "GET", url: "/v1/events" }),
        },
        signal: controller.signal,
      });
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      node.commitBlock();
      let text = "";
      while (!text.includes(`"id":"${toHex(second.id)}"`)) {
        const { value } = await reader.read();
        text += new TextDecoder().decode(value);
      }
      controller.abort();
      expect(text).not.toContain(toHex(first.id));
      expect(text).toContain("id: 2\nevent: block");
      expect(text).toContain("id: 2-0\nevent: tx");
    } finally {
      await app.close();
    }
  });
});

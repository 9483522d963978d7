import { describe, expect, it } from "vitest";
import { memoryNode, sampleTx } from "./memoryNode.testkit.js";
import { buildApiServer } from "./server.js";

const never = () => new Promise<Uint8Array>(() => undefined);
const submit = (tx = sampleTx()) => ({
  method: "POST" as const,
  url: "/v1/txs",
  headers: { "content-type": "application/msgpack" },
  payload: Buffer.from(tx.bytes),
});

describe("load guard", () => {
  it("answers a handler that hangs with REQUEST_TIMEOUT and Retry-After, within its deadline", async () => {
    const node = { ...memoryNode(), submitTx: never };
    const app = await buildApiServer(node, { handlerTimeoutMs: 200 });
    const started = Date.now();
    const response = await app.inject(submit());
    expect(Date.now() - started).toBeLessThan(2_000);
    expect([response.statusCode, response.json().error.code]).toEqual([503, "REQUEST_TIMEOUT"]);
    expect(response.headers["retry-after"]).toBe("1");
  });

  it("refuses requests past its bound in progress with OVERLOADED, and still answers probes", async () => {
    const waiting: (() => void)[] = [];
    const held = () =>
      new Promise<Uint8Array>((done) => waiting.push(() => done(new Uint8Array(32))));
    const node = { ...memoryNode(), submitTx: held };
    const app = await buildApiServer(node, { requestsInFlightMax: 2, handlerTimeoutMs: 60_000 });
    const hanging = [app.inject(submit()), app.inject(submit())];
    while (waiting.length < 2) await new Promise((done) => setImmediate(done));
    const refused = await app.inject(submit());
    expect([refused.statusCode, refused.json().error.code]).toEqual([503, "OVERLOADED"]);
    expect(refused.headers["retry-after"]).toBe("1");
    for (const url of ["/healthz", "/v1/status", "/readyz"]) {
      expect((await app.inject({ method: "GET", url })).statusCode, url).toBe(200);
    }
    for (const release of waiting.splice(0)) release();
    expect((await Promise.all(hanging)).map((answer) => answer.statusCode)).toEqual([202, 202]);
    // Their slots are free again: the next one is taken in (and held, like the first two).
    const next = app.inject(submit());
    while (waiting.length < 1) await new Promise((done) => setImmediate(done));
    for (const release of waiting.splice(0)) release();
    expect((await next).statusCode).toBe(202);
  });

  it("tells a client to retry a batch whose transactions were shed", async () => {
    const { CareLedgerError } = await import("@careledger/protocol");
    const node = {
      ...memoryNode(),
      submitTx: () =>
        Promise.reject(new CareLedgerError("MEMPOOL_FULL", "shed", { retryAfterS: 2 })),
    };
    const app = await buildApiServer(node);
    const response = await app.inject({
      method: "POST",
      url: "/v1/txs/batch",
      payload: { txs: [Buffer.from(sampleTx().bytes).toString("base64")] },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().results[0].error.code).toBe("MEMPOOL_FULL");
    expect(response.headers["retry-after"]).toBe("2");
  });
});

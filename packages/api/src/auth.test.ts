import {
  generateSecretKey,
  keySigner,
  REQUEST_NODE_HEADER,
  REQUEST_SIGNATURE_HEADER,
  REQUEST_WINDOW_MS,
  toHex,
} from "@careledger/protocol";
import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { type ReplayCacheLimits, RequestAuthenticator } from "./auth.js";
import { errorHandler } from "./errors.js";
import { type MemoryNode, memoryNode } from "./memoryNode.testkit.js";
import type { NodeApi } from "./nodeApi.js";
import { registerBodyParsers } from "./rawBody.js";
import { buildApiServer } from "./server.js";
import { MEMORY_NODE_KEY, signedHeaders } from "./signed.testkit.js";

const URL = "/v1/echo?x=1";
const NODE_B_KEY = new Uint8Array(32).fill(2);

/** A server with one signed POST route, over the api's own body parsers and authenticator. */
async function echoServer(node: NodeApi, auth = new RequestAuthenticator(node)) {
  const app = Fastify({ bodyLimit: 4096 });
  registerBodyParsers(app, 4096, { json: ["application/json"], raw: ["application/msgpack"] });
  app.setErrorHandler(errorHandler);
  app.post("/v1/echo", async (request) => {
    const caller = await auth.authenticate(request);
    return { key: caller.key, body: request.body };
  });
  await app.ready();
  return app;
}

function operatorNode(): { node: MemoryNode; operator: ReturnType<typeof keySigner> } {
  const node = memoryNode();
  const operator = keySigner(generateSecretKey());
  node.callers.set(toHex(operator.publicKey), {
    identity: { org: "org-0", roles: ["operator"] },
    adminOf: [],
  });
  return { node, operator };
}

describe("signed requests cover the exact body bytes", () => {
  const body = Buffer.from('{"patient":"p-1","limit":10}');

  it("accepts a JSON body signed as sent, and hands the handler the parsed value", async () => {
    const { node, operator } = operatorNode();
    const app = await echoServer(node);
    const answer = await app.inject({
      method: "POST",
      url: URL,
      headers: {
        "content-type": "application/json",
        ...signedHeaders(operator, { method: "POST", url: URL, body }),
      },
      payload: body,
    });
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({
      key: toHex(operator.publicKey),
      body: { patient: "p-1", limit: 10 },
    });
  });

  it("refuses a JSON body with one byte changed, and one signed as empty", async () => {
    const { node, operator } = operatorNode();
    const app = await echoServer(node);
    const changed = Buffer.from(body);
    changed[changed.indexOf("1")] = "2".charCodeAt(0);
    const send = (headers: Record<string, string>, payload: Buffer) =>
      app.inject({
        method: "POST",
        url: URL,
        headers: { "content-type": "application/json", ...headers },
        payload,
      });
    const tampered = await send(
      signedHeaders(operator, { method: "POST", url: URL, body }),
      changed,
    );
    expect([tampered.statusCode, tampered.json().error.code]).toEqual([
      401,
      "REQUEST_BAD_SIGNATURE",
    ]);
    // What the server used to check: a JSON body signed as if it were empty.
    const asEmpty = await send(signedHeaders(operator, { method: "POST", url: URL }), body);
    expect(asEmpty.json().error.code).toBe("REQUEST_BAD_SIGNATURE");
    // Same JSON value, other bytes (a space): the signature is over bytes, not values.
    const spaced = Buffer.from('{"patient": "p-1","limit":10}');
    const reformatted = await send(
      signedHeaders(operator, { method: "POST", url: URL, body }),
      spaced,
    );
    expect(reformatted.json().error.code).toBe("REQUEST_BAD_SIGNATURE");
  });

  it("covers a raw (msgpack) body the same way", async () => {
    const { node, operator } = operatorNode();
    const app = await echoServer(node);
    const raw = Buffer.from([0x93, 1, 2, 3]);
    const send = (payload: Buffer) =>
      app.inject({
        method: "POST",
        url: URL,
        headers: {
          "content-type": "application/msgpack",
          ...signedHeaders(operator, { method: "POST", url: URL, body: raw }),
        },
        payload,
      });
    expect((await send(raw)).statusCode).toBe(200);
    expect((await send(Buffer.from([0x93, 1, 2, 4]))).json().error.code).toBe(
      "REQUEST_BAD_SIGNATURE",
    );
  });

  it("keeps fastify's JSON safety and body bound", async () => {
    const { node, operator } = operatorNode();
    const app = await echoServer(node);
    const post = (payload: Buffer) =>
      app.inject({
        method: "POST",
        url: URL,
        headers: {
          "content-type": "application/json",
          ...signedHeaders(operator, { method: "POST", url: URL, body: payload }),
        },
        payload,
      });
    const poisoned = await post(Buffer.from('{"__proto__":{"admin":true}}'));
    expect([poisoned.statusCode, poisoned.json().error.code]).toEqual([400, "BAD_REQUEST"]);
    const huge = await post(Buffer.from(JSON.stringify({ pad: "x".repeat(5000) })));
    expect([huge.statusCode, huge.json().error.code]).toEqual([413, "ENCODING_TOO_LARGE"]);
  });
});

describe("signed requests are bound to one node", () => {
  it("refuses at node B a request signed for node A with REQUEST_WRONG_NODE, even with B's key in the header", async () => {
    const { node: nodeA, operator } = operatorNode();
    const nodeB: NodeApi = {
      ...nodeA,
      status: () => ({ ...nodeA.status(), nodeKey: NODE_B_KEY }),
    };
    const [appA, appB] = [await buildApiServer(nodeA), await buildApiServer(nodeB)];
    nodeA.commitBlock();
    const url = "/v1/blocks/1/txs";
    const headers = signedHeaders(operator, { method: "GET", url, nodeKey: MEMORY_NODE_KEY });
    const atB = await appB.inject({ method: "GET", url, headers });
    expect([atB.statusCode, atB.json().error.code]).toEqual([401, "REQUEST_WRONG_NODE"]);
    expect(atB.json().error.details.node).toBe(toHex(NODE_B_KEY));
    // Claiming B in the header does not help: the signature covers A's key.
    const relabelled = { ...headers, [REQUEST_NODE_HEADER]: toHex(NODE_B_KEY) };
    const forged = await appB.inject({ method: "GET", url, headers: relabelled });
    expect(forged.json().error.code).toBe("REQUEST_BAD_SIGNATURE");
    // At A, the node it was signed for, it is good once, then a replay.
    expect((await appA.inject({ method: "GET", url, headers })).statusCode).toBe(200);
    const replay = await appA.inject({ method: "GET", url, headers });
    expect([replay.statusCode, replay.json().error.code]).toEqual([409, "REQUEST_REPLAYED"]);
  });

  it("treats a request without the node header as unsigned", async () => {
    const { node, operator } = operatorNode();
    const app = await buildApiServer(node);
    node.commitBlock();
    const url = "/v1/blocks/1/txs";
    const { [REQUEST_NODE_HEADER]: _node, ...headers } = signedHeaders(operator, {
      method: "GET",
      url,
    });
    const answer = await app.inject({ method: "GET", url, headers });
    expect([answer.statusCode, answer.json().error.code]).toEqual([401, "REQUEST_UNSIGNED"]);
    expect(headers[REQUEST_SIGNATURE_HEADER]).toMatch(/^[0-9a-f]{128}$/);
  });
});

describe("the replay cache cannot be filled by keys that are not members", () => {
  const limits: ReplayCacheLimits = { entriesMax: 8, entriesPerKeyMax: 3 };

  /** An echo server whose authenticator has a small cache and a clock the test moves. */
  async function smallCache() {
    const { node, operator } = operatorNode();
    const clock = { now: Date.now() };
    const app = await echoServer(node, new RequestAuthenticator(node, () => clock.now, limits));
    let sequence = 0;
    const send = async (signer: ReturnType<typeof keySigner>) => {
      // A distinct body each time: a distinct request, however fast they come.
      const body = Buffer.from(JSON.stringify({ n: sequence++ }));
      const answer = await app.inject({
        method: "POST",
        url: URL,
        headers: {
          "content-type": "application/json",
          ...signedHeaders(signer, { method: "POST", url: URL, body, time: clock.now }),
        },
        payload: body,
      });
      return answer.statusCode === 200 ? "ok" : answer.json().error.code;
    };
    return { node, operator, clock, send };
  }

  it("remembers no unregistered key's request, so many of them do not stop a registered caller", async () => {
    const { operator, send } = await smallCache();
    const strangers = Array.from({ length: limits.entriesMax * 4 }, () =>
      keySigner(generateSecretKey()),
    );
    for (const stranger of strangers) expect(await send(stranger)).toBe("FORBIDDEN");
    expect(await send(operator)).toBe("ok");
  });

  it("holds each registered key to its quota, leaving room for the others, until the window passes", async () => {
    const { node, operator, clock, send } = await smallCache();
    const other = keySigner(generateSecretKey());
    node.callers.set(toHex(other.publicKey), {
      identity: { org: "org-1", roles: ["operator"] },
      adminOf: [],
    });
    for (let i = 0; i < limits.entriesPerKeyMax; i++) expect(await send(operator)).toBe("ok");
    expect(await send(operator)).toBe("RATE_LIMITED");
    expect(await send(other)).toBe("ok");
    // Two windows on, the first requests can no longer be replayed and are forgotten.
    clock.now += REQUEST_WINDOW_MS * 2 + 1;
    expect(await send(operator)).toBe("ok");
  });

  it("refuses the same request with its signature spelt in upper case as a replay", async () => {
    const { node } = operatorNode();
    const app = await echoServer(node);
    const signer = keySigner(generateSecretKey());
    node.callers.set(toHex(signer.publicKey), {
      identity: { org: "org-0", roles: ["operator"] },
      adminOf: [],
    });
    const body = Buffer.from("{}");
    const headers = signedHeaders(signer, { method: "POST", url: URL, body });
    const send = (extra: Record<string, string>) =>
      app.inject({
        method: "POST",
        url: URL,
        headers: { "content-type": "application/json", ...headers, ...extra },
        payload: body,
      });
    expect((await send({})).statusCode).toBe(200);
    // Upper-case hex of the same signature: other header bytes, the same request.
    const upper = {
      [REQUEST_SIGNATURE_HEADER]: headers[REQUEST_SIGNATURE_HEADER]?.toUpperCase() ?? "",
    };
    expect((await send(upper)).json().error.code).toBe("REQUEST_REPLAYED");
  });
});

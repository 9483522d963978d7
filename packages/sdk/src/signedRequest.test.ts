import {
  generateSecretKey,
  keySigner,
  nobleVerifier,
  REQUEST_KEY_HEADER,
  REQUEST_NODE_HEADER,
  REQUEST_SIGNATURE_HEADER,
  REQUEST_TIME_HEADER,
  requestSigningBytes,
  sha256,
  toHex,
} from "@careledger/protocol";
import { describe, expect, it } from "vitest";
import { CareLedgerClient } from "./client.js";

const CHAIN = sha256(Uint8Array.of(5));

interface Sent {
  readonly url: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
}

function statusJson(nodeKey: Uint8Array) {
  const zero = "00".repeat(32);
  return {
    chain: toHex(CHAIN),
    node: toHex(nodeKey),
    height: 3,
    headHash: zero,
    stateRoot: zero,
    view: 0,
    primary: toHex(nodeKey),
    validators: [toHex(nodeKey)],
    peers: 0,
    syncing: false,
  };
}

/**
 * A fetch that records what the client puts on the wire and answers `/v1/status` with the key
 * of `nodeKeys()` (it may change between calls) and anything else with `{ok: true}`.
 */
function recordingFetch(nodeKeys: () => Uint8Array, answer: (sent: Sent) => Response) {
  const sent: Sent[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    if (url.pathname === "/v1/status") return Response.json(statusJson(nodeKeys()));
    const record: Sent = {
      url: `${url.pathname}${url.search}`,
      method: init?.method ?? "GET",
      headers: init?.headers as Record<string, string>,
      body: init?.body instanceof Uint8Array ? init.body : new Uint8Array(0),
    };
    sent.push(record);
    return answer(record);
  };
  return { sent, fetch: fetch as typeof globalThis.fetch };
}

function verifies(sent: Sent, signer: ReturnType<typeof keySigner>, nodeKey: Uint8Array) {
  const message = requestSigningBytes(
    CHAIN,
    nodeKey,
    sent.method,
    sent.url,
    sent.body,
    Number(sent.headers[REQUEST_TIME_HEADER]),
  );
  const signature = Buffer.from(sent.headers[REQUEST_SIGNATURE_HEADER] ?? "", "hex");
  return nobleVerifier.verify(signer.publicKey, message, signature);
}

describe("signed requests from the client", () => {
  const nodeKey = keySigner(generateSecretKey()).publicKey;
  const signer = keySigner(generateSecretKey());

  it("signs exactly the body bytes it sends, for the node key it learned from /v1/status", async () => {
    const { sent, fetch } = recordingFetch(
      () => nodeKey,
      () => Response.json({ ok: true }),
    );
    const client = new CareLedgerClient("http://node.test/", { fetch });
    const body = '{"patient":"p-ü","limit":10}';
    const path = "/v1/m/records/search?page=2";
    const answer = await client.signedRequest(signer, {
      method: "POST",
      path,
      body,
      contentType: "application/json",
    });
    expect(answer).toEqual({ ok: true });
    const [first] = sent;
    if (first === undefined) throw new Error("nothing sent");
    expect(first.url).toBe(path);
    expect(Buffer.from(first.body).toString("utf8")).toBe(body);
    expect(first.headers[REQUEST_KEY_HEADER]).toBe(toHex(signer.publicKey));
    expect(first.headers[REQUEST_NODE_HEADER]).toBe(toHex(nodeKey));
    expect(verifies(first, signer, nodeKey)).toBe(true);
    // The check can fail: the same signature over another body, or for another node, does not verify.
    expect(verifies({ ...first, body: new Uint8Array(0) }, signer, nodeKey)).toBe(false);
    expect(verifies(first, signer, new Uint8Array(32))).toBe(false);
  });

  it("sends a binary body signed as sent and reads a binary answer byte for byte", async () => {
    // Not UTF-8: a text round trip would turn these into U+FFFD and the signature would fail.
    const content = Uint8Array.of(0xff, 0x00, 0xfe, 0x80, 0x41);
    const answer = Uint8Array.of(0xc3, 0x28, 0x00, 0xff);
    const { sent, fetch } = recordingFetch(
      () => nodeKey,
      (request) =>
        request.method === "POST"
          ? new Response(answer, { headers: { "content-type": "application/octet-stream" } })
          : Response.json(
              { error: { code: "ACCESS_EXPIRED", message: "too old", details: { ageMs: 9 } } },
              { status: 403 },
            ),
    );
    const client = new CareLedgerClient("http://node.test/", { fetch, retries: 0 });
    const path = "/v1/m/record/content";
    const got = await client.signedRequestBytes(signer, {
      method: "POST",
      path,
      body: content,
      contentType: "application/octet-stream",
    });
    expect(got.bytes).toEqual(answer);
    expect(got.contentType).toBe("application/octet-stream");
    const [first] = sent;
    if (first === undefined) throw new Error("nothing sent");
    expect(first.body).toEqual(content);
    expect(first.headers.accept).toBe("application/octet-stream");
    expect(first.headers["content-type"]).toBe("application/octet-stream");
    expect(verifies(first, signer, nodeKey)).toBe(true);
    // An error answer is the node's JSON error, whatever was asked for.
    const failed = await client
      .signedRequestBytes(signer, { method: "GET", path: `${path}/${"ab".repeat(16)}?access=1` })
      .catch((error: unknown) => error);
    expect(failed).toMatchObject({ code: "ACCESS_EXPIRED", details: { ageMs: 9 } });
  });

  it("bounds a binary answer by responseBytesMax", async () => {
    const { fetch } = recordingFetch(
      () => nodeKey,
      () => new Response(new Uint8Array(2_048)),
    );
    const client = new CareLedgerClient("http://node.test/", { fetch, responseBytesMax: 1_024 });
    const failed = await client
      .signedRequestBytes(signer, { method: "GET", path: "/v1/m/record/content/x" })
      .catch((error: unknown) => error);
    expect(failed).toMatchObject({ code: "INTERNAL", details: { reason: "bad-response" } });
  });

  it("asks /v1/status once per client, and again after REQUEST_WRONG_NODE", async () => {
    let statusCalls = 0;
    let current = nodeKey;
    const other = keySigner(generateSecretKey()).publicKey;
    const { sent, fetch } = recordingFetch(
      () => {
        statusCalls++;
        return current;
      },
      (request) =>
        request.headers[REQUEST_NODE_HEADER] === toHex(current)
          ? Response.json({ ok: true })
          : Response.json(
              { error: { code: "REQUEST_WRONG_NODE", message: "other node", details: {} } },
              { status: 401 },
            ),
    );
    const client = new CareLedgerClient("http://node.test/", { fetch });
    await client.signedRequest(signer, { method: "GET", path: "/v1/a" });
    await client.signedRequest(signer, { method: "GET", path: "/v1/b" });
    expect(statusCalls).toBe(1);
    // A gateway now routes this client to another node.
    current = other;
    expect(await client.signedRequest(signer, { method: "GET", path: "/v1/c" })).toEqual({
      ok: true,
    });
    expect(statusCalls).toBe(2);
    const last = sent.at(-1);
    expect(last !== undefined && verifies(last, signer, other)).toBe(true);
  });

  it("refuses to sign for a node that reports another key than the pinned one", async () => {
    const { sent, fetch } = recordingFetch(
      () => keySigner(generateSecretKey()).publicKey,
      () => Response.json({ ok: true }),
    );
    const client = new CareLedgerClient("http://node.test/", { fetch, nodeKey });
    await expect(client.signedRequest(signer, { method: "GET", path: "/v1/a" })).rejects.toThrow(
      /pinned/,
    );
    expect(sent).toHaveLength(0);
  });
});

import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryNode, registerCallers } from "./memoryNode.testkit.js";
import { type ApiServer, buildApiServer } from "./server.js";
import { signedHeaders } from "./signed.testkit.js";

/** A GET sent with its path exactly as written (node:http does not normalize it, as curl). */
function rawGet(base: string, path: string, headers: Record<string, string>) {
  return new Promise<number>((resolve, reject) => {
    const sent = request(`${base}${path}`, { headers });
    // node:http's URL parsing would drop a bare "?": set the request line's path itself.
    sent.path = path;
    sent.on("response", (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    sent.on("error", reject);
    sent.end();
  });
}

describe("a signed request with an empty query string (a bare trailing ?)", () => {
  let app: ApiServer;
  let base: string;
  let staff: Parameters<typeof signedHeaders>[0];
  const seen: string[] = [];

  beforeAll(async () => {
    const node = memoryNode();
    const signer = registerCallers(node).staff;
    if (signer === null) throw new Error("staff has a key");
    staff = signer;
    app = await buildApiServer(node, {
      onRoute: (route) => {
        route.onRequest = [
          [route.onRequest ?? []].flat(),
          async (received: { url: string }) => {
            seen.push(received.url);
          },
        ].flat() as typeof route.onRequest;
      },
    });
    base = await app.listen({ port: 0, host: "127.0.0.1" });
  });
  afterAll(() => app.close());

  it("verifies whether the client sent the ? (curl) or dropped it (fetch)", async () => {
    const path = "/v1/query/consensus.config?";
    const kept = await rawGet(base, path, signedHeaders(staff, { method: "GET", url: path }));
    const dropped = await fetch(`${base}${path}`, {
      headers: signedHeaders(staff, { method: "GET", url: path }),
    });
    expect(seen.slice(-2)).toEqual([path, "/v1/query/consensus.config"]);
    expect([kept, dropped.status]).toEqual([200, 200]);
    // Signed without the ?, sent with it: the same request, so it verifies too.
    const bare = "/v1/query/consensus.config";
    expect(await rawGet(base, path, signedHeaders(staff, { method: "GET", url: bare }))).toBe(200);
  });
});

import { Agent, request } from "node:http";

/** Longest a single request may take before the benchmark gives up on it. */
export const REQUEST_TIMEOUT_MS = 30_000;
/** Largest answer body read. */
const RESPONSE_BYTES_MAX = 16 * 1024 * 1024;

/** A keep-alive agent with `sockets` connections per host: the benchmark's "clients". */
export function clientAgent(sockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
}

/** POSTs JSON and resolves with the status and the parsed answer. */
export function postJson(
  agent: Agent,
  url: string,
  body: unknown,
): Promise<{ status: number; body: unknown }> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((done, fail) => {
    const req = request(
      url,
      {
        method: "POST",
        agent,
        headers: { "content-type": "application/json", "content-length": payload.byteLength },
        timeout: REQUEST_TIMEOUT_MS,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let length = 0;
        response.on("data", (chunk: Buffer) => {
          length += chunk.byteLength;
          if (length > RESPONSE_BYTES_MAX) response.destroy(new Error("answer too large"));
          else chunks.push(chunk);
        });
        response.on("error", fail);
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString();
          try {
            done({
              status: response.statusCode ?? 0,
              body: text.length > 0 ? JSON.parse(text) : null,
            });
          } catch (error) {
            fail(error);
          }
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on("error", fail);
    req.end(payload);
  });
}

export async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}

import { describe, expect, it } from "vitest";
import { readBytes } from "./http.js";

const BYTES_MAX = 1_024;

/** A body that arrives in chunks, as a network body does (a constructed one declares nothing). */
function streamed(chunks: readonly Uint8Array[], headers: Record<string, string>): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  return new Response(body, { headers });
}

describe("readBytes", () => {
  it("reads a body of a declared length whole", async () => {
    const body = new TextEncoder().encode("Potassium 4.1 mmol/L");
    const answer = streamed([body.subarray(0, 7), body.subarray(7)], {
      "content-length": String(body.length),
    });
    expect(await readBytes(answer, BYTES_MAX)).toEqual(body);
  });

  it("refuses a declared length over the bound without reading the body", async () => {
    // A body that never ends: reading it would hang the test; refusing cancels it.
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      cancel() {
        cancelled = true;
      },
    });
    const answer = new Response(body, { headers: { "content-length": String(BYTES_MAX + 1) } });
    await expect(readBytes(answer, BYTES_MAX)).rejects.toMatchObject({
      code: "INTERNAL",
      details: { reason: "bad-response" },
    });
    expect(cancelled).toBe(true);
  });

  it("counts an encoded body as it arrives: its length says nothing of what it inflates to", async () => {
    // The declared length is the compressed one; the platform hands over what it inflated.
    const answer = streamed([new Uint8Array(600), new Uint8Array(600)], {
      "content-length": "40",
      "content-encoding": "gzip",
    });
    await expect(readBytes(answer, BYTES_MAX)).rejects.toMatchObject({
      details: { reason: "bad-response" },
    });
  });

  it("counts a body of no declared length as it arrives", async () => {
    const chunks = [new Uint8Array(600), new Uint8Array(600)];
    await expect(readBytes(streamed(chunks, {}), BYTES_MAX)).rejects.toMatchObject({
      details: { reason: "bad-response" },
    });
    expect(await readBytes(streamed([new Uint8Array(600)], {}), BYTES_MAX)).toHaveLength(600);
  });
});

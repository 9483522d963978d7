import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { memoryNode } from "./memoryNode.testkit.js";
import { type ApiServer, buildApiServer } from "./server.js";

const BODY_BYTES_MAX = 64 * 1024;
let app: ApiServer | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
});

/**
 * Sends a whole request over a raw socket and reads only once every byte is written, as most
 * clients do: what comes back is the answer (status line and body) or the socket error.
 */
function postThenRead(port: number, bodyBytes: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.pause();
    socket.on("error", (error: NodeJS.ErrnoException) => resolve(`error ${error.code}`));
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("end", () => resolve(Buffer.concat(chunks).toString()));
    const head =
      "POST /v1/txs HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/msgpack\r\n" +
      `content-length: ${bodyBytes}\r\n\r\n`;
    socket.write(head);
    socket.write(Buffer.alloc(bodyBytes), () => socket.resume());
  });
}

describe("a body over the limit", () => {
  it("gets its coded 413 even when the client reads only after sending everything", async () => {
    app = await buildApiServer(memoryNode(), { bodyBytesMax: BODY_BYTES_MAX });
    await app.listen({ host: "127.0.0.1", port: 0 });
    const { port } = app.server.address() as AddressInfo;
    const answer = await postThenRead(port, 64 * BODY_BYTES_MAX);
    expect(answer).toMatch(/^HTTP\/1\.1 413/);
    expect(answer).toContain('"code":"ENCODING_TOO_LARGE"');
  });
});

import type { AddressInfo } from "node:net";
import { type ApiServer, buildApiServer } from "@careledger/api";
import { CareLedgerClient, CareLedgerError, type Signer, toHex } from "@careledger/sdk";
import { afterEach, describe, expect, it } from "vitest";
import {
  type MemoryNode,
  memoryNode,
  registerKey,
  sampleTx,
} from "../packages/api/src/memoryNode.testkit.js";

// The SDK's signed requests against the api package's real server over an in-memory node, on
// loopback: the SDK and the server agree on what is signed, byte for byte.

const servers: ApiServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function listen(node: MemoryNode | ReturnType<typeof otherNode>): Promise<string> {
  const server = await buildApiServer(node);
  servers.push(server);
  await server.listen({ host: "127.0.0.1", port: 0 });
  return `http://127.0.0.1:${(server.server.address() as AddressInfo).port}/`;
}

/** The same pretend chain served by a node with another key. */
function otherNode(node: MemoryNode) {
  return { ...node, status: () => ({ ...node.status(), nodeKey: new Uint8Array(32).fill(2) }) };
}

function chainWithOperator(): { node: MemoryNode; operator: Signer; patient: Signer } {
  const node = memoryNode();
  const operator = registerKey(node, ["operator"]);
  const patient = registerKey(node, ["patient"]);
  return { node, operator, patient };
}

describe("the SDK's signed requests against the api server", () => {
  it("reads a block's transactions as an operator, and is refused as a patient", async () => {
    const { node, operator, patient } = chainWithOperator();
    const tx = sampleTx();
    await node.submitTx(tx.bytes);
    node.commitBlock();
    const client = new CareLedgerClient(await listen(node));
    const txs = await client.getBlockTxs(1, operator);
    expect(txs.map((each) => toHex(each.id))).toEqual([toHex(tx.id)]);
    // Each call is signed anew: a second read is no replay.
    expect(await client.getBlockTxs(1, operator)).toHaveLength(1);
    const refused = await client.getBlockTxs(1, patient).catch((error: unknown) => error);
    expect(refused instanceof CareLedgerError && refused.code).toBe("FORBIDDEN");
  });

  it("sends a signed JSON body to a module route, signed over the bytes it sends", async () => {
    const { node, operator } = chainWithOperator();
    node.routes.push({
      module: "records",
      method: "POST",
      path: "/search",
      summary: "echo",
      access: "signed",
      bodyTypes: ["application/json"],
      responseTypes: ["application/json"],
      handler: async ({ body, caller }) => ({
        status: 200,
        contentType: "application/json",
        body: { body, org: caller?.identity?.org ?? null },
      }),
    });
    const client = new CareLedgerClient(await listen(node));
    const answer = await client.signedRequest(operator, {
      method: "POST",
      path: "/v1/m/records/search",
      body: JSON.stringify({ patient: "p-ü" }),
      contentType: "application/json",
    });
    expect(answer).toEqual({ body: { patient: "p-ü" }, org: "org-0" });
  });

  it("signs again for the node it reaches when a gateway moves it to another (REQUEST_WRONG_NODE)", async () => {
    const { node, operator } = chainWithOperator();
    node.commitBlock();
    const urlA = await listen(node);
    const urlB = await listen(otherNode(node));
    let target = urlA;
    const refusals: string[] = [];
    // A gateway in front of both nodes: the client only ever sees one base URL.
    const gateway: typeof fetch = async (input, init) => {
      const url = new URL(String(input));
      const response = await fetch(new URL(`${url.pathname}${url.search}`, target), init);
      if (response.status === 401) {
        const answer = (await response.clone().json()) as { error: { code: string } };
        refusals.push(answer.error.code);
      }
      return response;
    };
    const client = new CareLedgerClient("http://gateway.test/", { fetch: gateway });
    expect(await client.getBlockTxs(1, operator)).toEqual([]);
    target = urlB;
    expect(await client.getBlockTxs(1, operator)).toEqual([]);
    expect(refusals).toEqual(["REQUEST_WRONG_NODE"]);
  });

  it("refuses, with the node key pinned, a node that reports another key", async () => {
    const { node, operator } = chainWithOperator();
    node.commitBlock();
    const client = new CareLedgerClient(await listen(otherNode(node)), {
      nodeKey: node.status().nodeKey,
    });
    await expect(client.getBlockTxs(1, operator)).rejects.toThrow(/pinned/);
  });
});

import {
  CareLedgerError,
  decodeReceipt,
  ERROR_CODES,
  encodeReceipt,
  fromHex,
  generateSecretKey,
  keySigner,
  merkleRoot,
  REQUEST_SIGNATURE_HEADER,
  type Signer,
  toHex,
  verifyReceiptProof,
} from "@careledger/protocol";
import { describe, expect, it } from "vitest";
import { type MemoryNode, memoryNode, registerKey, sampleTx } from "./memoryNode.testkit.js";
import { buildApiServer } from "./server.js";
import { signedHeaders } from "./signed.testkit.js";

/** A member organization's operator key, registered on `node`: it may read raw state and receipts. */
function staffOf(node: MemoryNode) {
  const operator = keySigner(generateSecretKey());
  node.callers.set(toHex(operator.publicKey), {
    identity: { org: "org-0", roles: ["operator"] },
    adminOf: [],
  });
  return (method: string, url: string) => ({
    method: method as "GET",
    url,
    headers: signedHeaders(operator, { method, url }),
  });
}

function signedGet(signer: Signer, url: string, time = Date.now()) {
  return signedHeaders(signer, { method: "GET", url, time });
}

describe("proof and query routes", () => {
  it("serves a state value with its proof, keyed by the hex of the UTF-8 key", async () => {
    const node = memoryNode();
    const app = await buildApiServer(node);
    const signed = staffOf(node);
    const key = Buffer.from("present").toString("hex");
    const plain = await app.inject(signed("GET", `/v1/state/${key}`));
    expect(plain.json()).toMatchObject({ key: "present", height: 0 });
    expect(plain.json().proof).toBeUndefined();
    const proven = await app.inject(signed("GET", `/v1/state/${key}?proof=true`));
    expect(proven.json().proof).toEqual({ siblings: ["07".repeat(32)], leaf: null });
    const absent = await app.inject(signed("GET", `/v1/state/${Buffer.from("x").toString("hex")}`));
    expect(absent.json().value).toBeNull();
    const odd = await app.inject({ method: "GET", url: "/v1/state/abc" });
    expect(odd.json().error.code).toBe("BAD_REQUEST");
    const notUtf8 = await app.inject({ method: "GET", url: "/v1/state/ff" });
    expect(notUtf8.json().error.code).toBe("BAD_REQUEST");
  });

  it("proves a committed transaction's inclusion and answers NOT_FOUND for others", async () => {
    const node = memoryNode();
    const app = await buildApiServer(node);
    const first = sampleTx();
    const second = sampleTx();
    await node.submitTx(first.bytes);
    await node.submitTx(second.bytes);
    node.commitBlock();
    const proof = await app.inject({ method: "GET", url: `/v1/txs/${toHex(second.id)}/proof` });
    expect(proof.json()).toMatchObject({
      id: toHex(second.id),
      height: 1,
      proof: { index: 1, total: 2 },
    });
    const missing = await app.inject({ method: "GET", url: `/v1/txs/${"00".repeat(32)}/proof` });
    expect([missing.statusCode, missing.json().error.code]).toEqual([404, "NOT_FOUND"]);
  });

  it("serves a committed transaction's receipt with its proof against receiptsRoot", async () => {
    const node = memoryNode();
    const app = await buildApiServer(node);
    const signed = staffOf(node);
    const txs = [sampleTx(), sampleTx(), sampleTx()];
    for (const tx of txs) await node.submitTx(tx.bytes);
    node.commitBlock();
    const answer = await app.inject(
      signed("GET", `/v1/txs/${toHex(txs[2]?.id as Uint8Array)}/receipt-proof`),
    );
    const body = answer.json();
    expect(body).toMatchObject({ height: 1, proof: { index: 2, total: 3 } });
    const receipt = fromHex(body.receipt);
    expect(decodeReceipt(receipt)).toEqual({ tx: txs[2]?.id, status: "ok" });
    const leaves = txs.map((tx) => encodeReceipt({ tx: tx.id, status: "ok" }));
    const proof = { ...body.proof, siblings: body.proof.siblings.map((s: string) => fromHex(s)) };
    expect(verifyReceiptProof(merkleRoot(leaves), receipt, proof)).toBe(true);
    const missing = await app.inject(signed("GET", `/v1/txs/${"00".repeat(32)}/receipt-proof`));
    expect([missing.statusCode, missing.json().error.code]).toEqual([404, "NOT_FOUND"]);
  });

  it("lists and runs module queries for a signed caller, with bytes as hex and big integers as strings", async () => {
    const node = memoryNode();
    const operator = registerKey(node, ["operator"]);
    const patient = registerKey(node, ["patient"]);
    const app = await buildApiServer(node);
    expect((await app.inject({ method: "GET", url: "/v1/queries" })).json().queries).toContain(
      "identity.key",
    );
    const key = "ab".repeat(32);
    const url = `/v1/query/identity.key?key=${key}`;
    const answer = await app.inject({
      method: "GET",
      url,
      headers: signedHeaders(operator, { method: "GET", url }),
    });
    expect(answer.json()).toEqual({
      name: "identity.key",
      result: { key, big: (2n ** 60n).toString(), raw: "0102" },
    });
    const codeOf = async (target: string, signer?: Signer) => {
      const headers =
        signer === undefined ? {} : signedHeaders(signer, { method: "GET", url: target });
      const reply = await app.inject({ method: "GET", url: target, headers });
      return [reply.statusCode, reply.json().error.code];
    };
    expect(await codeOf(url)).toEqual([401, "REQUEST_UNSIGNED"]);
    // Before the parameters: an unsigned caller learns nothing of the query's schema.
    expect(await codeOf("/v1/query/identity.key?key=AB")).toEqual([401, "REQUEST_UNSIGNED"]);
    expect(await codeOf("/v1/query/identity.key?nokey=1")).toEqual([401, "REQUEST_UNSIGNED"]);
    // The declared access: operator, or the key itself; a patient asking about another key is not.
    expect(await codeOf(url, patient)).toEqual([403, "FORBIDDEN"]);
    expect(await codeOf("/v1/query/identity.key?key=AB", operator)).toEqual([400, "BAD_REQUEST"]);
    expect(await codeOf("/v1/query/nothing.here")).toEqual([404, "NOT_FOUND"]);
  });
});

describe("a module's fault answered to a client", () => {
  it("says its code and the fixed message, never the internal key or index it names", async () => {
    const node = memoryNode();
    const app = await buildApiServer(node);
    const signed = staffOf(node);
    const faults = [
      new CareLedgerError("STATE_KEY_FORBIDDEN", "module records may not read identity/admin/ab"),
      new CareLedgerError("RESULT_INVALID", "query result /patientKey: expected Uint8Array"),
    ];
    for (const fault of faults) {
      node.query = async () => {
        throw fault;
      };
      const reply = await app.inject(
        signed("GET", `/v1/query/identity.key?key=${"ab".repeat(32)}`),
      );
      expect(reply.statusCode).toBe(500);
      expect(reply.json()).toEqual({
        error: { code: fault.code, message: ERROR_CODES[fault.code].message, details: {} },
      });
    }
  });
});

describe("signed reads of raw transactions", () => {
  const url = "/v1/blocks/1/txs";

  async function setup() {
    const node = memoryNode();
    const operator = registerKey(node, ["operator"]);
    const patient = registerKey(node, ["patient"]);
    await node.submitTx(sampleTx().bytes);
    node.commitBlock();
    return { app: await buildApiServer(node), operator, patient };
  }

  it("gives a member operator the payloads", async () => {
    const { app, operator } = await setup();
    const answer = await app.inject({
      method: "GET",
      url,
      headers: signedGet(operator, url),
    });
    expect(answer.statusCode).toBe(200);
    expect(answer.json().txs[0]).toMatchObject({ type: "identity.register" });
  });

  it("refuses unsigned, badly signed, stale, replayed, unregistered and patient requests", async () => {
    const { app, operator, patient } = await setup();
    const codeOf = async (headers: Record<string, string>) =>
      (await app.inject({ method: "GET", url, headers })).json().error.code;
    expect(await codeOf({})).toBe("REQUEST_UNSIGNED");
    const good = signedGet(operator, url);
    expect(await codeOf({ ...good, [REQUEST_SIGNATURE_HEADER]: "00".repeat(64) })).toBe(
      "REQUEST_BAD_SIGNATURE",
    );
    expect(await codeOf(signedGet(operator, "/v1/blocks/2/txs"))).toBe("REQUEST_BAD_SIGNATURE");
    expect(await codeOf(signedGet(operator, url, Date.now() - 60_000))).toBe("REQUEST_EXPIRED");
    expect((await app.inject({ method: "GET", url, headers: good })).statusCode).toBe(200);
    expect(await codeOf(good)).toBe("REQUEST_REPLAYED");
    expect(await codeOf(signedGet(keySigner(generateSecretKey()), url))).toBe("FORBIDDEN");
    expect(await codeOf(signedGet(patient, url))).toBe("FORBIDDEN");
  });
});

describe("router errors", () => {
  it("answers an over-long path parameter and a malformed URL in the error shape", async () => {
    const app = await buildApiServer(memoryNode());
    const long = await app.inject({ method: "GET", url: `/v1/state/${"61".repeat(2_000)}` });
    expect(long.json().error.code).toBe("BAD_REQUEST");
    const bad = await app.inject({ method: "GET", url: "/v1/blocks/%E0%A4%A" });
    expect(bad.json().error.code).toBe("BAD_REQUEST");
  });
});

describe("health routes", () => {
  it("is live always, ready only once synced, and serves Prometheus text", async () => {
    const node = memoryNode();
    const app = await buildApiServer(node);
    node.setSyncing(true);
    expect((await app.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
    const syncing = await app.inject({ method: "GET", url: "/readyz" });
    expect([syncing.statusCode, syncing.json().error.code]).toEqual([503, "NOT_READY"]);
    node.setSyncing(false);
    expect((await app.inject({ method: "GET", url: "/readyz" })).statusCode).toBe(200);
    node.setHalted(true);
    const halted = await app.inject({ method: "GET", url: "/readyz" });
    expect([halted.statusCode, halted.json().error.code]).toEqual([503, "NOT_READY"]);
    expect((await app.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
    const metrics = await app.inject({ method: "GET", url: "/metrics" });
    expect(metrics.headers["content-type"]).toContain("text/plain");
    expect(metrics.body).toContain("careledger_height 0");
  });
});

import {
  CareLedgerError,
  decode,
  keySigner,
  type SignedTx,
  sealTx,
  sha256,
  toHex,
} from "@careledger/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildTx } from "./builder.js";
import { CareLedgerClient } from "./client.js";
import { isTimeout } from "./errors.js";
import { FakeNode, type Fault } from "./fakeNode.testkit.js";
import { generateKeyPair, type KeyPair } from "./keys.js";

/** Fast retries so failure paths finish quickly; bounds stay as in production otherwise. */
const FAST = { retryDelayMs: 5, retryDelayMsMax: 20, timeoutMs: 2_000 };

let node: FakeNode;
let client: CareLedgerClient;
let admin: KeyPair;

beforeEach(async () => {
  node = await FakeNode.start();
  client = new CareLedgerClient(node.url, FAST);
  admin = generateKeyPair();
});

afterEach(() => node.close());

function registration(expires = 50, chainId = node.chain.chainId): SignedTx {
  const payload = {
    key: generateKeyPair().publicKey,
    org: "st-mary",
    roles: ["clinician" as const],
  };
  return buildTx("identity.register", payload, keySigner(admin.secretKey), { chainId, expires });
}

async function rejection(promise: Promise<unknown>): Promise<CareLedgerError> {
  const error = await promise.then(
    () => new Error("expected a rejection"),
    (caught: unknown) => caught,
  );
  if (!(error instanceof CareLedgerError)) throw error;
  return error;
}

describe("CareLedgerClient over HTTP", () => {
  it("reads the status with the chain id and validator set", async () => {
    const status = await client.status();
    expect(status.chainId).toEqual(node.chain.chainId);
    expect(status.validators).toEqual(node.chain.validators);
    expect(status.height).toBe(0);
    expect(await client.expiresAfter(10)).toBe(10);
  });

  it("keeps a path prefix of the node URL in every route", async () => {
    const prefixed = new CareLedgerClient(`${node.url}/careledger`, { ...FAST, retries: 0 });
    expect((await rejection(prefixed.status())).code).toBe("NOT_FOUND");
    expect(node.requests.map((r) => r.url)).toEqual(["/careledger/v1/status"]);
  });

  it("submits, sees pending, then resolves with the committed receipt", async () => {
    node.pendingPolls = 2;
    const tx = registration();
    const committed = await client.submitAndWait(tx, { pollIntervalMs: 1 });
    expect(committed).toEqual({ id: toHex(tx.id), height: 1, index: 0, receipt: { ok: true } });
    const polls = node.requests.filter((r) => r.url === `/v1/txs/${toHex(tx.id)}`);
    expect(polls.length).toBe(3);
    expect((await client.getTx(tx.id)).status).toBe("committed");
    // The same transaction again: the node knows it (TX_DUPLICATE), and the receipt is the same.
    expect(await client.submitAndWait(tx)).toEqual(committed);
  });

  it("rejects with the failed receipt's code and keeps the receipt in details", async () => {
    node.failures.set("identity.register", "ORG_NOT_FOUND");
    const error = await rejection(client.submitAndWait(registration(), { pollIntervalMs: 1 }));
    expect(error.code).toBe("ORG_NOT_FOUND");
    expect(error.details.receipt).toEqual({ ok: false, code: "ORG_NOT_FOUND", reason: "rule" });
  });

  it("turns the node's error answers into CareLedgerErrors with their codes", async () => {
    const otherChain = sha256(Uint8Array.of(1));
    expect((await rejection(client.submit(registration(50, otherChain)))).code).toBe(
      "TX_WRONG_CHAIN",
    );
    const tx = registration();
    const forged = sealTx({ ...tx.tx, sig: new Uint8Array(64).fill(7) });
    expect((await rejection(client.submit(forged))).code).toBe("TX_BAD_SIGNATURE");
    await client.submit(tx);
    const duplicate = await rejection(client.submit(tx));
    expect([duplicate.code, duplicate.details.httpStatus]).toEqual(["TX_DUPLICATE", 409]);
    expect((await rejection(client.getBlock(99))).code).toBe("NOT_FOUND");
  });

  it("maps a code outside the registry to INTERNAL and keeps the original", async () => {
    node.faults.push({ kind: "error", status: 418, code: "TEAPOT" });
    const error = await rejection(client.status());
    expect(error.code).toBe("INTERNAL");
    expect(error.details.originalCode).toBe("TEAPOT");
    expect(error.details.httpStatus).toBe(418);
  });

  it("retries dropped connections, 503s and 429s, then succeeds", async () => {
    node.faults.push(
      { kind: "drop" },
      { kind: "error", status: 503, code: "NOT_READY" },
      { kind: "error", status: 429, code: "RATE_LIMITED", retryAfter: "0" },
    );
    expect((await client.status()).height).toBe(0);
    expect(node.requests.length).toBe(4);
  });

  it("gives up after its retries with the last answer's code", async () => {
    const strict = new CareLedgerClient(node.url, { ...FAST, retries: 1 });
    node.faults.push(
      { kind: "error", status: 503, code: "MEMPOOL_FULL" },
      { kind: "error", status: 503, code: "MEMPOOL_FULL" },
    );
    expect((await rejection(strict.submit(registration()))).code).toBe("MEMPOOL_FULL");
    expect(node.requests.length).toBe(2);
    node.faults.push({ kind: "text", status: 400, body: "<html>proxy error</html>" });
    const unparsed = await rejection(strict.status());
    expect([unparsed.code, unparsed.details.reason]).toEqual(["INTERNAL", "bad-response"]);
  });

  it("treats TX_DUPLICATE on a retried submit as its own earlier success", async () => {
    node.faults.push({ kind: "admit-then-drop" });
    const tx = registration();
    expect(await client.submit(tx)).toBe(toHex(tx.id));
    expect(node.requests.filter((r) => r.method === "POST").length).toBe(2);
  });

  it("cuts off a request that gets no answer, as a timeout", async () => {
    const impatient = new CareLedgerClient(node.url, { ...FAST, timeoutMs: 50, retries: 0 });
    node.faults.push({ kind: "hang" });
    const error = await rejection(impatient.status());
    expect(isTimeout(error)).toBe(true);
  });

  it("times out a wait for a commit that does not come", async () => {
    node.pendingPolls = Number.MAX_SAFE_INTEGER;
    const error = await rejection(client.submitAndWait(registration(), { timeoutMs: 30 }));
    expect(isTimeout(error)).toBe(true);
    expect(error.details.lastStatus).toBe("pending");
  });

  it("resubmits a transaction the node forgot, and reports one past its expiry as TX_EXPIRED", async () => {
    const forgotten = registration();
    const committed = await client.waitFor(forgotten, { pollIntervalMs: 1 });
    expect(committed.height).toBe(1);
    node.commitBlock([]);
    const expired = registration(0);
    expect((await rejection(client.waitFor(expired, { pollIntervalMs: 1 }))).code).toBe(
      "TX_EXPIRED",
    );
  });

  it("sends the same bytes again to a node that answered 202 and then lost the tx, until it commits", async () => {
    // SIGKILL right after the 202: the node is down (connections refused), then restarting and
    // catching up (NOT_READY), then up without the transaction in its mempool.
    const down: Fault[] = Array.from({ length: 6 }, () => ({ kind: "drop" }));
    const restarting: Fault[] = Array.from({ length: 5 }, () => ({
      kind: "error",
      status: 503,
      code: "NOT_READY",
    }));
    node.crashAfterNextAdmission = [...down, ...restarting];
    const tx = registration();
    const committed = await client.submitAndWait(tx, { pollIntervalMs: 1, pollIntervalMsMax: 5 });
    expect(committed).toEqual({ id: toHex(tx.id), height: 1, index: 0, receipt: { ok: true } });
    expect(node.submitted.length).toBeGreaterThanOrEqual(2);
    for (const body of node.submitted) expect(toHex(body)).toBe(toHex(tx.bytes));
  });

  it("submits a batch and reports each transaction's fate in order", async () => {
    const good = registration();
    const forged = sealTx({ ...registration().tx, sig: new Uint8Array(64).fill(1) });
    const results = await client.submitBatch([good, forged, good]);
    expect(results.map((r) => (r.ok ? "ok" : r.error.code))).toEqual([
      "ok",
      "TX_BAD_SIGNATURE",
      "TX_DUPLICATE",
    ]);
    expect(results.map((r) => r.id)).toEqual([good, forged, good].map((tx) => toHex(tx.id)));
  });
});

describe("light-client answers over HTTP", () => {
  const trustOf = () => ({ chainId: node.chain.chainId, validators: node.chain.validators });

  it("verifies a committed registration's state and inclusion against certified headers", async () => {
    const tx = registration();
    const key = `identity/${toHex((tx.tx.payload as { key: Uint8Array }).key)}`;
    await client.submitAndWait(tx, { pollIntervalMs: 1 });
    const state = await client.getVerifiedState(key, trustOf());
    expect(state.value).toEqual({ org: "st-mary", roles: ["clinician"], registeredAt: 1 });
    const absent = await client.getVerifiedState("identity/nobody", trustOf());
    expect(absent.value).toBeNull();
    const included = await client.getVerifiedTxInclusion(toHex(tx.id), trustOf());
    expect([included.height, included.index]).toEqual([1, 0]);
    const raw = await client.getState(key);
    expect(raw.proof).toBeNull();
    expect(decode(raw.value as Uint8Array)).toEqual(state.value);
    expect((await client.getVerifiedBlock("latest", trustOf())).height).toBe(1);
  });

  it("verifies receipts against receiptsRoot and refuses a tampered index or receipt", async () => {
    const good = registration();
    await client.submitAndWait(good, { pollIntervalMs: 1 });
    node.failures.set("identity.register", "ORG_NOT_FOUND");
    const failed = registration();
    await rejection(client.submitAndWait(failed, { pollIntervalMs: 1 }));
    const okReceipt = await client.getVerifiedReceipt(good.id, trustOf());
    expect(okReceipt.receipt).toEqual({ tx: good.id, status: "ok" });
    const failedReceipt = await client.getVerifiedReceipt(toHex(failed.id), trustOf());
    expect(failedReceipt.receipt).toMatchObject({ status: "failed", code: "ORG_NOT_FOUND" });
    // A node that turns the failure into a success is caught by receiptsRoot.
    node.forgeReceipts = true;
    expect((await rejection(client.getVerifiedReceipt(failed.id, trustOf()))).code).toBe(
      "PROOF_INVALID",
    );
    node.forgeReceipts = false;
    // A block index with an id left out no longer reproduces txRoot: the certified header's
    // own certificate holds, the index does not.
    node.dropTxIds = true;
    expect((await rejection(client.getVerifiedBlock(1, trustOf()))).code).toBe("PROOF_INVALID");
    expect((await rejection(client.getVerifiedReceipt(good.id, trustOf()))).code).toBe(
      "PROOF_INVALID",
    );
  });

  it("rejects a node that lies about state or forges a certificate", async () => {
    const tx = registration();
    await client.submitAndWait(tx, { pollIntervalMs: 1 });
    // A second key gives the proof a sibling to tamper with.
    await client.submitAndWait(registration(), { pollIntervalMs: 1 });
    const key = `identity/${toHex((tx.tx.payload as { key: Uint8Array }).key)}`;
    node.corruptStateProofs = true;
    expect((await rejection(client.getVerifiedState(key, trustOf()))).code).toBe("PROOF_INVALID");
    node.corruptStateProofs = false;
    node.forgeCertificates = true;
    expect((await rejection(client.getVerifiedState(key, trustOf()))).code).toBe(
      "CERTIFICATE_INVALID",
    );
    expect((await rejection(client.getVerifiedTxInclusion(tx.id, trustOf()))).code).toBe(
      "CERTIFICATE_INVALID",
    );
  });
});

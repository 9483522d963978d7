import { request as httpRequest } from "node:http";
import { fromHex, type SignedTx, sealTx, toHex } from "@careledger/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectAgreement, waitAllAtHeight } from "./harness/agreement.js";
import { devnetAdmin, registerTx, submit, txStatus } from "./harness/clients.js";
import { Cluster, waitFor } from "./harness/cluster.js";

const WAIT_MS_MAX = 90_000;
const HOSTILE_REQUESTS = 1_000;
const ALL = [0, 1, 2, 3];
let cluster: Cluster;

beforeAll(async () => {
  cluster = await Cluster.create(4);
  cluster.startAll();
  await waitAllAtHeight(cluster, ALL, 1, WAIT_MS_MAX);
}, 150_000);

afterAll(async () => {
  await cluster.destroy();
});

/**
 * POSTs a body larger than the API accepts and reports how it was refused: the code of the
 * answer, or CONNECTION_CLOSED when the server hung up while the client was still writing.
 */
function postHuge(url: string, bytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${url}/v1/txs`, {
      method: "POST",
      headers: { "content-type": "application/msgpack", "content-length": String(bytes) },
    });
    request.setTimeout(WAIT_MS_MAX, () => request.destroy(new Error("no answer to a huge body")));
    request.on("response", (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        const body = JSON.parse(Buffer.concat(chunks).toString()) as { error: { code: string } };
        resolve(body.error.code);
      });
    });
    request.on("error", (error) => {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EPIPE" || code === "ECONNRESET") resolve("CONNECTION_CLOSED");
      else reject(error);
    });
    request.end(Buffer.alloc(bytes));
  });
}

interface Hostile {
  readonly name: string;
  readonly expectedCode: string;
  readonly send: (url: string) => Promise<Response>;
}

/** A transaction's canonical bytes with its map header widened: same value, not canonical. */
function nonCanonical(signed: SignedTx): Uint8Array {
  const bytes = signed.bytes;
  const fields = (bytes[0] as number) & 0x0f;
  const out = new Uint8Array(bytes.length + 2);
  out.set([0xde, 0x00, fields]);
  out.set(bytes.subarray(1), 3);
  return out;
}

function kinds(valid: SignedTx): Hostile[] {
  const post = (body: Uint8Array | string, type: string) => (url: string) =>
    fetch(`${url}/v1/txs`, { method: "POST", headers: { "content-type": type }, body });
  const badSig = sealTx({
    ...valid.tx,
    sig: valid.tx.sig.map((byte, i) => (i === 0 ? byte ^ 1 : byte)),
  });
  const wrongChain = sealTx({ ...valid.tx, chain: new Uint8Array(32).fill(0xee) });
  const expired = sealTx({ ...valid.tx, expires: 0 });
  return [
    {
      name: "malformed JSON",
      expectedCode: "BAD_REQUEST",
      send: post('{"tx":', "application/json"),
    },
    {
      name: "wrong content type",
      expectedCode: "UNSUPPORTED_MEDIA_TYPE",
      send: post("hello", "text/plain"),
    },
    {
      name: "bad base64",
      expectedCode: "ENCODING_INVALID",
      send: post(JSON.stringify({ tx: "%%%%" }), "application/json"),
    },
    {
      name: "random bytes",
      expectedCode: "TX_MALFORMED",
      send: post(crypto.getRandomValues(new Uint8Array(300)), "application/msgpack"),
    },
    {
      name: "non-canonical bytes",
      expectedCode: "TX_MALFORMED",
      send: post(nonCanonical(valid), "application/msgpack"),
    },
    {
      name: "bad signature",
      expectedCode: "TX_BAD_SIGNATURE",
      send: post(badSig.bytes, "application/msgpack"),
    },
    {
      name: "wrong chain",
      expectedCode: "TX_WRONG_CHAIN",
      send: post(wrongChain.bytes, "application/msgpack"),
    },
    {
      name: "expired",
      expectedCode: "TX_EXPIRED",
      send: post(expired.bytes, "application/msgpack"),
    },
    {
      name: "replayed",
      expectedCode: "TX_DUPLICATE",
      send: post(valid.bytes, "application/msgpack"),
    },
    {
      name: "oversized transaction",
      expectedCode: "TX_TOO_LARGE",
      send: post(new Uint8Array(70_000), "application/msgpack"),
    },
    { name: "unknown route", expectedCode: "NOT_FOUND", send: (url) => fetch(`${url}/v1/nothing`) },
    {
      name: "bad height",
      expectedCode: "BAD_REQUEST",
      send: (url) => fetch(`${url}/v1/blocks/-7`),
    },
    {
      name: "unsigned read",
      expectedCode: "REQUEST_UNSIGNED",
      send: (url) => fetch(`${url}/v1/blocks/1/txs`),
    },
    {
      name: "garbage batch",
      expectedCode: "BAD_REQUEST",
      send: post(JSON.stringify({ txs: [1, 2, 3] }), "application/json"),
    },
  ];
}

describe("1,000 malformed and hostile HTTP requests", () => {
  it("each get their error, none changes state, and the nodes keep agreeing without losing data", async () => {
    const status = await cluster.status(0);
    const chain = fromHex(status.chain, 32);
    const admin = await devnetAdmin(cluster.home(0));
    const valid = registerTx(admin, chain, "org-0", status.height + 500);
    expect((await submit(cluster.url(0), valid)).status).toBe(202);
    await waitFor("the valid tx to commit", WAIT_MS_MAX, async () =>
      (await txStatus(cluster.url(0), toHex(valid.id))).status === "committed" ? true : undefined,
    );
    const before = await cluster.status(0);
    const hostile = kinds(valid);
    const seen = new Map<string, string>();
    for (let i = 0; i < HOSTILE_REQUESTS; i++) {
      const kind = hostile[i % hostile.length] as Hostile;
      const response = await kind.send(cluster.url(i % ALL.length)).catch((error: unknown) => {
        throw new Error(`${kind.name}: ${String(error)}`);
      });
      const body = (await response.json()) as { error?: { code: string } };
      seen.set(kind.name, body.error?.code ?? `HTTP ${response.status}`);
    }
    for (const kind of hostile) expect(seen.get(kind.name), kind.name).toBe(kind.expectedCode);
    // One body over the API's limit (9 MiB against 8 MiB): read, dropped and answered with its code.
    expect(await postHuge(cluster.url(0), 9 * 1024 * 1024)).toBe("ENCODING_TOO_LARGE");
    // Still serving, still committing, still one chain, and the committed tx is still there.
    const after = await waitAllAtHeight(cluster, ALL, before.height + 2, WAIT_MS_MAX);
    await expectAgreement(cluster, ALL, after);
    // Waited for, with a bound: once (CI, Dec 2) a node answered `pending` right after agreeing on
    // the height that holds it (issue 11's notes: a lookup that sees the mempool before the
    // ledger's commit is to be investigated).
    for (const i of ALL) {
      await waitFor(`node ${i} to report the valid tx committed`, WAIT_MS_MAX, async () =>
        (await txStatus(cluster.url(i), toHex(valid.id))).status === "committed" ? true : undefined,
      );
    }
  });
});

import { CareLedgerError, type SignedTx, sha256, toHex } from "@careledger/protocol";
import { describe, expect, it } from "vitest";
import { SUBMIT_BATCH_BYTES_MAX, SUBMIT_BATCH_TXS_MAX, submitBatch } from "./batch.js";
import type { HttpAnswer } from "./http.js";

/** Stand-ins: the batcher reads only a transaction's size and id. */
function fakeTx(index: number, byteLength = 300): SignedTx {
  const id = sha256(Uint8Array.of(index & 0xff, index >> 8));
  return { id, bytes: new Uint8Array(byteLength), tx: {} as SignedTx["tx"] };
}

function accepting(sizes: number[], attempts = 1) {
  return async (chunk: readonly SignedTx[]): Promise<HttpAnswer> => {
    sizes.push(chunk.length);
    return { status: 200, attempts, value: { results: chunk.map((tx) => ({ id: toHex(tx.id) })) } };
  };
}

describe("submitBatch", () => {
  it("splits by count into ordered requests and keeps every result in order", async () => {
    const txs = Array.from({ length: 2 * SUBMIT_BATCH_TXS_MAX + 1 }, (_, i) => fakeTx(i));
    const sizes: number[] = [];
    const results = await submitBatch(txs, accepting(sizes));
    expect(sizes).toEqual([SUBMIT_BATCH_TXS_MAX, SUBMIT_BATCH_TXS_MAX, 1]);
    expect(results.map((r) => r.id)).toEqual(txs.map((tx) => toHex(tx.id)));
    expect(results.every((r) => r.ok)).toBe(true);
  });

  it("splits by bytes so no request exceeds its byte bound", async () => {
    const big = Math.floor(SUBMIT_BATCH_BYTES_MAX / 3);
    const txs = Array.from({ length: 7 }, (_, i) => fakeTx(i, big));
    const sizes: number[] = [];
    await submitBatch(txs, accepting(sizes));
    expect(sizes).toEqual([3, 3, 1]);
    expect(await submitBatch([], accepting(sizes))).toEqual([]);
    expect(sizes).toHaveLength(3);
  });

  it("reports refusals with their codes, and a retried batch's duplicates as admitted", async () => {
    const txs = [fakeTx(1), fakeTx(2)];
    const refusing = (attempts: number) => async (): Promise<HttpAnswer> => ({
      status: 200,
      attempts,
      value: {
        results: [
          { error: { code: "TX_DUPLICATE", message: "seen" } },
          { error: { code: "NO_SUCH_CODE", message: "new node" } },
        ],
      },
    });
    const first = await submitBatch(txs, refusing(1));
    expect(first.map((r) => (r.ok ? "ok" : r.error.code))).toEqual(["TX_DUPLICATE", "INTERNAL"]);
    const unknown = first[1] as Extract<(typeof first)[number], { ok: false }>;
    expect(unknown.error.details.originalCode).toBe("NO_SUCH_CODE");
    const retried = await submitBatch(txs, refusing(2));
    expect(retried.map((r) => r.ok)).toEqual([true, false]);
  });

  it("refuses an answer with too few results or another transaction's id", async () => {
    const txs = [fakeTx(1), fakeTx(2)];
    const short = async (): Promise<HttpAnswer> => ({
      status: 200,
      attempts: 1,
      value: { results: [{ id: toHex(txs[0]?.id as Uint8Array) }] },
    });
    await expect(submitBatch(txs, short)).rejects.toBeInstanceOf(CareLedgerError);
    const swapped = async (): Promise<HttpAnswer> => ({
      status: 200,
      attempts: 1,
      value: { results: [...txs].reverse().map((tx) => ({ id: toHex(tx.id) })) },
    });
    await expect(submitBatch(txs, swapped)).rejects.toThrow(/batch.results\[0\].id/);
  });
});

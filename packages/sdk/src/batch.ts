import { type CareLedgerError, type SignedTx, toHex } from "@careledger/protocol";
import { errorWithCode } from "./errors.js";
import type { HttpAnswer } from "./http.js";
import { badResponse } from "./json.js";
import { type BatchResult, parseBatch } from "./wire.js";

/** Most transactions in one `POST /v1/txs/batch`; more are sent in several requests. */
export const SUBMIT_BATCH_TXS_MAX = 500;
/** Most transaction bytes in one batch request (base64 adds a third), under a node's body limit. */
export const SUBMIT_BATCH_BYTES_MAX = 4 * 1024 * 1024;

/** The fate of one transaction of a batch; `id` is always the transaction's own id. */
export type SubmitResult =
  | { readonly ok: true; readonly id: string }
  | { readonly ok: false; readonly id: string; readonly error: CareLedgerError };

/** Splits `txs` into bounded requests in order, and matches each answer to its transaction. */
export async function submitBatch(
  txs: readonly SignedTx[],
  send: (chunk: readonly SignedTx[]) => Promise<HttpAnswer>,
): Promise<SubmitResult[]> {
  const results: SubmitResult[] = [];
  for (const chunk of chunks(txs)) {
    const answer = await send(chunk);
    parseBatch(answer.value, chunk.length).forEach((result, index) => {
      const id = toHex((chunk[index] as SignedTx).id);
      results.push(resultOf(result, id, answer.attempts, `batch.results[${index}]`));
    });
  }
  return results;
}

function resultOf(result: BatchResult, id: string, attempts: number, where: string): SubmitResult {
  if (!("error" in result)) {
    if (result.id !== id) badResponse(`${where}.id`, id);
    return { ok: true, id };
  }
  const { code, message } = result.error;
  // A retried batch meets the transactions its earlier attempt got admitted.
  if (code === "TX_DUPLICATE" && attempts > 1) return { ok: true, id };
  return { ok: false, id, error: errorWithCode(code, message, { id }) };
}

function* chunks(txs: readonly SignedTx[]): Generator<SignedTx[]> {
  let chunk: SignedTx[] = [];
  let bytes = 0;
  for (const tx of txs) {
    const full = chunk.length === SUBMIT_BATCH_TXS_MAX;
    if (chunk.length > 0 && (full || bytes + tx.bytes.byteLength > SUBMIT_BATCH_BYTES_MAX)) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(tx);
    bytes += tx.bytes.byteLength;
  }
  if (chunk.length > 0) yield chunk;
}

import type { Agent } from "node:http";
import type { Signer } from "@careledger/protocol";
import { TX_TTL_MAX } from "@careledger/protocol";
import { getJson, postJson } from "./http.js";
import type { MixEntry, StepPlan } from "./messages.js";
import { sizeStats } from "./mix/sizes.js";
import { countFor } from "./openLoop.js";
import {
  isRevokeSlot,
  type Org,
  type PreparedTx,
  registerTx,
  revokeCount,
  selfRevokeTx,
} from "./txMix.js";

/** Most transactions in one /v1/txs/batch request (the API takes up to 1,000). */
export const BATCH_TXS_MAX = 500;

export interface LoadContext {
  readonly urls: readonly string[];
  readonly orgs: readonly Org[];
  readonly chain: Uint8Array;
  readonly agent: Agent;
  readonly roleCount: number;
  readonly revokeShare: number;
  /** Registered keys that have not revoked themselves yet. */
  readonly accounts: Signer[];
}

export interface BatchSink {
  admit(i: number): void;
  refuse(code: string): void;
}

let nextNode = 0;

/** Sends prepared transactions [from, to) as one batch to the next node in turn. */
export async function sendBatch(
  context: LoadContext,
  txs: readonly PreparedTx[],
  from: number,
  to: number,
  sink: BatchSink,
): Promise<void> {
  const url = context.urls[nextNode++ % context.urls.length] as string;
  try {
    const answer = await postJson(context.agent, `${url}/v1/txs/batch`, {
      txs: txs.slice(from, to).map((tx) => tx.base64),
    });
    if (answer.status !== 200) {
      for (let i = from; i < to; i++) sink.refuse(`HTTP_${answer.status}`);
      return;
    }
    const results = (answer.body as { results: Array<{ id?: string; error?: { code: string } }> })
      .results;
    for (const [j, result] of results.entries()) {
      if (result.id !== undefined && result.id === txs[from + j]?.idHex) sink.admit(from + j);
      else sink.refuse(result.error?.code ?? "ID_MISMATCH");
    }
  } catch {
    for (let i = from; i < to; i++) sink.refuse("NETWORK");
  }
}

export async function currentHeight(url: string): Promise<number> {
  return ((await getJson(`${url}/v1/status`)) as { height: number }).height;
}

/** The step's transactions, signed before the clock starts: registers and self-revokes. */
export async function presign(
  context: LoadContext,
  plan: StepPlan,
): Promise<{ txs: PreparedTx[]; mix: Record<string, MixEntry> }> {
  const total = countFor(plan.rate, (plan.warmupMs + plan.windowMs) / 1000);
  // Expiry counts from now: admission takes it up to TX_TTL_MAX heights ahead.
  const expires = (await currentHeight(context.urls[0] as string)) + TX_TTL_MAX;
  const txs: PreparedTx[] = [];
  for (let i = 0; i < total; i++) {
    if (isRevokeSlot(i, context.revokeShare)) {
      const account = context.accounts.pop();
      if (account === undefined) throw new Error("not enough registered accounts for the revokes");
      txs.push(selfRevokeTx(account, context.chain, expires));
    } else {
      const org = context.orgs[i % context.orgs.length] as Org;
      // Keys registered here never sign, so random bytes cost the ledger what real keys would.
      const key = crypto.getRandomValues(new Uint8Array(32));
      txs.push(registerTx(org, context.chain, expires, key, context.roleCount));
    }
  }
  return { txs, mix: sizeStats(txs) };
}

export function revokesNeeded(plan: StepPlan, revokeShare: number): number {
  return revokeCount(countFor(plan.rate, (plan.warmupMs + plan.windowMs) / 1000), revokeShare);
}

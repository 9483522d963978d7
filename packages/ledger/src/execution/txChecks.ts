import {
  bytesEqual,
  CareLedgerError,
  type ErrorCode,
  type SignedTx,
  TX_TTL_MAX,
  verifySignedTx,
} from "@careledger/protocol";
import { hexOf } from "../hex.js";
import type { TxType } from "../modules/module.js";
import type { ExecuteOptions, ExecutionEnvironment } from "./environment.js";

/** A transaction that passed every check a block must pass, with its decoded payload. */
export interface CheckedTx {
  /** Its position in the list that was screened. */
  readonly index: number;
  readonly signed: SignedTx;
  readonly idHex: string;
  readonly sender: string;
  readonly handler: TxType;
  readonly payload: unknown;
}

export interface RefusedTx {
  readonly index: number;
  readonly code: ErrorCode;
  readonly reason: string;
}

/**
 * The checks that make a block invalid as a whole when one transaction fails them (ARCHITECTURE.md):
 * wrong chain, expired, expiring too far ahead, unknown type, malformed payload, bad signature,
 * duplicate (within the list, in an in-flight block below, or committed). Returns the passing
 * transactions in order and the refused ones with their codes.
 */
export async function screenTransactions(
  env: ExecutionEnvironment,
  txs: readonly SignedTx[],
  height: number,
  options: ExecuteOptions,
): Promise<{ accepted: CheckedTx[]; refused: RefusedTx[] }> {
  const accepted: CheckedTx[] = [];
  const refused: RefusedTx[] = [];
  const seen = new Set<string>();
  const parents = options.parents ?? [];
  const idsHex = txs.map((signed) => hexOf(signed.id));
  const committed = await env.committedTxs(txs, idsHex);
  txs.forEach((signed, index) => {
    const idHex = idsHex[index] as string;
    if (seen.has(idHex) || committed[index] || parents.some((p) => p.txIds.has(idHex))) {
      refused.push({ index, code: "TX_DUPLICATE", reason: `transaction ${idHex} appears twice` });
      return;
    }
    seen.add(idHex);
    try {
      accepted.push(checkTx(env, signed, index, idHex, height, options));
    } catch (error) {
      if (!(error instanceof CareLedgerError)) throw error;
      refused.push({ index, code: error.code, reason: error.message });
    }
  });
  return { accepted, refused };
}

function checkTx(
  env: ExecutionEnvironment,
  signed: SignedTx,
  index: number,
  idHex: string,
  height: number,
  options: ExecuteOptions,
): CheckedTx {
  const { handler, payload } = checkWithoutSignature(env, signed, height);
  const trusted = options.isVerified?.(idHex) ?? false;
  if (!trusted && !verifySignedTx(signed, env.verifier)) {
    throw new CareLedgerError("TX_BAD_SIGNATURE", "signature does not verify");
  }
  return { index, signed, idHex, sender: hexOf(signed.tx.from), handler, payload };
}

/**
 * Throws the failing rule. A function, not an arrow made per call: under tsx (esbuild's
 * keepNames) every arrow bound to a name is renamed with Object.defineProperty as it is made,
 * which cost about 1% of a block here.
 */
function fail(code: ErrorCode, reason: string): never {
  throw new CareLedgerError(code, reason);
}

/**
 * The checks that need neither state nor a signature check: chain, expiry window at `height`,
 * a known type and a payload of its schema. Throws the failing rule as a CareLedgerError.
 */
export function checkWithoutSignature(
  env: Pick<ExecutionEnvironment, "chainId" | "registry">,
  signed: SignedTx,
  height: number,
): { handler: TxType; payload: unknown } {
  const { tx } = signed;
  if (!bytesEqual(tx.chain, env.chainId))
    fail("TX_WRONG_CHAIN", "transaction is for another chain");
  if (tx.expires < height) fail("TX_EXPIRED", `expired at ${tx.expires}, block is ${height}`);
  if (tx.expires > height + TX_TTL_MAX) {
    fail("TX_EXPIRY_TOO_FAR", `expires ${tx.expires} is more than ${TX_TTL_MAX} above ${height}`);
  }
  const handler = env.registry.txType(tx.type);
  if (handler === undefined) return fail("TX_UNKNOWN_TYPE", `no module handles ${tx.type}`);
  return { handler, payload: handler.contract.payload.check(tx.payload) };
}

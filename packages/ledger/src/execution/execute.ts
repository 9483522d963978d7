import {
  type Block,
  blockHash,
  bytesEqual,
  CareLedgerError,
  HEADER_VERSION,
  type Header,
  type SignedTx,
  validatorsHash,
} from "@careledger/protocol";
import { hexOf } from "../hex.js";
import type { CommittedHead, ExecuteOptions, ExecutionEnvironment } from "./environment.js";
import type { ExecutionResult } from "./result.js";
import { receiptsRootFast, txRootFast } from "./roots.js";
import { type BlockOutcome, parentOf, runBlock } from "./run.js";
import { type RefusedTx, screenTransactions } from "./txChecks.js";

const invalid = (reason: string, details: Record<string, unknown> = {}): never => {
  throw new CareLedgerError("BLOCK_INVALID", reason, details);
};

/**
 * Executes a received block on an overlay (over in-flight parents, if any) and checks that its
 * header is exactly what execution gives: link to the parent, time, every root, both validator
 * hashes. Throws `BLOCK_INVALID` naming the first difference; touches no database.
 */
export async function executeBlock(
  env: ExecutionEnvironment,
  block: Block,
  options: ExecuteOptions = {},
): Promise<ExecutionResult> {
  const { header } = block;
  const parent = parentOf(env, options);
  checkLink(env, parent, header);
  if (!bytesEqual(txRootFast(block.txs), header.txRoot)) invalid("txRoot does not match");
  const { accepted, refused } = await screenTransactions(env, block.txs, header.height, options);
  const first = refused[0];
  if (first) invalid(`transaction ${first.index}: ${first.reason}`, { ...first });
  const outcome = await runBlock(env, accepted, header.height, header.time, options);
  if (block.txs.length > outcome.config.params.blockTxsMax) {
    invalid(
      `${block.txs.length} transactions, blockTxsMax is ${outcome.config.params.blockTxsMax}`,
    );
  }
  const expected = rootsOf(outcome);
  for (const [name, value] of Object.entries(expected)) {
    if (!bytesEqual(header[name as keyof typeof expected], value))
      invalid(`${name} does not match`);
  }
  return resultOf(header, block.txs, outcome);
}

export interface BuildRequest {
  readonly height: number;
  readonly view: number;
  readonly proposer: Uint8Array;
  /** The proposer's clock, ms; must be after the parent's time. */
  readonly time: number;
  readonly txs: readonly SignedTx[];
}

export interface BuiltBlock {
  readonly block: Block;
  readonly result: ExecutionResult;
  /** Candidates left out because a block holding them would be invalid, with the reason. */
  readonly excluded: ReadonlyArray<RefusedTx & { readonly id: Uint8Array }>;
}

/** Builds the proposer's block: screens candidates, executes, and fills in the whole header. */
export async function buildBlock(
  env: ExecutionEnvironment,
  request: BuildRequest,
  options: ExecuteOptions = {},
): Promise<BuiltBlock> {
  const parent = parentOf(env, options);
  const { accepted, refused } = await screenTransactions(env, request.txs, request.height, options);
  const txs = accepted.map((checked) => checked.signed);
  const outcome = await runBlock(env, accepted, request.height, request.time, options);
  const header: Header = {
    v: HEADER_VERSION,
    chain: env.chainId,
    height: request.height,
    prevHash: parent.hash,
    time: request.time,
    proposer: request.proposer,
    view: request.view,
    txRoot: txRootFast(txs),
    ...rootsOf(outcome),
  };
  checkLink(env, parent, header);
  const excluded = refused.map((entry) => ({
    ...entry,
    id: (request.txs[entry.index] as SignedTx).id,
  }));
  return { block: { header, txs }, result: resultOf(header, txs, outcome), excluded };
}

function checkLink(env: ExecutionEnvironment, parent: CommittedHead, header: Header): void {
  if (!bytesEqual(header.chain, env.chainId)) invalid("block is for another chain");
  if (header.height !== parent.header.height + 1) {
    invalid(`height ${header.height} does not follow ${parent.header.height}`);
  }
  if (!bytesEqual(header.prevHash, parent.hash)) invalid("prevHash is not the parent's hash");
  if (header.time <= parent.header.time) invalid("time is not after the parent's time");
}

function rootsOf(outcome: BlockOutcome) {
  return {
    stateRoot: outcome.root.hash,
    receiptsRoot: receiptsRootFast(outcome.encodedReceipts),
    validatorsHash: validatorsHash(outcome.config.validators),
    nextValidatorsHash: validatorsHash(outcome.nextConfig.validators),
  };
}

function resultOf(
  header: Header,
  txs: readonly SignedTx[],
  outcome: BlockOutcome,
): ExecutionResult {
  return {
    header,
    hash: blockHash(header),
    receipts: outcome.receipts,
    encodedReceipts: outcome.encodedReceipts,
    writeSet: outcome.writeSet,
    stateWrites: outcome.stateWrites,
    nodeWrites: outcome.nodeWrites,
    root: outcome.root,
    txIds: new Set(txs.map((signed) => hexOf(signed.id))),
    validators: outcome.config.validators,
    nextValidators: outcome.nextConfig.validators,
    params: outcome.config.params,
    scheduled: outcome.scheduled,
  };
}

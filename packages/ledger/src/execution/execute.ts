import {
  BLOCK_TXS_MAX,
  type Block,
  blockHash,
  bytesEqual,
  CareLedgerError,
  type ConsensusParams,
  HEADER_VERSION,
  type Header,
  type SignedTx,
  validatorsHash,
} from "@careledger/protocol";
import { hexOf } from "../hex.js";
import type { CommittedHead, ExecuteOptions, ExecutionEnvironment } from "./environment.js";
import type { ExecutionResult } from "./result.js";
import { receiptsRootFast, txRootFast } from "./roots.js";
import { type BlockOutcome, openBlock, parentOf, runBlock } from "./run.js";
import { screenSenders } from "./senders.js";
import { type RefusedTx, screenTransactions } from "./txChecks.js";

const invalid = (reason: string, details: Record<string, unknown> = {}): never => {
  throw new CareLedgerError("BLOCK_INVALID", reason, details);
};

/**
 * Executes a received block on an overlay (over in-flight parents, if any) and checks that its
 * header is exactly what execution gives: link to the parent, time (and, given `options.now`, not
 * too far ahead), the block size, every transaction's sender, every root, both validator hashes.
 * Throws `BLOCK_INVALID` naming the first difference; touches no database.
 */
export async function executeBlock(
  env: ExecutionEnvironment,
  block: Block,
  options: ExecuteOptions = {},
): Promise<ExecutionResult> {
  const { header } = block;
  const parent = parentOf(env, options);
  checkLink(env, parent, header);
  if (block.txs.length > BLOCK_TXS_MAX) {
    invalid(`${block.txs.length} transactions, BLOCK_TXS_MAX is ${BLOCK_TXS_MAX}`);
  }
  if (!bytesEqual(txRootFast(block.txs), header.txRoot)) invalid("txRoot does not match");
  const screened = await screenTransactions(env, block.txs, header.height, options);
  refuseFirst(screened.refused);
  const opened = await openBlock(env, screened.accepted, header.height, options);
  const { params } = opened.config;
  checkTime(header.time, params, options.now);
  // Before any transaction runs: a block over the bound is refused for the price of a count.
  if (block.txs.length > params.blockTxsMax) {
    invalid(`${block.txs.length} transactions, blockTxsMax is ${params.blockTxsMax}`);
  }
  const senders = await screenSenders(opened.state, screened.accepted);
  refuseFirst(senders.refused);
  const outcome = await runBlock(
    env,
    opened,
    senders.accepted,
    header.height,
    header.time,
    options,
  );
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
  /** Valid candidates left out because the block reached `blockTxsMax`: they wait for the next. */
  readonly deferred: readonly Uint8Array[];
}

/**
 * Builds the proposer's block: screens candidates (as executeBlock would refuse them), keeps at
 * most `blockTxsMax`, executes, and fills in the whole header. Given `options.now`, refuses
 * (BLOCK_INVALID) a time this node's own verdict would refuse, so it never proposes one.
 */
export async function buildBlock(
  env: ExecutionEnvironment,
  request: BuildRequest,
  options: ExecuteOptions = {},
): Promise<BuiltBlock> {
  const parent = parentOf(env, options);
  const screened = await screenTransactions(env, request.txs, request.height, options);
  const opened = await openBlock(env, screened.accepted, request.height, options);
  const { params } = opened.config;
  checkTime(request.time, params, options.now);
  const senders = await screenSenders(opened.state, screened.accepted);
  const included = senders.accepted.slice(0, params.blockTxsMax);
  const deferred = senders.accepted.slice(params.blockTxsMax).map((checked) => checked.signed.id);
  const txs = included.map((checked) => checked.signed);
  const outcome = await runBlock(env, opened, included, request.height, request.time, options);
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
  const excluded = [...screened.refused, ...senders.refused].map((entry) => ({
    ...entry,
    id: (request.txs[entry.index] as SignedTx).id,
  }));
  return { block: { header, txs }, result: resultOf(header, txs, outcome), excluded, deferred };
}

function refuseFirst(refused: readonly RefusedTx[]): void {
  const first = refused[0];
  if (first) invalid(`transaction ${first.index}: ${first.reason}`, { ...first });
}

/**
 * A header's time may be at most `clockSkewMaxMs` ahead of this node's clock (ARCHITECTURE.md):
 * without the bound one Byzantine primary's far-future time (Number.MAX_SAFE_INTEGER, or ten years
 * on) would expire every proposal and leave no time an honest successor could write after it.
 * Only a proposal's verdict has a clock (`now`); a certified block was judged by its quorum.
 */
function checkTime(time: number, params: ConsensusParams, now: number | undefined): void {
  if (now === undefined || time - now <= params.clockSkewMaxMs) return;
  const aheadMs = time - now;
  invalid(`time is ${aheadMs} ms ahead of this node's clock, more than clockSkewMaxMs`, {
    aheadMs,
    clockSkewMaxMs: params.clockSkewMaxMs,
  });
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

import type { Header, SignedTx, Verifier } from "@careledger/protocol";
import type { ModuleRegistry } from "../modules/registry.js";
import type { Subtree, TreeNode } from "../smt/node.js";
import type { CommittedReader } from "../state/blockState.js";
import type { ExecutionResult } from "./result.js";

/** The committed head a block executes on (when no in-flight block lies between). */
export interface CommittedHead {
  readonly header: Header;
  readonly hash: Uint8Array;
  readonly root: Subtree;
}

/** What execution needs from the ledger: committed reads only, never a write. */
export interface ExecutionEnvironment {
  readonly chainId: Uint8Array;
  readonly registry: ModuleRegistry;
  readonly verifier: Verifier;
  readonly head: CommittedHead;
  readonly readState: CommittedReader;
  readNodes(paths: readonly string[]): Promise<ReadonlyArray<TreeNode | null>>;
  /** For each transaction (with its hex id), whether a committed block holds it. */
  committedTxs(txs: readonly SignedTx[], idsHex: readonly string[]): Promise<boolean[]>;
  /**
   * Told of a handler's unexpected exception: in `execute` (its receipt says only
   * EXECUTION_FAILED) or in `reads` (the transaction then runs without a prefetch).
   */
  handlerFailed?(txIdHex: string, type: string, error: unknown): void;
}

export interface ExecuteOptions {
  /** Executed but uncommitted blocks below this one, lowest height first, starting at head + 1. */
  readonly parents?: readonly ExecutionResult[];
  /** True for a transaction whose signature the mempool already checked (by hex id). */
  readonly isVerified?: (idHex: string) => boolean;
  /**
   * This node's clock (ms), when it judges a proposal or builds one: a header time more than
   * `clockSkewMaxMs` ahead of it is refused. Absent for certified blocks (commit, block sync).
   */
  readonly now?: number;
}

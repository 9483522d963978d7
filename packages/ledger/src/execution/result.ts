import type { ConsensusParams, Header, Receipt, ValidatorSet } from "@careledger/protocol";
import type { ScheduledChange } from "../modules/governance/consensusState.js";
import type { NodeWrites, Subtree } from "../smt/node.js";
import type { StateWrites } from "../state/blockState.js";

/**
 * Everything executing a block produced, held in memory until `commit` writes it in one batch.
 * Also the overlay a later in-flight block executes on (consensus pipelines a window of heights).
 */
export interface ExecutionResult {
  readonly header: Header;
  readonly hash: Uint8Array;
  readonly receipts: readonly Receipt[];
  /** Each receipt's canonical encoding: the receiptsRoot leaves, and what commit stores. */
  readonly encodedReceipts: readonly Uint8Array[];
  /** State keys to their canonical encodings, or null for removals: the block's write set. */
  readonly writeSet: ReadonlyMap<string, Uint8Array | null>;
  /** The same writes, decoded, for blocks executing on top of this one. */
  readonly stateWrites: StateWrites;
  readonly nodeWrites: NodeWrites;
  readonly root: Subtree;
  /** Hex ids of the block's transactions, for the duplicate check of blocks above it. */
  readonly txIds: ReadonlySet<string>;
  /** The validator set of this height (its header's validatorsHash) and of the next one. */
  readonly validators: ValidatorSet;
  readonly nextValidators: ValidatorSet;
  /** Consensus parameters in force at this height. */
  readonly params: ConsensusParams;
  /** Consensus changes that governance decided in this block, with the height each applies. */
  readonly scheduled: readonly ScheduledChange[];
}

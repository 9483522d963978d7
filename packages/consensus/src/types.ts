import type {
  Block,
  CommitCertificate,
  CommitVote,
  ConsensusParams,
  Header,
  Signer,
  ValidatorSet,
  Verifier,
} from "@careledger/protocol";

/** A vote signature with the signer's index in the validator set of the voted height. */
export type Vote = CommitVote;

/** Proof that a quorum prepared `hash` at (height, view): PREPARE signatures, ascending index. */
export interface PreparedCertificate {
  readonly height: number;
  readonly view: number;
  readonly hash: Uint8Array;
  /** The prepared block's header, so a new view can be checked for linkage without the body. */
  readonly header: Header;
  readonly votes: readonly Vote[];
}

interface SignedFields {
  /** The sender's public key. */
  readonly from: Uint8Array;
  readonly sig: Uint8Array;
}

export interface PrePrepareMessage extends SignedFields {
  readonly kind: "preprepare";
  readonly height: number;
  readonly view: number;
  readonly hash: Uint8Array;
  readonly block: Block;
}

export interface PrepareMessage extends SignedFields {
  readonly kind: "prepare";
  readonly height: number;
  readonly view: number;
  readonly hash: Uint8Array;
}

/** Its signature is over `commitSigningBytes`, so commits assemble into certificates as they are. */
export interface CommitMessage extends SignedFields {
  readonly kind: "commit";
  readonly height: number;
  readonly view: number;
  readonly hash: Uint8Array;
}

export interface CheckpointMessage extends SignedFields {
  readonly kind: "checkpoint";
  readonly height: number;
  readonly hash: Uint8Array;
}

export interface ViewChangeMessage extends SignedFields {
  readonly kind: "viewchange";
  readonly view: number;
  readonly committedHeight: number;
  readonly committedHash: Uint8Array;
  /** Certificate of `committedHeight`; null only for the genesis height, which needs none. */
  readonly certificate: CommitCertificate | null;
  /** The sender's highest-view prepared certificate for each height above its committed one. */
  readonly prepared: readonly PreparedCertificate[];
  /**
   * The bodies of the prepared blocks (not signed: each is checked against its certificate's
   * hash). A new view carries its view changes without them, since headers suffice to check it.
   */
  readonly blocks: readonly Block[];
}

export interface NewViewMessage extends SignedFields {
  readonly kind: "newview";
  readonly view: number;
  /** A quorum of view changes for `view`, bodies stripped. */
  readonly viewChanges: readonly ViewChangeMessage[];
}

export type ConsensusMessage =
  | PrePrepareMessage
  | PrepareMessage
  | CommitMessage
  | CheckpointMessage
  | ViewChangeMessage
  | NewViewMessage;

export type TimerName = "progress" | "viewChange" | "emptyBlock" | "sync";

/** What the replica writes to durable storage; a restarted replica is rebuilt from these. */
export type PersistRecord =
  | {
      readonly type: "view";
      readonly view: number;
      readonly changing: boolean;
      /**
       * The new view installed (null while changing, and for view 0): its plan binds the replica
       * after a restart too, so it never takes a fresh block at a height the plan re-proposes.
       */
      readonly newView: NewViewMessage | null;
      /**
       * The highest view this replica was in (installed, joined or returned to): it returns from
       * a view change only to a view at or above it (rejoin.ts). Records of older builds lack it.
       */
      readonly entered?: number;
      /**
       * In `view`, it votes only at heights above this one (0: everywhere). Set when it joined or
       * returned to the view without its new view (rejoin.ts); records of older builds lack it.
       */
      readonly votesAbove?: number;
    }
  | {
      readonly type: "prepare";
      readonly height: number;
      readonly view: number;
      readonly hash: Uint8Array;
      readonly block: Block;
    }
  | {
      readonly type: "commit";
      readonly height: number;
      readonly view: number;
      readonly hash: Uint8Array;
      readonly certificate: PreparedCertificate;
    };

export type Event = (
  | { readonly type: "start" }
  | { readonly type: "message"; readonly message: ConsensusMessage }
  | { readonly type: "timer"; readonly name: TimerName }
  /** The application's answer to `requestProposal`. */
  | { readonly type: "proposal"; readonly block: Block }
  /** The application's verdict on a block it was asked to execute. */
  | { readonly type: "verdict"; readonly hash: Uint8Array; readonly valid: boolean }
  /** Whether the mempool holds transactions that no in-flight block carries. */
  | { readonly type: "txsPending"; readonly pending: boolean }
  /** An admitted transaction waited longer than `requestTimeoutMs` without committing. */
  | { readonly type: "requestTimedOut" }
  /** The application committed, at height `decidedAt`, a change to this validator set. */
  | {
      readonly type: "validatorSetChanged";
      readonly decidedAt: number;
      readonly validators: ValidatorSet;
    }
  /** The application committed (certificates checked) every block up to `height`. */
  | {
      readonly type: "synced";
      readonly height: number;
      readonly hash: Uint8Array;
      readonly certificate: CommitCertificate;
    }
) & { readonly now: number };

export type Effect =
  | { readonly type: "send"; readonly to: Uint8Array; readonly message: ConsensusMessage }
  /** To every other replica (validators and followers). */
  | { readonly type: "broadcast"; readonly message: ConsensusMessage }
  | { readonly type: "setTimer"; readonly name: TimerName; readonly at: number }
  | { readonly type: "cancelTimer"; readonly name: TimerName }
  /** Must be durable before any later effect of the same list is executed. */
  | { readonly type: "persist"; readonly record: PersistRecord }
  | {
      readonly type: "requestProposal";
      readonly height: number;
      readonly view: number;
      readonly prevHash: Uint8Array;
      readonly proposer: Uint8Array;
      /**
       * Most bytes of the encoded block: what the view-change body budget leaves (bodyBudget.ts).
       * A larger block is refused by the replica (and by every backup).
       */
      readonly bytesMax: number;
    }
  | { readonly type: "execute"; readonly block: Block; readonly hash: Uint8Array }
  | { readonly type: "deliver"; readonly block: Block; readonly certificate: CommitCertificate }
  | { readonly type: "requestSync"; readonly fromHeight: number; readonly toHeight: number };

/** Where the chain stands when the replica is built: the application's last committed block. */
export interface CommittedHead {
  readonly height: number;
  readonly hash: Uint8Array;
  /** Null only at the genesis height. */
  readonly certificate: CommitCertificate | null;
}

export interface ReplicaConfig {
  readonly chainId: Uint8Array;
  readonly signer: Signer;
  readonly verifier: Verifier;
  readonly params: ConsensusParams;
  /** Validator set in force from height 1 (genesis), before any change. */
  readonly genesisValidators: ValidatorSet;
  /** The hash height 1 links to (its `prevHash`). */
  readonly genesisHash: Uint8Array;
  /**
   * The operator's word that this validator never voted with this key (`--unsafe-reset-votes`):
   * an empty consensus log on a chain past genesis is then not taken for a lost one.
   */
  readonly unsafeResetVotes?: boolean;
  /**
   * Body bytes a view change may carry (`BODY_BYTES_BUDGET` unless set): the simulator sets a
   * small one to reach the bound with small blocks.
   */
  readonly bodyBytesBudget?: number;
  /** Quorum rule; injectable only so a test can plant a bug and watch the simulator catch it. */
  readonly quorum?: (validatorCount: number) => number;
}

export interface ReplicaCounters {
  /** Messages refused, by reason. */
  readonly dropped: Map<string, number>;
}

import { type Block, bytesEqual, toHex, type ValidatorSet } from "@careledger/protocol";
import type { Amnesia } from "./amnesia.js";
import { BODY_BYTES_BUDGET } from "./bodyBudget.js";
import type {
  CommittedHead,
  Effect,
  NewViewMessage,
  PreparedCertificate,
  ReplicaConfig,
  TimerName,
  ViewChangeMessage,
} from "./types.js";
import { ValidatorSchedule } from "./validatorSet.js";

/** Views above the current one whose votes are kept (they may arrive before the new view). */
export const VIEWS_AHEAD_MAX = 2;
/** Blocks remembered per height: one per view kept (current and ahead), the prepared one, one spare. */
export const SLOT_BLOCKS_MAX = VIEWS_AHEAD_MAX + 3;
/** Longest view-change timeout, as a power of two of the first one. */
export const VIEW_CHANGE_BACKOFF_EXPONENT_MAX = 5;

/** One vote per validator per (height, view, kind): a second, different one is refused. */
export interface VoteBox {
  readonly hash: string;
  readonly sig: Uint8Array;
}

/** Everything the replica knows about one in-flight height. */
export interface Slot {
  readonly height: number;
  readonly blocks: Map<string, { readonly block: Block; readonly hash: Uint8Array }>;
  readonly verdicts: Map<string, boolean>;
  readonly executing: Set<string>;
  /** The pre-prepared hash of each view. */
  readonly accepted: Map<number, string>;
  /** view -> validator index -> vote. */
  readonly prepares: Map<number, Map<number, VoteBox>>;
  readonly commits: Map<number, Map<number, VoteBox>>;
  /** The highest-view prepared certificate held for this height. */
  prepared: PreparedCertificate | null;
  /** Views in which this replica already sent its prepare / commit here (skips rework). */
  preparedIn: number;
  committedIn: number;
}

export function newSlot(height: number): Slot {
  return {
    height,
    blocks: new Map(),
    verdicts: new Map(),
    executing: new Set(),
    accepted: new Map(),
    prepares: new Map(),
    commits: new Map(),
    prepared: null,
    preparedIn: -1,
    committedIn: -1,
  };
}

/** The replica's whole state. Mutated only inside `Replica.handle`, one event at a time. */
export class ReplicaState {
  readonly config: ReplicaConfig;
  readonly quorumOf: (validatorCount: number) => number;
  readonly schedule: ValidatorSchedule;
  readonly me: string;
  /** Body bytes a view change may carry (bodyBudget.ts). */
  readonly bodyBytesBudget: number;
  now = 0;
  view = 0;
  /** Between sending a view change and accepting the new view. */
  changing = false;
  /** The highest view this replica was in, not only asking for (rejoin.ts). */
  entered = 0;
  /** In the current view, no vote at or below this height (rejoin.ts); 0 once a new view is in. */
  votesAbove = 0;
  /** The committed height when this replica last asked to leave its view (rejoin.ts). */
  leftAt = 0;
  /** Below its rejoin floor, it fetched blocks instead of suspecting, and nothing committed since. */
  floorSyncTried = false;
  head: CommittedHead;
  readonly slots = new Map<number, Slot>();
  /** `kind:height:view` -> hash hex of what this replica signed. */
  readonly ownVotes = new Map<string, string>();
  /** Latest view change per sender. */
  readonly viewChanges = new Map<string, ViewChangeMessage>();
  /** Latest checkpoint per sender. */
  readonly checkpoints = new Map<string, { readonly height: number; readonly hash: Uint8Array }>();
  newView: NewViewMessage | null = null;
  /** Hashes the accepted new view re-proposes, by height. */
  readonly runHashes = new Map<number, string>();
  runEnd = 0;
  proposalPending: number | null = null;
  txsPending = false;
  emptyDue = false;
  viewChangeAttempts = 0;
  syncTarget: number | null = null;
  /** Set while a validator that lost its consensus log must not vote (amnesia.ts). */
  amnesia: Amnesia | null = null;
  readonly dropped = new Map<string, number>();
  out: Effect[] = [];

  constructor(config: ReplicaConfig, head: CommittedHead, quorumOf: (n: number) => number) {
    this.config = config;
    this.quorumOf = quorumOf;
    this.head = head;
    this.schedule = new ValidatorSchedule(config.genesisValidators);
    this.me = toHex(config.signer.publicKey);
    this.bodyBytesBudget = config.bodyBytesBudget ?? BODY_BYTES_BUDGET;
    this.runEnd = head.height;
    this.leftAt = head.height;
  }

  get params() {
    return this.config.params;
  }

  /** The set that governs the next height to commit: the one view changes are counted in. */
  currentSet(): ValidatorSet {
    return this.schedule.setAt(this.head.height + 1);
  }

  quorumAt(height: number): number {
    return this.quorumOf(this.schedule.setAt(height).length);
  }

  /** Highest height this replica handles now: the window, never across an epoch boundary. */
  highestInFlight(): number {
    const window = this.head.height + this.params.window;
    return Math.min(window, this.schedule.lastHeightOfEpoch(this.head.height + 1));
  }

  primaryOf(view: number): Uint8Array | undefined {
    const set = this.currentSet();
    return set[view % set.length];
  }

  isPrimary(view: number): boolean {
    const primary = this.primaryOf(view);
    return primary !== undefined && bytesEqual(primary, this.config.signer.publicKey);
  }

  myIndex(height: number): number {
    return this.schedule.indexOfHex(height, this.me);
  }

  /** Whether this replica votes at `height`: a validator there that has not lost its log. */
  votesAt(height: number): boolean {
    return this.amnesia === null && this.myIndex(height) >= 0;
  }

  slot(height: number): Slot | undefined {
    if (height <= this.head.height || height > this.highestInFlight()) return undefined;
    let slot = this.slots.get(height);
    if (slot === undefined) {
      slot = newSlot(height);
      this.slots.set(height, slot);
    }
    return slot;
  }

  drop(reason: string): void {
    this.dropped.set(reason, (this.dropped.get(reason) ?? 0) + 1);
  }

  setTimer(name: TimerName, at: number): void {
    this.out.push({ type: "setTimer", name, at });
  }

  viewChangeTimeout(): number {
    const exponent = Math.min(this.viewChangeAttempts, VIEW_CHANGE_BACKOFF_EXPONENT_MAX);
    return this.params.viewChangeTimeoutMs * 2 ** exponent;
  }

  /** Persists where the replica stands: its view, and the new view it installed in it. */
  persistView(): void {
    // A replica that lost its log writes no view record until it may vote: a restart in between
    // must still find the log empty.
    if (this.amnesia !== null) return;
    const newView = this.changing ? null : this.newView;
    this.out.push({
      type: "persist",
      record: {
        type: "view",
        view: this.view,
        changing: this.changing,
        newView,
        entered: this.entered,
        votesAbove: this.votesAbove,
      },
    });
  }

  /** Re-arms the timer that starts a view change when nothing commits. */
  armProgressTimer(): void {
    const wait = this.params.emptyBlockIntervalMs + this.viewChangeTimeout();
    this.setTimer("progress", this.now + wait);
  }

  /** Is the hash of `height - 1` this `prevHash`, and is that parent valid in `view`? */
  parentReady(height: number, view: number, prevHash: Uint8Array): boolean {
    if (height - 1 === this.head.height) return bytesEqual(prevHash, this.head.hash);
    const parent = this.slots.get(height - 1);
    const hex = toHex(prevHash);
    return parent?.accepted.get(view) === hex && parent.verdicts.get(hex) === true;
  }

  /** Number of stored log entries; the simulator asserts it stays under `logBound`. */
  logSize(): number {
    let size = this.viewChanges.size + this.checkpoints.size + this.ownVotes.size;
    for (const slot of this.slots.values()) {
      size += slot.blocks.size + slot.accepted.size;
      for (const votes of slot.prepares.values()) size += votes.size;
      for (const votes of slot.commits.values()) size += votes.size;
    }
    return size;
  }

  certificateOf(height: number, view: number, hash: string, votes: Map<number, VoteBox>) {
    const chosen = [...votes.entries()]
      .filter(([, vote]) => vote.hash === hash)
      .sort(([a], [b]) => a - b)
      .map(([validator, vote]) => ({ validator, sig: vote.sig }));
    return { height, view, votes: chosen };
  }
}

/** A bound on `logSize` for `validatorCount` validators and `window` heights in flight. */
export function logBound(validatorCount: number, window: number): number {
  const viewsKept = VIEWS_AHEAD_MAX + 1;
  const perSlot = SLOT_BLOCKS_MAX + viewsKept * (1 + 2 * validatorCount);
  return window * perSlot + 2 * validatorCount + 2 * window * viewsKept;
}

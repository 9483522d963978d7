import { bytesEqual, quorumSize, toHex, type ValidatorSet } from "@careledger/protocol";
import { learnViews } from "./amnesia.js";
import { deliverCommitted, moveHead, onCheckpoint } from "./checkpoint.js";
import { verifyMessage } from "./messages.js";
import { adoptPlan, onNewView, planNewView } from "./newView.js";
import { advanceSlots, onPrePrepare, onVote, rememberBlock } from "./normalCase.js";
import { refusedBeforeSignature } from "./precheck.js";
import { onProposal, resendProposals, tryPropose } from "./proposer.js";
import { followCommitView, syncBeforeSuspecting } from "./rejoin.js";
import { ReplicaState } from "./state.js";
import type {
  CommittedHead,
  ConsensusMessage,
  Effect,
  Event,
  PersistRecord,
  ReplicaConfig,
  TimerName,
} from "./types.js";
import { onViewChange, sendViewChange, startViewChange } from "./viewChange.js";

/** A validator-set change the application committed, replayed into a restarted replica. */
export interface ValidatorChange {
  readonly decidedAt: number;
  readonly validators: ValidatorSet;
}

/**
 * The PBFT replica. `handle` is deterministic: the same events in the same order give the
 * same effects; it reads no clock, socket, disk or randomness (time arrives in `event.now`).
 */
export class Replica {
  private readonly r: ReplicaState;

  private constructor(state: ReplicaState) {
    this.r = state;
  }

  /** A fresh replica at the application's committed head. Send it a `start` event first. */
  static create(
    config: ReplicaConfig,
    head: CommittedHead,
    changes: readonly ValidatorChange[] = [],
  ) {
    return Replica.restore(config, head, [], changes);
  }

  /**
   * Rebuilds a replica after a restart from the records it persisted, the application's
   * committed head and the validator-set changes the application committed. Its own votes come
   * back, so it never signs a second, different vote for a height and view it voted in.
   */
  static restore(
    config: ReplicaConfig,
    head: CommittedHead,
    records: readonly PersistRecord[],
    changes: readonly ValidatorChange[] = [],
  ): Replica {
    const r = new ReplicaState(config, head, config.quorum ?? quorumSize);
    for (const change of changes)
      r.schedule.schedule(change.decidedAt, change.validators, r.params);
    // The latest view record says where it stands (a return to a lower view writes a lower one).
    const viewRecord = records.findLast((record) => record.type === "view");
    if (viewRecord !== undefined) {
      r.view = viewRecord.view;
      r.changing = viewRecord.changing;
      r.newView = viewRecord.changing ? null : viewRecord.newView;
      // Records of older builds: no return (below its view) and no floor, as those builds did.
      r.entered = viewRecord.entered ?? viewRecord.view;
      r.votesAbove = viewRecord.votesAbove ?? 0;
    }
    // An empty log (no view record, no vote) on a chain past genesis is a lost one, unless the
    // operator says otherwise. Votes without a view record (a build before view records were
    // written at every start) are a log that was kept: their guards come back below.
    const logLost = head.height > 0 && records.length === 0;
    if (logLost && config.unsafeResetVotes !== true) {
      r.amnesia = { floor: 0, heard: new Set(), headAtStart: head.height };
    }
    // The plan is recomputed from the persisted new view, as a backup computes it on receipt.
    if (r.newView !== null) adoptPlan(r, planNewView(r.newView.viewChanges));
    restoreVotes(r, records);
    return new Replica(r);
  }

  handle(event: Event): Effect[] {
    const r = this.r;
    r.now = event.now;
    r.out = [];
    dispatch(r, event);
    for (let head = -1; head !== r.head.height; ) {
      head = r.head.height;
      if (followCommitView(r)) head = -1;
      advanceSlots(r);
      deliverCommitted(r);
    }
    tryPropose(r);
    return r.out;
  }

  get view(): number {
    return this.r.view;
  }

  get head(): CommittedHead {
    return this.r.head;
  }

  get changingView(): boolean {
    return this.r.changing;
  }

  /** Whether it waits, after losing its consensus log, for a view it may vote in (amnesia.ts). */
  get waitsForSafeView(): boolean {
    return this.r.amnesia !== null;
  }

  /** Messages refused, by reason. */
  get dropped(): ReadonlyMap<string, number> {
    return this.r.dropped;
  }

  logSize(): number {
    return this.r.logSize();
  }
}

function restoreVotes(r: ReplicaState, records: readonly PersistRecord[]): void {
  const bodies = new Map<string, PersistRecord & { type: "prepare" }>();
  for (const record of records) {
    if (record.type === "view" || record.height <= r.head.height) continue;
    const slot = r.slot(record.height);
    if (slot === undefined) continue;
    // Votes of views already left need no guard: this replica never votes in them again.
    if (record.view >= r.view) {
      r.ownVotes.set(`${record.type}:${record.height}:${record.view}`, toHex(record.hash));
    }
    if (record.type === "prepare") {
      bodies.set(toHex(record.hash), record);
      if (record.view === r.view) slot.accepted.set(r.view, toHex(record.hash));
    } else if (slot.prepared === null || slot.prepared.view < record.view) {
      slot.prepared = record.certificate;
    }
  }
  for (const slot of r.slots.values()) {
    const wanted = new Set(slot.accepted.values());
    if (slot.prepared !== null) wanted.add(toHex(slot.prepared.hash));
    for (const hex of wanted) {
      const body = bodies.get(hex);
      if (body !== undefined) rememberBlock(slot, body.block, body.hash);
    }
  }
}

function dispatch(r: ReplicaState, event: Event): void {
  switch (event.type) {
    case "start":
      start(r);
      return;
    case "message":
      onMessage(r, event.message);
      return;
    case "timer":
      onTimer(r, event.name);
      return;
    case "proposal":
      onProposal(r, event.block);
      return;
    case "verdict":
      onVerdict(r, event.hash, event.valid);
      return;
    case "txsPending":
      r.txsPending = event.pending;
      return;
    case "requestTimedOut":
      if (!r.changing && r.votesAt(r.head.height + 1) && !syncBeforeSuspecting(r)) {
        startViewChange(r, r.view + 1);
      }
      return;
    case "validatorSetChanged":
      if (!r.schedule.schedule(event.decidedAt, event.validators, r.params)) {
        r.drop("validator-set-too-small");
      }
      return;
    case "synced":
      if (event.height > r.head.height) moveHead(r, event.height, event.hash, event.certificate);
      return;
  }
}

function start(r: ReplicaState): void {
  // Written at every start, so that from the first one on the log is never empty: an empty log
  // on a chain past genesis means a lost one.
  r.persistView();
  r.setTimer("emptyBlock", r.now + r.params.emptyBlockIntervalMs);
  if (!r.changing) {
    r.armProgressTimer();
    resendProposals(r);
    return;
  }
  r.setTimer("viewChange", r.now + r.viewChangeTimeout());
  sendViewChange(r);
}

function onMessage(r: ReplicaState, message: ConsensusMessage): void {
  if (bytesEqual(message.from, r.config.signer.publicKey)) {
    r.drop("from-self");
    return;
  }
  const refused = refusedBeforeSignature(r, message);
  if (refused !== null) {
    r.drop(refused);
    return;
  }
  if (!verifyMessage(r.config.chainId, r.config.verifier, message)) {
    r.drop("signature");
    return;
  }
  learnViews(r, message);
  switch (message.kind) {
    case "preprepare":
      onPrePrepare(r, message);
      return;
    case "prepare":
    case "commit":
      onVote(r, message);
      return;
    case "checkpoint":
      onCheckpoint(r, message);
      return;
    case "viewchange":
      onViewChange(r, message);
      return;
    case "newview":
      onNewView(r, message);
      return;
  }
}

function onTimer(r: ReplicaState, name: TimerName): void {
  // A validator that lost its log does not start view changes of its own (it follows f + 1).
  const member = r.votesAt(r.head.height + 1);
  switch (name) {
    case "progress":
      if (r.changing) return;
      if (syncBeforeSuspecting(r)) {
        r.armProgressTimer();
        return;
      }
      if (member) {
        startViewChange(r, r.view + 1);
        return;
      }
      r.armProgressTimer();
      return;
    case "viewChange":
      if (r.changing) onViewChangeTimeout(r);
      return;
    case "emptyBlock":
      r.emptyDue = true;
      r.setTimer("emptyBlock", r.now + r.params.emptyBlockIntervalMs);
      return;
    case "sync":
      r.syncTarget = null;
      return;
  }
}

/**
 * The new view did not come in time. Move on to the next view only if a quorum asked for this
 * one (PBFT's rule): a replica that alone left the view stays, repeating its request, instead
 * of racing ahead of the others whose timers it could then never meet.
 */
function onViewChangeTimeout(r: ReplicaState): void {
  let support = 0;
  for (const change of r.viewChanges.values()) if (change.view >= r.view) support += 1;
  if (support >= r.quorumOf(r.currentSet().length)) {
    startViewChange(r, r.view + 1);
    return;
  }
  r.setTimer("viewChange", r.now + r.viewChangeTimeout());
  sendViewChange(r);
}

function onVerdict(r: ReplicaState, hash: Uint8Array, valid: boolean): void {
  const hex = toHex(hash);
  for (const slot of r.slots.values()) {
    if (!slot.executing.delete(hex)) continue;
    slot.verdicts.set(hex, valid);
    // A primary whose proposal the application refuses is faulty: replace it now.
    // (Not one that lost its log: it follows f + 1 into views, it does not lead them.)
    if (!valid && slot.accepted.get(r.view) === hex && !r.changing && r.amnesia === null) {
      startViewChange(r, r.view + 1);
    }
    return;
  }
}

import { type Block, bytesEqual, fromHex, toHex } from "@careledger/protocol";
import { endAmnesia } from "./amnesia.js";
import { signMessage, stripBlocks, verifyMessage } from "./messages.js";
import { fitsNewView, onVote, rememberBlock, withinBodyBudget } from "./normalCase.js";
import { validViewChange } from "./proofs.js";
import type { ReplicaState } from "./state.js";
import { learnHead, requestSync } from "./sync.js";
import type {
  ConsensusMessage,
  NewViewMessage,
  PreparedCertificate,
  ViewChangeMessage,
} from "./types.js";
import { castVote, forgetOlderViews } from "./votes.js";

/** What a new view decides: the head it starts from and the linked run it re-proposes. */
export interface NewViewPlan {
  readonly baseHeight: number;
  readonly baseHash: Uint8Array;
  readonly run: readonly PreparedCertificate[];
}

/**
 * From a quorum of view changes: start at the highest certified head; above it, take at each
 * height the prepared certificate of the highest view, and stop at the first height that has
 * none or whose block does not link to the one below (the first gap). Any block committed
 * anywhere lies in that run: its committers hold certificates for every height below it.
 */
export function planNewView(changes: readonly ViewChangeMessage[]): NewViewPlan {
  let base = changes[0];
  for (const change of changes) {
    if (base === undefined || change.committedHeight > base.committedHeight) base = change;
  }
  if (base === undefined) throw new Error("a new view needs view changes");
  const best = new Map<number, PreparedCertificate>();
  for (const change of changes) {
    for (const entry of change.prepared) {
      const current = best.get(entry.height);
      if (current === undefined || entry.view > current.view) best.set(entry.height, entry);
    }
  }
  const run: PreparedCertificate[] = [];
  let prevHash = base.committedHash;
  for (let height = base.committedHeight + 1; ; height++) {
    const entry = best.get(height);
    if (entry === undefined || !bytesEqual(entry.header.prevHash, prevHash)) break;
    run.push(entry);
    prevHash = entry.hash;
  }
  return { baseHeight: base.committedHeight, baseHash: base.committedHash, run };
}

/**
 * The new primary, once it holds a quorum of view changes for its view, sends the new view. The
 * view record (with the new view) and its re-proposals are persisted before any of them leaves:
 * a restarted primary neither sends a second, different new view nor asks for a fresh block at a
 * height it re-proposed, and it can send its re-proposals again.
 */
export function tryNewView(r: ReplicaState): void {
  if (!r.changing || !r.isPrimary(r.view) || r.amnesia !== null) return;
  // View changes more than a window below its head would be refused by the backups (below).
  const changes = [...r.viewChanges.values()].filter(
    (change) => change.view === r.view && !staleHead(r, change),
  );
  if (changes.length < r.quorumOf(r.currentSet().length)) return;
  const plan = planNewView(changes);
  const bodies = bodiesOf(changes);
  if (plan.run.some((entry) => !bodies.has(toHex(entry.hash)))) {
    r.drop("newview-body");
    return;
  }
  const message = signMessage(r.config.chainId, r.config.signer, {
    kind: "newview",
    view: r.view,
    viewChanges: changes.map(stripBlocks),
  });
  installNewView(r, message, plan, bodies);
  const sends = reProposeRun(r, plan, bodies);
  armNewViewTimers(r, plan);
  r.out.push({ type: "broadcast", message });
  for (const send of sends) r.out.push({ type: "broadcast", message: send });
}

/**
 * Signs the run's pre-prepares; each one within the window is also this primary's prepare, cast
 * (and so persisted, with the body) before anything leaves. Returns the messages to send.
 */
function reProposeRun(
  r: ReplicaState,
  plan: NewViewPlan,
  bodies: ReadonlyMap<string, Block>,
): ConsensusMessage[] {
  const sends: ConsensusMessage[] = [];
  for (const entry of plan.run) {
    const block = bodies.get(toHex(entry.hash));
    if (block === undefined) continue;
    const vote = { height: entry.height, view: r.view, hash: entry.hash };
    sends.push(
      signMessage(r.config.chainId, r.config.signer, { kind: "preprepare", ...vote, block }),
    );
    const slot = r.slot(entry.height);
    if (slot === undefined || !rememberBlock(slot, block, entry.hash)) continue;
    slot.accepted.set(r.view, toHex(entry.hash));
    slot.preparedIn = r.view;
    if (!castVote(r, "prepare", { type: "prepare", ...vote, block })) continue;
    const prepare = signMessage(r.config.chainId, r.config.signer, { kind: "prepare", ...vote });
    sends.push(prepare);
    onVote(r, prepare);
  }
  return sends;
}

function bodiesOf(changes: readonly ViewChangeMessage[]): Map<string, Block> {
  const bodies = new Map<string, Block>();
  for (const change of changes) {
    change.prepared.forEach((entry, index) => {
      const block = change.blocks[index];
      if (block !== undefined) bodies.set(toHex(entry.hash), block);
    });
  }
  return bodies;
}

/** A backup checks the new view completely (it recomputes the plan) before it enters it. */
export function onNewView(r: ReplicaState, message: NewViewMessage): void {
  for (const change of message.viewChanges) learnHead(r, change);
  if (message.view < r.view || (message.view === r.view && !r.changing)) {
    r.drop("newview-stale");
    return;
  }
  const primary = r.primaryOf(message.view);
  if (primary === undefined || !bytesEqual(primary, message.from)) {
    r.drop("newview-not-primary");
    return;
  }
  const changes = message.viewChanges;
  const senders = new Set(changes.map((change) => toHex(change.from)));
  if (senders.size !== changes.length || changes.length < r.quorumOf(r.currentSet().length)) {
    r.drop("newview-quorum");
    return;
  }
  for (const change of changes) {
    if (change.view !== message.view || r.schedule.indexOf(r.head.height + 1, change.from) < 0) {
      r.drop("newview-change-member");
      return;
    }
    if (change.committedHeight > r.head.height + r.params.window) {
      requestSync(r, change.committedHeight);
      r.drop("newview-ahead");
      return;
    }
    if (staleHead(r, change)) {
      r.drop("newview-change-stale");
      return;
    }
    if (
      !verifyMessage(r.config.chainId, r.config.verifier, change) ||
      !validViewChange(r, change)
    ) {
      r.drop("newview-change-invalid");
      return;
    }
  }
  r.view = message.view;
  forgetOlderViews(r);
  const plan = planNewView(changes);
  installNewView(r, message, plan, new Map());
  armNewViewTimers(r, plan);
}

/**
 * A view change whose committed head lies more than a window below this replica's head may be
 * one a replica sent before it returned to a lower view (rejoin.ts), missing blocks it helped
 * commit since: a new view holding one is refused. Honest view changes are fresh: their senders
 * sync to the head of any view change above theirs and send it again.
 */
function staleHead(r: ReplicaState, change: ViewChangeMessage): boolean {
  return change.committedHeight < r.head.height - r.params.window;
}

/** Binds the replica to the plan of the new view it is in: what may stand at which height. */
export function adoptPlan(r: ReplicaState, plan: NewViewPlan): void {
  r.runHashes.clear();
  for (const entry of plan.run) r.runHashes.set(entry.height, toHex(entry.hash));
  r.runEnd = plan.baseHeight + plan.run.length;
}

/** Enters the new view and persists it (with the message, so its plan survives a restart). */
function installNewView(
  r: ReplicaState,
  message: NewViewMessage,
  plan: NewViewPlan,
  bodies: ReadonlyMap<string, Block>,
): void {
  r.changing = false;
  r.entered = r.view;
  r.votesAbove = 0;
  r.newView = message;
  adoptPlan(r, plan);
  endAmnesia(r);
  r.persistView();
  for (let height = r.head.height + 1; height <= r.highestInFlight(); height++) {
    const slot = r.slots.get(height);
    if (slot === undefined) continue;
    const rerun = r.runHashes.get(height);
    const body = rerun === undefined ? undefined : bodies.get(rerun);
    if (rerun !== undefined && body !== undefined) rememberBlock(slot, body, fromHex(rerun));
    if (rerun !== undefined && slot.blocks.has(rerun)) slot.accepted.set(r.view, rerun);
    // A pre-prepare that arrived before this new view stays only if the new view allows it.
    const early = slot.accepted.get(r.view);
    const entry = early === undefined ? undefined : slot.blocks.get(early);
    if (
      early !== undefined &&
      !(
        entry &&
        fitsNewView(r, height, early, entry.block.header, r.view) &&
        withinBodyBudget(r, height, early, entry.block)
      )
    ) {
      slot.accepted.delete(r.view);
    }
  }
  for (const [sender, change] of r.viewChanges) {
    if (change.view <= r.view) r.viewChanges.delete(sender);
  }
}

function armNewViewTimers(r: ReplicaState, plan: NewViewPlan): void {
  r.out.push({ type: "cancelTimer", name: "viewChange" });
  r.armProgressTimer();
  r.setTimer("emptyBlock", r.now + r.params.emptyBlockIntervalMs);
  if (plan.baseHeight > r.head.height) requestSync(r, plan.baseHeight);
}

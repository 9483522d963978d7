import { type Block, bytesEqual, fromHex, toHex } from "@careledger/protocol";
import { signMessage, stripBlocks, verifyMessage } from "./messages.js";
import { fitsNewView, rememberBlock } from "./normalCase.js";
import { validViewChange } from "./proofs.js";
import type { ReplicaState } from "./state.js";
import { learnHead, requestSync } from "./sync.js";
import type { NewViewMessage, PreparedCertificate, ViewChangeMessage } from "./types.js";
import { forgetOlderViews } from "./votes.js";

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

/** The new primary, once it holds a quorum of view changes for its view, sends the new view. */
export function tryNewView(r: ReplicaState): void {
  if (!r.changing || !r.isPrimary(r.view)) return;
  const changes = [...r.viewChanges.values()].filter((change) => change.view === r.view);
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
  r.out.push({ type: "broadcast", message });
  installNewView(r, message, plan, bodies);
  for (const entry of plan.run) {
    const block = bodies.get(toHex(entry.hash));
    if (block === undefined) continue;
    const preprepare = signMessage(r.config.chainId, r.config.signer, {
      kind: "preprepare",
      height: entry.height,
      view: r.view,
      hash: entry.hash,
      block,
    });
    r.out.push({ type: "broadcast", message: preprepare });
  }
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
  installNewView(r, message, planNewView(changes), new Map());
}

function installNewView(
  r: ReplicaState,
  message: NewViewMessage,
  plan: NewViewPlan,
  bodies: Map<string, Block>,
): void {
  r.changing = false;
  r.newView = message;
  r.runHashes.clear();
  r.runEnd = plan.baseHeight + plan.run.length;
  r.out.push({ type: "persist", record: { type: "view", view: r.view, changing: false } });
  r.out.push({ type: "cancelTimer", name: "viewChange" });
  r.armProgressTimer();
  r.setTimer("emptyBlock", r.now + r.params.emptyBlockIntervalMs);
  if (plan.baseHeight > r.head.height) requestSync(r, plan.baseHeight);
  for (const entry of plan.run) r.runHashes.set(entry.height, toHex(entry.hash));
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
      !(entry && fitsNewView(r, height, early, entry.block.header, r.view))
    ) {
      slot.accepted.delete(r.view);
    }
  }
  for (const [sender, change] of r.viewChanges) {
    if (change.view <= r.view) r.viewChanges.delete(sender);
  }
}

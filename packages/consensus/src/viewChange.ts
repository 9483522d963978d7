import type { Block } from "@careledger/protocol";
import { toHex } from "@careledger/protocol";
import { signMessage } from "./messages.js";
import { tryNewView } from "./newView.js";
import { validViewChange } from "./proofs.js";
import type { ReplicaState } from "./state.js";
import { learnHead } from "./sync.js";
import type { PreparedCertificate, ViewChangeMessage } from "./types.js";
import { forgetOlderViews } from "./votes.js";

/**
 * Leaves the current view for `view`: persists that first (a restarted replica never returns to
 * a view it left), forgets the state of older views, and sends its view change.
 */
export function startViewChange(r: ReplicaState, view: number): void {
  if (view <= r.view && (r.changing || view < r.view)) return;
  r.view = view;
  r.changing = true;
  r.leftAt = r.head.height;
  r.votesAbove = 0;
  r.newView = null;
  r.runHashes.clear();
  r.runEnd = r.head.height;
  r.proposalPending = null;
  forgetOlderViews(r);
  r.persistView();
  r.out.push({ type: "cancelTimer", name: "progress" });
  r.setTimer("viewChange", r.now + r.viewChangeTimeout());
  r.viewChangeAttempts += 1;
  sendViewChange(r);
  tryNewView(r);
}

/** Sends this replica's view change for the current view (also re-sent after a restart). */
export function sendViewChange(r: ReplicaState): void {
  if (!r.votesAt(r.head.height + 1)) return;
  const prepared: PreparedCertificate[] = [];
  const blocks: Block[] = [];
  for (let height = r.head.height + 1; height <= r.highestInFlight(); height++) {
    const entry = r.slots.get(height)?.prepared;
    const body = entry ? r.slots.get(height)?.blocks.get(toHex(entry.hash)) : undefined;
    if (entry === null || entry === undefined || body === undefined) continue;
    prepared.push(entry);
    blocks.push(body.block);
  }
  const message = signMessage(r.config.chainId, r.config.signer, {
    kind: "viewchange",
    view: r.view,
    committedHeight: r.head.height,
    committedHash: r.head.hash,
    certificate: r.head.certificate,
    prepared,
    blocks,
  });
  r.viewChanges.set(r.me, message);
  r.out.push({ type: "broadcast", message });
}

export function onViewChange(r: ReplicaState, message: ViewChangeMessage): void {
  learnHead(r, message);
  if (r.schedule.indexOf(r.head.height + 1, message.from) < 0) {
    r.drop("viewchange-member");
    return;
  }
  if (message.view < r.view || (message.view === r.view && !r.changing)) {
    helpLaggard(r, message);
    return;
  }
  if (message.committedHeight > r.head.height + r.params.window) {
    // Far ahead (learnHead asked for the blocks): checked once this replica caught up.
    r.drop("viewchange-ahead");
    return;
  }
  const sender = toHex(message.from);
  const previous = r.viewChanges.get(sender);
  if (previous !== undefined && previous.view > message.view) {
    r.drop("viewchange-old");
    return;
  }
  if (!validViewChange(r, message)) {
    r.drop("viewchange-invalid");
    return;
  }
  r.viewChanges.set(sender, message);
  joinHigherView(r);
  if (message.view === r.view) tryNewView(r);
}

/**
 * When f + 1 validators (so one honest at least) ask for views above the current one, join the
 * highest view that f + 1 of them support, so one slow timer cannot hold the others back.
 */
function joinHigherView(r: ReplicaState): void {
  const views = [...r.viewChanges.values()]
    .filter((change) => change.view > r.view)
    .map((change) => change.view)
    .sort((a, b) => b - a);
  const faulty = r.schedule.faulty(r.head.height + 1);
  const view = views[faulty];
  if (view !== undefined) startViewChange(r, view);
}

/** A replica still asking for an older view is sent the new view this replica accepted. */
function helpLaggard(r: ReplicaState, message: ViewChangeMessage): void {
  if (r.newView === null || message.view > r.view) return;
  r.out.push({ type: "send", to: message.from, message: r.newView });
}

import type { Block } from "@careledger/protocol";
import { bytesEqual, toHex } from "@careledger/protocol";
import { hashOfHeader } from "./blockHashCache.js";
import { BLOCK_FRAME_BYTES_MAX, BODY_FRAME_BYTES, bodyBytes, bodyRoom } from "./bodyBudget.js";
import { signMessage } from "./messages.js";
import { rememberBlock, sendPrepare } from "./normalCase.js";
import type { ReplicaState } from "./state.js";

/** The next height the primary may propose, with its parent's hash, or undefined. */
function nextProposal(r: ReplicaState): { height: number; prevHash: Uint8Array } | undefined {
  // Not at or below a rejoin floor (rejoin.ts): it may have proposed there before it left.
  let height = Math.max(r.head.height, r.runEnd, r.votesAbove) + 1;
  let prevHash = r.head.hash;
  for (; height <= r.highestInFlight(); height++) {
    const slot = r.slots.get(height);
    const hex = slot?.accepted.get(r.view);
    if (slot === undefined || hex === undefined) break;
    const entry = slot.blocks.get(hex);
    if (entry === undefined || slot.verdicts.get(hex) !== true) return undefined;
    prevHash = entry.hash;
  }
  if (height > r.highestInFlight()) return undefined;
  if (height - 1 > r.head.height) {
    const parent = r.slots.get(height - 1);
    const hex = toHex(prevHash);
    if (parent?.accepted.get(r.view) !== hex || parent.verdicts.get(hex) !== true) return undefined;
  }
  return { height, prevHash };
}

/**
 * The primary asks the application for a block when a slot of the window is free and either
 * transactions wait or the empty-block interval passed; one request at a time.
 */
export function tryPropose(r: ReplicaState): void {
  if (r.changing || r.proposalPending !== null || !r.isPrimary(r.view)) return;
  if (r.amnesia !== null) return;
  if (!r.txsPending && !r.emptyDue) return;
  const next = nextProposal(r);
  if (next === undefined) return;
  // The body budget left once the other in-flight blocks are counted; not even an empty block
  // fits: wait for commits to free it.
  const bytesMax = bodyRoom(r, next.height) - BODY_FRAME_BYTES;
  if (bytesMax < BLOCK_FRAME_BYTES_MAX) return;
  r.proposalPending = next.height;
  r.out.push({
    type: "requestProposal",
    height: next.height,
    view: r.view,
    prevHash: next.prevHash,
    proposer: r.config.signer.publicKey,
    bytesMax,
  });
}

/** The application built the requested block: pre-prepare it and prepare it (persisted first). */
export function onProposal(r: ReplicaState, block: Block): void {
  const header = block.header;
  if (r.proposalPending !== header.height) {
    r.drop("proposal-unrequested");
    return;
  }
  r.proposalPending = null;
  const next = nextProposal(r);
  const valid =
    !r.changing &&
    next !== undefined &&
    next.height === header.height &&
    bytesEqual(next.prevHash, header.prevHash) &&
    header.view === r.view &&
    bytesEqual(header.proposer, r.config.signer.publicKey);
  const slot = r.slot(header.height);
  if (!valid || slot === undefined) {
    r.drop("proposal-stale");
    return;
  }
  const hash = hashOfHeader(header);
  // The application ignored the byte cap: every backup would refuse the block.
  if (bodyBytes(block) > bodyRoom(r, header.height)) {
    r.drop("proposal-bytes");
    return;
  }
  if (!rememberBlock(slot, block, hash)) {
    r.drop("proposal-blocks-full");
    return;
  }
  const hex = toHex(hash);
  slot.accepted.set(r.view, hex);
  slot.verdicts.set(hex, true);
  r.emptyDue = false;
  r.setTimer("emptyBlock", r.now + r.params.emptyBlockIntervalMs);
  const preprepare = signMessage(r.config.chainId, r.config.signer, {
    kind: "preprepare",
    height: header.height,
    view: r.view,
    hash,
    block,
  });
  // The prepare record (with the block) is persisted before the pre-prepare leaves, so a
  // restarted primary never proposes a second block for this height and view.
  const persistAt = r.out.length;
  if (!sendPrepare(r, slot, block, hash)) {
    r.drop("proposal-conflicts-own-vote");
    return;
  }
  const firstSend = r.out.findIndex(
    (effect, index) => index > persistAt && effect.type === "broadcast",
  );
  r.out.splice(firstSend, 0, { type: "broadcast", message: preprepare });
}

/**
 * A restarted primary sends again what it proposed in its view (re-proposals and its own blocks,
 * restored from its prepare records) and its new view: what it sent before the crash may never
 * have arrived, and only these blocks may stand at those heights in this view.
 */
export function resendProposals(r: ReplicaState): void {
  if (!r.isPrimary(r.view)) return;
  if (r.newView !== null) r.out.push({ type: "broadcast", message: r.newView });
  for (let height = r.head.height + 1; height <= r.highestInFlight(); height++) {
    const slot = r.slots.get(height);
    const hex = slot?.accepted.get(r.view);
    const entry = hex === undefined ? undefined : slot?.blocks.get(hex);
    if (entry === undefined || r.ownVotes.get(`prepare:${height}:${r.view}`) !== hex) continue;
    const vote = { height, view: r.view, hash: entry.hash };
    for (const message of [
      signMessage(r.config.chainId, r.config.signer, {
        kind: "preprepare",
        ...vote,
        block: entry.block,
      }),
      signMessage(r.config.chainId, r.config.signer, { kind: "prepare", ...vote }),
    ]) {
      r.out.push({ type: "broadcast", message });
    }
  }
}

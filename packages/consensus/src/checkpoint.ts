import { bytesEqual, type CommitCertificate, toHex } from "@careledger/protocol";
import { signMessage } from "./messages.js";
import type { ReplicaState } from "./state.js";
import { requestSync } from "./sync.js";
import type { CheckpointMessage } from "./types.js";
import { pruneOwnVotes } from "./votes.js";

/**
 * Delivers every height that has a commit certificate, in height order, and moves the head.
 * A certified block whose body this replica never saw is fetched by sync.
 */
export function deliverCommitted(r: ReplicaState): void {
  for (;;) {
    const height = r.head.height + 1;
    const slot = r.slots.get(height);
    if (slot === undefined) return;
    const found = certifiedHash(r, height);
    if (found === undefined) return;
    const entry = slot.blocks.get(found.hash);
    if (entry === undefined) {
      requestSync(r, height);
      return;
    }
    if (!bytesEqual(entry.block.header.prevHash, r.head.hash)) {
      r.drop("certified-block-unlinked");
      return;
    }
    const certificate: CommitCertificate = {
      height,
      view: found.view,
      blockHash: entry.hash,
      votes: found.votes,
    };
    r.out.push({ type: "deliver", block: entry.block, certificate });
    moveHead(r, height, entry.hash, certificate);
    if (height % r.params.checkpointInterval === 0) broadcastCheckpoint(r);
  }
}

function certifiedHash(r: ReplicaState, height: number) {
  const slot = r.slots.get(height);
  if (slot === undefined) return undefined;
  const quorum = r.quorumAt(height);
  for (const [view, votes] of slot.commits) {
    const counts = new Map<string, number>();
    for (const vote of votes.values()) counts.set(vote.hash, (counts.get(vote.hash) ?? 0) + 1);
    for (const [hash, count] of counts) {
      if (count < quorum) continue;
      return { hash, view, votes: r.certificateOf(height, view, hash, votes).votes };
    }
  }
  return undefined;
}

/** The head moved (delivery or sync): forget what lies at or below it; progress resets timeouts. */
export function moveHead(
  r: ReplicaState,
  height: number,
  hash: Uint8Array,
  certificate: CommitCertificate,
): void {
  const epochBefore = r.schedule.lastHeightOfEpoch(r.head.height + 1);
  r.head = { height, hash, certificate };
  for (const key of r.slots.keys()) if (key <= height) r.slots.delete(key);
  for (const [sender, checkpoint] of r.checkpoints) {
    if (checkpoint.height <= height) r.checkpoints.delete(sender);
  }
  if (height > epochBefore) {
    // A new validator set governs from here: votes and view changes of the old one are void.
    r.viewChanges.clear();
    r.checkpoints.clear();
  }
  if (r.syncTarget !== null && height >= r.syncTarget) {
    r.syncTarget = null;
    r.out.push({ type: "cancelTimer", name: "sync" });
  }
  if (r.proposalPending !== null && r.proposalPending <= height) r.proposalPending = null;
  pruneOwnVotes(r);
  r.viewChangeAttempts = 0;
  r.floorSyncTried = false;
  if (!r.changing) r.armProgressTimer();
}

function broadcastCheckpoint(r: ReplicaState): void {
  if (r.myIndex(r.head.height) < 0) return;
  const message = signMessage(r.config.chainId, r.config.signer, {
    kind: "checkpoint",
    height: r.head.height,
    hash: r.head.hash,
  });
  r.out.push({ type: "broadcast", message });
}

/**
 * Checkpoints tell a replica that others moved on: when f + 1 validators (so at least one
 * honest) report checkpoints above its head, it asks for the blocks up to the (f+1)-th highest.
 */
export function onCheckpoint(r: ReplicaState, message: CheckpointMessage): void {
  if (message.height <= r.head.height) {
    r.drop("checkpoint-stale");
    return;
  }
  if (message.height % r.params.checkpointInterval !== 0) {
    r.drop("checkpoint-height");
    return;
  }
  // The validators of the checkpointed height sign it: after a set change, the new members do,
  // and a replica still below the boundary must hear them to learn that it is behind.
  if (r.schedule.indexOf(message.height, message.from) < 0) {
    r.drop("checkpoint-not-validator");
    // Beyond the heights whose set it knows, a replica cannot tell a new member from a stranger;
    // syncing is harmless (the sync checks certificates), so it asks for blocks once per timer.
    if (message.height > r.head.height + r.params.window) requestSync(r, message.height);
    return;
  }
  const sender = toHex(message.from);
  const previous = r.checkpoints.get(sender);
  if (previous !== undefined && previous.height >= message.height) return;
  r.checkpoints.set(sender, { height: message.height, hash: message.hash });
  const heights = [...r.checkpoints.values()].map((entry) => entry.height).sort((a, b) => b - a);
  const faulty = r.schedule.faulty(r.head.height + 1);
  const target = heights[faulty];
  if (target !== undefined) requestSync(r, target);
}

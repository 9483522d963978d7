import { toHex } from "@careledger/protocol";
import type { ReplicaState } from "./state.js";
import type { PersistRecord } from "./types.js";

type VoteRecord = Extract<PersistRecord, { type: "prepare" | "commit" }>;

/**
 * The one gate every vote goes through: a vote for another hash at the same (kind, height, view)
 * is refused, and a new vote is persisted before the message that carries it is emitted.
 * Returns whether the caller should send it (false if refused or already sent).
 */
export function castVote(r: ReplicaState, kind: "prepare" | "commit", record: VoteRecord): boolean {
  if (r.amnesia !== null) {
    r.drop("amnesia-vote-refused");
    return false;
  }
  if (record.view === r.view && record.height <= r.votesAbove) {
    r.drop("vote-below-rejoin-floor");
    return false;
  }
  const key = `${kind}:${record.height}:${record.view}`;
  const hex = toHex(record.hash);
  const previous = r.ownVotes.get(key);
  if (previous !== undefined) {
    if (previous !== hex) r.drop("own-conflicting-vote-refused");
    return false;
  }
  r.ownVotes.set(key, hex);
  r.out.push({ type: "persist", record });
  return true;
}

/** Forgets own votes that can no longer matter: committed heights and views left behind. */
export function pruneOwnVotes(r: ReplicaState): void {
  for (const key of r.ownVotes.keys()) {
    const [, height, view] = key.split(":");
    if (Number(height) <= r.head.height || Number(view) < r.view) r.ownVotes.delete(key);
  }
}

/** Votes, pre-prepares and bodies of views below the current one can no longer matter. */
export function forgetOlderViews(r: ReplicaState): void {
  for (const slot of r.slots.values()) {
    for (const map of [slot.prepares, slot.commits, slot.accepted]) {
      for (const view of map.keys()) if (view < r.view) map.delete(view);
    }
    const keep = new Set(slot.accepted.values());
    if (slot.prepared !== null) keep.add(toHex(slot.prepared.hash));
    for (const hex of slot.blocks.keys()) if (!keep.has(hex)) slot.blocks.delete(hex);
  }
  pruneOwnVotes(r);
  for (const [sender, change] of r.viewChanges) {
    if (change.view < r.view) r.viewChanges.delete(sender);
  }
}

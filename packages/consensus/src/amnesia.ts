import { toHex } from "@careledger/protocol";
import type { ReplicaState } from "./state.js";
import type { ConsensusMessage } from "./types.js";

/**
 * A validator restarted on a chain past genesis with no view record lost its consensus log
 * (a wiped or restored data directory, the key kept): it may have voted in views it no longer
 * knows. It votes, proposes and asks for view changes again only once it has installed a view
 * above every view that a quorum of validators showed it since it started.
 *
 * Why that bound holds: the views it voted in were each installed by a quorum of view changes,
 * so at least q - f honest validators are now at or above the highest of them, and any q
 * validators include one of those; every message it hears was sent after its restart (new
 * connections), and carries its sender's current view.
 */
export interface Amnesia {
  /** The highest view heard from a validator so far. */
  floor: number;
  /** Validators heard from; at a quorum the floor stops rising. */
  readonly heard: Set<string>;
}

/** Whether the floor is final: a quorum of validators was heard. */
function settled(r: ReplicaState, amnesia: Amnesia): boolean {
  return amnesia.heard.size >= r.quorumOf(r.currentSet().length);
}

/** Learns views from a verified message until a quorum of validators was heard. */
export function learnViews(r: ReplicaState, message: ConsensusMessage): void {
  const amnesia = r.amnesia;
  if (amnesia === null || settled(r, amnesia) || message.kind === "checkpoint") return;
  if (r.schedule.indexOf(r.head.height + 1, message.from) < 0) return;
  amnesia.floor = Math.max(amnesia.floor, message.view);
  amnesia.heard.add(toHex(message.from));
}

/** After installing a view: it votes again if the view lies above the settled floor. */
export function endAmnesia(r: ReplicaState): void {
  const amnesia = r.amnesia;
  if (amnesia !== null && settled(r, amnesia) && r.view > amnesia.floor) r.amnesia = null;
}

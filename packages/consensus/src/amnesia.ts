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
 * connections), and carries its sender's current view. Its votes before the loss, and the view
 * changes it may have sent alone for views above the floor, lie at most a window above the head
 * it restarts at: it votes only above that head plus two windows, the bound of a return to a
 * lower view (rejoin.ts), which also keeps such a view change out of every new view that matters.
 */
export interface Amnesia {
  /** The highest view heard from a validator so far. */
  floor: number;
  /** Validators heard from; at a quorum the floor stops rising. */
  readonly heard: Set<string>;
  /** The committed height it restarted at: at most the head it had before the log was lost. */
  readonly headAtStart: number;
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
  if (amnesia === null || !settled(r, amnesia) || r.view <= amnesia.floor) return;
  r.amnesia = null;
  // What it voted and the view changes it sent before the loss (in views it may have asked for
  // alone, above the floor) lie at most a window above that head: as after a return (rejoin.ts).
  r.votesAbove = amnesia.headAtStart + 2 * r.params.window;
}

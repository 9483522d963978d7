import { bytesEqual } from "@careledger/protocol";
import { type ReplicaState, VIEWS_AHEAD_MAX } from "./state.js";
import type { ConsensusMessage } from "./types.js";

/**
 * Why a message is refused on what it claims alone (view, height window, sender's place), or
 * null. These checks cost a comparison where a signature costs about 60 us: run first, they
 * keep a flood of stale or foreign votes from buying verification time. Each refusal is one the
 * handler would make anyway, so the order changes the cost, never the outcome. View changes,
 * new views and checkpoints are rare and teach a replica where the others are even when stale
 * (learnHead, helpLaggard, sync): their handlers check them, after the signature.
 */
export function refusedBeforeSignature(r: ReplicaState, message: ConsensusMessage): string | null {
  switch (message.kind) {
    case "preprepare": {
      if (!viewKept(r, message.view)) return "preprepare-view";
      const primary = r.primaryOf(message.view);
      if (primary === undefined || !bytesEqual(primary, message.from)) {
        return "preprepare-not-primary";
      }
      return inWindow(r, message.height) ? null : "preprepare-height";
    }
    case "prepare":
    case "commit":
      if (!viewKept(r, message.view)) return `${message.kind}-view`;
      if (!inWindow(r, message.height)) return `${message.kind}-height`;
      if (r.schedule.indexOf(message.height, message.from) < 0) {
        return `${message.kind}-not-validator`;
      }
      return null;
    default:
      return null;
  }
}

function viewKept(r: ReplicaState, view: number): boolean {
  return view >= r.view && view <= r.view + VIEWS_AHEAD_MAX;
}

function inWindow(r: ReplicaState, height: number): boolean {
  return height > r.head.height && height <= r.highestInFlight();
}

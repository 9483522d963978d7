import { validViewChangeHead } from "./proofs.js";
import type { ReplicaState } from "./state.js";
import type { ViewChangeMessage } from "./types.js";

/** Asks the driver for blocks up to `toHeight`, once per target; a timer allows a retry. */
export function requestSync(r: ReplicaState, toHeight: number): void {
  if (toHeight <= r.head.height) return;
  if (r.syncTarget !== null && r.syncTarget >= toHeight) return;
  r.syncTarget = toHeight;
  r.out.push({ type: "requestSync", fromHeight: r.head.height + 1, toHeight });
  r.setTimer("sync", r.now + r.params.viewChangeTimeoutMs);
}

/**
 * A view change whose committed head carries a valid certificate above this replica's head is
 * proof that this replica is behind, whoever sent it (even a member of a set it does not know
 * yet): it syncs up to that head.
 */
export function learnHead(r: ReplicaState, change: ViewChangeMessage): void {
  if (change.committedHeight <= Math.max(r.head.height, r.syncTarget ?? 0)) return;
  if (change.committedHeight > r.head.height + r.params.window) {
    // Beyond the heights whose validator set this replica knows: the sync checks certificates.
    requestSync(r, change.committedHeight);
    return;
  }
  if (validViewChangeHead(r, change)) requestSync(r, change.committedHeight);
}

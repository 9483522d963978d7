import { type ReplicaState, VIEWS_AHEAD_MAX } from "./state.js";
import { requestSync } from "./sync.js";
import { forgetOlderViews } from "./votes.js";

/**
 * A replica whose view is not the one the others commit in comes back to it. The evidence is
 * the certificate of its committed head (delivered or synced, checked): a quorum committed in
 * that view, so honest replicas are in it.
 *
 * - A higher view (or the one it is still asking for, whose new view it missed): it joins
 *   without the new view, so it does not know the plan; it votes only above `c + window`, where c
 *   is the certified height. A view's re-proposed run ends at most a window above the new view's
 *   base, and no honest replica votes in the view at or below its base, so c > base and every
 *   height above `c + window` may only hold a fresh block of the view's primary (fitsNewView).
 * - A lower view, while it asks to leave for a higher one, at or above the last view it was in,
 *   at a height above the head it had when it asked to leave: it returns and votes there only
 *   above `head + 2 * window`. Its view changes for higher views are still out there, with heads
 *   at most that head, and do not report what it helps commit after its return. Any honest
 *   replica that votes COMMIT for such a block B at h had a head of at least h - window then, and
 *   refuses a new view holding a view change more than a window below its own head (newView.ts),
 *   so below h - 2 * window: never the stale one. So every new view an honest committer of B
 *   enters has, in its quorum's intersection with B's, an honest member whose view change was
 *   sent after its COMMIT and reports B, as in PBFT. The same bound keeps it from voting again
 *   at heights it voted at before it left (those votes were at most a window above that head).
 *
 * A replica only returns to views at or above the last one it was in, so it never votes in a
 * view below one it voted in. Returns whether the view changed.
 */
export function followCommitView(r: ReplicaState): boolean {
  const certificate = r.head.certificate;
  if (certificate === null || r.amnesia !== null) return false;
  const view = certificate.view;
  const window = r.params.window;
  if (view > r.view || (view === r.view && r.changing)) {
    enterView(r, view, r.head.height + window);
    return true;
  }
  if (view < r.view && r.changing && view >= r.entered && r.head.height > r.leftAt) {
    enterView(r, view, r.head.height + 2 * window);
    return true;
  }
  return false;
}

/**
 * Joined or returned, a replica below its floor cannot vote yet, and its head lags because it
 * did not: when its timer says nothing committed, it first fetches blocks instead of suspecting
 * the primary (a returned replica left again every 700 ms: seed 414 before `largeBlocks` renumbered them). If that brought no commit
 * either, it suspects the primary as any replica does: when the others need its vote to commit,
 * only a view change (whose new view lifts the floor) gets them going (seed 2963 of the
 * `largeBlocks` numbering: three returned replicas of four, all below their floors, stalled).
 * Returns whether it fetched instead.
 */
export function syncBeforeSuspecting(r: ReplicaState): boolean {
  if (r.changing || r.head.height >= r.votesAbove || r.floorSyncTried) return false;
  r.floorSyncTried = true;
  requestSync(r, r.votesAbove);
  return true;
}

function enterView(r: ReplicaState, view: number, votesAbove: number): void {
  r.view = view;
  r.changing = false;
  r.entered = view;
  r.votesAbove = votesAbove;
  r.newView = null;
  r.runHashes.clear();
  r.runEnd = r.head.height;
  r.proposalPending = null;
  r.viewChangeAttempts = 0;
  // Its own view change is void now; those of others stay (f + 1 of them still move it up).
  r.viewChanges.delete(r.me);
  forgetOlderViews(r);
  // Back in a lower view, votes kept for the views it asked for are beyond the views kept.
  for (const slot of r.slots.values()) {
    for (const map of [slot.prepares, slot.commits, slot.accepted]) {
      for (const kept of map.keys()) if (kept > view + VIEWS_AHEAD_MAX) map.delete(kept);
    }
  }
  r.persistView();
  r.out.push({ type: "cancelTimer", name: "viewChange" });
  r.armProgressTimer();
}

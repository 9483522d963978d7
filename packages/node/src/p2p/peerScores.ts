/** Offences before a peer is disconnected and refused for a while. */
export const PEER_OFFENCES_MAX = 5;
/** How long a disconnected offender is refused. */
export const PEER_BAN_MS = 30_000;
/** Peers tracked at once; the consortium is small, so this bound is never near. */
const PEERS_TRACKED_MAX = 1_024;

/**
 * Counts a peer's offences (garbage, oversized or invalid messages). The count decays: it resets
 * when a peer is banned, so a member that misbehaved by a bug can rejoin after the ban.
 */
export class PeerScores {
  private readonly offences = new Map<string, number>();
  private readonly bannedUntil = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Records one offence; true when the peer has now crossed the limit and is banned. */
  penalize(nodeKey: string): boolean {
    if (this.offences.size >= PEERS_TRACKED_MAX) this.offences.clear();
    const count = (this.offences.get(nodeKey) ?? 0) + 1;
    if (count < PEER_OFFENCES_MAX) {
      this.offences.set(nodeKey, count);
      return false;
    }
    this.offences.delete(nodeKey);
    this.bannedUntil.set(nodeKey, this.now() + PEER_BAN_MS);
    return true;
  }

  isBanned(nodeKey: string): boolean {
    const until = this.bannedUntil.get(nodeKey);
    if (until === undefined) return false;
    if (this.now() < until) return true;
    this.bannedUntil.delete(nodeKey);
    return false;
  }
}

/**
 * The heads peers reported. A report is unsigned, so one peer could claim any height; the height
 * this node trusts is the highest that `witnessesMin` peers reached (f + 1 of them: one at
 * least is honest). A peer's head only grows, so a lower report is kept as the higher one.
 * Bounded by the membership: only member peers connect.
 */
export class PeerHeads {
  private readonly heads = new Map<string, number>();

  constructor(private readonly witnessesMin: () => number) {}

  report(peer: string, height: number): void {
    if (height > this.of(peer)) this.heads.set(peer, height);
  }

  /** The peer's last reported head, or -1 when it reported none. */
  of(peer: string): number {
    return this.heads.get(peer) ?? -1;
  }

  /** The highest height at least `witnessesMin()` peers reported; -1 when too few reported. */
  witnessed(): number {
    const sorted = [...this.heads.values()].sort((a, b) => b - a);
    return sorted[Math.max(1, this.witnessesMin()) - 1] ?? -1;
  }
}

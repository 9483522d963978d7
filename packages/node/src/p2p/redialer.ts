import type { Multiaddr } from "@multiformats/multiaddr";

export const REDIAL_DELAY_MIN_MS = 200;
export const REDIAL_DELAY_MAX_MS = 10_000;

/**
 * Keeps dialing every configured peer until connected, with exponential backoff per peer that
 * resets on success. `wake` (on a disconnect) retries at once. libp2p's dial returns at once
 * when a connection exists, so a round over connected peers costs nothing.
 */
export class Redialer {
  private readonly delays = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private running = false;

  constructor(
    private readonly dial: (address: Multiaddr) => Promise<void>,
    private readonly addresses: readonly Multiaddr[],
  ) {}

  start(): void {
    this.running = true;
    for (const address of this.addresses) this.schedule(address, 0);
  }

  /** A peer went away: try again after the current backoff (a peer that refuses us at once
   * would otherwise be redialed in a tight loop). */
  wake(): void {
    for (const address of this.addresses) {
      this.schedule(address, this.delays.get(address.toString()) ?? REDIAL_DELAY_MIN_MS);
    }
  }

  stop(): void {
    this.running = false;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private schedule(address: Multiaddr, delayMs: number): void {
    const id = address.toString();
    if (!this.running || this.timers.has(id)) return;
    const timer = setTimeout(() => {
      this.timers.delete(id);
      this.attempt(address).catch(() => undefined); // attempt() handles its own failures
    }, delayMs);
    timer.unref();
    this.timers.set(id, timer);
  }

  private async attempt(address: Multiaddr): Promise<void> {
    const id = address.toString();
    try {
      await this.dial(address);
      this.delays.set(id, REDIAL_DELAY_MIN_MS);
    } catch {
      const next = Math.min((this.delays.get(id) ?? REDIAL_DELAY_MIN_MS) * 2, REDIAL_DELAY_MAX_MS);
      this.delays.set(id, next);
      this.schedule(address, next);
    }
  }
}

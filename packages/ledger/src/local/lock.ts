/**
 * Many shared holders at once, or one exclusive holder alone. A waiting exclusive holder goes
 * before shared ones that arrive after it, so a steady stream of reads cannot starve an erasure.
 */
export class SharedExclusiveLock {
  private shared = 0;
  private exclusive = false;
  private readonly queue: Array<{ readonly exclusive: boolean; readonly grant: () => void }> = [];

  async withShared<T>(run: () => Promise<T>): Promise<T> {
    await this.acquire(false);
    try {
      return await run();
    } finally {
      this.shared--;
      this.wake();
    }
  }

  async withExclusive<T>(run: () => Promise<T>): Promise<T> {
    await this.acquire(true);
    try {
      return await run();
    } finally {
      this.exclusive = false;
      this.wake();
    }
  }

  private acquire(exclusive: boolean): Promise<void> {
    if (this.queue.length === 0 && this.canGrant(exclusive)) {
      this.take(exclusive);
      return Promise.resolve();
    }
    return new Promise((grant) => this.queue.push({ exclusive, grant }));
  }

  private canGrant(exclusive: boolean): boolean {
    return exclusive ? !this.exclusive && this.shared === 0 : !this.exclusive;
  }

  private take(exclusive: boolean): void {
    if (exclusive) this.exclusive = true;
    else this.shared++;
  }

  private wake(): void {
    for (let next = this.queue[0]; next !== undefined; next = this.queue[0]) {
      if (!this.canGrant(next.exclusive)) return;
      this.queue.shift();
      this.take(next.exclusive);
      next.grant();
    }
  }
}

/**
 * Kills a node of a running cluster at the planned instant (SIGKILL: a crash, not a shutdown),
 * restarts it on the same home after the delay, and watches through the HTTP API what follows:
 * view changes (the new primary) and when the restarted node has caught up.
 */
import type { BenchCluster } from "../cluster.js";
import type { FaultSpec } from "./faultSpec.js";
import type { FaultEventKind } from "./timeline.js";

/** One status request during a fault; a dead or busy node must not hold the watch up. */
const STATUS_TIMEOUT_MS = 2_000;
/** How often the views and the restarted node's height are read. */
const WATCH_INTERVAL_MS = 250;

export interface TimedEvent {
  readonly kind: FaultEventKind;
  readonly node: number;
  /** Wall clock, `performance.timeOrigin + performance.now()`, as the load generator's samples. */
  readonly epochMs: number;
  readonly detail: string;
}

interface StatusView {
  readonly height: number;
  readonly view: number;
  readonly primary: string;
}

const epochNow = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function statusOf(url: string): Promise<StatusView | null> {
  try {
    const response = await fetch(`${url}/v1/status`, {
      signal: AbortSignal.timeout(STATUS_TIMEOUT_MS),
    });
    return response.ok ? ((await response.json()) as StatusView) : null;
  } catch {
    return null;
  }
}

/**
 * The primary most answering nodes name (their own views may lag), as a node index: node i holds
 * the genesis's validator i (the devnet layout), so the primary need not answer itself (an
 * overloaded one may not within the bound).
 */
export function primaryIndex(
  statuses: ReadonlyArray<StatusView | null>,
  validators: readonly string[],
): number {
  const votes = new Map<string, number>();
  for (const status of statuses) {
    if (status !== null) votes.set(status.primary, (votes.get(status.primary) ?? 0) + 1);
  }
  const [primary] = [...votes].sort((a, b) => b[1] - a[1])[0] ?? [];
  const index = primary === undefined ? -1 : validators.indexOf(primary);
  if (index < 0) throw new Error("FAULT_NO_PRIMARY: no node answered with a known primary");
  return index;
}

export class FaultInjector {
  readonly events: TimedEvent[] = [];
  /** The node killed, once it has been. */
  target: number | null = null;
  private failure: Error | null = null;
  private stopped = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running: Array<Promise<void>> = [];

  /**
   * `observer` is the node whose event stream the load generator follows: it is never killed
   * (its commits are the measurement), and it is the one whose view is watched. `validators`:
   * the genesis's validator keys (hex), node i's first.
   */
  constructor(
    private readonly cluster: BenchCluster,
    private readonly validators: readonly string[],
    private readonly fault: FaultSpec,
    private readonly restartAfterS: number | null,
    private readonly observer: number,
    private readonly log: (line: string) => void,
  ) {}

  /** The measured window has started: the kill is due `fault.atS` seconds from now. */
  windowStarted(): void {
    this.timers.push(setTimeout(() => this.track(this.kill()), this.fault.atS * 1000));
  }

  /** Ends the watches and waits for them; throws if the kill or the restart failed. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    await Promise.all(this.running);
    if (this.failure !== null) throw this.failure;
  }

  private track(work: Promise<void>): void {
    this.running.push(
      work.catch((error: unknown) => {
        this.failure ??= error instanceof Error ? error : new Error(String(error));
      }),
    );
  }

  private record(kind: FaultEventKind, node: number, detail: string, epochMs = epochNow()): void {
    this.events.push({ kind, node, epochMs, detail });
    this.log(`fault: ${kind} node-${node} ${detail}`);
  }

  private async chooseTarget(): Promise<{ node: number; view: number; primary: number }> {
    const statuses = await Promise.all(this.cluster.urls().map((url) => statusOf(url)));
    const primary = primaryIndex(statuses, this.validators);
    const key = this.validators[primary];
    const view = Math.max(
      0,
      ...statuses.map((st) => (st !== null && st.primary === key ? st.view : 0)),
    );
    if (this.fault.kind === "kill-primary") {
      if (primary === this.observer) {
        throw new Error(
          `FAULT_TARGET_IS_OBSERVER: the primary is node-${primary}, whose events the load generator follows`,
        );
      }
      return { node: primary, view, primary };
    }
    const replica = statuses.findIndex(
      (status, i) => status !== null && i !== primary && i !== this.observer,
    );
    if (replica < 0) throw new Error("FAULT_NO_REPLICA: no other replica answers");
    return { node: replica, view, primary };
  }

  private async kill(): Promise<void> {
    if (this.stopped) return;
    const { node, view, primary } = await this.chooseTarget();
    const role = node === primary ? "primary" : "replica";
    const killedAt = epochNow();
    await this.cluster.killNode(node);
    this.target = node;
    this.record("kill", node, `(${role} of view ${view}, SIGKILL)`, killedAt);
    this.track(this.watchViews(view));
    if (this.restartAfterS !== null) {
      const delayMs = killedAt + this.restartAfterS * 1000 - epochNow();
      this.timers.push(setTimeout(() => this.track(this.restart(node)), Math.max(0, delayMs)));
    }
  }

  private async restart(node: number): Promise<void> {
    if (this.stopped) return;
    this.cluster.restartNode(node);
    this.record("restart", node, "(same home, same command)");
    const url = this.cluster.url(node);
    const observerUrl = this.cluster.url(this.observer);
    while (!this.stopped) {
      const [own, reference] = await Promise.all([statusOf(url), statusOf(observerUrl)]);
      if (own !== null && reference !== null && own.height >= reference.height) {
        this.record("rejoined", node, `(at height ${own.height})`);
        return;
      }
      await sleep(WATCH_INTERVAL_MS);
    }
  }

  /** Records each view the observer enters after the kill, with its primary. */
  private async watchViews(fromView: number): Promise<void> {
    let view = fromView;
    while (!this.stopped) {
      const status = await statusOf(this.cluster.url(this.observer));
      if (status !== null && status.view > view) {
        view = status.view;
        const primary = this.validators.indexOf(status.primary);
        this.record("view-change", primary, `(view ${view}, primary node-${primary})`);
      }
      await sleep(WATCH_INTERVAL_MS);
    }
  }
}

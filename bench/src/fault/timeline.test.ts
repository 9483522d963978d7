import { describe, expect, it } from "vitest";
import { type FaultEvent, faultTimeline } from "./timeline.js";
import type { TxSamples } from "./txSamples.js";

const RATE = 100;

/**
 * 10 s window at 100 tx/s after 1 s of warm-up. Normal commits take 50 ms. The node is killed at
 * 4 s: nothing commits in seconds 4 and 5, then the backlog commits at 6.2 s. A quarter of the
 * transactions scheduled in [4, 6) go to the dead node and are not accepted; one of those
 * commits anyway. One accepted transaction of second 2 never commits (lost).
 */
function fixture(): TxSamples {
  const scheduledMs: number[] = [];
  const committedMs: Array<number | null> = [];
  const accepted: number[] = [];
  for (let i = 0; i < 11 * RATE; i++) {
    const at = -1000 + i * 10;
    scheduledMs.push(at);
    const down = at >= 4000 && at < 6000;
    const toDeadNode = down && i % 4 === 0;
    accepted.push(toDeadNode ? 0 : 1);
    if (at === 2500) committedMs.push(null);
    else if (toDeadNode) committedMs.push(at === 4000 ? 6200 : null);
    else committedMs.push(down ? 6200 : at + 50);
  }
  return { windowStartEpochMs: 1e12, windowMs: 10_000, scheduledMs, committedMs, accepted };
}

const events = (restartS: number | null): FaultEvent[] => [
  { kind: "kill", node: 0, atS: 4, detail: "primary" },
  ...(restartS === null ? [] : [{ kind: "restart" as const, node: 0, atS: restartS, detail: "" }]),
];

describe("faultTimeline", () => {
  it("counts throughput by commit second and latency by scheduled second", () => {
    const t = faultTimeline(fixture(), RATE, events(null));
    expect(t.seconds).toHaveLength(10);
    const [s3, s4, s5, s6] = [3, 4, 5, 6].map((s) => t.seconds[s]);
    expect(s3).toMatchObject({ offered: 100, accepted: 100, committed: 100, notAccepted: 0 });
    expect(s3?.p99Ms).toBe(50);
    // Only the last 50 ms of second 3 commit in second 4.
    expect(s4).toMatchObject({ offered: 100, accepted: 75, notAccepted: 24, committed: 5 });
    expect(s5).toMatchObject({ committed: 0, notAccepted: 25 });
    // The backlog of [4, 6) lands in second 6 with the second's own transactions (but its last 50 ms).
    expect(s6?.committed).toBe(150 + 1 + 95);
    expect(s4?.p50Ms).toBeGreaterThan(1700);
    expect(s5?.p99Ms).toBeGreaterThan(1150);
    expect(t.longestStallS).toBe(1);
  });

  it("tells lost from not accepted and from committed without acknowledgement", () => {
    const { counts } = faultTimeline(fixture(), RATE, events(null));
    expect(counts).toEqual({
      offered: 1100,
      accepted: 1050,
      notAccepted: 49,
      committedUnacknowledged: 1,
      lost: 1,
    });
  });

  it("ends 'during' at the recovery when there is no restart", () => {
    const t = faultTimeline(fixture(), RATE, events(null));
    expect(t.recoveredAtS).toBe(6);
    expect(t.recoveryS).toBe(2);
    expect(t.phases.map((p) => [p.phase, p.fromS, p.toS])).toEqual([
      ["before", 0, 4],
      ["during", 4, 6],
      ["after", 6, 10],
    ]);
    const [before, during, after] = t.phases;
    expect(before?.committedPerS).toBe(100);
    expect(before?.p99Ms).toBe(50);
    expect(during?.committedPerS).toBe(Math.round(5 / 2));
    expect(during?.notAccepted).toBe(49);
    expect(after?.committedPerS).toBe(Math.round((151 + 395) / 4));
  });

  it("ends 'during' at the restart when there is one", () => {
    const t = faultTimeline(fixture(), RATE, events(8));
    expect(t.phases.map((p) => [p.phase, p.fromS, p.toS])).toEqual([
      ["before", 0, 4],
      ["during", 4, 8],
      ["after", 8, 10],
    ]);
  });
});

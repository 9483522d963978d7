/**
 * A fault run cut into seconds and into phases (before, during and after the fault), from every
 * transaction's scheduled time, commit time and whether a node accepted it (txSamples.ts).
 *
 * Per second: transactions offered and accepted are counted by their scheduled second,
 * throughput (`committed`) by the second their commit event arrived, and p50/p99 are of the
 * transactions scheduled in that second that committed (latency from the scheduled time, as in
 * every step of the benchmark). Percentiles come from one HDR histogram per second or phase:
 * they do not add up across rows.
 */
import { LatencyRecorder } from "../latency.js";
import type { TxSamples } from "./txSamples.js";

export type FaultEventKind = "kill" | "restart" | "rejoined" | "view-change";

export interface FaultEvent {
  readonly kind: FaultEventKind;
  /** The node killed, restarted or rejoined; for a view change, the new primary. */
  readonly node: number;
  /** Seconds from the start of the measured window. */
  readonly atS: number;
  readonly detail: string;
}

export interface SecondRow {
  readonly second: number;
  readonly offered: number;
  readonly accepted: number;
  readonly notAccepted: number;
  readonly committed: number;
  /** Null when no transaction scheduled in this second has committed. */
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
}

export type PhaseName = "before" | "during" | "after";

export interface PhaseRow {
  readonly phase: PhaseName;
  readonly fromS: number;
  readonly toS: number;
  readonly offeredPerS: number;
  readonly committedPerS: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly notAccepted: number;
}

/**
 * The run's transactions, over the whole schedule (warm-up included):
 * - `notAccepted`: no node answered with the id (refused, or sent to a dead node) and it never
 *   committed; the client was told, or saw its connection fail, so it is not lost.
 * - `committedUnacknowledged`: not acknowledged, committed all the same (a node took it and
 *   passed it on, then died before its answer left).
 * - `lost`: acknowledged with its id and never committed by the end of the drain.
 */
export interface TxCounts {
  readonly offered: number;
  readonly accepted: number;
  readonly notAccepted: number;
  readonly committedUnacknowledged: number;
  readonly lost: number;
}

export interface FaultTimeline {
  readonly seconds: readonly SecondRow[];
  readonly phases: readonly PhaseRow[];
  readonly counts: TxCounts;
  /** Start of the first whole second after the kill committing >= 90% of the offered rate. */
  readonly recoveredAtS: number | null;
  /** recoveredAtS minus the kill instant: the outage, to within a second. */
  readonly recoveryS: number | null;
  /** Longest run of whole seconds in the window with no commit. */
  readonly longestStallS: number;
}

/** A second commits at least this share of the offered rate to count as recovered. */
export const RECOVERED_SHARE = 0.9;

const round1 = (value: number) => Math.round(value * 10) / 10;

function percentiles(latencies: readonly number[]): { p50Ms: number | null; p99Ms: number | null } {
  if (latencies.length === 0) return { p50Ms: null, p99Ms: null };
  const recorder = new LatencyRecorder();
  for (const ms of latencies) recorder.recordMs(ms);
  const { p50Ms, p99Ms } = recorder.summary();
  return { p50Ms, p99Ms };
}

function countsOf(samples: TxSamples): TxCounts {
  let accepted = 0;
  let notAccepted = 0;
  let committedUnacknowledged = 0;
  let lost = 0;
  for (const [i, flag] of samples.accepted.entries()) {
    const committed = samples.committedMs[i] !== null;
    if (flag === 1) {
      accepted += 1;
      if (!committed) lost += 1;
    } else if (committed) committedUnacknowledged += 1;
    else notAccepted += 1;
  }
  return {
    offered: samples.scheduledMs.length,
    accepted,
    notAccepted,
    committedUnacknowledged,
    lost,
  };
}

function secondsOf(samples: TxSamples): SecondRow[] {
  const count = Math.ceil(samples.windowMs / 1000);
  const rows = Array.from({ length: count }, () => ({
    offered: 0,
    accepted: 0,
    notAccepted: 0,
    committed: 0,
    latencies: [] as number[],
  }));
  const bucket = (ms: number | null) =>
    ms === null || ms < 0 || ms >= samples.windowMs ? undefined : rows[Math.floor(ms / 1000)];
  for (const [i, scheduled] of samples.scheduledMs.entries()) {
    const committed = samples.committedMs[i] ?? null;
    const atCommit = bucket(committed);
    if (atCommit !== undefined) atCommit.committed += 1;
    const row = bucket(scheduled);
    if (row === undefined) continue;
    row.offered += 1;
    if (samples.accepted[i] === 1) row.accepted += 1;
    else if (committed === null) row.notAccepted += 1;
    if (committed !== null) row.latencies.push(committed - scheduled);
  }
  return rows.map(({ latencies, ...row }, second) => ({
    second,
    ...row,
    ...percentiles(latencies),
  }));
}

function phaseOf(samples: TxSamples, phase: PhaseName, fromS: number, toS: number): PhaseRow {
  const [from, to] = [fromS * 1000, toS * 1000];
  const inPhase = (ms: number | null) => ms !== null && ms >= from && ms < to;
  let offered = 0;
  let committed = 0;
  let notAccepted = 0;
  const latencies: number[] = [];
  for (const [i, scheduled] of samples.scheduledMs.entries()) {
    const committedAt = samples.committedMs[i] ?? null;
    if (inPhase(committedAt)) committed += 1;
    if (!inPhase(scheduled)) continue;
    offered += 1;
    if (committedAt === null) {
      if (samples.accepted[i] !== 1) notAccepted += 1;
    } else latencies.push(committedAt - scheduled);
  }
  const spanS = toS - fromS;
  return {
    phase,
    fromS: round1(fromS),
    toS: round1(toS),
    offeredPerS: spanS > 0 ? Math.round(offered / spanS) : 0,
    committedPerS: spanS > 0 ? Math.round(committed / spanS) : 0,
    ...percentiles(latencies),
    notAccepted,
  };
}

function longestStall(seconds: readonly SecondRow[]): number {
  let longest = 0;
  let current = 0;
  for (const row of seconds) {
    current = row.committed === 0 ? current + 1 : 0;
    longest = Math.max(longest, current);
  }
  return longest;
}

/**
 * Cuts the run at the kill and at the restart (or, with no restart, at the recovery): before is
 * the window up to the kill, during the kill to the restart (or to the recovery, or to the end
 * if throughput never came back), after the rest.
 */
export function faultTimeline(
  samples: TxSamples,
  rate: number,
  events: readonly FaultEvent[],
): FaultTimeline {
  const seconds = secondsOf(samples);
  const windowS = samples.windowMs / 1000;
  const killS = events.find((e) => e.kind === "kill")?.atS ?? null;
  const restartS = events.find((e) => e.kind === "restart")?.atS ?? null;
  const recovered =
    killS === null
      ? undefined
      : seconds.find((row) => row.second > killS && row.committed >= RECOVERED_SHARE * rate);
  const recoveredAtS = recovered?.second ?? null;
  const phases: PhaseRow[] = [];
  if (killS !== null) {
    const duringEndS = Math.min(windowS, restartS ?? recoveredAtS ?? windowS);
    phases.push(phaseOf(samples, "before", 0, killS));
    phases.push(phaseOf(samples, "during", killS, duringEndS));
    if (duringEndS < windowS) phases.push(phaseOf(samples, "after", duringEndS, windowS));
  }
  return {
    seconds,
    phases,
    counts: countsOf(samples),
    recoveredAtS,
    recoveryS: recoveredAtS === null || killS === null ? null : round1(recoveredAtS - killS),
    longestStallS: longestStall(seconds),
  };
}

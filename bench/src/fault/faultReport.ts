/** The tables a fault run prints: what happened, the phases, every second, and the counts. */
import { table } from "../report.js";
import type { FaultReport } from "./faultRun.js";

const ms = (value: number | null) => (value === null ? "-" : `${value}`);

export function faultTables(report: FaultReport): string {
  const { timeline, events } = report;
  const eventLines = events.map(
    (e) => `  t=${e.atS.toFixed(2)} s  ${e.kind} node-${e.node} ${e.detail}`,
  );
  const phases = table(
    ["phase", "from s", "to s", "offered/s", "committed tx/s", "p50 ms", "p99 ms", "not accepted"],
    timeline.phases.map((p) => [
      p.phase,
      `${p.fromS}`,
      `${p.toS}`,
      `${p.offeredPerS}`,
      `${p.committedPerS}`,
      ms(p.p50Ms),
      ms(p.p99Ms),
      `${p.notAccepted}`,
    ]),
  );
  const marks = new Map<number, string[]>();
  for (const e of events) {
    const second = Math.floor(e.atS);
    marks.set(second, [...(marks.get(second) ?? []), `${e.kind} node-${e.node}`]);
  }
  const seconds = table(
    ["s", "offered", "accepted", "not accepted", "committed", "p50 ms", "p99 ms", "event"],
    timeline.seconds.map((row) => [
      `${row.second}`,
      `${row.offered}`,
      `${row.accepted}`,
      `${row.notAccepted}`,
      `${row.committed}`,
      ms(row.p50Ms),
      ms(row.p99Ms),
      (marks.get(row.second) ?? []).join(", "),
    ]),
  );
  const c = timeline.counts;
  const recovery =
    timeline.recoveryS === null
      ? "throughput never came back to 90% of the offered rate in the window"
      : `back to >= 90% of the offered rate ${timeline.recoveryS} s after the kill (second ${timeline.recoveredAtS})`;
  return [
    `Fault run: ${report.kind} at ${report.plannedAtS} s${report.restartAfterS === null ? "" : `, restart ${report.restartAfterS} s later`}, offered ${report.rate} tx/s`,
    ...eventLines,
    "",
    phases,
    "",
    seconds,
    "",
    `${recovery}; longest stall ${timeline.longestStallS} s.`,
    `transactions: ${c.offered} offered, ${c.accepted} accepted, ${c.notAccepted} not accepted (refused or sent to a dead node, never committed), ${c.committedUnacknowledged} committed without acknowledgement, ${c.lost} lost (accepted, never committed)`,
  ].join("\n");
}

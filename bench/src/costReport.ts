/** The report's mix, state and cost tables (beside report.ts's step tables). */
import type { MixEntry } from "./messages.js";
import type { PreloadReport } from "./preload.js";
import { type MeasuredStep, table } from "./report.js";

const MIB = 1024 * 1024;

/** The step's mix: share and encoded size per transaction type. */
export function mixTable(mix: Readonly<Record<string, MixEntry>>): string {
  return table(
    ["type", "count", "share %", "mean B", "p50 B", "max B"],
    Object.entries(mix).map(([type, m]) => [
      type,
      `${m.count}`,
      (m.share * 100).toFixed(1),
      `${m.meanBytes}`,
      `${m.p50Bytes}`,
      `${m.maxBytes}`,
    ]),
  );
}

const fixed = (value: number, digits: number) =>
  Number.isNaN(value) ? "-" : value.toFixed(digits);

/** Per step: the whole cluster's CPU ms and bytes written per committed transaction. */
export function costTable(steps: readonly MeasuredStep[]): string {
  const none = { committed: 0, cpuMsPerTx: NaN, writeBytesPerTx: NaN, perProcess: [] };
  return table(
    [
      "offered/s",
      "tps",
      "committed in window",
      "cluster CPU ms/tx",
      "cluster bytes written/tx",
      "CPU ms/tx per process",
      "bytes written/tx per process",
    ],
    steps.map(({ result, cost = none }) => [
      `${result.rate}`,
      `${result.tps}`,
      `${cost.committed}`,
      fixed(cost.cpuMsPerTx, 3),
      fixed(cost.writeBytesPerTx, 0),
      cost.perProcess.map((p) => fixed(p.cpuMsPerTx, 3)).join("/"),
      cost.perProcess.map((p) => fixed(p.writeBytesPerTx, 0)).join("/"),
    ]),
  );
}

/** The state the healthcare steps ran against. */
export interface ClusterState {
  readonly preload: PreloadReport;
  /** Each node's data directory after the preload, and after the cluster's last step, bytes. */
  readonly dataBytesAfterPreload: readonly number[];
  readonly dataBytesAtEnd: readonly number[];
}

export function stateLines(state: ClusterState): string {
  const p = state.preload;
  const mib = (bytes: readonly number[]) => bytes.map((b) => (b / MIB).toFixed(1)).join("/");
  return [
    `state: ${p.patients} patients (each with a record and a consent), ${p.members} members enrolled, ${p.packs} packs in ${p.cases} cases, ${p.clinicians} clinicians`,
    `preload: ${p.txs} transactions in ${p.seconds} s (${Object.entries(p.phasesS)
      .map(([name, s]) => `${name} ${s} s`)
      .join(", ")})`,
    `data on disk per node, MiB: ${mib(state.dataBytesAfterPreload)} after the preload, ${mib(state.dataBytesAtEnd)} after the steps`,
  ].join("\n");
}

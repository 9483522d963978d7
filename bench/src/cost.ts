/**
 * Cost, not only speed: the CPU time and the bytes written of every process of the system under
 * test (the validators, or the etcd members; never the load generator), between the window's
 * edges, per transaction committed in the window.
 */
import { readFile } from "node:fs/promises";
import { cpuSecondsOfStat } from "./procStats.js";

/** The counters of /proc/<pid>/io (proc(5)); bytes. */
export interface ProcIo {
  /** Bytes passed to read(2) and the like, page cache hits and sockets included. */
  readonly rchar: number;
  /** Bytes passed to write(2) and the like, sockets and pipes included. */
  readonly wchar: number;
  readonly readBytes: number;
  /** Bytes this process caused to be sent to the storage layer (its disk writes). */
  readonly writeBytes: number;
  /** Bytes it dirtied that were truncated before reaching storage. */
  readonly cancelledWriteBytes: number;
}

/** The kernel's counter names and ours. */
const IO_FIELDS: ReadonlyArray<readonly [string, keyof ProcIo]> = [
  ["rchar", "rchar"],
  ["wchar", "wchar"],
  ["read_bytes", "readBytes"],
  ["write_bytes", "writeBytes"],
  ["cancelled_write_bytes", "cancelledWriteBytes"],
];

/** Parses the text of /proc/<pid>/io; throws when a counter is missing or not a number. */
export function parseProcIo(text: string): ProcIo {
  const found = new Map<string, number>();
  for (const line of text.split("\n")) {
    const match = /^(\w+):\s+(\d+)$/.exec(line.trim());
    if (match !== null) found.set(match[1] as string, Number(match[2]));
  }
  const io = { rchar: 0, wchar: 0, readBytes: 0, writeBytes: 0, cancelledWriteBytes: 0 };
  for (const [field, name] of IO_FIELDS) {
    const value = found.get(field);
    if (value === undefined) throw new Error(`no ${field} in /proc/<pid>/io`);
    io[name] = value;
  }
  return io;
}

export interface CostSample {
  readonly cpuSeconds: number;
  /** Disk writes net of cancelled ones (write_bytes - cancelled_write_bytes). */
  readonly writeBytes: number;
}

/** CPU seconds and net disk bytes written of one process; null once it has exited. */
export async function sampleCost(pid: number): Promise<CostSample | null> {
  try {
    const [stat, io] = await Promise.all([
      readFile(`/proc/${pid}/stat`, "utf8"),
      readFile(`/proc/${pid}/io`, "utf8"),
    ]);
    const counters = parseProcIo(io);
    return {
      cpuSeconds: cpuSecondsOfStat(stat),
      writeBytes: counters.writeBytes - counters.cancelledWriteBytes,
    };
  } catch {
    return null;
  }
}

export interface ProcessCost {
  readonly cpuMs: number;
  readonly writeBytes: number;
  readonly cpuMsPerTx: number;
  readonly writeBytesPerTx: number;
}

export interface StepCost {
  /** Transactions committed inside the window: the denominator. */
  readonly committed: number;
  /** Per process of the system (node-i, or etcd member i), in the order sampled. */
  readonly perProcess: readonly ProcessCost[];
  /** The whole cluster: sums over every process. */
  readonly cpuMs: number;
  readonly writeBytes: number;
  readonly cpuMsPerTx: number;
  readonly writeBytesPerTx: number;
}

const ratio = (value: number, by: number, digits: number) =>
  by > 0 ? Math.round((value / by) * 10 ** digits) / 10 ** digits : Number.NaN;

/**
 * The cost of a window: each process's CPU milliseconds and bytes written between the samples,
 * per committed transaction (3 decimals for CPU, whole bytes), and the cluster's sums. A process
 * with a missing sample (it exited) makes the sums NaN: a cost that leaves a node out would
 * flatter the cluster.
 */
export function costBetween(
  before: ReadonlyArray<CostSample | null>,
  after: ReadonlyArray<CostSample | null>,
  committed: number,
): StepCost {
  const perProcess = after.map((end, i) => {
    const start = before[i];
    if (end === null || start === null || start === undefined) {
      return { cpuMs: Number.NaN, writeBytes: Number.NaN, cpuMsPerTx: NaN, writeBytesPerTx: NaN };
    }
    const cpuMs = Math.round((end.cpuSeconds - start.cpuSeconds) * 1000);
    const writeBytes = end.writeBytes - start.writeBytes;
    return {
      cpuMs,
      writeBytes,
      cpuMsPerTx: ratio(cpuMs, committed, 3),
      writeBytesPerTx: ratio(writeBytes, committed, 0),
    };
  });
  const cpuMs = perProcess.reduce((sum, p) => sum + p.cpuMs, 0);
  const writeBytes = perProcess.reduce((sum, p) => sum + p.writeBytes, 0);
  return {
    committed,
    perProcess,
    cpuMs,
    writeBytes,
    cpuMsPerTx: ratio(cpuMs, committed, 3),
    writeBytesPerTx: ratio(writeBytes, committed, 0),
  };
}

/** Samples the system's processes at the window's edges, beside the runner's WindowSampler. */
export class CostSampler {
  private before: Array<CostSample | null> = [];
  private after: Array<CostSample | null> = [];
  private pending: Promise<void> = Promise.resolve();
  private pids: () => number[] = () => [];

  watch(pids: () => number[]): void {
    this.pids = pids;
  }

  edge(edge: "start" | "end"): void {
    this.pending = Promise.all(this.pids().map((pid) => sampleCost(pid))).then((samples) => {
      if (edge === "start") this.before = samples;
      else this.after = samples;
    });
  }

  async cost(committed: number): Promise<StepCost> {
    await this.pending;
    return costBetween(this.before, this.after, committed);
  }
}

import { readFile } from "node:fs/promises";

/** Kernel clock ticks per second for /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
export const CLOCK_TICKS_PER_S = 100;

/** CPU seconds (user + system) from the text of /proc/<pid>/stat. */
export function cpuSecondsOfStat(stat: string): number {
  // The command name (field 2) is in parentheses and may hold spaces: split after its end.
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error("unreadable stat");
  return (utime + stime) / CLOCK_TICKS_PER_S;
}

/** Peak resident set size in bytes (VmHWM) from the text of /proc/<pid>/status. */
export function peakRssBytesOfStatus(status: string): number {
  const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status);
  if (match === null) throw new Error("no VmHWM in status");
  return Number(match[1]) * 1024;
}

export interface ProcessSample {
  readonly cpuSeconds: number;
  readonly peakRssBytes: number;
}

/** Reads one process's CPU time and peak memory; null once it has exited. */
export async function sampleProcess(pid: number): Promise<ProcessSample | null> {
  try {
    const [stat, status] = await Promise.all([
      readFile(`/proc/${pid}/stat`, "utf8"),
      readFile(`/proc/${pid}/status`, "utf8"),
    ]);
    return { cpuSeconds: cpuSecondsOfStat(stat), peakRssBytes: peakRssBytesOfStatus(status) };
  } catch {
    return null;
  }
}

/** The 1-minute load average from /proc/loadavg. */
export async function loadAverage1m(): Promise<number> {
  const text = await readFile("/proc/loadavg", "utf8");
  return Number(text.split(" ")[0]);
}

/**
 * Writes a run's SVG charts beside its JSON in bench/results/: the timeline of a fault run, or
 * the latency against offered rate of a search. A run measures one N, so the latency chart adds
 * the latest earlier run of each other N (and of etcd, if this run had none) from the same
 * directory, named in the legend by its file.
 */
import { readdir, readFile, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { NODES_ALLOWED } from "../args.js";
import { type LatencySeries, latencySpec } from "./latencyChart.js";
import { renderSvg } from "./render.js";
import { asChartRun, type ChartRun } from "./runResult.js";
import { timelineSpec } from "./timelineChart.js";

const RESULT_FILE = /^\d{4}-\d{2}-\d{2}T[\d-]+Z\.json$/;
const ETCD_LABEL = "etcd, 4 members";

export interface EarlierRun {
  readonly file: string;
  readonly run: ChartRun;
}

/** Runs in `dir` whose JSON the charts can read, newest first, `except` left out. */
export async function earlierRuns(dir: string, except: string): Promise<EarlierRun[]> {
  const names = (await readdir(dir)).filter((n) => RESULT_FILE.test(n) && n !== except).sort();
  const runs: EarlierRun[] = [];
  for (const file of names.reverse()) {
    try {
      const run = asChartRun(JSON.parse(await readFile(join(dir, file), "utf8")));
      if (run !== null) runs.push({ file, run });
    } catch {
      // A file being written or not JSON: not a run to draw.
    }
  }
  return runs;
}

const isSearch = (run: ChartRun) => (run.fault ?? null) === null && run.steps.length > 0;
const runName = (file: string) => `run ${basename(file, ".json").slice(0, 16).replace("T", " ")}`;

/** This run's series, then the latest earlier search of each other N, and of etcd if needed. */
export function latencySeries(run: ChartRun, earlier: readonly EarlierRun[]): LatencySeries[] {
  const series: LatencySeries[] = [
    { system: `CareLedger N = ${run.nodes} (this run)`, steps: run.steps },
  ];
  if (run.etcdSteps !== null && run.etcdSteps.length > 0) {
    series.push({ system: `${ETCD_LABEL} (this run)`, steps: run.etcdSteps });
  }
  for (const nodes of NODES_ALLOWED) {
    if (nodes === run.nodes) continue;
    const other = earlier.find((e) => e.run.nodes === nodes && isSearch(e.run));
    if (other !== undefined) {
      series.push({
        system: `CareLedger N = ${nodes} (${runName(other.file)})`,
        steps: other.run.steps,
      });
    }
  }
  if (run.etcdSteps === null || run.etcdSteps.length === 0) {
    const etcd = earlier.find((e) => (e.run.etcdSteps?.length ?? 0) > 0);
    if (etcd?.run.etcdSteps)
      series.push({ system: `${ETCD_LABEL} (${runName(etcd.file)})`, steps: etcd.run.etcdSteps });
  }
  return series;
}

export interface ChartMachine {
  readonly cpu: string;
  readonly cores: number;
  readonly node: string;
  readonly loadAverageAtStart: number;
}

/** The machine lines under every chart's title: the figures mean little without them. */
export function machineSubtitle(machine: ChartMachine, at: Date): string[] {
  return [
    `${at.toISOString().slice(0, 16).replace("T", " ")} UTC, ${machine.cores} cores (${machine.cpu}), Node ${machine.node}`,
    `load average ${machine.loadAverageAtStart} at the start`,
  ];
}

/** Writes the charts of the run saved at `jsonPath`; returns the paths written. */
export async function writeRunCharts(
  jsonPath: string,
  run: ChartRun,
  subtitle: readonly string[],
): Promise<string[]> {
  const dir = dirname(jsonPath);
  const stamp = basename(jsonPath, ".json");
  if (run.fault !== undefined && run.fault !== null) {
    const path = join(dir, `${stamp}-timeline.svg`);
    await writeFile(path, await renderSvg(timelineSpec(run.fault, subtitle)));
    return [path];
  }
  if (run.steps.length === 0) return [];
  const series = latencySeries(run, await earlierRuns(dir, basename(jsonPath)));
  const path = join(dir, `${stamp}-latency.svg`);
  await writeFile(
    path,
    await renderSvg(
      latencySpec(series, [...subtitle, "p50 solid, p99 dashed; one point per step"]),
    ),
  );
  return [path];
}

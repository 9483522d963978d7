/**
 * A fault run: one fixed-rate step on one cluster, with a node killed (and perhaps restarted)
 * during the measured window, cut into seconds and phases afterwards.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { DEVNET_GENESIS_FILE } from "@careledger/node/devnet";
import type { BenchOptions } from "../args.js";
import type { BenchCluster } from "../cluster.js";
import type { Loadgen } from "../loadgenClient.js";
import type { MeasuredStep } from "../report.js";
import { measuredStep, stepPlan, type WindowSampler } from "../runner.js";
import { FaultInjector } from "./faultInjector.js";
import type { FaultSpec } from "./faultSpec.js";
import { type FaultEvent, type FaultTimeline, faultTimeline } from "./timeline.js";

export interface FaultReport {
  readonly kind: FaultSpec["kind"];
  /** Planned instants, seconds into the measured window. */
  readonly plannedAtS: number;
  readonly restartAfterS: number | null;
  readonly rate: number;
  /** What happened, seconds into the measured window. */
  readonly events: readonly FaultEvent[];
  readonly timeline: FaultTimeline;
}

export interface FaultRunInput {
  readonly cluster: BenchCluster;
  readonly loadgen: Loadgen;
  readonly sampler: WindowSampler;
  readonly options: BenchOptions;
  readonly fault: FaultSpec;
  readonly rate: number;
  /** Adds a listener to the load generator's window edges; the returned function removes it. */
  readonly onWindow: (listener: (edge: "start" | "end") => void) => () => void;
  readonly log: (line: string) => void;
}

const NO_USAGE = { cpuPercent: Number.NaN, peakRssMiB: Number.NaN };

/** The genesis's validator keys (hex), in node order (the devnet layout writes them so). */
async function validatorKeys(dir: string): Promise<string[]> {
  const genesis = JSON.parse(await readFile(join(dir, DEVNET_GENESIS_FILE), "utf8")) as {
    validators?: unknown;
  };
  const { validators } = genesis;
  if (!Array.isArray(validators) || !validators.every((key) => typeof key === "string")) {
    throw new Error(`${dir}: genesis without validator keys`);
  }
  return validators;
}

export async function faultStep(
  input: FaultRunInput,
): Promise<{ step: MeasuredStep; report: FaultReport }> {
  const { cluster, fault, rate } = input;
  // The load generator follows the last node's events (cli.ts, withCluster): never kill it.
  const observer = cluster.nodes - 1;
  const injector = new FaultInjector(
    cluster,
    await validatorKeys(cluster.dir),
    fault,
    input.options.restartAfterS,
    observer,
    input.log,
  );
  const unlisten = input.onWindow((edge) => {
    if (edge === "start") injector.windowStarted();
  });
  try {
    const measured = await measuredStep(input.loadgen, input.sampler, {
      kind: "step",
      plan: { ...stepPlan(input.options, rate), samples: true },
    });
    await injector.stop();
    const { samples, ...result } = measured.result;
    if (samples === undefined) throw new Error("the load generator sent no samples");
    const events = injector.events.map(({ epochMs, ...event }) => ({
      ...event,
      atS: Math.round((epochMs - samples.windowStartEpochMs) / 10) / 100,
    }));
    // The killed node's CPU between the window's edges is two processes' (or none): left out.
    const nodes = measured.nodes.map((usage, i) => (i === injector.target ? NO_USAGE : usage));
    return {
      step: { ...measured, result, nodes },
      report: {
        kind: fault.kind,
        plannedAtS: fault.atS,
        restartAfterS: input.options.restartAfterS,
        rate,
        events,
        timeline: faultTimeline(samples, rate, events),
      },
    };
  } finally {
    unlisten();
    // On an error path the step's own error is the one to report; stop() still ends the timers
    // and watches (after a successful stop() it returns at once).
    await injector.stop().catch(() => undefined);
  }
}

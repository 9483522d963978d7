import type { TxSamples } from "./fault/txSamples.js";
import type { TypeSizes } from "./mix/sizes.js";
import type { PreloadReport, StateSize } from "./preload.js";
import type { StepOutcome } from "./stepTracker.js";

/** One load step: warm-up, then the measured window, then a drain for late commits. */
export interface StepPlan {
  readonly rate: number;
  readonly warmupMs: number;
  readonly windowMs: number;
  readonly drainMs: number;
  /** Fault runs: send back every transaction's times too (fault/txSamples.ts). */
  readonly samples?: boolean;
}

/** One type of a step's mix: count, share and mean/p50/max encoded bytes. */
export type MixEntry = TypeSizes;

/** `healthcare`: the care workload (mix/weights.ts); `identity`: registers and revokes only. */
export type MixName = "healthcare" | "identity";

export interface StepResult extends StepOutcome {
  readonly rate: number;
  readonly presignMs: number;
  readonly mix: Record<string, MixEntry>;
  /** Present when the plan asked for them. */
  readonly samples?: TxSamples;
}

export type ToLoadgen =
  | {
      readonly kind: "init";
      readonly dir: string;
      readonly nodes: number;
      readonly urls: readonly string[];
      readonly eventsUrl: string;
      readonly txSize: number | null;
      readonly clients: number;
      readonly revokeShare: number;
      readonly mix: MixName;
    }
  | { readonly kind: "preload"; readonly state: StateSize }
  | { readonly kind: "step"; readonly plan: StepPlan }
  | {
      readonly kind: "etcdStep";
      readonly plan: StepPlan;
      readonly urls: readonly string[];
      readonly valueBytes: number;
    };

export type FromLoadgen =
  | { readonly kind: "ready"; readonly registerBytes: number }
  | { readonly kind: "window"; readonly edge: "start" | "end" }
  | { readonly kind: "progress"; readonly text: string }
  | { readonly kind: "result"; readonly result: StepResult }
  | { readonly kind: "preloaded"; readonly report: PreloadReport }
  | { readonly kind: "error"; readonly message: string };

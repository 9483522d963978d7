/** Command-line options of `pnpm bench`, parsed without a library so the parser is testable. */
import {
  checkFaultOptions,
  type FaultSpec,
  parseFaultFlag,
  parseRestartAfter,
} from "./fault/faultSpec.js";
import type { MixName } from "./messages.js";
import type { StateSize } from "./preload.js";

export const NODES_ALLOWED = [4, 7, 10] as const;
export const DURATION_S_MIN = 5;
export const DURATION_S_MAX = 600;
export const RATE_MAX = 50_000;
export const TX_SIZE_MAX = 4_096;
export const STATE_MAX = 10_000_000;

export interface BenchOptions {
  /** Validators in the cluster. */
  readonly nodes: number;
  /** Measured window of one load step, seconds (after warm-up). */
  readonly durationS: number;
  /** Fixed offered rate (tx/s) for one open-loop step; null runs the search instead. */
  readonly rate: number | null;
  /** Wanted encoded transaction size in bytes; null keeps the natural size of the mix. */
  readonly txSize: number | null;
  readonly json: boolean;
  readonly quick: boolean;
  /** A peer system driven with the same load, or null. */
  readonly peer: "etcd" | null;
  /** Index of a node to run under `node --cpu-prof`, or null for none. */
  readonly profileNode: number | null;
  /** A node killed during a fixed-rate run (fault/), or null. */
  readonly fault: FaultSpec | null;
  /** Seconds from the kill to the restart of the killed node, or null for no restart. */
  readonly restartAfterS: number | null;
  /** The transaction mix: the healthcare workload, or today's identity transactions. */
  readonly mix: MixName;
  /** State preloaded before the healthcare mix's steps (ignored by the identity mix). */
  readonly state: StateSize;
}

/**
 * Preloaded state by default: it loads in a few minutes on the 2-core machine (bench/README.md
 * gives the measured times); the example size (100,000 / 50,000 / 1,000,000) is a flag.
 */
export const DEFAULT_STATE: StateSize = { patients: 20_000, members: 10_000, packs: 200_000 };
/** Quick mode's state: small enough for its one-minute budget. */
export const QUICK_STATE: StateSize = { patients: 1_000, members: 500, packs: 10_000 };

export const DEFAULT_OPTIONS: BenchOptions = {
  nodes: 4,
  durationS: 20,
  rate: null,
  txSize: null,
  json: false,
  quick: false,
  peer: null,
  profileNode: null,
  fault: null,
  restartAfterS: null,
  mix: "healthcare",
  state: DEFAULT_STATE,
};

/** Durations of quick mode: a 60-second budget for startup, ceiling, search and teardown. */
export const QUICK_DURATION_S = 4;

export const USAGE = `pnpm bench [--nodes 4|7|10] [--duration S] [--rate TX_PER_S] [--tx-size BYTES]
           [--json] [--quick] [--peer etcd] [--profile [NODE]] [--mix healthcare|identity]
           [--state-patients N] [--state-members N] [--state-packs N]
           [--fault kill-primary@T|kill-replica@T [--restart-after S]]`;

function integerIn(name: string, raw: string | undefined, min: number, max: number): number {
  const value = Number(raw);
  if (raw === undefined || !Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} takes an integer from ${min} to ${max}, not ${String(raw)}`);
  }
  return value;
}

const STATE_FLAGS = {
  "--state-patients": "patients",
  "--state-members": "members",
  "--state-packs": "packs",
} as const;

/** Parses `argv` (without the node and script paths); throws with a message on bad input. */
export function parseArgs(argv: readonly string[]): BenchOptions {
  let options: BenchOptions = { ...DEFAULT_OPTIONS };
  const state: Partial<Record<keyof StateSize, number>> = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const next = () => argv[++i];
    switch (flag) {
      case "--":
        break;
      case "--nodes": {
        const nodes = integerIn(flag, next(), 4, 10);
        if (!(NODES_ALLOWED as readonly number[]).includes(nodes)) {
          throw new Error(`--nodes takes one of ${NODES_ALLOWED.join(", ")}`);
        }
        options = { ...options, nodes };
        break;
      }
      case "--duration":
        options = {
          ...options,
          durationS: integerIn(flag, next(), DURATION_S_MIN, DURATION_S_MAX),
        };
        break;
      case "--rate":
        options = { ...options, rate: integerIn(flag, next(), 1, RATE_MAX) };
        break;
      case "--tx-size":
        options = { ...options, txSize: integerIn(flag, next(), 1, TX_SIZE_MAX) };
        break;
      case "--json":
        options = { ...options, json: true };
        break;
      case "--quick":
        options = { ...options, quick: true };
        break;
      case "--peer":
        if (next() !== "etcd") throw new Error("--peer takes etcd");
        options = { ...options, peer: "etcd" };
        break;
      case "--profile": {
        const value = argv[i + 1];
        const index = value !== undefined && /^\d+$/.test(value) ? Number(next()) : 0;
        options = { ...options, profileNode: index };
        break;
      }
      case "--fault":
        options = { ...options, fault: parseFaultFlag(next()) };
        break;
      case "--restart-after":
        options = { ...options, restartAfterS: parseRestartAfter(next()) };
        break;
      case "--mix": {
        const mix = next();
        if (mix !== "healthcare" && mix !== "identity") {
          throw new Error("--mix takes healthcare or identity");
        }
        options = { ...options, mix };
        break;
      }
      case "--state-patients":
      case "--state-members":
      case "--state-packs":
        state[STATE_FLAGS[flag]] = integerIn(flag, next(), 1, STATE_MAX);
        break;
      default:
        throw new Error(`unknown argument ${String(flag)}\n${USAGE}`);
    }
  }
  if (options.quick) {
    if (options.nodes !== 4) throw new Error("--quick runs 4 validators");
    options = {
      ...options,
      durationS: Math.min(options.durationS, QUICK_DURATION_S),
      state: QUICK_STATE,
    };
  }
  if (options.txSize !== null && options.mix !== "identity") {
    throw new Error("--tx-size sizes the identity mix's registers: add --mix identity");
  }
  if (Object.keys(state).length > 0) {
    if (options.mix !== "healthcare") throw new Error("--state-* sizes the healthcare mix's state");
    options = { ...options, state: { ...options.state, ...state } };
  }
  if (options.profileNode !== null && options.profileNode >= options.nodes) {
    throw new Error(`--profile names a node from 0 to ${options.nodes - 1}`);
  }
  checkFaultOptions(options);
  return options;
}

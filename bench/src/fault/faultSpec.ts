/**
 * The fault of a fault run (`--fault kill-primary@T`, `--fault kill-replica@T`, optionally
 * `--restart-after S`), parsed and checked against the rest of the options.
 */

export const FAULT_KINDS = ["kill-primary", "kill-replica"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultSpec {
  readonly kind: FaultKind;
  /** Seconds after the start of the measured window (after warm-up) when the node is killed. */
  readonly atS: number;
}

/** A bad fault option, with a code a script can match on. */
export class FaultArgError extends Error {
  constructor(
    readonly code:
      | "FAULT_SPEC_INVALID"
      | "FAULT_RESTART_INVALID"
      | "FAULT_NEEDS_FIXED_RATE"
      | "FAULT_OUTSIDE_WINDOW"
      | "FAULT_RESTART_WITHOUT_FAULT",
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = "FaultArgError";
  }
}

const SECONDS = /^\d+(\.\d+)?$/;

/** `kill-primary@20` -> { kind: "kill-primary", atS: 20 }. */
export function parseFaultFlag(raw: string | undefined): FaultSpec {
  const [kind, at, ...rest] = (raw ?? "").split("@");
  if (
    rest.length > 0 ||
    !(FAULT_KINDS as readonly string[]).includes(kind ?? "") ||
    at === undefined ||
    !SECONDS.test(at) ||
    Number(at) <= 0
  ) {
    throw new FaultArgError(
      "FAULT_SPEC_INVALID",
      `--fault takes ${FAULT_KINDS.map((k) => `${k}@T`).join(" or ")} (T seconds > 0 into the measured window), not ${String(raw)}`,
    );
  }
  return { kind: kind as FaultKind, atS: Number(at) };
}

/** `--restart-after S`: seconds from the kill to the restart of the same home. */
export function parseRestartAfter(raw: string | undefined): number {
  if (raw === undefined || !SECONDS.test(raw) || Number(raw) <= 0) {
    throw new FaultArgError(
      "FAULT_RESTART_INVALID",
      `--restart-after takes seconds > 0, not ${String(raw)}`,
    );
  }
  return Number(raw);
}

export interface FaultCheckInput {
  readonly fault: FaultSpec | null;
  readonly restartAfterS: number | null;
  readonly rate: number | null;
  readonly durationS: number;
  readonly quick: boolean;
  readonly peer: string | null;
}

/**
 * A fault run is one fixed-rate step on one CareLedger cluster (the search would kill a node in
 * every step, etcd has no primary to kill here), and the kill and the restart fall inside the
 * measured window so that "after" is measured too.
 */
export function checkFaultOptions(input: FaultCheckInput): void {
  const { fault, restartAfterS } = input;
  if (fault === null) {
    if (restartAfterS !== null) {
      throw new FaultArgError("FAULT_RESTART_WITHOUT_FAULT", "--restart-after needs --fault");
    }
    return;
  }
  if (input.rate === null || input.quick || input.peer !== null) {
    throw new FaultArgError(
      "FAULT_NEEDS_FIXED_RATE",
      "--fault runs one fixed-rate step: give --rate, and neither --quick nor --peer",
    );
  }
  const endS = fault.atS + (restartAfterS ?? 0);
  if (endS >= input.durationS) {
    throw new FaultArgError(
      "FAULT_OUTSIDE_WINDOW",
      `the kill at ${fault.atS} s${restartAfterS === null ? "" : ` and the restart ${restartAfterS} s later`} must fall inside the ${input.durationS} s window (--duration)`,
    );
  }
}

import type { ConsensusParams } from "@careledger/protocol";
import { faultyMax } from "@careledger/protocol";
import { BLOCK_FRAME_BYTES_MAX, BODY_FRAME_BYTES } from "../bodyBudget.js";
import { CALM_NETWORK, type NetworkConditions } from "./network.js";
import { Prng } from "./prng.js";

export const BYZANTINE_STRATEGIES = [
  "equivocate",
  "silent",
  "conflictingVotes",
  "replay",
  "forge",
  "wrongViews",
  "badProposal",
  "twins",
  "runFork",
] as const;
export type ByzantineStrategy = (typeof BYZANTINE_STRATEGIES)[number];

export const FAULT_KINDS = [
  ...BYZANTINE_STRATEGIES,
  "drops",
  "duplicates",
  "heavyTail",
  "partition",
  "crash",
  "viewChangeRestart",
  "wipe",
  "validatorChange",
  "slowCommit",
  "largeBlocks",
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Most simulated nodes (validators and followers). */
export const SIM_NODES_MAX = 7;
/** Virtual time after stabilisation within which every honest replica must make progress. */
export const LIVENESS_BOUND_MS = 60_000;

export interface Scenario {
  readonly seed: number;
  readonly kinds: ReadonlySet<FaultKind>;
  readonly nodeCount: number;
  readonly initialValidators: readonly number[];
  readonly params: ConsensusParams;
  readonly faulty: ReadonlyMap<number, ByzantineStrategy>;
  readonly hostile: NetworkConditions;
  readonly partitions: readonly { at: number; groups: readonly number[] }[];
  readonly crashes: readonly {
    node: number;
    at: number;
    restartAt: number;
    afterEffects: number;
  }[];
  readonly validatorChanges: readonly { at: number; validators: readonly number[] }[];
  /**
   * Times from which the next commit of an honest replica makes every replica ask for a view
   * change a few ms later, so view changes find blocks prepared but not committed (a new view
   * with a run to re-propose).
   */
  readonly viewChangeTriggers: readonly number[];
  /** Honest replicas restarted right after they install a new view (before stabilisation). */
  readonly restartsAtNewView: number;
  /**
   * From `at`, the node's next step that casts a vote crashes it and wipes its consensus log
   * (the ledger and the key are kept); it restarts `downMs` later.
   */
  readonly wipes: readonly { node: number; at: number; downMs: number }[];
  /**
   * Longest virtual time one commit takes (the node's ledger write is asynchronous). While a node
   * commits, its driver holds every other event for it, as the node's one event queue does.
   */
  readonly commitDelayMaxMs: number;
  /**
   * Large blocks (issue 11 item 8): transactions of `txPayloadBytes` and a view-change body
   * budget of a few of their blocks, so that a window of full blocks would not fit it. Null: small
   * transactions and the real budget.
   */
  readonly largeBlocks: {
    readonly txPayloadBytes: number;
    readonly bodyBytesBudget: number;
  } | null;
  readonly txTimes: readonly number[];
  readonly stabiliseAt: number;
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, index) => index);
}

/** The seed alone fixes the scenario: one fault kind is forced by it, others drawn at random. */
export function scenarioOf(seed: number): Scenario {
  const prng = new Prng(seed);
  const forced = FAULT_KINDS[seed % FAULT_KINDS.length] as FaultKind;
  const kinds = new Set<FaultKind>([forced]);
  for (const kind of FAULT_KINDS) if (prng.chance(0.15)) kinds.add(kind);
  // The forced kind comes first, so each seed surely exercises the kind its number selects.
  const byzantine = BYZANTINE_STRATEGIES.filter((kind) => kinds.has(kind)).sort(
    (a, b) => Number(b === forced) - Number(a === forced),
  );
  // A slow commit matters most where the commit decides a validator-set change.
  if (kinds.has("slowCommit")) kinds.add("validatorChange");
  const changing = kinds.has("validatorChange");
  const nodeCount = changing ? SIM_NODES_MAX : prng.int(4, SIM_NODES_MAX);
  const initialValidators = range(changing ? prng.int(4, SIM_NODES_MAX) : nodeCount);
  const stabiliseAt = prng.int(400, 1500);
  const validatorChanges = changing ? changesOf(prng, stabiliseAt) : [];
  const smallest = Math.min(
    initialValidators.length,
    ...validatorChanges.map((c) => c.validators.length),
  );
  const faulty = new Map<number, ByzantineStrategy>();
  // A validator that lost its log counts as one of the f faults until it may vote again.
  const wiped = kinds.has("wipe") ? 1 : 0;
  const faultyCount = Math.min(byzantine.length, faultyMax(smallest) - wiped);
  const candidates = shuffled(prng, range(nodeCount));
  for (let i = 0; i < faultyCount; i++) {
    faulty.set(candidates[i] as number, byzantine[i] as ByzantineStrategy);
  }
  return {
    seed,
    kinds,
    nodeCount,
    initialValidators,
    params: {
      checkpointInterval: prng.int(2, 5),
      window: prng.int(2, 6),
      emptyBlockIntervalMs: 300,
      requestTimeoutMs: 1500,
      viewChangeTimeoutMs: 400,
      clockSkewMaxMs: 1000,
      blockTxsMax: 8,
    },
    faulty,
    hostile: hostileOf(prng, kinds),
    partitions: kinds.has("partition") ? partitionsOf(prng, nodeCount, stabiliseAt) : [],
    crashes: kinds.has("crash") ? crashesOf(prng, nodeCount, stabiliseAt) : [],
    validatorChanges,
    ...viewChangeFaultsOf(prng, kinds, stabiliseAt),
    wipes: wiped === 0 ? [] : [wipeOf(prng, candidates[faultyCount] as number, stabiliseAt)],
    commitDelayMaxMs: kinds.has("slowCommit") ? prng.int(20, 400) : 0,
    largeBlocks: kinds.has("largeBlocks") ? largeBlocksOf(prng) : null,
    // Large blocks need enough transactions to fill windows of them.
    txTimes: range(kinds.has("largeBlocks") ? prng.int(30, 80) : prng.int(3, 15)).map(() =>
      prng.int(0, stabiliseAt),
    ),
    stabiliseAt,
  };
}

function hostileOf(prng: Prng, kinds: ReadonlySet<FaultKind>): NetworkConditions {
  return {
    dropRate: kinds.has("drops") ? prng.next() * 0.2 : 0,
    duplicateRate: kinds.has("duplicates") ? prng.next() * 0.3 : 0,
    heavyTailRate: kinds.has("heavyTail") ? prng.next() * 0.3 : 0,
    delayMinMs: 1,
    delayMaxMs: prng.int(CALM_NETWORK.delayMaxMs, 120),
    delayTailMaxMs: 3000,
  };
}

function partitionsOf(prng: Prng, nodeCount: number, until: number) {
  return range(prng.int(1, 3)).map(() => ({
    at: prng.int(0, until),
    groups: range(nodeCount).map(() => prng.int(0, 1)),
  }));
}

function crashesOf(prng: Prng, nodeCount: number, until: number) {
  return range(prng.int(1, 3)).map(() => {
    const at = prng.int(0, until);
    return {
      node: prng.int(0, nodeCount - 1),
      at,
      restartAt: Math.min(until, at + prng.int(50, 1500)),
      // Crash in the middle of one step's effects: persisted records survive, later sends do not.
      afterEffects: prng.int(0, 6),
    };
  });
}

/**
 * Restarts around view changes. A Byzantine primary that proposes fresh blocks at re-proposed
 * heights needs them too (its victims are replicas that forgot the new view's plan), so its kind
 * brings them along.
 */
function viewChangeFaultsOf(prng: Prng, kinds: ReadonlySet<FaultKind>, until: number) {
  const around = kinds.has("viewChangeRestart") || kinds.has("runFork");
  return {
    viewChangeTriggers: around ? range(prng.int(2, 6)).map(() => prng.int(0, until)) : [],
    restartsAtNewView: around ? prng.int(1, 4) : 0,
  };
}

/** Bytes a simulated transaction holds beyond its payload (keys, signature, nonce, framing). */
const SIM_TX_OVERHEAD_BYTES = 300;

function largeBlocksOf(prng: Prng) {
  const txPayloadBytes = prng.int(500, 4000);
  // From two transactions' worth to a little more than one full block (8 transactions).
  const txs = prng.int(2, 10);
  const bodyBytesBudget =
    BLOCK_FRAME_BYTES_MAX + BODY_FRAME_BYTES + txs * (txPayloadBytes + SIM_TX_OVERHEAD_BYTES);
  return { txPayloadBytes, bodyBytesBudget };
}

/** One wipe, of a node that is not Byzantine (so the honest side stays within f faults). */
function wipeOf(prng: Prng, node: number, until: number) {
  return { node, at: prng.int(0, until), downMs: prng.int(20, 600) };
}

function changesOf(prng: Prng, until: number) {
  return range(prng.int(1, 2)).map(() => {
    const size = prng.int(4, SIM_NODES_MAX);
    const chosen = shuffled(prng, range(SIM_NODES_MAX)).slice(0, size);
    return { at: prng.int(0, until), validators: chosen.sort((a, b) => a - b) };
  });
}

function shuffled(prng: Prng, items: number[]): number[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = prng.int(0, i);
    [items[i], items[j]] = [items[j] as number, items[i] as number];
  }
  return items;
}

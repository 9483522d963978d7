// Over 400 lines: the event loop, crashes and the per-step invariant observation share the
// simulation's private state; moving `observe` and the commit-news handling out is the next step.
import { keySigner, nobleVerifier, type Signer, toHex, type Verifier } from "@careledger/protocol";
import { BODY_BYTES_BUDGET } from "../bodyBudget.js";
import { planNewView } from "../newView.js";
import { logBound } from "../state.js";
import type { ConsensusMessage, Effect, Event, ReplicaConfig } from "../types.js";
import { applyEffect, type EffectWorld } from "./effects.js";
import { FastKeyring, sha256Fast } from "./fastCrypto.js";
import { describe, rememberHeard } from "./faults.js";
import { Invariants } from "./invariants.js";
import { CALM_NETWORK, Network } from "./network.js";
import {
  bootReplica,
  type Instance,
  keyName,
  newInstance,
  replicaConfig,
  type SimNode,
} from "./node.js";
import { Prng } from "./prng.js";
import { EventQueue } from "./queue.js";
import { LIVENESS_BOUND_MS, type Scenario, scenarioOf } from "./scenario.js";
import { mempoolCheck, submitTx, submitValidatorChange } from "./services.js";
import { type FaultWorld, ViewChangeFaults } from "./viewChangeFaults.js";
import type { DistEvent, Item } from "./world.js";

/** New heights every honest replica must commit after stabilisation. */
const LIVENESS_NEW_HEIGHTS = 3;
/** Lines of trace kept for a failure report. */
const TRACE_LINES_MAX = 300;
/** A run stops after this many events (a bound on a runaway, reported as a failure). */
const EVENTS_MAX = 2_000_000;

export interface SimOptions {
  /** "ed25519" signs with real keys (slow); the default is the fast keyed-hash stand-in. */
  readonly crypto?: "fast" | "ed25519";
  /** A planted bug: the quorum the replicas use. */
  readonly quorum?: (validatorCount: number) => number;
  readonly trace?: boolean;
  /** Lines of trace kept (the last ones). */
  readonly traceLines?: number;
  /** Keep running after a violation (to see which properties a planted bug breaks). */
  readonly keepGoing?: boolean;
  /**
   * Require every honest validator to cast a COMMIT vote after stabilisation (on unless false):
   * a replica in a view the others never joined comes back to theirs (rejoin.ts).
   */
  readonly requireVotes?: boolean;
}

export interface SimResult {
  readonly seed: number;
  readonly ok: boolean;
  readonly violations: readonly string[];
  /** Heights committed by every honest replica at the end. */
  readonly heights: number;
  readonly virtualMs: number;
  readonly events: number;
  /** Validator-set changes the chain decided, and the highest view any honest replica reached. */
  readonly validatorChanges: number;
  readonly maxView: number;
  /** Messages the honest replicas refused, by replica and reason. */
  readonly dropped: Record<string, Record<string, number>>;
  readonly trace: readonly string[];
}

export function simulate(seed: number, options: SimOptions = {}): SimResult {
  return new Simulation(scenarioOf(seed), options).run();
}

/** The new view of `view` that a step installed: the one received, or the one sent. */
function newViewIn(event: DistEvent, effects: readonly Effect[], view: number) {
  if (event.type === "message" && event.message.kind === "newview" && event.message.view === view) {
    return event.message;
  }
  for (const effect of effects) {
    if (effect.type !== "broadcast") continue;
    const message = effect.message;
    if (message.kind === "newview" && message.view === view) return message;
  }
  return undefined;
}

class Simulation implements EffectWorld, FaultWorld {
  readonly scenario: Scenario;
  readonly options: SimOptions;
  readonly prng: Prng;
  private readonly queue = new EventQueue<Item>();
  readonly network: Network;
  readonly nodes: SimNode[] = [];
  private readonly configs: ReplicaConfig[] = [];
  readonly invariants: Invariants;
  readonly chainId: Uint8Array;
  private readonly genesisHash: Uint8Array;
  readonly client: Signer;
  readonly admitted: { id: string; expires: number }[] = [];
  readonly decidedChanges = new Set<number>();
  private readonly trace: string[] = [];
  now = 0;
  private honest: Instance[] | undefined;
  private stableHeight: number | null = null;
  private events = 0;
  private readonly viewChangeFaults: ViewChangeFaults;
  /** A crash decided while a step runs: whether it also wipes the consensus log. */
  private crashingInStep: { readonly wipe: boolean } | null = null;

  constructor(scenario: Scenario, options: SimOptions) {
    this.scenario = scenario;
    this.options = options;
    this.prng = new Prng(scenario.seed ^ 0x5eed);
    this.network = new Network(this.prng.fork(), scenario.hostile, scenario.nodeCount);
    this.chainId = sha256Fast([
      Uint8Array.of(0x51, scenario.seed & 0xff, (scenario.seed >>> 8) & 0xff),
    ]);
    this.genesisHash = sha256Fast([this.chainId, Uint8Array.of(0)]);
    const keyring = new FastKeyring();
    const { signers, verifier } = this.keys(keyring);
    this.client = keyring.signer(1000);
    const genesis = scenario.initialValidators.map((index) => (signers[index] as Signer).publicKey);
    this.invariants = new Invariants(this.chainId, verifier, genesis, scenario.params);
    for (let index = 0; index < scenario.nodeCount; index++) {
      const signer = signers[index] as Signer;
      this.configs.push(
        replicaConfig(this.chainId, this.genesisHash, signer, verifier, {
          params: scenario.params,
          genesisValidators: genesis,
          ...(scenario.largeBlocks && { bodyBytesBudget: scenario.largeBlocks.bodyBytesBudget }),
          ...(options.quorum ? { quorum: options.quorum } : {}),
        }),
      );
      this.nodes.push(this.newNode(index, signer, signers));
    }
    this.viewChangeFaults = new ViewChangeFaults(this);
  }

  private keys(keyring: FastKeyring): { signers: Signer[]; verifier: Verifier } {
    const count = this.scenario.nodeCount;
    if (this.options.crypto !== "ed25519") {
      return {
        signers: Array.from({ length: count }, (_, i) => keyring.signer(i)),
        verifier: keyring,
      };
    }
    const signers = Array.from({ length: count }, (_, i) => {
      const secret = sha256Fast([Uint8Array.of(0xed, i), this.chainId]);
      return keySigner(secret);
    });
    return { signers, verifier: nobleVerifier };
  }

  private newNode(index: number, signer: Signer, signers: readonly Signer[]): SimNode {
    const strategy = this.scenario.faulty.get(index);
    const copies = strategy === "twins" ? 2 : 1;
    const instances = Array.from({ length: copies }, (_, copy) =>
      newInstance(
        copies === 1 ? `n${index}` : `n${index}${"ab"[copy]}`,
        this.chainId,
        this.genesisHash,
      ),
    );
    const byzantine =
      strategy === undefined
        ? null
        : {
            prng: this.prng.fork(),
            chainId: this.chainId,
            signer,
            app: (instances[0] as Instance).app,
            nodeCount: this.scenario.nodeCount,
            peers: signers.filter((_, i) => i !== index).map((s) => s.publicKey),
            heard: [],
            garbageAccepted: 0,
            forks: { sent: [], forkOf: new Map() },
          };
    return {
      index,
      signer,
      strategy,
      instances,
      mempool: new Map(),
      up: true,
      crashAfterEffects: null,
      byzantine,
      busyUntil: 0,
      held: [],
    };
  }

  run(): SimResult {
    this.schedule();
    for (const node of this.nodes) this.boot(node);
    const deadline = this.scenario.stabiliseAt + LIVENESS_BOUND_MS;
    while (this.options.keepGoing || this.invariants.violations.length === 0) {
      const next = this.queue.pop();
      if (next === undefined || next.at > deadline) break;
      this.now = next.at;
      this.events += 1;
      if (this.events > EVENTS_MAX) {
        this.invariants.fail(this.now, "event budget exhausted");
        break;
      }
      this.process(next.item);
      if (this.stableHeight !== null && this.settled()) break;
    }
    if (this.invariants.violations.length === 0 && !this.settled()) this.reportLiveness();
    return {
      seed: this.scenario.seed,
      ok: this.invariants.violations.length === 0,
      violations: this.invariants.violations,
      heights: this.honestHeight(),
      virtualMs: this.now,
      events: this.events,
      validatorChanges: this.decidedChanges.size,
      maxView: Math.max(...this.honestInstances().map((instance) => instance.replica?.view ?? 0)),
      dropped: Object.fromEntries(
        this.honestInstances().map((i) => [
          `${i.name}/${keyName(this.node(Number(i.name.slice(1, 2))).signer.publicKey)} v${i.replica?.view}${i.replica?.changingView ? "*" : ""}`,
          Object.fromEntries(i.replica?.dropped ?? []),
        ]),
      ),
      trace: this.trace,
    };
  }

  log(line: string): void {
    if (!this.options.trace) return;
    if (this.trace.length >= (this.options.traceLines ?? TRACE_LINES_MAX)) this.trace.shift();
    this.trace.push(`t=${this.now} ${line}`);
  }

  honestInstances(): Instance[] {
    if (this.honest === undefined) {
      const honest = this.nodes.filter((node) => node.strategy === undefined);
      this.honest = honest.flatMap((node) => node.instances);
    }
    return this.honest;
  }

  private honestHeight(): number {
    return Math.min(...this.honestInstances().map((instance) => instance.app.height));
  }

  /** Stable, every honest replica advanced enough, and every admitted transaction settled. */
  private settled(): boolean {
    if (this.stableHeight === null) return false;
    if (this.honestHeight() < this.stableHeight + LIVENESS_NEW_HEIGHTS) return false;
    const reference = this.honestInstances()[0]?.app;
    if (reference === undefined) return true;
    if (this.options.requireVotes !== false && this.silentValidators().length > 0) return false;
    return this.admitted.every(
      (tx) => reference.committedTxs.has(tx.id) || reference.height > tx.expires,
    );
  }

  /**
   * Honest validators that cast no COMMIT vote above the stable height. Following the chain by
   * sync is not enough: a validator that never votes again (alone in a view of its own) leaves
   * the cluster without the fault tolerance it counts on. One that lost its consensus log and
   * still waits for a view it may vote in is exempt: it is one of the f faults until the next view
   * change, by design (the consensus README, "A lost consensus log"). And while the chain
   * commits under an equivocating primary, the replicas it sends the other block to cannot vote
   * (a replica does not fetch a body it was not pre-prepared): PBFT's liveness needs a quorum only,
   * and the others see no fault to change the view for.
   */
  private silentValidators(): string[] {
    if (this.equivocatingPrimary()) return [];
    const stable = this.stableHeight ?? 0;
    const validators = this.invariants.truth.setAt(this.honestHeight() + 1).map(toHex);
    return this.nodes
      .filter((node) => node.strategy === undefined)
      .filter((node) => validators.includes(toHex(node.signer.publicKey)))
      .flatMap((node) => node.instances)
      .filter((instance) => instance.replica?.waitsForSafeView !== true)
      .filter(
        (instance) =>
          !instance.records.some((record) => record.type === "commit" && record.height > stable),
      )
      .map((instance) => instance.name);
  }

  /** Whether the primary of the view of the last commit is a Byzantine node that equivocates. */
  private equivocatingPrimary(): boolean {
    const height = this.honestHeight();
    const certificate = this.honestInstances()[0]?.app.chain[height]?.certificate;
    if (certificate === undefined) return false;
    const set = this.invariants.truth.setAt(height);
    const primary = set[certificate.view % set.length];
    return this.nodes.some(
      (node) =>
        node.strategy === "equivocate" &&
        primary !== undefined &&
        toHex(node.signer.publicKey) === toHex(primary),
    );
  }

  private reportLiveness(): void {
    const heights = this.honestInstances().map((i) => `${i.name}:${i.app.height}`);
    const pending = this.admitted.filter(
      (tx) => !this.honestInstances()[0]?.app.committedTxs.has(tx.id),
    );
    this.invariants.fail(
      this.now,
      `LIVENESS: stable at ${this.stableHeight}, heights ${heights.join(" ")}, ${pending.length} txs pending, not voting: ${this.silentValidators().join(" ") || "none"}`,
    );
  }

  at(time: number, item: Item): void {
    this.queue.push(Math.max(time, this.now), item);
  }

  private schedule(): void {
    const s = this.scenario;
    for (const partition of s.partitions) {
      this.at(partition.at, {
        kind: "scenario",
        run: () => this.network.partition(partition.groups),
      });
    }
    for (const crash of s.crashes) {
      this.at(crash.at, {
        kind: "scenario",
        run: () => this.crashSoon(crash.node, crash.afterEffects),
      });
      this.at(crash.restartAt, { kind: "scenario", run: () => this.restart(crash.node) });
    }
    for (const change of s.validatorChanges) {
      this.at(change.at, {
        kind: "scenario",
        run: () => submitValidatorChange(this, change.validators),
      });
    }
    this.viewChangeFaults.schedule();
    for (const time of s.txTimes) this.at(time, { kind: "scenario", run: () => submitTx(this) });
    this.at(s.stabiliseAt, { kind: "scenario", run: () => this.stabilise() });
    for (const node of this.nodes) {
      const interval = s.params.requestTimeoutMs / 2;
      this.at(interval, { kind: "scenario", run: () => mempoolCheck(this, node, interval) });
    }
  }

  private boot(node: SimNode): void {
    node.up = true;
    node.instances.forEach((instance, index) => {
      instance.incarnation += 1;
      instance.timers.clear();
      bootReplica(instance, this.configs[node.index] as ReplicaConfig);
      this.step(node, index, { type: "start" });
    });
  }

  private crashSoon(index: number, afterEffects: number): void {
    const node = this.nodes[index];
    if (node?.up) node.crashAfterEffects = afterEffects;
  }

  crashInStep(node: SimNode, downMs: number, wipe: boolean): void {
    this.crashingInStep = { wipe };
    this.at(this.now + downMs, { kind: "scenario", run: () => this.restart(node.index) });
  }

  private crash(node: SimNode, wipe = false): void {
    this.log(`crash n${node.index}${wipe ? " (consensus log wiped)" : ""}`);
    node.up = false;
    node.crashAfterEffects = null;
    node.busyUntil = 0;
    node.held.length = 0;
    for (const instance of node.instances) {
      if (wipe) instance.records.length = 0;
      instance.news.length = 0;
      instance.replica = null;
      instance.incarnation += 1;
      instance.timers.clear();
      instance.app.forgetVolatile();
    }
  }

  private restart(index: number): void {
    const node = this.nodes[index];
    if (node === undefined || node.up) return;
    this.log(`restart n${index}`);
    this.boot(node);
  }

  private stabilise(): void {
    this.log("stabilise");
    this.network.conditions = CALM_NETWORK;
    this.network.heal();
    for (const node of this.nodes) {
      node.crashAfterEffects = null;
      if (!node.up) this.boot(node);
    }
    this.stableHeight = Math.max(...this.honestInstances().map((instance) => instance.app.height));
  }

  private process(item: Item): void {
    const target = item.kind === "deliver" ? item.to : item.kind === "scenario" ? -1 : item.node;
    const busy = this.nodes[target];
    if (busy !== undefined && busy.busyUntil > this.now) {
      busy.held.push(item);
      return;
    }
    switch (item.kind) {
      case "scenario":
        item.run();
        return;
      case "deliver":
        this.deliverMessage(item.to, item.message);
        return;
      case "step":
        if (this.alive(item.node, item.instance, item.incarnation))
          this.step(this.node(item.node), item.instance, item.event);
        return;
      case "timer": {
        const instance = this.node(item.node).instances[item.instance];
        if (
          !this.alive(item.node, item.instance, item.incarnation) ||
          instance?.timers.get(item.name) !== item.at
        )
          return;
        instance.timers.delete(item.name);
        const event = { type: "timer", name: item.name } as DistEvent;
        this.step(this.node(item.node), item.instance, event);
        return;
      }
      case "app":
        if (!this.alive(item.node, item.instance, item.incarnation)) return;
        for (const event of item.run()) this.step(this.node(item.node), item.instance, event);
        return;
    }
  }

  node(index: number): SimNode {
    const node = this.nodes[index];
    if (node === undefined) throw new Error(`no node ${index}`);
    return node;
  }

  private alive(index: number, instance: number, incarnation: number): boolean {
    const node = this.node(index);
    return node.up && node.instances[instance]?.incarnation === incarnation;
  }

  private deliverMessage(to: number, message: ConsensusMessage): void {
    const node = this.node(to);
    if (!node.up) return;
    if (node.byzantine !== null) rememberHeard(node.byzantine, message);
    for (let index = 0; index < node.instances.length; index++) {
      this.step(node, index, { type: "message", message });
    }
  }

  /** Hands one event to one replica and carries out its effects in order. */
  private step(node: SimNode, index: number, event: DistEvent): void {
    const instance = node.instances[index];
    const replica = instance?.replica;
    if (instance === undefined || replica === null || replica === undefined || !node.up) return;
    if (this.options.trace && event.type === "message")
      this.log(`${instance.name} <- ${describe(event.message)}`);
    const before = { view: replica.view, changing: replica.changingView };
    const effects = replica.handle({ ...event, now: this.now } as Event);
    const n = Math.max(this.scenario.nodeCount, 4);
    this.invariants.logSize(
      this.now,
      instance.name,
      replica.logSize(),
      logBound(n, this.scenario.params.window),
    );
    const after = { view: replica.view, changing: replica.changingView };
    const limit =
      node.crashAfterEffects ??
      this.viewChangeFaults.afterStep(node, before, after, effects) ??
      effects.length;
    const applied = effects.slice(0, limit);
    for (const effect of applied) applyEffect(this, node, index, instance, effect);
    if (node.strategy === undefined) this.observe(instance.name, event, effects, applied);
    const inStep = this.crashingInStep;
    this.crashingInStep = null;
    if (node.crashAfterEffects !== null || inStep !== null) this.crash(node, inStep?.wipe);
    else if (node.busyUntil <= this.now) this.handNews(node, index);
  }

  /** Checks what an honest replica signed and persisted against what it promised before. */
  private observe(
    name: string,
    event: DistEvent,
    effects: readonly Effect[],
    applied: readonly Effect[],
  ): void {
    for (const effect of applied) {
      if (effect.type === "broadcast") {
        const message = effect.message;
        if (message.kind === "prepare" || message.kind === "commit") {
          const { kind, height, view, hash } = message;
          this.invariants.voted(this.now, name, kind, height, view, hash);
        }
        if (message.kind === "viewchange") {
          const budget = this.scenario.largeBlocks?.bodyBytesBudget ?? BODY_BYTES_BUDGET;
          this.invariants.viewChangeBytes(this.now, name, message, budget);
        }
      }
      if (effect.type !== "persist") continue;
      const record = effect.record;
      if (record.type === "view" && !record.changing) {
        const newView = newViewIn(event, effects, record.view);
        if (newView !== undefined) {
          this.invariants.installed(name, record.view, planNewView(newView.viewChanges));
        }
      }
      if (record.type === "prepare") {
        this.invariants.prepared(this.now, name, record.view, record.block);
      }
    }
  }

  /**
   * What a step's commits decided goes to the replica in the same turn, ahead of every other
   * event: a validator-set change handed later lets votes of its first heights be counted in
   * the old set (the `slowCommit` fault, with the news queued behind the held events, fails).
   */
  private handNews(node: SimNode, index: number): void {
    const instance = node.instances[index];
    if (instance === undefined) return;
    for (let news = instance.news.shift(); news !== undefined; news = instance.news.shift()) {
      this.step(node, index, news);
    }
  }

  release(node: SimNode): void {
    if (node.busyUntil > this.now || !node.up) return;
    for (let index = 0; index < node.instances.length; index++) this.handNews(node, index);
    for (const item of node.held.splice(0)) this.process(item);
  }
}

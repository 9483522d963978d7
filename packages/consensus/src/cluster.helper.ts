import type { ConsensusParams, Signer } from "@careledger/protocol";
import { Replica } from "./replica.js";
import { SimApp } from "./sim/app.js";
import { FastKeyring, sha256Fast } from "./sim/fastCrypto.js";
import type { ConsensusMessage, Effect, Event, PersistRecord, ReplicaConfig } from "./types.js";

type Input = Event extends infer E ? (E extends unknown ? Omit<E, "now"> : never) : never;

export const TEST_PARAMS: ConsensusParams = {
  checkpointInterval: 2,
  window: 3,
  emptyBlockIntervalMs: 100,
  requestTimeoutMs: 1000,
  viewChangeTimeoutMs: 300,
  clockSkewMaxMs: 1000,
  blockTxsMax: 8,
};

/** Most steps a test cluster takes before it gives up (a bound, not a sleep). */
const STEPS_MAX = 100_000;

/**
 * A small in-process cluster for directed tests: a reliable FIFO network, the simulator's
 * application, no timers unless a test fires one. Every effect list is kept for inspection.
 */
export class TestCluster {
  readonly keyring = new FastKeyring();
  readonly signers: Signer[];
  readonly chainId = sha256Fast([Uint8Array.of(7)]);
  readonly genesisHash = sha256Fast([Uint8Array.of(8)]);
  readonly replicas: Replica[];
  readonly apps: SimApp[];
  readonly records: PersistRecord[][];
  readonly effects: Effect[][][];
  readonly configs: ReplicaConfig[];
  /** Nodes whose incoming messages are dropped. */
  readonly isolated = new Set<number>();
  private readonly inbox: [number, Input][] = [];
  now = 0;

  constructor(
    size: number,
    private readonly params: ConsensusParams = TEST_PARAMS,
  ) {
    this.signers = Array.from({ length: size }, (_, index) => this.keyring.signer(index));
    const validators = this.signers.map((signer) => signer.publicKey);
    this.configs = this.signers.map((signer) => ({
      chainId: this.chainId,
      genesisHash: this.genesisHash,
      signer,
      verifier: this.keyring,
      params,
      genesisValidators: validators,
    }));
    const head = { height: 0, hash: this.genesisHash, certificate: null };
    this.replicas = this.configs.map((config) => Replica.create(config, head));
    this.apps = this.signers.map(() => new SimApp(this.chainId, this.genesisHash));
    this.records = this.signers.map(() => []);
    this.effects = this.signers.map(() => []);
  }

  send(node: number, input: Input): void {
    this.inbox.push([node, input]);
  }

  /** Loses every queued event and message in flight, as a crash of everyone would. */
  dropQueued(): void {
    this.inbox.length = 0;
  }

  /** Delivers queued events until none is left or `done` holds. */
  run(done: () => boolean = () => false): void {
    for (let steps = 0; steps < STEPS_MAX && !done(); steps++) {
      const next = this.inbox.shift();
      if (next === undefined) return;
      this.now += 1;
      this.step(next[0], next[1]);
    }
  }

  step(node: number, input: Input): Effect[] {
    const replica = this.replicas[node] as Replica;
    const effects = replica.handle({ ...input, now: this.now } as Event);
    (this.effects[node] as Effect[][]).push(effects);
    for (const effect of effects) this.apply(node, effect);
    return effects;
  }

  private apply(node: number, effect: Effect): void {
    const app = this.apps[node] as SimApp;
    switch (effect.type) {
      case "broadcast":
        this.signers.forEach((_, other) => {
          if (other !== node) this.deliver(other, effect.message);
        });
        return;
      case "send":
        this.deliver(this.indexOf(effect.to), effect.message);
        return;
      case "persist":
        this.records[node]?.push(effect.record);
        return;
      case "requestProposal": {
        const block = app.build(
          effect.height,
          effect.view,
          effect.prevHash,
          effect.proposer,
          this.now,
          this.params.clockSkewMaxMs,
          [],
          effect.bytesMax,
        );
        if (block !== undefined) this.send(node, { type: "proposal", block });
        return;
      }
      case "execute":
        this.send(node, {
          type: "verdict",
          hash: effect.hash,
          valid: app.execute(effect.block, this.now, this.params.clockSkewMaxMs),
        });
        return;
      case "deliver":
        app.commit(effect.block, effect.certificate);
        return;
      case "requestSync":
        this.sync(node, app);
        return;
      default:
        return;
    }
  }

  /** Copies certified blocks from the furthest application, as the node's block sync would. */
  private sync(node: number, app: SimApp): void {
    const source = [...this.apps].sort((a, b) => b.height - a.height)[0];
    if (source === undefined) return;
    while (app.height < source.height) {
      const entry = source.chain[app.height + 1];
      if (entry === undefined || app.commit(entry.block, entry.certificate) !== undefined) break;
    }
    const top = app.chain[app.height];
    if (top !== undefined) {
      this.send(node, {
        type: "synced",
        height: app.height,
        hash: top.hash,
        certificate: top.certificate,
      });
    }
  }

  private deliver(node: number, message: ConsensusMessage): void {
    if (!this.isolated.has(node)) this.send(node, { type: "message", message });
  }

  indexOf(key: Uint8Array): number {
    return this.signers.findIndex((signer) => signer.publicKey.every((byte, i) => byte === key[i]));
  }

  /** Every effect a node produced, flattened in order. */
  allEffects(node: number): Effect[] {
    return (this.effects[node] ?? []).flat();
  }
}

import { type SignedTx, type Signer, toHex, type Verifier } from "@careledger/protocol";
import { Replica, type ValidatorChange } from "../replica.js";
import type { PersistRecord, ReplicaConfig } from "../types.js";
import { SimApp } from "./app.js";
import type { ByzantineContext } from "./faults.js";
import type { ByzantineStrategy } from "./scenario.js";
import type { DistEvent, Item } from "./world.js";

/** One replica process: its replica, application and durable records. Twins are two of these. */
export interface Instance {
  readonly name: string;
  replica: Replica | null;
  readonly app: SimApp;
  readonly records: PersistRecord[];
  readonly timers: Map<string, number>;
  /** Bumped on every crash, so events of a previous life are ignored. */
  incarnation: number;
  /** Validator-set changes of the application already handed to the replica. */
  validatorChangesSeen: number;
  /** What the commits of the current step decided, handed to the replica before anything else. */
  readonly news: DistEvent[];
}

export interface AdmittedTx {
  readonly signed: SignedTx;
  admittedAt: number;
}

export interface SimNode {
  readonly index: number;
  readonly signer: Signer;
  readonly strategy: ByzantineStrategy | undefined;
  readonly instances: Instance[];
  readonly mempool: Map<string, AdmittedTx>;
  up: boolean;
  /** A pending crash in the middle of the next step: how many of its effects run. */
  crashAfterEffects: number | null;
  readonly byzantine: ByzantineContext | null;
  /** Until when the node's commit runs; its driver holds every event for it until then. */
  busyUntil: number;
  /** Events that arrived during a commit, in arrival order. */
  readonly held: Item[];
}

export function newInstance(name: string, chainId: Uint8Array, genesisHash: Uint8Array): Instance {
  return {
    name,
    replica: null,
    app: new SimApp(chainId, genesisHash),
    records: [],
    timers: new Map(),
    incarnation: 0,
    validatorChangesSeen: 0,
    news: [],
  };
}

/** Builds (or rebuilds after a crash) the replica of an instance from its durable state. */
export function bootReplica(instance: Instance, config: ReplicaConfig): void {
  const app = instance.app;
  const top = app.chain[app.height];
  const head = {
    height: app.height,
    hash: app.tipHash,
    certificate: top === undefined ? null : top.certificate,
  };
  const changes: ValidatorChange[] = [...app.validatorChanges];
  instance.validatorChangesSeen = changes.length;
  instance.replica = Replica.restore(config, head, instance.records, changes);
}

export function replicaConfig(
  chainId: Uint8Array,
  genesisHash: Uint8Array,
  signer: Signer,
  verifier: Verifier,
  base: Omit<ReplicaConfig, "chainId" | "signer" | "verifier" | "genesisHash">,
): ReplicaConfig {
  return { ...base, chainId, genesisHash, signer, verifier };
}

export function keyName(key: Uint8Array): string {
  return toHex(key).slice(0, 6);
}

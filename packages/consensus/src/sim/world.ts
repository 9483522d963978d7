import type { Signer } from "@careledger/protocol";
import type { ConsensusMessage, Event } from "../types.js";
import type { Invariants } from "./invariants.js";
import type { Instance, SimNode } from "./node.js";
import type { Prng } from "./prng.js";
import type { Scenario } from "./scenario.js";

/** An event as the simulator schedules it; the time is stamped when it is handed over. */
export type DistEvent = Event extends infer E
  ? E extends unknown
    ? Omit<E, "now">
    : never
  : never;

export type Item =
  | { kind: "deliver"; to: number; message: ConsensusMessage }
  | { kind: "step"; node: number; instance: number; incarnation: number; event: DistEvent }
  | { kind: "timer"; node: number; instance: number; incarnation: number; name: string; at: number }
  | { kind: "app"; node: number; instance: number; incarnation: number; run: () => DistEvent[] }
  | { kind: "scenario"; run: () => void };

/** What the simulator's services (clients, mempools, block sync) see of the simulated world. */
export interface World {
  readonly scenario: Scenario;
  readonly prng: Prng;
  readonly nodes: readonly SimNode[];
  readonly invariants: Invariants;
  readonly chainId: Uint8Array;
  readonly client: Signer;
  readonly admitted: { id: string; expires: number }[];
  readonly decidedChanges: Set<number>;
  readonly now: number;
  at(time: number, item: Item): void;
  log(line: string): void;
  honestInstances(): Instance[];
  node(index: number): SimNode;
}

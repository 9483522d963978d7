import type { Effect } from "../types.js";
import type { SimNode } from "./node.js";
import type { DistEvent, World } from "./world.js";

/** Latest delay (ms) between a trigger's commit and the request timeouts it causes. */
const TRIGGER_DELAY_MAX_MS = 5;
/** How long a replica restarted at a new view stays down (ms). */
const RESTART_DOWN_MS = { min: 20, max: 400 } as const;

/** What the view-change faults need of the simulation beyond the services' view of it. */
export interface FaultWorld extends World {
  /** Crashes the node once the current step's first `afterEffects` effects ran; restarts it later. */
  crashInStep(node: SimNode, downMs: number, wipe: boolean): void;
}

/** The replica's view before a step, to tell whether the step installed a new view. */
export interface ViewBefore {
  readonly view: number;
  readonly changing: boolean;
}

/**
 * Faults timed by what replicas do rather than by the clock: view changes started right after
 * a commit (so blocks are prepared but not committed), restarts right after a replica installs a
 * new view (for the new primary: right after its re-proposals leave, or in the middle of its
 * effects), and a wipe of the consensus log right after a replica past genesis voted.
 */
export class ViewChangeFaults {
  private readonly w: FaultWorld;
  private triggersArmed = 0;
  private restartsLeft: number;
  /** Node -> how long it stays down, for wipes armed and not yet done. */
  private readonly wipesArmed = new Map<number, number>();

  constructor(w: FaultWorld) {
    this.w = w;
    this.restartsLeft = w.scenario.restartsAtNewView;
  }

  schedule(): void {
    const s = this.w.scenario;
    for (const at of s.viewChangeTriggers) {
      this.w.at(at, { kind: "scenario", run: () => this.triggersArmed++ });
    }
    for (const wipe of s.wipes) {
      this.w.at(wipe.at, {
        kind: "scenario",
        run: () => this.wipesArmed.set(wipe.node, wipe.downMs),
      });
    }
  }

  /**
   * After an honest replica handled an event: returns how many of its effects run before it
   * crashes, or null if it does not.
   */
  afterStep(node: SimNode, before: ViewBefore, after: ViewBefore, effects: readonly Effect[]) {
    const w = this.w;
    if (node.strategy !== undefined || w.now >= w.scenario.stabiliseAt) return null;
    if (this.triggersArmed > 0 && effects.some((effect) => sends(effect, "commit"))) {
      this.triggersArmed -= 1;
      this.timeOutEveryone(w.now + w.prng.int(0, TRIGGER_DELAY_MAX_MS));
    }
    const installed =
      after.view > 0 && !after.changing && (before.changing || after.view > before.view);
    if (installed && this.restartsLeft > 0 && w.prng.chance(0.5)) {
      this.restartsLeft -= 1;
      const afterEffects = w.prng.chance(0.6) ? effects.length : w.prng.int(0, effects.length);
      w.crashInStep(node, w.prng.int(RESTART_DOWN_MS.min, RESTART_DOWN_MS.max), false);
      return afterEffects;
    }
    const down = this.wipesArmed.get(node.index);
    const voted = effects.some((effect) => sends(effect, "prepare") || sends(effect, "commit"));
    // At genesis a lost log looks like a new node's: the replica's rule covers a chain past it.
    const pastGenesis = node.instances.every((instance) => instance.app.height > 0);
    if (down !== undefined && voted && pastGenesis) {
      this.wipesArmed.delete(node.index);
      w.crashInStep(node, down, true);
      return effects.length;
    }
    return null;
  }

  private timeOutEveryone(at: number): void {
    const event: DistEvent = { type: "requestTimedOut" };
    for (const node of this.w.nodes) {
      node.instances.forEach((instance, index) => {
        this.w.at(at, {
          kind: "step",
          node: node.index,
          instance: index,
          incarnation: instance.incarnation,
          event,
        });
      });
    }
  }
}

function sends(effect: Effect, kind: string): boolean {
  return effect.type === "broadcast" && effect.message.kind === kind;
}

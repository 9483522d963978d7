import { toHex } from "@careledger/protocol";
import type { ConsensusMessage, Effect } from "../types.js";
import { corrupt, type Outgoing } from "./faults.js";
import type { Network } from "./network.js";
import type { Instance, SimNode } from "./node.js";
import { afterCommit, propose, sync } from "./services.js";
import type { DistEvent, World } from "./world.js";

/** Virtual time the application takes to build or execute a block. */
const APP_DELAY_MS = 2;
/** Virtual time a block sync takes. */
const SYNC_DELAY_MS = 30;

/** What carrying out effects needs beyond the services' view of the world. */
export interface EffectWorld extends World {
  readonly network: Network;
  /** The node's commit finished: its replica gets the commit's news, then the held events. */
  release(node: SimNode): void;
}

/** Carries out one effect of one replica, as the node's driver would. */
export function applyEffect(
  w: EffectWorld,
  node: SimNode,
  index: number,
  instance: Instance,
  effect: Effect,
): void {
  const incarnation = instance.incarnation;
  const later = (delay: number, run: () => DistEvent[]) =>
    w.at(w.now + delay, {
      kind: "app",
      node: node.index,
      instance: index,
      incarnation,
      run,
    });
  switch (effect.type) {
    case "broadcast":
      sendMessage(w, node, "all", effect.message);
      return;
    case "send": {
      const target = w.nodes.findIndex(
        (other) => toHex(other.signer.publicKey) === toHex(effect.to),
      );
      if (target >= 0) sendMessage(w, node, target, effect.message);
      return;
    }
    case "setTimer":
      instance.timers.set(effect.name, effect.at);
      w.at(effect.at, {
        kind: "timer",
        node: node.index,
        instance: index,
        incarnation,
        name: effect.name,
        at: effect.at,
      });
      return;
    case "cancelTimer":
      instance.timers.delete(effect.name);
      return;
    case "persist":
      instance.records.push(effect.record);
      if (effect.record.type === "view") {
        const { view, changing, votesAbove } = effect.record;
        w.log(
          `${instance.name} view ${view}${changing ? " (changing)" : ""} votes above h${votesAbove ?? 0}`,
        );
      }
      return;
    case "requestProposal":
      later(APP_DELAY_MS, () => propose(w, node, instance, effect));
      return;
    case "execute":
      later(APP_DELAY_MS, () => [
        {
          type: "verdict",
          hash: effect.hash,
          valid: instance.app.execute(effect.block, w.now, w.scenario.params.clockSkewMaxMs),
        },
      ]);
      return;
    case "deliver": {
      const refusal = instance.app.commit(effect.block, effect.certificate);
      if (node.strategy === undefined) {
        w.invariants.committed(w.now, instance.name, effect.block, effect.certificate, refusal);
      }
      w.log(`${instance.name} commits h${effect.block.header.height}`);
      afterCommit(w, node, instance);
      holdDuringCommit(w, node);
      return;
    }
    case "requestSync":
      later(SYNC_DELAY_MS, () => sync(w, node, instance, effect.toHeight));
      return;
  }
}

/** A slow commit: the node's driver handles nothing else until it has finished. */
function holdDuringCommit(w: EffectWorld, node: SimNode): void {
  const most = w.scenario.commitDelayMaxMs;
  if (most === 0) return;
  node.busyUntil = Math.max(node.busyUntil, w.now + w.prng.int(1, most));
  w.at(node.busyUntil, { kind: "scenario", run: () => w.release(node) });
}

export function sendMessage(
  w: EffectWorld,
  node: SimNode,
  to: number | "all",
  message: ConsensusMessage,
): void {
  const outgoing: Outgoing[] =
    node.strategy === undefined || node.byzantine === null
      ? [{ to, message }]
      : corrupt(node.strategy, node.byzantine, message);
  for (const out of outgoing) {
    const targets = out.to === "all" ? w.nodes.map((other) => other.index) : [out.to];
    for (const target of targets) {
      if (target === node.index) continue;
      for (const delay of w.network.fate(node.index, target)) {
        w.at(w.now + delay, { kind: "deliver", to: target, message: out.message });
      }
    }
  }
}

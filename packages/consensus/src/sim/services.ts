import { type SignedTx, signTx, toHex } from "@careledger/protocol";
import type { Effect } from "../types.js";
import { VALIDATOR_TX_TYPE } from "./app.js";
import { sha256Fast } from "./fastCrypto.js";
import type { Instance, SimNode } from "./node.js";
import type { DistEvent, World } from "./world.js";

/** Heights after admission within which a simulated transaction must commit. */
const TX_TTL_HEIGHTS = 10;

function pendingTxs(node: SimNode, instance: Instance): SignedTx[] {
  return [...node.mempool.values()]
    .map((entry) => entry.signed)
    .filter((signed) => !instance.app.committedTxs.has(toHex(signed.id)));
}

/** A note's payload: a number, or with large blocks a text of the scenario's size. */
function notePayload(w: World): unknown {
  const large = w.scenario.largeBlocks;
  if (large === null) return w.prng.nextUint32();
  return `${w.prng.nextUint32()}`.padEnd(large.txPayloadBytes, "x");
}

export function propose(
  w: World,
  node: SimNode,
  instance: Instance,
  ask: Extract<Effect, { type: "requestProposal" }>,
): DistEvent[] {
  const block = instance.app.build(
    ask.height,
    ask.view,
    ask.prevHash,
    ask.proposer,
    w.now,
    w.scenario.params.clockSkewMaxMs,
    pendingTxs(node, instance),
    ask.bytesMax,
  );
  if (block === undefined) return [];
  const included = new Set(block.txs.map((signed) => toHex(signed.id)));
  const more = pendingTxs(node, instance).some((signed) => !included.has(toHex(signed.id)));
  return [
    { type: "proposal", block },
    { type: "txsPending", pending: more },
  ];
}

/**
 * Collects the validator-set changes the application just committed as the commit's news: the
 * simulator hands them to the replica before any other event, as the node's driver does.
 */
export function afterCommit(w: World, node: SimNode, instance: Instance): void {
  const changes = instance.app.validatorChanges;
  for (const change of changes.slice(instance.validatorChangesSeen)) {
    if (node.strategy === undefined) {
      w.invariants.validatorsDecided(change.decidedAt, change.validators, w.decidedChanges);
    }
    instance.news.push({
      type: "validatorSetChanged",
      decidedAt: change.decidedAt,
      validators: change.validators,
    });
  }
  instance.validatorChangesSeen = changes.length;
}

/** Copies certified blocks from the replica that has the most, as block sync would. */
export function sync(w: World, node: SimNode, instance: Instance, toHeight: number): DistEvent[] {
  // Any node may serve blocks, Byzantine ones too: certificates prove them, and the invariants
  // check every synced block's certificate and linkage like a delivered one.
  const source = w.nodes
    .flatMap((other) => other.instances)
    .filter((other) => other !== instance)
    .sort((a, b) => b.app.height - a.app.height)[0];
  if (source === undefined || source.app.height <= instance.app.height) return [];
  const events: DistEvent[] = [];
  const seen = instance.validatorChangesSeen;
  while (instance.app.height < Math.max(toHeight, source.app.height)) {
    const entry = source.app.chain[instance.app.height + 1];
    if (entry === undefined) break;
    const refusal = instance.app.commit(entry.block, entry.certificate);
    if (node.strategy === undefined) {
      w.invariants.committed(
        w.now,
        `${instance.name}(sync)`,
        entry.block,
        entry.certificate,
        refusal,
      );
    }
    if (refusal !== undefined) break;
    // The truth the certificates are checked against learns decisions from synced blocks too.
    if (node.strategy === undefined) {
      for (const change of instance.app.validatorChanges.slice(seen)) {
        w.invariants.validatorsDecided(change.decidedAt, change.validators, w.decidedChanges);
      }
    }
  }
  for (const change of instance.app.validatorChanges.slice(seen)) {
    events.push({
      type: "validatorSetChanged",
      decidedAt: change.decidedAt,
      validators: change.validators,
    });
  }
  instance.validatorChangesSeen = instance.app.validatorChanges.length;
  const top = instance.app.chain[instance.app.height];
  if (top !== undefined) {
    events.push({
      type: "synced",
      height: instance.app.height,
      hash: top.hash,
      certificate: top.certificate,
    });
  }
  w.log(`${instance.name} synced to h${instance.app.height}`);
  return events;
}

export function submitTx(w: World, payload: unknown = notePayload(w), type = "sim.note"): void {
  const honest = w.nodes.filter((node) => node.strategy === undefined);
  const entry = w.prng.pick(honest);
  const height = Math.max(...w.honestInstances().map((instance) => instance.app.height));
  const nonce = new Uint8Array(8);
  nonce.set(sha256Fast([Uint8Array.of(w.admitted.length, w.scenario.seed & 0xff)]).slice(0, 8));
  const signed = signTx(
    {
      v: 1,
      chain: w.chainId,
      type,
      nonce,
      expires: height + TX_TTL_HEIGHTS,
      payload: payload as never,
    },
    w.client,
  );
  if (type === "sim.note") w.admitted.push({ id: toHex(signed.id), expires: signed.tx.expires });
  w.log(`tx ${toHex(signed.id).slice(0, 8)} admitted at n${entry.index}`);
  for (const node of w.nodes) {
    node.mempool.set(toHex(signed.id), { signed, admittedAt: w.now });
    node.instances.forEach((instance, index) => {
      w.at(w.now, {
        kind: "step",
        node: node.index,
        instance: index,
        incarnation: instance.incarnation,
        event: { type: "txsPending", pending: true },
      });
    });
  }
}

export function submitValidatorChange(w: World, validators: readonly number[]): void {
  const keys = validators.map((index) => toHex(w.node(index).signer.publicKey));
  w.log(`validator change to ${validators.join(",")}`);
  submitTx(w, keys, VALIDATOR_TX_TYPE);
}

/** The node's mempool reports transactions that waited too long (a censoring primary). */
export function mempoolCheck(w: World, node: SimNode, interval: number): void {
  w.at(w.now + interval, {
    kind: "scenario",
    run: () => mempoolCheck(w, node, interval),
  });
  const instance = node.instances[0];
  if (!node.up || instance === undefined) return;
  let late = false;
  for (const [id, entry] of node.mempool) {
    const expired = entry.signed.tx.expires <= instance.app.height;
    if (instance.app.committedTxs.has(id) || expired) node.mempool.delete(id);
    else if (w.now - entry.admittedAt > w.scenario.params.requestTimeoutMs) {
      late = true;
      entry.admittedAt = w.now;
    }
  }
  if (!late) return;
  node.instances.forEach((each, index) => {
    w.at(w.now, {
      kind: "step",
      node: node.index,
      instance: index,
      incarnation: each.incarnation,
      event: { type: "requestTimedOut" },
    });
  });
}

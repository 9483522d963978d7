import type { Ledger } from "@careledger/ledger";
import { fromHex, type ValidatorSet } from "@careledger/protocol";
import type { NodeConfig } from "../config.js";
import type { Logger } from "../logger.js";
import { StateSync, type StateSyncDeps, type StateSyncOutcome } from "./stateSync.js";

/** Whether this start state-syncs: asked for (flag or config) and the ledger holds only genesis. */
export function wantsStateSync(ledger: Ledger, config: NodeConfig, flag: boolean | undefined) {
  return (flag ?? config.stateSync?.enabled ?? false) && ledger.head.height === 0;
}

/**
 * The trust anchor of a snapshot: the validator set the operator named in
 * `stateSync.trustValidators` (from a node they trust, when the set changed since genesis), or
 * else the genesis set, which the ledger holds at height 0.
 */
export async function trustedValidators(ledger: Ledger, config: NodeConfig): Promise<ValidatorSet> {
  const named = config.stateSync?.trustValidators;
  if (named !== undefined) return named.map((hex) => fromHex(hex, 32));
  return (await ledger.consensusConfig()).validators;
}

/**
 * Runs state sync once, with `onFetcher` told of the fetcher so the node routes the snapshot
 * channel's answers to it meanwhile; logs what happened. Null: nothing restored.
 */
export async function runStateSync(
  deps: Omit<StateSyncDeps, "trusted"> & { readonly config: NodeConfig },
  onFetcher: (fetcher: StateSync | null) => void,
): Promise<StateSyncOutcome | null> {
  const log: Logger = deps.log;
  const fetcher = new StateSync({
    ...deps,
    trusted: await trustedValidators(deps.ledger, deps.config),
  });
  onFetcher(fetcher);
  try {
    const outcome = await fetcher.run();
    if (outcome === null) log.warn("state sync: no snapshot restored; block sync from genesis");
    else log.info({ ...outcome }, "state sync restored a snapshot; block sync goes on from it");
    return outcome;
  } finally {
    onFetcher(null);
  }
}

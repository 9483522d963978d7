import { activationHeight, type ValidatorChange } from "@careledger/consensus";
import type { Ledger, Proposal, ScheduledChange } from "@careledger/ledger";
import { CareLedgerError, type ConsensusParams } from "@careledger/protocol";

/**
 * The validator-set changes of the ledger, as the replica takes them: the height the change was
 * decided at (the governance vote's block) and the whole set it leads to. The replica derives
 * the activation height from the decision; it must be the ledger's, or the two would count votes
 * in different sets, so a mismatch is a bug that stops consensus (`window` and
 * `checkpointInterval`, which the derivation reads, cannot change: governance refuses them).
 */
async function changeOf(
  ledger: Ledger,
  entry: ScheduledChange,
  decidedAt: number,
  params: ConsensusParams,
): Promise<ValidatorChange> {
  if (activationHeight(decidedAt, params) !== entry.height) {
    throw new CareLedgerError(
      "INTERNAL",
      `change ${entry.proposal} takes effect at ${entry.height} in the ledger, not at the replica's`,
    );
  }
  // The head's state holds the change: the set at its height applies every change scheduled so far.
  const { nextValidators } = await ledger.reads.consensusConfig(entry.height - 1);
  return { decidedAt, validators: nextValidators };
}

/** The changes a block just committed decided (its execution result's `scheduled`). */
export async function changesDecidedIn(
  ledger: Ledger,
  height: number,
  scheduled: readonly ScheduledChange[],
  params: ConsensusParams,
): Promise<ValidatorChange[]> {
  const out: ValidatorChange[] = [];
  for (const entry of scheduled) {
    if (entry.change.kind !== "param.set") out.push(await changeOf(ledger, entry, height, params));
  }
  return out;
}

/** At start: the changes committed and not yet in force, each with its proposal's decision. */
export async function pendingChanges(ledger: Ledger): Promise<ValidatorChange[]> {
  const config = await ledger.reads.consensusConfig(ledger.head.height);
  const out: ValidatorChange[] = [];
  for (const entry of config.scheduled) {
    if (entry.change.kind === "param.set") continue;
    const proposal = (await ledger.reads.trustedQuery("gov.proposal", {
      id: entry.proposal,
    })) as Proposal | null;
    if (proposal?.decidedAt === undefined) {
      throw new CareLedgerError("INTERNAL", `scheduled change ${entry.proposal} has no decision`);
    }
    out.push(await changeOf(ledger, entry, proposal.decidedAt, config.params));
  }
  return out;
}

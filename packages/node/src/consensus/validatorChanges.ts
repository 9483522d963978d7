import type { ValidatorChange } from "@careledger/consensus";
import type { Ledger, ScheduledChange } from "@careledger/ledger";
import type { ConsensusParams } from "@careledger/protocol";

/**
 * Hands the replica the validator-set changes governance committed, once each. The ledger keeps
 * a passed change with the height it takes effect at (the first height after the first checkpoint
 * at or after decision + window); the replica takes the decision height and computes the same
 * activation, so the decision height given is the latest one that yields that activation.
 */
export class ValidatorChanges {
  private readonly reported = new Set<string>();

  constructor(private readonly ledger: Ledger) {}

  /** Changes committed and not yet reported, each with the whole set it leads to. */
  async unreported(): Promise<ValidatorChange[]> {
    const config = await this.ledger.reads.consensusConfig(this.ledger.head.height);
    const pending = config.scheduled.filter(
      (entry) => entry.change.kind !== "param.set" && !this.reported.has(entry.proposal),
    );
    const out: ValidatorChange[] = [];
    for (const entry of pending) {
      this.reported.add(entry.proposal);
      out.push(await this.changeOf(entry, config.params));
    }
    return out;
  }

  private async changeOf(
    entry: ScheduledChange,
    params: ConsensusParams,
  ): Promise<ValidatorChange> {
    const { nextValidators } = await this.ledger.reads.consensusConfig(entry.height - 1);
    return { decidedAt: entry.height - 1 - params.window, validators: nextValidators };
  }
}

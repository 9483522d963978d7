import { toHex } from "@careledger/protocol";
import { QUERY_RESULTS_MAX, type Query, requireParam } from "../module.js";
import { PARAMS_KEY, SCHEDULED_KEY, VALIDATORS_KEY } from "./consensusState.js";
import { PROPOSAL_PREFIX, type Proposal, proposalKey } from "./proposals.js";

/** An open proposal past its expiry reads as expired: it can never pass. */
function withStatus(proposal: Proposal, time: number) {
  const expired = proposal.status === "open" && time > proposal.expiresAt;
  return { ...proposal, status: expired ? "expired" : proposal.status };
}

const proposal: Query = {
  name: "gov.proposal",
  async run(reader, params) {
    const found = (await reader.get(proposalKey(requireParam(params, "id")))) as Proposal | null;
    return found === null ? null : withStatus(found, reader.time);
  },
};

const proposals: Query = {
  name: "gov.proposals",
  async run(reader) {
    const found = await reader.scan(PROPOSAL_PREFIX, QUERY_RESULTS_MAX);
    return found.map(([, value]) => withStatus(value as unknown as Proposal, reader.time));
  },
};

/** `consensus.config`: the validator set and parameters at the head, and scheduled changes. */
const consensusConfig: Query = {
  name: "consensus.config",
  async run(reader) {
    const validators = ((await reader.get(VALIDATORS_KEY)) as Uint8Array[] | null) ?? [];
    return {
      validators: validators.map(toHex),
      params: await reader.get(PARAMS_KEY),
      scheduled: (await reader.get(SCHEDULED_KEY)) ?? [],
    };
  },
};

export const governanceQueries: readonly Query[] = [proposal, proposals, consensusConfig];

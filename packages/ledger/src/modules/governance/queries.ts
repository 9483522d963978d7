import { type Canonical, QUERIES, toHex } from "@careledger/protocol";
import { definePagedQuery, defineQuery, type Query, scanPage } from "../module.js";
import { PARAMS_KEY, SCHEDULED_KEY, VALIDATORS_KEY } from "./consensusState.js";
import { PROPOSAL_PREFIX, type Proposal, proposalKey } from "./proposals.js";

/** An open proposal past its expiry reads as expired: it can never pass. */
function withStatus(proposal: Proposal, time: number): Canonical {
  const expired = proposal.status === "open" && time > proposal.expiresAt;
  return { ...proposal, status: expired ? "expired" : proposal.status } as unknown as Canonical;
}

const proposal = defineQuery(QUERIES["gov.proposal"], async (reader, { id }) => {
  const found = (await reader.get(proposalKey(id))) as Proposal | null;
  return found === null ? null : withStatus(found, reader.time);
});

const proposals = definePagedQuery(
  QUERIES["gov.proposals"],
  async (reader, _params, _caller, page) => {
    const { entries, resumeAfter } = await scanPage(reader, PROPOSAL_PREFIX, page);
    const items = entries.map(([, value]) => withStatus(value as unknown as Proposal, reader.time));
    return { items, resumeAfter };
  },
);

/** `consensus.config`: the validator set and parameters at the head, and scheduled changes. */
const consensusConfig = defineQuery(QUERIES["consensus.config"], async (reader) => {
  const validators = ((await reader.get(VALIDATORS_KEY)) as Uint8Array[] | null) ?? [];
  return {
    validators: validators.map(toHex),
    params: await reader.get(PARAMS_KEY),
    scheduled: (await reader.get(SCHEDULED_KEY)) ?? [],
  };
});

export const governanceQueries: readonly Query[] = [proposal, proposals, consensusConfig];

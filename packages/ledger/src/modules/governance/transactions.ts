import { PROPOSAL_DURATION_MAX_MS, TX_TYPES } from "@careledger/protocol";
import { ORG_IDS_KEY, orgKey, readOrganizationIds } from "../identity/state.js";
import { defineTxType, reject } from "../module.js";
import { CONSENSUS_KEYS } from "./consensusState.js";
import { checkChange, enactChange, proposalKey, readProposal, writeProposal } from "./proposals.js";

/** `gov.propose`: an admin of `org` opens a proposal; its id is the transaction's id. */
export const govPropose = defineTxType(TX_TYPES["gov.propose"], {
  reads: (payload) => [orgKey(payload.org), ORG_IDS_KEY, ...CONSENSUS_KEYS],
  async execute(ctx, payload) {
    if (payload.expiresAt <= ctx.time) reject("PROPOSAL_INVALID", "expiresAt is not after now");
    if (payload.expiresAt - ctx.time > PROPOSAL_DURATION_MAX_MS) {
      reject("PROPOSAL_INVALID", `voting period longer than ${PROPOSAL_DURATION_MAX_MS} ms`);
    }
    await checkChange(ctx.state, payload.change);
    writeProposal(ctx.state, {
      id: ctx.idHex,
      org: payload.org,
      proposer: ctx.sender,
      change: payload.change,
      createdAt: ctx.height,
      expiresAt: payload.expiresAt,
      votes: {},
      status: "open",
    });
  },
});

/**
 * `gov.vote`: an admin votes for its organization, once. The receipt's result is the tally
 * (approvals, refusals, electorate) and the proposal's status after the vote; a deciding vote also
 * emits `gov.proposal.decided`. Passing needs approvals from more than
 * two thirds of the current organizations; once that can no longer happen the proposal is
 * rejected. A proposal whose change cannot take effect when it would pass stays open and the
 * deciding vote fails, so nothing half-applies.
 */
export const govVote = defineTxType(TX_TYPES["gov.vote"], {
  reads: (payload) => [
    proposalKey(payload.proposal),
    orgKey(payload.org),
    ORG_IDS_KEY,
    ...CONSENSUS_KEYS,
  ],
  async execute(ctx, payload) {
    const proposal = await readProposal(ctx.state, payload.proposal);
    if (proposal === null) return reject("PROPOSAL_NOT_FOUND", `no proposal ${payload.proposal}`);
    if (proposal.status !== "open") reject("PROPOSAL_CLOSED", `proposal ${proposal.status}`);
    if (ctx.time > proposal.expiresAt) reject("PROPOSAL_CLOSED", "proposal expired");
    if (Object.hasOwn(proposal.votes, payload.org)) reject("ALREADY_VOTED", `${payload.org} voted`);
    const votes = { ...proposal.votes, [payload.org]: payload.approve };
    const electorate = await readOrganizationIds(ctx.state);
    const counted = electorate.filter((id) => Object.hasOwn(votes, id));
    const approvals = counted.filter((id) => votes[id] === true).length;
    const refusals = counted.length - approvals;
    const total = electorate.length;
    const tally = { approvals, refusals, electorate: total };
    if (approvals * 3 > total * 2) {
      const effectiveAt = await enactChange(ctx.state, proposal, ctx.height);
      const decided = { ...proposal, votes, status: "passed" as const, decidedAt: ctx.height };
      writeProposal(ctx.state, effectiveAt === undefined ? decided : { ...decided, effectiveAt });
      ctx.result({
        ...tally,
        status: "passed",
        ...(effectiveAt === undefined ? {} : { effectiveAt }),
      });
      ctx.emit(decidedEvent(proposal.id, "passed"));
    } else if ((total - refusals) * 3 <= total * 2) {
      writeProposal(ctx.state, { ...proposal, votes, status: "rejected", decidedAt: ctx.height });
      ctx.result({ ...tally, status: "rejected" });
      ctx.emit(decidedEvent(proposal.id, "rejected"));
    } else {
      writeProposal(ctx.state, { ...proposal, votes });
      ctx.result({ ...tally, status: "open" });
    }
  },
});

/** The event of a deciding vote, for subscribers: which proposal, and how it ended. */
function decidedEvent(proposal: string, status: "passed" | "rejected") {
  return { type: "gov.proposal.decided", attributes: { proposal, status } };
}

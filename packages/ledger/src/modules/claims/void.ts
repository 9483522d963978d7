import { type ClaimView, TX_TYPES } from "@careledger/protocol";
import { stamp } from "../consent/state.js";
import { defineTxType, reject } from "../module.js";
import {
  accumulatorKey,
  asCanonical,
  claimDuplicateKey,
  claimKey,
  readAccumulators,
  requireClaimOf,
  withHistory,
  writeClaim,
} from "./state.js";

/**
 * `claim.void`, by the claim's provider, before any payment and outside a dispute: what the
 * claim added to the member's accumulators is taken off again (later claims of the member keep
 * their adjudication: the chain never rewrites one), its duplicate key goes, so the same claim
 * may be submitted again, corrected or not, under a new id.
 */
export const claimVoid = defineTxType(TX_TYPES["claim.void"], {
  reads: (payload) => [claimKey(payload.claim)],
  readsAfter: (payload, _sender, known) => {
    const claim = known(claimKey(payload.claim)) as ClaimView | null | undefined;
    if (claim?.response.outcome !== "complete") return [];
    return [accumulatorKey(claim.response.plan, claim.member), claimDuplicateKey(claim)];
  },
  async execute(ctx, payload) {
    const claim = await requireClaimOf(ctx.state, payload.claim, "provider", payload.provider);
    if (claim.paid > 0 || claim.status === "disputed" || claim.status === "voided") {
      reject("CLAIM_NOT_VOIDABLE", `claim ${claim.id} is ${claim.status}, ${claim.paid} paid`);
    }
    if (claim.response.outcome === "complete") {
      const { plan, totals } = claim.response;
      const met = await readAccumulators(ctx.state, plan, claim.member);
      // What this claim added: its deductible and the member's whole share (NOTES.md 2.3 step 8).
      const reversed = {
        deductibleMet: met.deductibleMet - totals.deductible,
        outOfPocketMet: met.outOfPocketMet - totals.memberShare,
      };
      if (reversed.deductibleMet < 0 || reversed.outOfPocketMet < 0) {
        throw new Error(`claim ${claim.id} took off more than its member's accumulators hold`);
      }
      ctx.state.put(accumulatorKey(plan, claim.member), asCanonical(reversed));
      const duplicate = claimDuplicateKey(claim);
      if ((await ctx.state.get(duplicate)) === claim.id) ctx.state.delete(duplicate);
    }
    const voided: ClaimView = {
      ...claim,
      status: "voided",
      payable: 0,
      history: withHistory(claim, { status: "voided", at: stamp(ctx) }),
    };
    writeClaim(ctx.state, claim, voided);
    ctx.emit({ type: "claim.voided", attributes: { claim: claim.id, provider: claim.provider } });
  },
});

import { type ClaimView, TX_TYPES } from "@careledger/protocol";
import { hexOf } from "../../hex.js";
import { stamp } from "../consent/state.js";
import { defineTxType, reject } from "../module.js";
import { claimKey, requireClaimOf, withHistory, writeClaim } from "./state.js";

/**
 * `claim.dispute`, by the claim's provider, until the plan's dispute window after adjudication
 * closes: one dispute open at a time, with a reason code and a hash of the evidence the provider
 * opens to the insurer off chain. The claim goes on its insurer's open list until resolved.
 */
export const claimDispute = defineTxType(TX_TYPES["claim.dispute"], {
  reads: (payload) => [claimKey(payload.claim)],
  async execute(ctx, payload) {
    const claim = await requireClaimOf(ctx.state, payload.claim, "provider", payload.provider);
    const closed = ["voided", "error", "disputed"].includes(claim.status);
    if (closed || ctx.time > claim.disputeUntil) {
      reject(
        "CLAIM_NOT_DISPUTABLE",
        closed
          ? `claim ${claim.id} is ${claim.status}`
          : `claim ${claim.id}'s dispute window closed at ${claim.disputeUntil}`,
      );
    }
    const disputed: ClaimView = {
      ...claim,
      status: "disputed",
      history: withHistory(claim, {
        status: "disputed",
        at: stamp(ctx),
        reason: payload.reason,
        reference: hexOf(payload.evidence),
      }),
    };
    writeClaim(ctx.state, claim, disputed);
    ctx.emit({
      type: "claim.disputed",
      attributes: { claim: claim.id, provider: claim.provider, reason: payload.reason },
    });
  },
});

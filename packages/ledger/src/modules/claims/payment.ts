import { type ClaimView, TX_TYPES } from "@careledger/protocol";
import { hexOf } from "../../hex.js";
import { stamp } from "../consent/state.js";
import { defineTxType, reject } from "../module.js";
import { claimKey, paymentStatus, requireClaimOf, withHistory, writeClaim } from "./state.js";

/**
 * `claim.pay`, by the claim's insurer: a payment of at most what is payable and unpaid, with a
 * hash of its reference (remittance advice, transfer id). Not while a dispute is open: its
 * resolution decides what is payable. A denied claim has nothing payable.
 */
export const claimPay = defineTxType(TX_TYPES["claim.pay"], {
  reads: (payload) => [claimKey(payload.claim)],
  async execute(ctx, payload) {
    const claim = await requireClaimOf(ctx.state, payload.claim, "insurer", payload.insurer);
    if (claim.status === "voided" || claim.status === "error") {
      reject("CLAIM_NOT_PAYABLE", `claim ${claim.id} is ${claim.status}`);
    }
    if (claim.status === "disputed") {
      reject("CLAIM_NOT_PAYABLE", `claim ${claim.id} has a dispute open: resolve it first`);
    }
    const unpaid = claim.payable - claim.paid;
    if (payload.amount > unpaid) {
      reject(
        "CLAIM_NOT_PAYABLE",
        `claim ${claim.id} has ${Math.max(unpaid, 0)} payable and unpaid`,
      );
    }
    const paid = claim.paid + payload.amount;
    const status = paymentStatus({ payable: claim.payable, paid });
    const updated: ClaimView = {
      ...claim,
      paid,
      status,
      history: withHistory(claim, {
        status,
        at: stamp(ctx),
        amount: payload.amount,
        reference: hexOf(payload.reference),
      }),
    };
    writeClaim(ctx.state, claim, updated);
    ctx.result({ paid, unpaid: claim.payable - paid, status });
    ctx.emit({
      type: "claim.paid",
      attributes: { claim: claim.id, insurer: claim.insurer, amount: payload.amount },
    });
  },
});

import {
  type ClaimResolvePayload,
  type ClaimResponseView,
  type ClaimView,
  TX_TYPES,
} from "@careledger/protocol";
import { hexOf } from "../../hex.js";
import { stamp } from "../consent/state.js";
import { defineTxType, reject } from "../module.js";
import { adjustLines, decisionOf, totalsOf } from "./adjudication.js";
import {
  asCanonical,
  claimDuplicateKey,
  claimKey,
  paymentStatus,
  requireClaimOf,
  withHistory,
  writeClaim,
} from "./state.js";

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

type Complete = Extract<ClaimResponseView, { outcome: "complete" }>;

/**
 * The lines of a resolution, checked against its outcome and the claim (CLAIM_RESOLUTION_INVALID):
 * `upheld` names none; `adjusted` names at least one, each a line of the claim, once, with a
 * benefit that keeps eligible (member share + benefit) within what was submitted.
 */
function checkResolution(response: Complete, payload: ClaimResolvePayload): void {
  const invalid = (why: string) => reject("CLAIM_RESOLUTION_INVALID", why);
  if (payload.outcome === "upheld") {
    if (payload.lines.length > 0) invalid("an upheld resolution names no lines");
    return;
  }
  if (payload.lines.length === 0) invalid("an adjusted resolution names the lines it adjusts");
  const seen = new Set<number>();
  for (const { sequence, benefit } of payload.lines) {
    const line = response.lines[sequence - 1];
    if (line === undefined) invalid(`the claim has no line ${sequence}`);
    else if (seen.has(sequence)) invalid(`line ${sequence} named twice`);
    else if (line.memberShare + benefit > line.submitted) {
      invalid(
        `line ${sequence}: member share ${line.memberShare} + benefit ${benefit} exceeds submitted ${line.submitted}`,
      );
    }
    seen.add(sequence);
  }
}

/**
 * `claim.resolve`, by the claim's insurer, of its open dispute. `upheld` keeps the adjudication;
 * `adjusted` re-adjudicates the lines named (adjudication.ts adjustLines: the member's share,
 * and so the accumulators, stay) and the claim's payable follows: what it now exceeds the
 * payments by is payable, what the payments exceed it by is recoverable from the provider.
 */
export const claimResolve = defineTxType(TX_TYPES["claim.resolve"], {
  reads: (payload) => [claimKey(payload.claim)],
  readsAfter: (payload, _sender, known) => {
    const claim = known(claimKey(payload.claim)) as ClaimView | null | undefined;
    return claim ? [claimDuplicateKey(claim)] : [];
  },
  async execute(ctx, payload) {
    const claim = await requireClaimOf(ctx.state, payload.claim, "insurer", payload.insurer);
    const { response } = claim;
    if (claim.status !== "disputed" || response.outcome !== "complete") {
      return reject("CLAIM_NO_DISPUTE", `claim ${claim.id} is ${claim.status}`);
    }
    checkResolution(response, payload);
    let resolved: Complete = response;
    if (payload.outcome === "adjusted") {
      const lines = adjustLines(response.lines, payload.lines);
      resolved = { ...response, lines, totals: totalsOf(lines), decision: decisionOf(lines) };
      const duplicate = claimDuplicateKey(claim);
      // A denied claim paid after all now holds its duplicate key, like any claim not denied.
      if (resolved.decision !== "denied" && (await ctx.state.get(duplicate)) === null) {
        ctx.state.put(duplicate, claim.id);
      }
    }
    const payable = resolved.totals.benefit;
    const status = paymentStatus({ payable, paid: claim.paid });
    const updated: ClaimView = {
      ...claim,
      response: resolved,
      status,
      payable,
      recoverable: Math.max(0, claim.paid - payable),
      history: withHistory(claim, {
        status,
        at: stamp(ctx),
        resolution: payload.outcome,
        ...(payload.outcome === "adjusted" && { amount: payable }),
      }),
    };
    writeClaim(ctx.state, claim, updated);
    ctx.result(
      asCanonical({
        resolution: payload.outcome,
        payable,
        unpaid: Math.max(0, payable - claim.paid),
        recoverable: updated.recoverable,
        ...(payload.outcome === "adjusted" && { response: resolved }),
      }),
    );
    ctx.emit({
      type: "claim.resolved",
      attributes: { claim: claim.id, insurer: claim.insurer, resolution: payload.outcome },
    });
  },
});

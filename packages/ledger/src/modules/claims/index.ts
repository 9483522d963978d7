import type { LedgerModule } from "../module.js";
import { coverageEnd, coverageEnroll } from "./coverage.js";
import { claimDispute, claimResolve } from "./disputes.js";
import { claimsByMember, coveragesByMember } from "./indexes.js";
import { claimPay } from "./payment.js";
import { planRegister, planUpdate } from "./plans.js";
import { claimPreauthorize } from "./preauthorize.js";
import { claimQueries } from "./queries.js";
import { claimSubmit } from "./submit.js";
import { claimVoid } from "./void.js";

/**
 * Plans, coverages and claims adjudicated at commit, under `claims/` (state.ts has the layout).
 * Reads identity (the provider's and insurer's organization kinds). Raw state stays closed: a
 * claim is its parties' to read, through the queries' rules.
 */
export const claimsModule: LedgerModule = {
  name: "claims",
  uses: { identity: "read" },
  txTypes: [
    planRegister,
    planUpdate,
    coverageEnroll,
    coverageEnd,
    claimPreauthorize,
    claimSubmit,
    claimPay,
    claimDispute,
    claimResolve,
    claimVoid,
  ],
  queries: claimQueries,
  indexes: [coveragesByMember, claimsByMember],
};

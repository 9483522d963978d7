import type { ClaimSubmitPayload, CoverageEnrollPayload } from "@careledger/protocol";
import { hexOf } from "../../hex.js";
import type { IndexDefinition } from "../module.js";

export const COVERAGES_BY_MEMBER_INDEX = "coveragesByMember";
export const CLAIMS_BY_MEMBER_INDEX = "claimsByMember";

/**
 * `coveragesByMember`: `<member key>/<coverage id>` for every committed enrolment. Lists that
 * only grow live here; the ones that shrink (open claims, receivables) in the state.
 */
export const coveragesByMember: IndexDefinition = {
  name: COVERAGES_BY_MEMBER_INDEX,
  version: 1,
  feeds: ["coverage.enroll"],
  entries(committed) {
    if (committed.receipt.status !== "ok") return [];
    const enrolment = committed.payload as CoverageEnrollPayload;
    return [[`${hexOf(enrolment.member)}/${enrolment.id}`, committed.height]];
  },
};

/** `claimsByMember`: `<member key>/<claim id>` for every committed claim (voided ones too). */
export const claimsByMember: IndexDefinition = {
  name: CLAIMS_BY_MEMBER_INDEX,
  version: 1,
  feeds: ["claim.submit"],
  entries(committed) {
    if (committed.receipt.status !== "ok") return [];
    const claim = committed.payload as ClaimSubmitPayload;
    return [[`${hexOf(claim.member)}/${claim.id}`, committed.height]];
  },
};

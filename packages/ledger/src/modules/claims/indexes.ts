import type { ClaimSubmitPayload, CoverageEnrollPayload } from "@careledger/protocol";
import { hexOf } from "../../hex.js";
import type { CommittedTx, IndexDefinition } from "../module.js";

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

export const OPEN_OF_INSURER_INDEX = "openOfInsurer";
export const RECEIVABLES_INDEX = "receivables";

/** The claim transactions whose event says where the claim now stands (state.ts claimEvent). */
const CLAIM_STEPS = ["claim.submit", "claim.pay", "claim.dispute", "claim.resolve", "claim.void"];
const CLAIM_EVENTS: ReadonlySet<string> = new Set([
  "claim.submitted",
  "claim.paid",
  "claim.disputed",
  "claim.resolved",
  "claim.voided",
]);

interface Standing {
  readonly claim: string;
  readonly provider: string;
  readonly insurer: string;
  readonly open: boolean;
  readonly receivable: boolean;
}

function standingOf(committed: CommittedTx): Standing | null {
  const { receipt } = committed;
  if (receipt.status !== "ok") return null;
  const event = receipt.events?.find((each) => CLAIM_EVENTS.has(each.type));
  return event === undefined ? null : (event.attributes as unknown as Standing);
}

/**
 * A list that shrinks, from the claim events: the claim's key under `orgOf` while `on` holds,
 * taken out by the step that makes it false. In block order, so the last step of a claim wins.
 */
function claimList(
  name: string,
  orgOf: (standing: Standing) => string,
  on: (standing: Standing) => boolean,
): IndexDefinition {
  const keyOf = (standing: Standing) => `${orgOf(standing)}/${standing.claim}`;
  return {
    name,
    version: 1,
    feeds: CLAIM_STEPS,
    entries(committed) {
      const standing = standingOf(committed);
      return standing !== null && on(standing) ? [[keyOf(standing), committed.height]] : [];
    },
    removals(committed) {
      const standing = standingOf(committed);
      return standing !== null && !on(standing) ? [keyOf(standing)] : [];
    },
  };
}

/** `openOfInsurer`: `<insurer>/<claim id>`: claims with something payable and unpaid, or disputed. */
export const openOfInsurer = claimList(
  OPEN_OF_INSURER_INDEX,
  (standing) => standing.insurer,
  (standing) => standing.open,
);

/** `receivables`: `<provider>/<claim id>`: claims with something payable and unpaid. */
export const receivables = claimList(
  RECEIVABLES_INDEX,
  (standing) => standing.provider,
  (standing) => standing.receivable,
);

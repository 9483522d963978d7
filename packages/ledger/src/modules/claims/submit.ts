import {
  type ClaimErrorCode,
  type ClaimResponseView,
  type ClaimSubmitPayload,
  type ClaimView,
  type CoverageView,
  type PreauthorizationView,
  TX_TYPES,
} from "@careledger/protocol";
import { hexOf } from "../../hex.js";
import { stamp } from "../consent/state.js";
import { orgKey } from "../identity/state.js";
import { defineTxType, reject, type TxContext } from "../module.js";
import { adjudicate, coverageInForce, type PreauthState } from "./adjudication.js";
import { requireMemberCoverage, requireProvider } from "./preauthorize.js";
import {
  accumulatorKey,
  asCanonical,
  claimKey,
  coverageKey,
  DAY_MS,
  duplicateHash,
  duplicateKey,
  planKey,
  preauthKey,
  readAccumulators,
  readClaim,
  readPreauth,
  readTerms,
  requirePlan,
  type StoredPlan,
  termsKey,
  versionAt,
  writeClaim,
} from "./state.js";

const duplicateKeys = new WeakMap<ClaimSubmitPayload, string>();

/**
 * The claim's duplicate key, hashed once per payload: the prefetch, the check and the write all
 * need it, and a hash of the canonical lines is a tenth of the handler's own time.
 */
function duplicateKeyOf(payload: ClaimSubmitPayload): string {
  let key = duplicateKeys.get(payload);
  if (key === undefined) {
    const member = hexOf(payload.member);
    key = duplicateKey(duplicateHash(payload.provider, member, payload.serviceDate, payload.items));
    duplicateKeys.set(payload, key);
  }
  return key;
}

/** What the claim's pre-authorization says, judged before adjudication (null: none named). */
type PreauthFinding =
  | { readonly kind: "none" }
  | { readonly kind: "error"; readonly code: ClaimErrorCode }
  | { readonly kind: "found"; readonly preauthorization: PreauthorizationView };

async function findPreauth(
  ctx: TxContext,
  payload: ClaimSubmitPayload,
  member: string,
): Promise<PreauthFinding> {
  if (payload.preauthorization === undefined) return { kind: "none" };
  const found = await readPreauth(ctx.state, payload.preauthorization);
  if (found === null) return { kind: "error", code: "preauth-unknown" };
  const same =
    found.provider === payload.provider &&
    found.coverage === payload.coverage &&
    found.member === member;
  return same
    ? { kind: "found", preauthorization: found }
    : { kind: "error", code: "preauth-mismatch" };
}

/**
 * Whether a line whose rule requires pre-authorization has it: the named one approved its code
 * and its period holds the service date (start inclusive, end exclusive).
 */
export function preauthCovers(
  preauthorization: PreauthorizationView | null,
  code: string,
  serviceDate: number,
): PreauthState {
  if (preauthorization === null) return "missing";
  const { period, approved } = preauthorization;
  const inPeriod = period.start <= serviceDate && serviceDate < period.end;
  return inPeriod && approved.includes(code) ? "approved" : "denied";
}

/**
 * The claim-level errors (R4 outcome `error`: nothing adjudicated, nothing accrues): a service
 * date after this block, a pre-authorization that is unknown or another claim's, no plan
 * version in force on the service date.
 */
function claimErrors(
  ctx: TxContext,
  payload: ClaimSubmitPayload,
  preauth: PreauthFinding,
  version: StoredPlan["versions"][number] | null,
): ClaimErrorCode[] {
  const errors: ClaimErrorCode[] = [];
  if (payload.serviceDate > ctx.time) errors.push("service-date-future");
  if (preauth.kind === "error") errors.push(preauth.code);
  if (version === null) errors.push("plan-not-in-force");
  return errors;
}

/** Whether the claim comes later than the plan's timely-filing limit after its service date. */
export const filedLate = (serviceDate: number, time: number, timelyFilingDays: number) =>
  time - serviceDate > timelyFilingDays * DAY_MS;

/**
 * `claim.submit`, by a clinician or staff of `provider`, a care provider: adjudicated at once,
 * deterministically, against the coverage, the plan version in force on the service date and
 * what the member has met this plan period, in block order. The receipt's result is the
 * ClaimResponse, which the claim keeps; an adjudicated claim that is not denied takes its
 * duplicate key, so the same claim again is denied `duplicate` until this one is voided.
 */
export const claimSubmit = defineTxType(TX_TYPES["claim.submit"], {
  reads: (payload) => [
    claimKey(payload.id),
    orgKey(payload.provider),
    coverageKey(payload.coverage),
    duplicateKeyOf(payload),
    ...(payload.preauthorization === undefined ? [] : [preauthKey(payload.preauthorization)]),
  ],
  readsAfter: (payload, _sender, known) => {
    const coverage = known(coverageKey(payload.coverage)) as CoverageView | null | undefined;
    if (!coverage) return [];
    const plan = known(planKey(coverage.plan)) as StoredPlan | null | undefined;
    if (plan === undefined) {
      return [planKey(coverage.plan), accumulatorKey(coverage.plan, coverage.member)];
    }
    const version = plan === null ? null : versionAt(plan, payload.serviceDate);
    return version === null ? [] : [termsKey(coverage.plan, version.version)];
  },
  async execute(ctx, payload) {
    await requireProvider(ctx.state, payload.provider);
    if ((await readClaim(ctx.state, payload.id)) !== null) {
      reject("ALREADY_EXISTS", `claim ${payload.id} exists`);
    }
    const member = hexOf(payload.member);
    const coverage = await requireMemberCoverage(ctx.state, payload.coverage, member);
    const plan = await requirePlan(ctx.state, coverage.plan);
    const preauth = await findPreauth(ctx, payload, member);
    const version = versionAt(plan, payload.serviceDate);
    const errors = claimErrors(ctx, payload, preauth, version);
    const { response, disputeWindowDays } =
      version === null || errors.length > 0
        ? {
            response: { outcome: "error", currency: plan.currency, errors } as const,
            disputeWindowDays: 0,
          }
        : await adjudicateClaim(ctx, payload, coverage, plan, version, preauth);
    const complete = response.outcome === "complete";
    const claim: ClaimView = {
      id: payload.id,
      provider: payload.provider,
      insurer: coverage.insurer,
      coverage: coverage.id,
      member,
      type: payload.type,
      serviceDate: payload.serviceDate,
      items: payload.items,
      diagnoses: payload.diagnoses.map(hexOf),
      evidence: payload.evidence.map(hexOf),
      ...(payload.preauthorization !== undefined && { preauthorization: payload.preauthorization }),
      response,
      status: complete ? "adjudicated" : "error",
      payable: complete ? response.totals.benefit : 0,
      paid: 0,
      recoverable: 0,
      disputeUntil: ctx.time + disputeWindowDays * DAY_MS,
      submitted: stamp(ctx),
      history: [{ status: complete ? "adjudicated" : "error", at: stamp(ctx) }],
    };
    if (complete && response.decision !== "denied") {
      ctx.state.put(duplicateKeyOf(payload), payload.id);
    }
    writeClaim(ctx.state, null, claim);
    ctx.result(asCanonical(response));
    ctx.emit({
      type: "claim.submitted",
      attributes: {
        claim: payload.id,
        provider: payload.provider,
        insurer: coverage.insurer,
        outcome: complete ? response.decision : "error",
      },
    });
  },
});

/**
 * Gathers the facts the engine judges (adjudication.ts: the arithmetic is all there) from the
 * state and the block's time, runs it, and moves the member's accumulators to where it left
 * them, in block order.
 */
async function adjudicateClaim(
  ctx: TxContext,
  payload: ClaimSubmitPayload,
  coverage: CoverageView,
  plan: StoredPlan,
  version: StoredPlan["versions"][number],
  preauth: PreauthFinding,
): Promise<{ response: ClaimResponseView; disputeWindowDays: number }> {
  const terms = await readTerms(ctx.state, plan.id, version.version);
  const accumulators = await readAccumulators(ctx.state, plan.id, coverage.member);
  const duplicate = duplicateKeyOf(payload);
  const preauthorization = preauth.kind === "found" ? preauth.preauthorization : null;
  const adjudication = adjudicate({
    terms,
    items: payload.items,
    coverageActive: coverageInForce(coverage.period, plan.period, payload.serviceDate),
    duplicate: (await ctx.state.get(duplicate)) !== null,
    filedLate: filedLate(payload.serviceDate, ctx.time, terms.timelyFilingDays),
    preauth: (code) => preauthCovers(preauthorization, code, payload.serviceDate),
    accumulators,
  });
  if (adjudication.accumulators !== accumulators) {
    ctx.state.put(accumulatorKey(plan.id, coverage.member), asCanonical(adjudication.accumulators));
  }
  const response: ClaimResponseView = {
    outcome: "complete",
    decision: adjudication.decision,
    plan: plan.id,
    planVersion: version.version,
    currency: plan.currency,
    lines: adjudication.lines,
    totals: adjudication.totals,
    accumulators: adjudication.accumulators,
  };
  return { response, disputeWindowDays: terms.disputeWindowDays };
}

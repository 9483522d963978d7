import { type CoverageView, type PreauthorizationView, TX_TYPES } from "@careledger/protocol";
import { hexOf } from "../../hex.js";
import { stamp } from "../consent/state.js";
import { orgKey, requireOrganization, type StateReader } from "../identity/state.js";
import { defineTxType, reject } from "../module.js";
import { coverageInForce } from "./adjudication.js";
import {
  asCanonical,
  coverageKey,
  PROVIDER_KINDS,
  planKey,
  preauthKey,
  readPreauth,
  readTerms,
  requireCoverage,
  requirePlan,
  termsKey,
  versionAt,
} from "./state.js";

/** The organization, which must exist (ORG_NOT_FOUND) and give care (NOT_A_PROVIDER). */
export async function requireProvider(state: StateReader, org: string): Promise<void> {
  const found = await requireOrganization(state, org);
  if (!PROVIDER_KINDS.has(found.kind)) reject("NOT_A_PROVIDER", `${org} is a ${found.kind}`);
}

/** The coverage, which must exist and be the member's (COVERAGE_MEMBER_MISMATCH). */
export async function requireMemberCoverage(
  state: StateReader,
  id: string,
  member: string,
): Promise<CoverageView> {
  const coverage = await requireCoverage(state, id);
  if (coverage.member !== member) {
    reject("COVERAGE_MEMBER_MISMATCH", `coverage ${id} is another member key's`);
  }
  return coverage;
}

/** The plan and terms keys a coverage's claims read, once the coverage is known. */
export function planReads(
  coverageId: string,
  at: number,
  known: (key: string) => unknown,
): string[] {
  const coverage = known(coverageKey(coverageId)) as CoverageView | null | undefined;
  if (!coverage) return [];
  const plan = known(planKey(coverage.plan)) as Parameters<typeof versionAt>[0] | null | undefined;
  if (plan === undefined) return [planKey(coverage.plan)];
  const version = plan === null ? null : versionAt(plan, at);
  return version === null ? [] : [termsKey(coverage.plan, version.version)];
}

/**
 * `claim.preauthorize`, by a clinician or staff of `provider`: the plan's rules decide at
 * commit. Approved are the requested codes the plan version in force at the period's start
 * covers, while the coverage is in force then; none covered is denied `ar001`, a coverage not in
 * force denied `coverage-inactive`. A claim of the same provider, coverage and member later
 * names it for the lines whose rule requires one.
 */
export const claimPreauthorize = defineTxType(TX_TYPES["claim.preauthorize"], {
  reads: (payload) => [
    preauthKey(payload.id),
    orgKey(payload.provider),
    coverageKey(payload.coverage),
  ],
  readsAfter: (payload, _sender, known) => planReads(payload.coverage, payload.period.start, known),
  async execute(ctx, payload) {
    await requireProvider(ctx.state, payload.provider);
    if ((await readPreauth(ctx.state, payload.id)) !== null) {
      reject("ALREADY_EXISTS", `pre-authorization ${payload.id} exists`);
    }
    if (payload.period.end <= payload.period.start) {
      reject("PREAUTH_PERIOD_INVALID", "the period ends before it starts");
    }
    const member = hexOf(payload.member);
    const coverage = await requireMemberCoverage(ctx.state, payload.coverage, member);
    const plan = await requirePlan(ctx.state, coverage.plan);
    const version = versionAt(plan, payload.period.start);
    const decided: Pick<PreauthorizationView, "decision" | "approved" | "reason"> =
      version === null || !coverageInForce(coverage.period, plan.period, payload.period.start)
        ? { decision: "denied", approved: [], reason: "coverage-inactive" }
        : decideCodes(
            payload.items.map((item) => item.code),
            await readTerms(ctx.state, plan.id, version.version),
          );
    const preauthorization: PreauthorizationView = {
      id: payload.id,
      provider: payload.provider,
      insurer: coverage.insurer,
      coverage: coverage.id,
      member,
      period: payload.period,
      items: payload.items,
      ...decided,
      requested: stamp(ctx),
    };
    ctx.state.put(preauthKey(payload.id), asCanonical(preauthorization));
    ctx.result(asCanonical(decided));
    ctx.emit({
      type: "claim.preauthorized",
      attributes: { id: payload.id, provider: payload.provider, decision: decided.decision },
    });
  },
});

function decideCodes(
  codes: readonly string[],
  terms: Awaited<ReturnType<typeof readTerms>>,
): Pick<PreauthorizationView, "decision" | "approved" | "reason"> {
  const covered = new Set(terms.rules.map((rule) => rule.code));
  const approved = [...new Set(codes.filter((code) => covered.has(code)))];
  if (approved.length === 0) return { decision: "denied", approved, reason: "ar001" };
  const all = codes.every((code) => covered.has(code));
  return { decision: all ? "approved" : "partial", approved };
}

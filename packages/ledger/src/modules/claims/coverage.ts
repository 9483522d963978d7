import { type CoverageView, TX_TYPES } from "@careledger/protocol";
import { hexOf } from "../../hex.js";
import { stamp } from "../consent/state.js";
import { defineTxType, reject } from "../module.js";
import {
  asCanonical,
  coverageKey,
  planKey,
  readCoverage,
  requireCoverage,
  requirePlan,
} from "./state.js";

/**
 * `coverage.enroll`, by the plan's insurer: a member key in a plan for a period within the
 * plan's (the member key is the patient's for this coverage only, so it need not be a
 * registered identity: nothing joins it to the patient's consents and records).
 */
export const coverageEnroll = defineTxType(TX_TYPES["coverage.enroll"], {
  reads: (payload) => [coverageKey(payload.id), planKey(payload.plan)],
  async execute(ctx, payload) {
    const plan = await requirePlan(ctx.state, payload.plan);
    if (plan.insurer !== payload.insurer) {
      reject("UNAUTHORIZED", `plan ${payload.plan} is ${plan.insurer}'s`);
    }
    if ((await readCoverage(ctx.state, payload.id)) !== null) {
      reject("ALREADY_EXISTS", `coverage ${payload.id} exists`);
    }
    const { start, end } = payload.period;
    const outside = start < plan.period.start || start >= plan.period.end;
    if (outside || (end !== undefined && (end <= start || end > plan.period.end))) {
      reject(
        "COVERAGE_PERIOD_INVALID",
        `a coverage of ${payload.plan} lies within [${plan.period.start}, ${plan.period.end})`,
      );
    }
    const member = hexOf(payload.member);
    const coverage: CoverageView = {
      id: payload.id,
      insurer: payload.insurer,
      plan: payload.plan,
      member,
      period: payload.period,
      enrolled: stamp(ctx),
    };
    ctx.state.put(coverageKey(payload.id), asCanonical(coverage));
    ctx.emit({
      type: "coverage.enrolled",
      attributes: { id: payload.id, plan: payload.plan },
    });
  },
});

/**
 * `coverage.end`, by the coverage's insurer: it ends at `end`, not before its start and not
 * after it would have ended (an end only shortens a coverage). Claims already adjudicated stand.
 */
export const coverageEnd = defineTxType(TX_TYPES["coverage.end"], {
  reads: (payload) => [coverageKey(payload.id)],
  readsAfter: (payload, _sender, known) => {
    const coverage = known(coverageKey(payload.id)) as CoverageView | null | undefined;
    return coverage ? [planKey(coverage.plan)] : [];
  },
  async execute(ctx, payload) {
    const coverage = await requireCoverage(ctx.state, payload.id);
    if (coverage.insurer !== payload.insurer) {
      reject("UNAUTHORIZED", `coverage ${payload.id} is ${coverage.insurer}'s`);
    }
    const plan = await requirePlan(ctx.state, coverage.plan);
    const until = coverage.period.end ?? plan.period.end;
    if (payload.end < coverage.period.start || payload.end > until) {
      reject(
        "COVERAGE_PERIOD_INVALID",
        `coverage ${payload.id} may end within [${coverage.period.start}, ${until}]`,
      );
    }
    const ended: CoverageView = {
      ...coverage,
      period: { start: coverage.period.start, end: payload.end },
      ended: stamp(ctx),
    };
    ctx.state.put(coverageKey(payload.id), asCanonical(ended));
    ctx.emit({ type: "coverage.ended", attributes: { id: payload.id, end: payload.end } });
  },
});

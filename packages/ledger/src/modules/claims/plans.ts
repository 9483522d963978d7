import { PLAN_VERSIONS_MAX, type PlanTerms, TX_TYPES } from "@careledger/protocol";
import { stamp } from "../consent/state.js";
import { orgKey, requireOrganization, type StateReader } from "../identity/state.js";
import { defineTxType, reject } from "../module.js";
import { asCanonical, planKey, readPlan, requirePlan, type StoredPlan, termsKey } from "./state.js";

/** The organization, which must exist (ORG_NOT_FOUND) and be an insurer (NOT_AN_INSURER). */
export async function requireInsurer(state: StateReader, org: string): Promise<void> {
  const found = await requireOrganization(state, org);
  if (found.kind !== "insurer") reject("NOT_AN_INSURER", `${org} is a ${found.kind}`);
}

/**
 * What the schema cannot say about terms (PLAN_TERMS_INVALID): the deductible counts towards the
 * out-of-pocket maximum, so it cannot exceed it; one rule per service code, so a line's rule is
 * never ambiguous.
 */
function checkTerms(terms: PlanTerms): void {
  if (terms.deductible > terms.outOfPocketMax) {
    reject("PLAN_TERMS_INVALID", "the deductible exceeds the out-of-pocket maximum");
  }
  const codes = new Set<string>();
  for (const rule of terms.rules) {
    if (codes.has(rule.code)) reject("PLAN_TERMS_INVALID", `service code ${rule.code} twice`);
    codes.add(rule.code);
  }
}

/**
 * `plan.register`, by an insurer-agent or admin of `insurer`, an insurer: version 1 of a new
 * plan, in force from the start of its benefit period.
 */
export const planRegister = defineTxType(TX_TYPES["plan.register"], {
  reads: (payload) => [planKey(payload.id), orgKey(payload.insurer)],
  async execute(ctx, payload) {
    await requireInsurer(ctx.state, payload.insurer);
    if ((await readPlan(ctx.state, payload.id)) !== null) {
      reject("ALREADY_EXISTS", `plan ${payload.id} exists`);
    }
    if (payload.period.end <= payload.period.start) {
      reject("PLAN_TERMS_INVALID", "the plan's period ends before it starts");
    }
    checkTerms(payload.terms);
    const plan: StoredPlan = {
      id: payload.id,
      insurer: payload.insurer,
      name: payload.name,
      currency: payload.currency,
      period: payload.period,
      versions: [{ version: 1, effective: payload.period.start, registered: stamp(ctx) }],
    };
    ctx.state.put(planKey(payload.id), asCanonical(plan));
    ctx.state.put(termsKey(payload.id, 1), asCanonical(payload.terms));
    ctx.emit({
      type: "plan.registered",
      attributes: { id: payload.id, insurer: payload.insurer, version: 1 },
    });
  },
});

/**
 * `plan.update`, by the plan's insurer: the next version, for services from `effective` on. It
 * takes effect within the plan's period, after the latest version, and not before this block:
 * a claim already adjudicated (its service date is never after its block) keeps its terms.
 */
export const planUpdate = defineTxType(TX_TYPES["plan.update"], {
  reads: (payload) => [planKey(payload.id)],
  async execute(ctx, payload) {
    const plan = await requirePlan(ctx.state, payload.id);
    if (plan.insurer !== payload.insurer) {
      reject("UNAUTHORIZED", `plan ${payload.id} is ${plan.insurer}'s`);
    }
    const latest = plan.versions.at(-1) as StoredPlan["versions"][number];
    const { effective } = payload;
    if (effective <= latest.effective || effective < ctx.time || effective >= plan.period.end) {
      reject(
        "PLAN_VERSION_INVALID",
        `effective ${effective}: after ${latest.effective}, not before ${ctx.time}, before ${plan.period.end}`,
      );
    }
    if (plan.versions.length >= PLAN_VERSIONS_MAX) {
      reject("LIST_FULL", `a plan keeps ${PLAN_VERSIONS_MAX} versions`);
    }
    checkTerms(payload.terms);
    const version = latest.version + 1;
    const updated: StoredPlan = {
      ...plan,
      versions: [...plan.versions, { version, effective, registered: stamp(ctx) }],
    };
    ctx.state.put(planKey(payload.id), asCanonical(updated));
    ctx.state.put(termsKey(payload.id, version), asCanonical(payload.terms));
    ctx.emit({
      type: "plan.updated",
      attributes: { id: payload.id, insurer: payload.insurer, version },
    });
  },
});

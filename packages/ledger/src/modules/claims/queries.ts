import {
  type AccumulatorsView,
  type Canonical,
  CareLedgerError,
  type ClaimView,
  isClaimParty,
  isCoverageParty,
  type PlanView,
  QUERIES,
} from "@careledger/protocol";
import { admittedByContract } from "../consent/queries.js";
import {
  definePagedQuery,
  defineQuery,
  type KeyValueReader,
  type PageRequest,
  type Query,
  type QueryPage,
  type QueryReader,
  scanPage,
} from "../module.js";
import { CLAIMS_BY_MEMBER_INDEX, COVERAGES_BY_MEMBER_INDEX } from "./indexes.js";
import {
  openPrefix,
  readAccumulators,
  readClaim,
  readCoverage,
  readPlan,
  readPreauth,
  readTerms,
  receivablePrefix,
  versionAt,
} from "./state.js";

const forbidden = (why: string): never => {
  throw new CareLedgerError("FORBIDDEN", why);
};

/** `plan.get`: the plan with every version's terms (plans are the consortium's own terms). */
const planGet = defineQuery(QUERIES["plan.get"], async (reader, { id }) => {
  const plan = await readPlan(reader, id);
  if (plan === null) return null;
  const versions: PlanView["versions"] = [];
  for (const version of plan.versions) {
    versions.push({ ...version, terms: await readTerms(reader, id, version.version) });
  }
  const view: PlanView = { ...plan, versions };
  return view as unknown as Canonical;
});

/**
 * `coverage.get` and `coverage.accumulators`: operators, and (judged here) the coverage's member
 * and its insurer's people; anyone else is refused even for an unknown id.
 */
async function partyCoverage(
  reader: QueryReader,
  name: "coverage.get" | "coverage.accumulators",
  id: string,
  params: unknown,
  caller: Parameters<Query["run"]>[2],
) {
  const coverage = await readCoverage(reader, id);
  if (caller !== null && !admittedByContract(QUERIES[name], caller, params)) {
    if (coverage === null || !isCoverageParty(caller, coverage)) {
      forbidden("only the coverage's member, its insurer's people and operators");
    }
  }
  return coverage;
}

const coverageGet = defineQuery(QUERIES["coverage.get"], async (reader, params, caller) => {
  const coverage = await partyCoverage(reader, "coverage.get", params.id, params, caller);
  return coverage as unknown as Canonical;
});

/**
 * `coverage.accumulators`: what the member has met in the coverage's plan period, against the
 * deductible and out-of-pocket maximum of the plan version in force at the head's time (the
 * first version before the period, the last after it).
 */
const accumulators = defineQuery(
  QUERIES["coverage.accumulators"],
  async (reader, params, caller) => {
    const coverage = await partyCoverage(
      reader,
      "coverage.accumulators",
      params.coverage,
      params,
      caller,
    );
    if (coverage === null) return null;
    const plan = await readPlan(reader, coverage.plan);
    if (plan === null) return null;
    const clamped = Math.min(Math.max(reader.time, plan.period.start), plan.period.end - 1);
    const version = versionAt(plan, clamped) ?? plan.versions[0];
    if (version === undefined) return null;
    const terms = await readTerms(reader, plan.id, version.version);
    const met = await readAccumulators(reader, plan.id, coverage.member);
    const view: AccumulatorsView = {
      coverage: coverage.id,
      plan: plan.id,
      period: plan.period,
      currency: plan.currency,
      deductible: terms.deductible,
      deductibleMet: met.deductibleMet,
      outOfPocketMax: terms.outOfPocketMax,
      outOfPocketMet: met.outOfPocketMet,
    };
    return view as unknown as Canonical;
  },
);

/** A page of coverages or claims from an index or a state list whose keys end in their ids. */
async function pageOf(
  source: KeyValueReader,
  prefix: string,
  page: PageRequest,
  read: (id: string) => Promise<unknown>,
): Promise<QueryPage> {
  const { entries, resumeAfter } = await scanPage(source, prefix, page);
  const items: Canonical[] = [];
  for (const [key] of entries) {
    const item = await read(key.slice(prefix.length));
    if (item !== null) items.push(item as Canonical);
  }
  return { items, resumeAfter };
}

const coveragesOfMember = definePagedQuery(
  QUERIES["coverage.ofMember"],
  (reader, { member }, _caller, page) =>
    pageOf(reader.index(COVERAGES_BY_MEMBER_INDEX), `${member}/`, page, (id) =>
      readCoverage(reader, id),
    ),
);

/**
 * `claim.get` and `claim.preauthorization`: operators, and (judged here) the member and the
 * provider's and insurer's people; anyone else is refused even for an unknown id.
 */
function partyQuery(
  name: "claim.get" | "claim.preauthorization",
  read: typeof readClaim | typeof readPreauth,
) {
  return defineQuery(QUERIES[name], async (reader, params, caller) => {
    const found = await read(reader, params.id);
    if (caller !== null && !admittedByContract(QUERIES[name], caller, params)) {
      if (found === null || !isClaimParty(caller, found)) {
        forbidden("only the member, the provider's and insurer's people and operators");
      }
    }
    return found as unknown as Canonical;
  });
}

const claimsOfMember = definePagedQuery(
  QUERIES["claim.ofMember"],
  (reader, { member }, _caller, page) =>
    pageOf(reader.index(CLAIMS_BY_MEMBER_INDEX), `${member}/`, page, (id) => readClaim(reader, id)),
);

/** `claim.openOfInsurer`: from the state list the handlers keep, in claim id order. */
const openOfInsurer = definePagedQuery(
  QUERIES["claim.openOfInsurer"],
  (reader, { insurer }, _caller, page) =>
    pageOf(reader, openPrefix(insurer), page, (id) => readClaim(reader, id)),
);

/** `claim.receivables`: from the state list the handlers keep, in claim id order. */
const receivables = definePagedQuery(
  QUERIES["claim.receivables"],
  (reader, { provider }, _caller, page) =>
    pageOf(
      reader,
      receivablePrefix(provider),
      page,
      (id): Promise<ClaimView | null> => readClaim(reader, id),
    ),
);

export const claimQueries: readonly Query[] = [
  planGet,
  coverageGet,
  coveragesOfMember,
  accumulators,
  partyQuery("claim.get", readClaim),
  partyQuery("claim.preauthorization", readPreauth),
  claimsOfMember,
  openOfInsurer,
  receivables,
];

import {
  type CoveragePlan,
  claimResource,
  claimResponseResource,
  coverageResource,
  FHIR_COUNT_PARAM,
  FHIR_CURSOR_PARAM,
  type ResultPage,
  searchsetBundle,
} from "@careledger/fhir";
import {
  CareLedgerError,
  ClaimIdSchema,
  type ClaimView,
  type CoverageView,
  FHIR_BASE,
  type ModuleRoute,
  QUERY_CURSOR_CHARS_MAX,
  QUERY_PAGE_ITEMS_MAX,
} from "@careledger/protocol";
import { type TObject, Type } from "@sinclair/typebox";
import type { ModuleServices, QueryReader } from "../module.js";
import { readPlan, readTerms, versionAt } from "./state.js";

/**
 * The claims module's FHIR R4 routes (NOTES.md 2.1): a claim as Claim and as ClaimResponse, a
 * coverage as Coverage, and a member's claims and coverages as searchset Bundles. Each answer is
 * a claims query's (claim.get, coverage.get, claim.ofMember, coverage.ofMember), run for the
 * caller with that query's access rules, so a FHIR route shows no one more than its query. The
 * plan terms a rendering adds (coinsurance for `eligpercent`, deductible and out-of-pocket
 * maximum on a Coverage) are read only once the query has let the caller see the claim or
 * coverage they belong to.
 */

/** A FHIR reference search value: `Patient/<key>` or the bare key, as FHIR search allows. */
const PATIENT_REFERENCE = "^(Patient/)?[0-9a-f]{64}$";
const FHIR_JSON = "application/fhir+json";

/** The coinsurance of the plan version a claim was adjudicated under (null: an error outcome). */
async function coinsuranceOf(head: QueryReader, claim: ClaimView): Promise<number | null> {
  if (claim.response.outcome !== "complete") return null;
  const terms = await readTerms(head, claim.response.plan, claim.response.planVersion);
  return terms.coinsuranceBp;
}

/** The plan of a coverage with the terms in force at the head (its first version before). */
async function coveragePlanOf(head: QueryReader, coverage: CoverageView): Promise<CoveragePlan> {
  const plan = await readPlan(head, coverage.plan);
  if (plan === null) throw new Error(`coverage ${coverage.id} names no stored plan`);
  const version = versionAt(plan, head.time) ?? plan.versions[0];
  if (version === undefined) throw new Error(`plan ${plan.id} has no version`);
  const terms = await readTerms(head, plan.id, version.version);
  return { name: plan.name, currency: plan.currency, period: plan.period, terms };
}

const pageParams = {
  [FHIR_COUNT_PARAM]: Type.Optional(Type.Integer({ minimum: 1, maximum: QUERY_PAGE_ITEMS_MAX })),
  [FHIR_CURSOR_PARAM]: Type.Optional(
    Type.String({ minLength: 1, maxLength: QUERY_CURSOR_CHARS_MAX }),
  ),
};
const searchQuery = (name: string): TObject =>
  Type.Object(
    { [name]: Type.String({ pattern: PATIENT_REFERENCE }), ...pageParams },
    { additionalProperties: false },
  );

export function claimsFhirRoutes(
  services: Pick<ModuleServices, "head" | "query">,
): readonly ModuleRoute[] {
  const claimOf = async (id: string, caller: Parameters<ModuleServices["query"]>[2]) => {
    const view = (await services.query("claim.get", { id }, caller)) as ClaimView | null;
    if (view === null) throw new CareLedgerError("CLAIM_NOT_FOUND", `no claim ${id}`);
    return view;
  };
  const idParams = Type.Object({ id: ClaimIdSchema }, { additionalProperties: false });

  /** A member's search: the paged query's page, rendered, as a searchset Bundle. */
  const memberSearch = (
    resource: "Claim" | "ClaimResponse" | "Coverage",
    param: "patient" | "beneficiary",
    queryName: "claim.ofMember" | "coverage.ofMember",
  ): ModuleRoute => ({
    module: "claims",
    method: "GET",
    path: `/${resource}`,
    fhir: {
      resource,
      interaction: "search-type",
      searchParams: [
        {
          name: param,
          type: "reference",
          documentation: "The member key (Patient/<key hex> or the bare hex); required.",
        },
      ],
    },
    summary: `A member's ${resource === "Coverage" ? "coverages" : "claims"} as a searchset Bundle of FHIR R4 ${resource}`,
    access: "signed",
    query: searchQuery(param),
    responseTypes: [FHIR_JSON],
    async handler({ query, caller, origin }) {
      const member = (query[param] as string).replace(/^Patient\//, "");
      const count = query[FHIR_COUNT_PARAM] as number | undefined;
      const cursor = query[FHIR_CURSOR_PARAM] as string | undefined;
      const page = (await services.query(
        queryName,
        {
          member,
          ...(count !== undefined && { limit: String(count) }),
          ...(cursor !== undefined && { cursor }),
        },
        caller,
      )) as unknown as ResultPage<ClaimView & CoverageView>;
      const head = services.head();
      const resources = await Promise.all(
        page.items.map(async (item) => {
          if (resource === "Claim") return claimResource(item);
          if (resource === "ClaimResponse") {
            return claimResponseResource(item, await coinsuranceOf(head, item));
          }
          return coverageResource(item, await coveragePlanOf(head, item));
        }),
      );
      const request = {
        baseUrl: `${origin}${FHIR_BASE}`,
        params: { [param]: member },
        count,
        cursor,
      };
      const bundle = searchsetBundle(resources, page.next, { ...request, resourceType: resource });
      return { status: 200, contentType: FHIR_JSON, body: bundle };
    },
  });

  return [
    {
      module: "claims",
      method: "GET",
      path: "/Claim/:id",
      fhir: { resource: "Claim", interaction: "read" },
      summary: "A claim as a FHIR R4 Claim (cancelled once voided)",
      access: "signed",
      params: idParams,
      responseTypes: [FHIR_JSON],
      async handler({ params, caller }) {
        const view = await claimOf(params.id as string, caller);
        return { status: 200, contentType: FHIR_JSON, body: claimResource(view) };
      },
    },
    {
      module: "claims",
      method: "GET",
      path: "/ClaimResponse/:id",
      fhir: { resource: "ClaimResponse", interaction: "read" },
      summary: "A claim's adjudication as a FHIR R4 ClaimResponse, with its payment once paid",
      access: "signed",
      params: idParams,
      responseTypes: [FHIR_JSON],
      async handler({ params, caller }) {
        const view = await claimOf(params.id as string, caller);
        const body = claimResponseResource(view, await coinsuranceOf(services.head(), view));
        return { status: 200, contentType: FHIR_JSON, body };
      },
    },
    {
      module: "claims",
      method: "GET",
      path: "/Coverage/:id",
      fhir: { resource: "Coverage", interaction: "read" },
      summary: "A coverage as a FHIR R4 Coverage, with its plan's deductible and OOP maximum",
      access: "signed",
      params: idParams,
      responseTypes: [FHIR_JSON],
      async handler({ params, caller }) {
        const id = params.id as string;
        const view = (await services.query("coverage.get", { id }, caller)) as CoverageView | null;
        if (view === null) throw new CareLedgerError("COVERAGE_NOT_FOUND", `no coverage ${id}`);
        const body = coverageResource(view, await coveragePlanOf(services.head(), view));
        return { status: 200, contentType: FHIR_JSON, body };
      },
    },
    memberSearch("Claim", "patient", "claim.ofMember"),
    memberSearch("ClaimResponse", "patient", "claim.ofMember"),
    memberSearch("Coverage", "beneficiary", "coverage.ofMember"),
  ];
}

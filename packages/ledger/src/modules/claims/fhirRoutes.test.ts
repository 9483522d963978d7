import type {
  claimResource,
  claimResponseResource,
  coverageResource,
  searchsetBundle,
} from "@careledger/fhir";
import {
  CareLedgerError,
  type ModuleRoute,
  type ModuleRouteResponse,
  type QueryCaller,
} from "@careledger/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Person } from "../consent/care.testkit.js";
import { ClaimsWorld, INSURER, line } from "./claims.testkit.js";
import { claimsFhirRoutes } from "./fhirRoutes.js";

type Claim = ReturnType<typeof claimResource>;
type ClaimResponse = ReturnType<typeof claimResponseResource>;
type Coverage = ReturnType<typeof coverageResource>;
type Bundle<T = unknown> = Omit<ReturnType<typeof searchsetBundle>, "entry"> & {
  entry?: Array<{ fullUrl?: string; resource?: T }>;
};

const ORIGIN = "http://127.0.0.1:8080";
let c: ClaimsWorld;
let routes: Map<string, ModuleRoute>;
let claim: string;

beforeAll(async () => {
  c = await ClaimsWorld.create("claims-fhir");
  const reads = c.h.ledger.reads;
  routes = new Map(
    claimsFhirRoutes({
      head: () => reads.moduleReader("claims"),
      query: (name, params, caller) => reads.query(name, params, caller),
    }).map((route) => [route.path, route]),
  );
  // NOTES.md 2.3's C1: the office visit, $25 copay, $95 payable; then paid in full.
  claim = await c.submit([line("99213", 20_000)]);
  await c.ok(c.payTx(claim, 9_500));
});
afterAll(async () => {
  await c.h.close();
});

async function get(
  path: string,
  caller: QueryCaller | null,
  request: { params?: Record<string, string>; query?: Record<string, unknown> } = {},
): Promise<ModuleRouteResponse> {
  const route = routes.get(path);
  if (route === undefined) throw new Error(`no route ${path}`);
  return route.handler({
    params: request.params ?? {},
    query: request.query ?? {},
    body: undefined,
    caller,
    origin: ORIGIN,
    url: path,
    accept: "application/fhir+json",
  });
}

async function codeOf(answer: Promise<unknown>): Promise<string> {
  try {
    await answer;
  } catch (error) {
    if (error instanceof CareLedgerError) return error.code;
    throw error;
  }
  return "ok";
}

const as = (who: Person) => c.w.caller(who);

describe("the claims FHIR routes", () => {
  it("serve a claim as Claim to its member, provider and insurer, and to no one else", async () => {
    const params = { id: claim };
    for (const caller of [c.memberCaller(), as("clinician"), as("staff"), as("insurerAgent")]) {
      const answer = await get("/Claim/:id", caller, { params });
      expect(answer).toMatchObject({ status: 200, contentType: "application/fhir+json" });
      const body = answer.body as Claim;
      expect(body).toMatchObject({ resourceType: "Claim", id: claim, use: "claim" });
      expect(body.patient.reference).toBe(`Patient/${c.memberHex}`);
    }
    for (const who of ["patient", "otherPatient", "clinicClinician", "regulator"] as const) {
      expect(await codeOf(get("/Claim/:id", as(who), { params }))).toBe("FORBIDDEN");
    }
    expect(await codeOf(get("/Claim/:id", null, { params }))).toBe("REQUEST_UNSIGNED");
  });

  it("serve the adjudication as ClaimResponse with its payment and the plan's eligpercent", async () => {
    const answer = await get("/ClaimResponse/:id", c.memberCaller(), { params: { id: claim } });
    const body = answer.body as ClaimResponse;
    expect(body).toMatchObject({ resourceType: "ClaimResponse", outcome: "complete" });
    const amounts = Object.fromEntries(
      (body.item?.[0]?.adjudication ?? []).map((entry) => [
        entry.category.coding?.[0]?.code,
        entry.amount?.value ?? entry.value,
      ]),
    );
    expect(amounts).toMatchObject({
      submitted: 200,
      eligible: 120,
      copay: 25,
      eligpercent: 80,
      benefit: 95,
    });
    expect(body.payment).toMatchObject({
      type: { coding: [{ code: "complete" }] },
      amount: { value: 95, currency: "USD" },
    });
  });

  it("serve a coverage with its plan's figures to its member and insurer only", async () => {
    const params = { id: c.coverage };
    const answer = await get("/Coverage/:id", c.memberCaller(), { params });
    const body = answer.body as Coverage;
    expect(body.payor).toEqual([{ reference: `Organization/${INSURER}` }]);
    expect(body.costToBeneficiary?.map((cost) => cost.valueMoney?.value)).toEqual([1000, 3000]);
    expect((await get("/Coverage/:id", as("insurerAgent"), { params })).status).toBe(200);
    expect(await codeOf(get("/Coverage/:id", as("clinician"), { params }))).toBe("FORBIDDEN");
  });

  it("answer an unknown id with its not-found code to an operator, FORBIDDEN to others", async () => {
    const unknown = { params: { id: "f".repeat(32) } };
    const operator = c.w.admin(2);
    expect(await codeOf(get("/Claim/:id", operator, unknown))).toBe("CLAIM_NOT_FOUND");
    expect(await codeOf(get("/ClaimResponse/:id", operator, unknown))).toBe("CLAIM_NOT_FOUND");
    expect(await codeOf(get("/Coverage/:id", operator, unknown))).toBe("COVERAGE_NOT_FOUND");
    // Whether an id exists is a party's to know: nobody is a party to an unknown claim.
    expect(await codeOf(get("/Claim/:id", as("insurerAgent"), unknown))).toBe("FORBIDDEN");
  });

  it("search a member's claims, responses and coverages as searchset Bundles, for the member", async () => {
    const member = `Patient/${c.memberHex}`;
    const claims = (await get("/Claim", c.memberCaller(), { query: { patient: member } }))
      .body as Bundle;
    expect(claims).toMatchObject({ resourceType: "Bundle", type: "searchset" });
    expect(claims.entry?.map((entry) => entry.fullUrl)).toEqual([
      `${ORIGIN}/fhir/R4/Claim/${claim}`,
    ]);
    const responses = (
      await get("/ClaimResponse", c.memberCaller(), { query: { patient: member } })
    ).body as Bundle<ClaimResponse>;
    expect(responses.entry?.[0]?.resource?.payment?.amount?.value).toBe(95);
    const coverages = (
      await get("/Coverage", c.memberCaller(), { query: { beneficiary: c.memberHex } })
    ).body as Bundle<Coverage>;
    expect(coverages.entry?.map((entry) => entry.resource?.id)).toEqual([c.coverage]);
    // claim.ofMember is the member's own list (and operators'): the insurer reads claim by claim.
    expect(await codeOf(get("/Claim", as("insurerAgent"), { query: { patient: member } }))).toBe(
      "FORBIDDEN",
    );
  });
});

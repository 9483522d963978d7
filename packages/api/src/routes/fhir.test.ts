import { FHIR_ERROR_SYSTEM, type ModuleRoute, type Signer } from "@careledger/protocol";
import { describe, expect, it } from "vitest";
import {
  auditSearch,
  CONSENT_ID,
  CUSTODIAN_ORG,
  consentRead,
  PATIENT,
} from "../fhirRoutes.testkit.js";
import { memoryNode, registerKey } from "../memoryNode.testkit.js";
import { buildApiServer } from "../server.js";
import { signedHeaders } from "../signed.testkit.js";

async function serve(routes: ModuleRoute[]) {
  const node = memoryNode();
  node.routes.push(...routes);
  const custodian = registerKey(node, ["clinician"], CUSTODIAN_ORG);
  const outsider = registerKey(node, ["clinician"], "clinic");
  return { app: await buildApiServer(node), custodian, outsider };
}

type Answer = { statusCode: number; headers: Record<string, unknown>; json: () => unknown };

/** An OperationOutcome's status, FHIR issue type and our error code; fails on any other shape. */
function outcomeOf(answer: Answer): [number, string, string] {
  expect(answer.headers["content-type"]).toContain("application/fhir+json");
  const body = answer.json() as {
    resourceType: string;
    issue: Array<{
      severity: string;
      code: string;
      diagnostics: string;
      details: { coding: Array<{ system: string; code: string }> };
    }>;
  };
  expect(body.resourceType).toBe("OperationOutcome");
  expect(body.issue).toHaveLength(1);
  const [issue] = body.issue;
  expect(issue?.severity).toBe("error");
  expect(issue?.diagnostics.length).toBeGreaterThan(0);
  expect(issue?.details.coding[0]?.system).toBe(FHIR_ERROR_SYSTEM);
  return [answer.statusCode, issue?.code ?? "", issue?.details.coding[0]?.code ?? ""];
}

describe("FHIR routes", () => {
  it("mounts a FHIR read at /fhir/R4/<Resource>/:id behind the signed-request auth", async () => {
    const { app, custodian } = await serve([consentRead]);
    const url = `/fhir/R4/Consent/${CONSENT_ID}`;
    const answer = await app.inject({
      method: "GET",
      url,
      headers: signedHeaders(custodian, { method: "GET", url }),
    });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers["content-type"]).toContain("application/fhir+json");
    expect(answer.json()).toEqual({ resourceType: "Consent", id: CONSENT_ID, status: "active" });
    // Not under the module prefix.
    const old = await app.inject({ method: "GET", url: `/v1/m/consent/Consent/${CONSENT_ID}` });
    expect(old.statusCode).toBe(404);
  });

  it("answers every error under the FHIR base as an OperationOutcome carrying our code", async () => {
    const { app, custodian, outsider } = await serve([consentRead, auditSearch]);
    const get = (url: string, signer: Signer | null) =>
      app.inject({
        method: "GET",
        url,
        headers: signer === null ? {} : signedHeaders(signer, { method: "GET", url }),
      });
    const consent = `/fhir/R4/Consent/${CONSENT_ID}`;
    expect(outcomeOf(await get(consent, null))).toEqual([401, "login", "REQUEST_UNSIGNED"]);
    const tampered = await app.inject({
      method: "GET",
      url: consent,
      headers: signedHeaders(custodian, {
        method: "GET",
        url: `/fhir/R4/Consent/${"d".repeat(32)}`,
      }),
    });
    expect(outcomeOf(tampered)).toEqual([401, "security", "REQUEST_BAD_SIGNATURE"]);
    expect(outcomeOf(await get(consent, outsider))).toEqual([403, "forbidden", "FORBIDDEN"]);
    const missing = `/fhir/R4/Consent/${"e".repeat(32)}`;
    expect(outcomeOf(await get(missing, custodian))).toEqual([404, "not-found", "NOT_FOUND"]);
    expect(outcomeOf(await get("/fhir/R4/Consent/bad", custodian))).toEqual([
      400,
      "invalid",
      "BAD_REQUEST",
    ]);
    const extra = `/fhir/R4/AuditEvent?patient=${PATIENT}&_count=5`;
    expect(outcomeOf(await get(extra, custodian))).toEqual([400, "invalid", "BAD_REQUEST"]);
    // No route at all, under the base: still FHIR.
    expect(outcomeOf(await get("/fhir/R4/Patient/1", null))).toEqual([
      404,
      "not-found",
      "NOT_FOUND",
    ]);
    const search = await get(`/fhir/R4/AuditEvent?patient=${PATIENT}`, custodian);
    expect([search.statusCode, (search.json() as { type: string }).type]).toEqual([
      200,
      "searchset",
    ]);
    // Outside the base the one JSON error shape stays.
    const core = await app.inject({ method: "GET", url: "/v1/nothing" });
    expect((core.json() as { error: { code: string } }).error.code).toBe("NOT_FOUND");
  });

  it("lists what the modules declare in a public CapabilityStatement at /fhir/R4/metadata", async () => {
    const { app } = await serve([consentRead, auditSearch]);
    const answer = await app.inject({ method: "GET", url: "/fhir/R4/metadata" });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers["content-type"]).toContain("application/fhir+json");
    const statement = answer.json() as Record<string, unknown>;
    expect(statement).toMatchObject({
      resourceType: "CapabilityStatement",
      status: "active",
      kind: "instance",
      fhirVersion: "4.0.1",
      format: ["json"],
      rest: [
        {
          mode: "server",
          resource: [
            {
              type: "AuditEvent",
              interaction: [{ code: "search-type" }],
              searchParam: [
                { name: "patient", type: "reference", documentation: "the patient's key" },
              ],
            },
            { type: "Consent", interaction: [{ code: "read" }] },
          ],
        },
      ],
    });
    // R4: date is required, a dateTime; kind instance needs an implementation.
    expect(Number.isNaN(Date.parse(statement.date as string))).toBe(false);
    expect(statement.implementation).toMatchObject({ description: expect.any(String) });
    const bare = await (await serve([])).app.inject({ method: "GET", url: "/fhir/R4/metadata" });
    expect((bare.json() as { rest: Array<{ resource: unknown[] }> }).rest[0]?.resource).toEqual([]);
  });

  it("documents FHIR routes in /openapi.json with their FHIR errors and operation ids", async () => {
    const { app } = await serve([consentRead, auditSearch]);
    const paths = (await app.inject({ method: "GET", url: "/openapi.json" })).json().paths;
    const read = paths["/fhir/R4/Consent/{id}"].get;
    expect(read.operationId).toBe("fhirReadConsent");
    expect(read.tags).toEqual(["fhir", "module consent"]);
    expect(Object.keys(read.responses["4XX"].content)).toEqual(["application/fhir+json"]);
    expect(paths["/fhir/R4/AuditEvent"].get.operationId).toBe("fhirSearchAuditEvent");
    expect(paths["/fhir/R4/metadata"].get.operationId).toBe("getFhirCapabilities");
  });
});

describe("FHIR routes are checked before the server serves", () => {
  const refusal = async (routes: ModuleRoute[]) =>
    serve(routes).then(
      () => "built",
      (error: Error) => error.message,
    );

  it.each([
    ["a FHIR route that is not a GET", { method: "POST" }, /is a GET/],
    ["a path other than its interaction's", { path: "/Consents/:id" }, /is at \/Consent\/:id/],
    [
      "an answer other than FHIR JSON",
      { responseTypes: ["application/json"] },
      /answers application\/fhir\+json only/,
    ],
    [
      "a resource type FHIR would not spell so",
      { fhir: { resource: "consent", interaction: "read" }, path: "/consent/:id" },
      /not a FHIR resource type/,
    ],
    ["a write interaction", { fhir: { resource: "Consent", interaction: "update" } }, /not served/],
    [
      "search parameters on a read",
      {
        fhir: {
          resource: "Consent",
          interaction: "read",
          searchParams: [{ name: "patient", type: "reference" }],
        },
      },
      /takes no search parameters/,
    ],
  ] as const)("refuses %s", async (_what, change, message) => {
    expect(await refusal([{ ...consentRead, ...change } as ModuleRoute])).toMatch(message);
  });

  it("refuses a search parameter its query schema does not declare, or one of no FHIR type", async () => {
    const undeclared = {
      ...auditSearch,
      fhir: { ...auditSearch.fhir, searchParams: [{ name: "date", type: "date" }] },
    } as ModuleRoute;
    expect(await refusal([undeclared])).toMatch(/date is not in the query schema/);
    const untyped = {
      ...auditSearch,
      fhir: { ...auditSearch.fhir, searchParams: [{ name: "patient", type: "person" }] },
    } as unknown as ModuleRoute;
    expect(await refusal([untyped])).toMatch(/has no FHIR type person/);
  });

  it("refuses two modules serving the same FHIR interaction", async () => {
    expect(await refusal([consentRead, { ...consentRead, module: "other" }])).toMatch(
      /collides with module consent's route/,
    );
  });
});

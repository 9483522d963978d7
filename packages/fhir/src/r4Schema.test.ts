import { describe, expect, it } from "vitest";
import { auditEventResource } from "./auditEvent.js";
import { consentResource } from "./consent.js";
import { operationOutcome } from "./operationOutcome.js";
import { r4Problems, schemaErrors } from "./r4Schema.testkit.js";
import { accessEntry, consentView } from "./views.testkit.js";

/**
 * The checker the rendering tests rely on can fail: the schema rejects what it should, and the
 * code checks catch what NOTES.md 1.5 says the schema lets through.
 */

type Path = readonly (string | number)[];

/** A copy of `resource` with the element at each path set to `value`, or removed if undefined. */
function mutated(resource: object, changes: readonly [Path, unknown][]): unknown {
  const copy = structuredClone(resource) as Record<string | number, unknown>;
  for (const [path, value] of changes) {
    let parent = copy;
    for (const step of path.slice(0, -1)) parent = parent[step] as Record<string | number, unknown>;
    const last = path[path.length - 1] as string | number;
    if (value === undefined) delete parent[last];
    else parent[last] = value;
  }
  return copy;
}

describe("the R4 schema and its gaps", () => {
  const consent = consentResource(consentView());
  const event = auditEventResource(accessEntry());
  const permit = ["provision", "provision", 0] as const;

  it("accepts a rendered Consent and AuditEvent", () => {
    expect(r4Problems(consent)).toEqual([]);
    expect(r4Problems(event)).toEqual([]);
  });

  it("rejects a bad status code, a missing scope and an unknown element", () => {
    expect(schemaErrors("Consent", mutated(consent, [[["status"], "revoked"]]))).not.toEqual([]);
    expect(schemaErrors("Consent", mutated(consent, [[["scope"], undefined]]))).not.toEqual([]);
    expect(schemaErrors("Consent", mutated(consent, [[["decision"], "permit"]]))).not.toEqual([]);
  });

  it("rejects a bad provision type, an actor without a role and a bad AuditEvent action", () => {
    const badType = mutated(consent, [[[...permit, "type"], "allow"]]);
    expect(schemaErrors("Consent", badType)).not.toEqual([]);
    const noRole = mutated(consent, [[[...permit, "actor", 0, "role"], undefined]]);
    expect(schemaErrors("Consent", noRole)).not.toEqual([]);
    expect(schemaErrors("AuditEvent", mutated(event, [[["action"], "X"]]))).not.toEqual([]);
  });

  it("lets a missing Consent.status, AuditEvent.recorded, requestor or outcome through, and the code checks catch them", () => {
    const noStatus = mutated(consent, [[["status"], undefined]]);
    expect(schemaErrors("Consent", noStatus)).toEqual([]);
    expect(r4Problems(noStatus)).toEqual(["status is missing"]);

    const bare = mutated(event, [
      [["recorded"], undefined],
      [["outcome"], undefined],
      [["agent", 0, "requestor"], undefined],
    ]);
    expect(schemaErrors("AuditEvent", bare)).toEqual([]);
    expect(r4Problems(bare)).toEqual([
      "recorded is missing",
      "outcome is missing",
      "agent[0].requestor is missing",
      "not exactly one requestor agent",
    ]);
  });

  it("catches ppc-1, a patient-privacy consent without a patient and a typed root provision", () => {
    const broken = mutated(consent, [
      [["policyRule"], undefined],
      [["patient"], undefined],
      [["provision", "type"], "deny"],
    ]);
    expect(schemaErrors("Consent", broken)).toEqual([]);
    expect(r4Problems(broken)).toEqual([
      "ppc-1: neither policy nor policyRule",
      "patient-privacy scope without a patient",
      "the root provision has a type",
    ]);
  });

  it("catches a nested provision without a type and an OperationOutcome issue without a code", () => {
    const untyped = mutated(consent, [[[...permit, "type"], undefined]]);
    expect(r4Problems(untyped)).toEqual(["provision.provision[0] has no type"]);
    const outcome = mutated(operationOutcome("NOT_FOUND"), [[["issue", 0, "code"], undefined]]);
    expect(schemaErrors("OperationOutcome", outcome)).toEqual([]);
    expect(r4Problems(outcome)).toEqual(["issue[0].code is missing"]);
  });

  it("checks a Bundle's entries: a bad AuditEvent inside a searchset is found", () => {
    const bundle = {
      resourceType: "Bundle",
      type: "searchset",
      entry: [{ resource: mutated(event, [[["recorded"], undefined]]) }],
    };
    expect(r4Problems(bundle)).toEqual(["entry[0].resource: recorded is missing"]);
  });

  it("checks a CapabilityStatement's required codes and its invariants", () => {
    const statement = {
      resourceType: "CapabilityStatement",
      status: "active",
      date: "2026-12-02T00:00:00.000Z",
      kind: "instance",
      implementation: { description: "a node" },
      fhirVersion: "4.0.1",
      format: ["json"],
      rest: [
        {
          mode: "server",
          resource: [
            {
              type: "Consent",
              interaction: [{ code: "read" }],
              searchParam: [{ name: "patient", type: "reference" }],
            },
          ],
        },
      ],
    };
    expect(r4Problems(statement)).toEqual([]);
    const resource = ["rest", 0, "resource", 0] as const;
    expect(schemaErrors("CapabilityStatement", mutated(statement, [[["kind"], "server"]]))).toEqual(
      ["/kind must be equal to one of the allowed values"],
    );
    const broken = mutated(statement, [
      [["date"], undefined],
      [["implementation"], undefined],
      [[...resource, "interaction", 0, "code"], undefined],
      [[...resource, "searchParam", 0, "type"], undefined],
    ]);
    expect(schemaErrors("CapabilityStatement", broken)).toEqual([]);
    expect(r4Problems(broken)).toEqual([
      "date is missing",
      "cpb-2: no description, software or implementation",
      "rest[0].resource[0].interaction[0].code is missing",
      "rest[0].resource[0].searchParam[0].type is missing",
    ]);
    expect(r4Problems(mutated(statement, [[["rest"], undefined]]))).toEqual([
      "cpb-1: no rest, messaging or document",
    ]);
  });
});

import { describe, expect, it } from "vitest";
import type { QueryCaller } from "./caller.js";
import { QUERIES } from "./queries.js";
import {
  type AccessRule,
  checkQueryAccess,
  checkQueryParams,
  describeAccess,
  singleQuery,
} from "./queryContract.js";

const key = (digit: string) => digit.repeat(64);
/** A key registered at `org` with `roles` (none: not registered), administering `adminOf`. */
const caller = (
  roles: string[],
  { org = "st-mary", adminOf = [] as string[], key: hex = key("1") } = {},
): QueryCaller => ({
  key: hex,
  identity: roles.length === 0 ? null : { org, roles },
  adminOf,
});
const entry = (access: AccessRule[]) =>
  singleQuery({
    name: "test.q",
    summary: "",
    params: {},
    result: QUERIES["identity.key"].result,
    access,
  });

const codeOf = (run: () => unknown) => {
  try {
    run();
    return "admitted";
  } catch (error) {
    return (error as { code: string }).code;
  }
};

describe("declared query access", () => {
  it("admits by each kind of rule and refuses the rest", () => {
    const params = { org: "st-mary", patient: key("1") };
    const patient = caller(["patient"]);
    const clinician = caller(["clinician"]);
    const otherAdmin = caller([], { adminOf: ["lab"] });
    const other = caller(["clinician"], { key: key("2") });
    const cases: Array<[AccessRule[], QueryCaller | null, string]> = [
      [[{ rule: "public" }], null, "admitted"],
      [[{ rule: "member" }], null, "REQUEST_UNSIGNED"],
      [[{ rule: "member" }], patient, "admitted"],
      [[{ rule: "member-staff" }], patient, "FORBIDDEN"],
      [[{ rule: "member-staff" }], caller(["patient", "clinician"]), "FORBIDDEN"],
      [[{ rule: "member-staff" }], clinician, "admitted"],
      [[{ rule: "member-staff" }], otherAdmin, "admitted"],
      [[{ rule: "member-staff", orgParam: "org" }], otherAdmin, "FORBIDDEN"],
      [[{ rule: "member-staff", orgParam: "org" }], caller(["staff"]), "admitted"],
      [[{ rule: "operator" }], caller(["staff"]), "FORBIDDEN"],
      [[{ rule: "operator" }], caller(["operator"]), "admitted"],
      [[{ rule: "operator" }], otherAdmin, "admitted"],
      [[{ rule: "operator" }], caller(["operator", "device"]), "FORBIDDEN"],
      [[{ rule: "admin", orgParam: "org" }], caller([], { adminOf: ["st-mary"] }), "admitted"],
      [[{ rule: "admin" }], clinician, "FORBIDDEN"],
      [[{ rule: "roles", roles: ["regulator"] }], clinician, "FORBIDDEN"],
      [[{ rule: "roles", roles: ["clinician"], orgParam: "org" }], clinician, "admitted"],
      [[{ rule: "self", keyParam: "patient" }], patient, "admitted"],
      [[{ rule: "self", keyParam: "patient" }], other, "FORBIDDEN"],
      [[{ rule: "query", says: "a grantee" }], other, "admitted"],
      [[{ rule: "query", says: "a grantee" }], null, "REQUEST_UNSIGNED"],
    ];
    for (const [access, who, expected] of cases) {
      expect([access, who, codeOf(() => checkQueryAccess(entry(access), who, params))]).toEqual([
        access,
        who,
        expected,
      ]);
    }
  });

  it("returns the rule that admitted, so a `query` rule tells the query to judge", () => {
    const access: AccessRule[] = [{ rule: "member-staff" }, { rule: "query", says: "a grantee" }];
    expect(checkQueryAccess(entry(access), caller(["patient"]), {})).toEqual(access[1]);
    expect(describeAccess(access)).toBe("a member organization's staff, or a grantee");
  });

  it("checks roles at the organization the key is registered at, admin rules at every one it administers", () => {
    // Registered as a clinician at st-mary and admin of lab: no clinician of lab, an admin of it.
    const mixed = caller(["clinician"], { adminOf: ["lab"] });
    const ofLab = { org: "lab" };
    const clinicianOf: AccessRule[] = [{ rule: "roles", roles: ["clinician"], orgParam: "org" }];
    const adminOf: AccessRule[] = [{ rule: "admin", orgParam: "org" }];
    expect(codeOf(() => checkQueryAccess(entry(clinicianOf), mixed, ofLab))).toBe("FORBIDDEN");
    expect(codeOf(() => checkQueryAccess(entry(clinicianOf), mixed, { org: "st-mary" }))).toBe(
      "admitted",
    );
    expect(codeOf(() => checkQueryAccess(entry(adminOf), mixed, ofLab))).toBe("admitted");
    expect(codeOf(() => checkQueryAccess(entry(adminOf), mixed, { org: "st-mary" }))).toBe(
      "FORBIDDEN",
    );
    // An admin of several organizations is an admin of each, not only of the first.
    const many = caller([], { adminOf: ["clinic", "lab", "st-mary"] });
    for (const org of ["clinic", "lab", "st-mary"]) {
      expect(codeOf(() => checkQueryAccess(entry(adminOf), many, { org }))).toBe("admitted");
    }
  });

  it("converts query-string values to the schema's types and refuses what does not fit", () => {
    const organizations = QUERIES["identity.organizations"];
    expect(checkQueryParams(organizations, { limit: "25" })).toEqual({ limit: 25 });
    expect(codeOf(() => checkQueryParams(organizations, { limit: "2.5" }))).toBe("BAD_REQUEST");
    expect(codeOf(() => checkQueryParams(organizations, { other: "1" }))).toBe("BAD_REQUEST");
  });
});

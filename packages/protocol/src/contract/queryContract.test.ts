import { describe, expect, it } from "vitest";
import { QUERIES } from "./queries.js";
import {
  type AccessRule,
  checkQueryAccess,
  checkQueryParams,
  describeAccess,
  type QueryCaller,
  singleQuery,
} from "./queryContract.js";

const key = (digit: string) => digit.repeat(64);
const caller = (fields: Partial<QueryCaller>): QueryCaller => ({
  key: key("1"),
  org: "st-mary",
  roles: [],
  admin: false,
  ...fields,
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
    const patient = caller({ roles: ["patient"] });
    const clinician = caller({ roles: ["clinician"] });
    const otherAdmin = caller({ org: "lab", admin: true });
    const cases: Array<[AccessRule[], QueryCaller | null, string]> = [
      [[{ rule: "public" }], null, "admitted"],
      [[{ rule: "member" }], null, "REQUEST_UNSIGNED"],
      [[{ rule: "member" }], patient, "admitted"],
      [[{ rule: "staff" }], patient, "FORBIDDEN"],
      [[{ rule: "staff" }], clinician, "admitted"],
      [[{ rule: "staff", orgParam: "org" }], otherAdmin, "FORBIDDEN"],
      [[{ rule: "admin", orgParam: "org" }], caller({ admin: true }), "admitted"],
      [[{ rule: "admin" }], clinician, "FORBIDDEN"],
      [[{ rule: "roles", roles: ["regulator"] }], clinician, "FORBIDDEN"],
      [[{ rule: "roles", roles: ["clinician"], orgParam: "org" }], clinician, "admitted"],
      [[{ rule: "self", keyParam: "patient" }], patient, "admitted"],
      [[{ rule: "self", keyParam: "patient" }], caller({ key: key("2") }), "FORBIDDEN"],
      [[{ rule: "query", says: "a grantee" }], caller({ key: key("2") }), "admitted"],
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
    const access: AccessRule[] = [{ rule: "staff" }, { rule: "query", says: "a grantee" }];
    expect(checkQueryAccess(entry(access), caller({ roles: ["patient"] }), {})).toEqual(access[1]);
    expect(describeAccess(access)).toBe("a member organization's staff, or a grantee");
  });

  it("converts query-string values to the schema's types and refuses what does not fit", () => {
    const organizations = QUERIES["identity.organizations"];
    expect(checkQueryParams(organizations, { limit: "25" })).toEqual({ limit: 25 });
    expect(codeOf(() => checkQueryParams(organizations, { limit: "2.5" }))).toBe("BAD_REQUEST");
    expect(codeOf(() => checkQueryParams(organizations, { other: "1" }))).toBe("BAD_REQUEST");
  });
});

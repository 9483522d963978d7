import { checkQueryAccess, QUERIES, singleQuery } from "@careledger/protocol";
import { describe, expect, it } from "vitest";
import { callerIdentityOf } from "./callerIdentity.js";

const key = "a".repeat(64);

describe("the identity a signed request runs as", () => {
  it("keeps a clinician of one organization who administers another apart", () => {
    const who = callerIdentityOf({
      identity: { org: "hospital", roles: ["clinician"] },
      adminOf: ["clinic"],
      revoked: false,
    });
    expect(who).toEqual({
      identity: { org: "hospital", roles: ["clinician"] },
      adminOf: ["clinic"],
    });
    const caller = { key, ...(who as NonNullable<typeof who>) };
    // A query for the clinicians of the organization in `org`: the hospital's, not the clinic's.
    const clinicians = singleQuery({
      name: "test.clinicians",
      summary: "",
      params: {},
      result: QUERIES["identity.key"].result,
      access: [{ rule: "roles", roles: ["clinician"], orgParam: "org" }],
    });
    expect(checkQueryAccess(clinicians, caller, { org: "hospital" })).toMatchObject({
      rule: "roles",
    });
    expect(() => checkQueryAccess(clinicians, caller, { org: "clinic" })).toThrow(
      expect.objectContaining({ code: "FORBIDDEN" }),
    );
    // The clinic's admin it is, so it lists the clinic's members.
    expect(checkQueryAccess(QUERIES["identity.members"], caller, { org: "clinic" })).toMatchObject({
      rule: "admin",
    });
  });

  it("keeps every organization an admin of several administers, not only the first", () => {
    const who = callerIdentityOf({ identity: null, adminOf: ["clinic", "lab"], revoked: false });
    expect(who).toEqual({ identity: null, adminOf: ["clinic", "lab"] });
    const caller = { key, ...(who as NonNullable<typeof who>) };
    for (const org of ["clinic", "lab"]) {
      expect(checkQueryAccess(QUERIES["identity.members"], caller, { org })).toMatchObject({
        rule: "admin",
      });
    }
  });

  it("is null for a revoked key and for a key that is neither registered nor an admin", () => {
    const registration = { org: "lab", roles: ["staff"] };
    expect(callerIdentityOf({ identity: registration, adminOf: [], revoked: true })).toBeNull();
    expect(callerIdentityOf({ identity: null, adminOf: [], revoked: false })).toBeNull();
    expect(callerIdentityOf(null)).toBeNull();
  });
});

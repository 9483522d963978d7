import { describe, expect, it } from "vitest";
import { identityRegisterPayload, identityRevokePayload } from "./identity.js";

const key = new Uint8Array(32).fill(9);

describe("identity payloads", () => {
  it("takes a registration with distinct known roles", () => {
    const payload = { key, org: "st-mary", roles: ["clinician", "staff"] };
    expect(identityRegisterPayload.check(payload)).toBe(payload);
  });

  it("refuses repeated roles, unknown roles, no roles, and extra fields with TX_PAYLOAD_INVALID", () => {
    const refused = [
      { key, org: "st-mary", roles: ["clinician", "staff", "clinician"] },
      { key, org: "st-mary", roles: ["surgeon"] },
      { key, org: "st-mary", roles: [] },
      { key, org: "st-mary", roles: ["staff"], extra: 1 },
      { key: key.subarray(1), org: "st-mary", roles: ["staff"] },
    ];
    for (const payload of refused) {
      expect(() => identityRegisterPayload.check(payload)).toThrow(
        expect.objectContaining({ code: "TX_PAYLOAD_INVALID" }),
      );
    }
    expect(() =>
      identityRegisterPayload.check({ key, org: "st-mary", roles: ["staff", "staff"] }),
    ).toThrow(/unique/);
  });

  it("keeps uniqueItems in the published schema", () => {
    expect(identityRegisterPayload.schema.properties.roles.uniqueItems).toBe(true);
    expect(identityRevokePayload.check({ key })).toEqual({ key });
  });
});

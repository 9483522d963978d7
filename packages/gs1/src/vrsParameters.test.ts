import { describe, expect, it } from "vitest";
import { isVerificationLinkType, splitVrsParameters } from "./vrsParameters.js";

describe("VRS request parameters (NOTES 4.1)", () => {
  it("knows the verification link type in both vocabularies", () => {
    expect(isVerificationLinkType("verificationService")).toBe(true);
    expect(isVerificationLinkType("gs1:verificationService")).toBe(true);
    expect(isVerificationLinkType("gs1:pip")).toBe(false);
    expect(isVerificationLinkType(undefined)).toBe(false);
  });

  it("splits the request's parameters from the rest, which pass through in order", () => {
    expect(
      splitVrsParameters([
        { name: "telephone", value: "+1 555" },
        { name: "ctrlPossessAtt", value: "false" },
        { name: "reqGLN", value: "0614141000005" },
        { name: "flag", value: null },
      ]),
    ).toEqual({
      ok: true,
      value: {
        vrs: { ctrlPossessAtt: false, reqGLN: "0614141000005" },
        otherQuery: [
          { name: "telephone", value: "+1 555" },
          { name: "flag", value: null },
        ],
      },
    });
  });

  it("refuses a bare request parameter and an overlong link type", () => {
    expect(splitVrsParameters([{ name: "corrUUID", value: null }])).toMatchObject({
      error: { code: "VRS_PARAMETER_INVALID" },
    });
    expect(splitVrsParameters([{ name: "linkType", value: "x".repeat(129) }])).toMatchObject({
      error: { code: "VRS_PARAMETER_INVALID" },
    });
    expect(splitVrsParameters([{ name: "linkType", value: "x".repeat(128) }]).ok).toBe(true);
  });
});

import { FHIR_ERROR_SYSTEM } from "@careledger/protocol";
import { describe, expect, it } from "vitest";
import { errorFromResponse } from "./errors.js";

const outcome = (system: string, code: string) =>
  JSON.stringify({
    resourceType: "OperationOutcome",
    issue: [
      {
        severity: "error",
        code: "forbidden",
        diagnostics: "not yours",
        details: { coding: [{ system, code }], text: "not yours" },
      },
    ],
  });

describe("errors from a node's answer", () => {
  it("reads the code of our error shape and of a FHIR OperationOutcome alike", () => {
    const plain = JSON.stringify({
      error: { code: "FORBIDDEN", message: "not yours", details: {} },
    });
    for (const body of [plain, outcome(FHIR_ERROR_SYSTEM, "FORBIDDEN")]) {
      expect(errorFromResponse(403, body)).toMatchObject({
        code: "FORBIDDEN",
        message: "not yours",
        details: { httpStatus: 403 },
      });
    }
  });

  it("takes an OperationOutcome without our coding for a bad response", () => {
    expect(errorFromResponse(403, outcome("http://example.org", "FORBIDDEN"))).toMatchObject({
      code: "INTERNAL",
      details: { reason: "bad-response", httpStatus: 403 },
    });
  });
});

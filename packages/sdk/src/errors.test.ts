import { FHIR_ERROR_SYSTEM } from "@careledger/protocol";
import { describe, expect, it } from "vitest";
import { errorFromResponse, transportError } from "./errors.js";

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

describe("errors of a request that got no answer", () => {
  const fetchFailure = (code: string) =>
    new TypeError("fetch failed", { cause: Object.assign(new Error(code), { code }) });

  it("are tls, with the code, for an untrusted certificate or a TLS alert, and network otherwise", () => {
    for (const code of [
      "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
      "CERT_HAS_EXPIRED",
      "ERR_TLS_CERT_ALTNAME_INVALID",
      "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED",
    ]) {
      expect(transportError("GET /v1/status", fetchFailure(code))).toMatchObject({
        code: "INTERNAL",
        details: { reason: "tls", tlsCode: code },
      });
    }
    for (const error of [fetchFailure("ECONNREFUSED"), fetchFailure("UND_ERR_SOCKET"), "down"]) {
      const mapped = transportError("GET /v1/status", error);
      expect(mapped.details).toEqual({ reason: "network" });
      expect(mapped.message).toMatch(/^GET \/v1\/status: /);
    }
  });
});

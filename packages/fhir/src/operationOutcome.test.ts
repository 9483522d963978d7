import { ERROR_CODES, type ErrorCode } from "@careledger/protocol";
import { describe, expect, it } from "vitest";
import { issueTypeOf, operationOutcome } from "./operationOutcome.js";
import { r4Problems } from "./r4Schema.testkit.js";

describe("operationOutcome", () => {
  it("carries our code in issue.details under urn:careledger:error, and it validates", () => {
    const outcome = operationOutcome("CONSENT_NOT_FOUND", "no consent 00ff");
    expect(r4Problems(outcome)).toEqual([]);
    expect(outcome).toEqual({
      resourceType: "OperationOutcome",
      issue: [
        {
          severity: "error",
          code: "not-found",
          details: {
            coding: [
              {
                system: "urn:careledger:error",
                code: "CONSENT_NOT_FOUND",
                display: ERROR_CODES.CONSENT_NOT_FOUND.message,
              },
            ],
            text: "no consent 00ff",
          },
        },
      ],
    });
  });

  it("keeps a server fault's own message out, like the api's error model", () => {
    const outcome = operationOutcome("INTERNAL", "state key consent/ab12 unreadable");
    expect(outcome.issue[0]?.details?.text).toBe(ERROR_CODES.INTERNAL.message);
    expect(outcome.issue[0]?.code).toBe("exception");
  });

  it("renders every registry code with an issue type, and each validates", () => {
    for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
      expect(r4Problems(operationOutcome(code)), code).toEqual([]);
    }
    expect(issueTypeOf("FORBIDDEN")).toBe("forbidden");
    expect(issueTypeOf("RECORD_FORGOTTEN")).toBe("deleted");
    expect(issueTypeOf("ACCESS_EXPIRED")).toBe("expired");
    expect(issueTypeOf("REQUEST_UNSIGNED")).toBe("login");
    expect(issueTypeOf("RATE_LIMITED")).toBe("throttled");
    expect(issueTypeOf("NOT_READY")).toBe("transient");
  });
});

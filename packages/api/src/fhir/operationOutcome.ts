import { ERROR_CODES, type ErrorCode, FHIR_BASE, FHIR_ERROR_SYSTEM } from "@careledger/protocol";
import { type Static, Type } from "@sinclair/typebox";

export const FHIR_JSON = "application/fhir+json";

/** Whether a request's URL is under the FHIR base, where every answer is FHIR. */
export function isFhirUrl(url: string): boolean {
  return url === FHIR_BASE || url.startsWith(`${FHIR_BASE}/`) || url.startsWith(`${FHIR_BASE}?`);
}

/**
 * An error as FHIR answers one (R4 OperationOutcome): one issue, severity `error`, its FHIR
 * IssueType from the status (`issueTypeOf`), our registry code in `details.coding[0]`
 * (system FHIR_ERROR_SYSTEM) so SDKs read the codes they read everywhere else.
 */
export const OperationOutcomeSchema = Type.Object(
  {
    resourceType: Type.Literal("OperationOutcome"),
    issue: Type.Array(
      Type.Object(
        {
          severity: Type.Literal("error"),
          code: Type.String({ description: "FHIR IssueType" }),
          diagnostics: Type.String(),
          details: Type.Object(
            {
              coding: Type.Array(
                Type.Object(
                  {
                    system: Type.Literal(FHIR_ERROR_SYSTEM),
                    code: Type.String({ description: "the CareLedger error code" }),
                  },
                  { additionalProperties: false },
                ),
                { minItems: 1, maxItems: 1 },
              ),
              text: Type.String(),
            },
            { additionalProperties: false },
          ),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 1 },
    ),
  },
  {
    additionalProperties: false,
    description: `an OperationOutcome; issue[0].details.coding[0].code is the error code (${FHIR_ERROR_SYSTEM})`,
  },
);
export type OperationOutcome = Static<typeof OperationOutcomeSchema>;

/** FHIR IssueType (http://hl7.org/fhir/issue-type) of an HTTP error status. */
const ISSUE_TYPE_BY_STATUS: Readonly<Record<number, string>> = {
  400: "invalid",
  401: "security",
  403: "forbidden",
  404: "not-found",
  409: "conflict",
  410: "deleted",
  413: "too-long",
  415: "not-supported",
  429: "throttled",
  503: "transient",
};

/** The IssueType of one of our codes: `login` when no signature came, else by its status. */
export function issueTypeOf(code: ErrorCode, status: number): string {
  if (code === "REQUEST_UNSIGNED") return "login";
  if (code === "TX_DUPLICATE" || code === "ALREADY_EXISTS") return "duplicate";
  return ISSUE_TYPE_BY_STATUS[status] ?? (status >= 500 ? "exception" : "invalid");
}

export function operationOutcome(
  code: ErrorCode,
  status: number,
  message: string,
): OperationOutcome {
  const text = message === "" ? ERROR_CODES[code].message : message;
  return {
    resourceType: "OperationOutcome",
    issue: [
      {
        severity: "error",
        code: issueTypeOf(code, status),
        diagnostics: text,
        details: { coding: [{ system: FHIR_ERROR_SYSTEM, code }], text },
      },
    ],
  };
}

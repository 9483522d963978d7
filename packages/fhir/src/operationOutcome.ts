import { ERROR_CODES, type ErrorCode } from "@careledger/protocol";
import type { OperationOutcome, OperationOutcomeIssue } from "fhir/r4.js";
import { SYSTEM } from "./systems.js";

type IssueType = OperationOutcomeIssue["code"];

/**
 * An error of our registry as a FHIR OperationOutcome: what a FHIR client reads where the rest
 * of the api answers `{error: {code, message, details}}`. The registry code is the issue's
 * `details` coding (system `urn:careledger:error`), the HTTP status stays the registry's. A
 * server fault (5xx) carries the registry's fixed text only, never `message`: as in the api's
 * own error model, that text can name internal state and goes to the node's log.
 */
export function operationOutcome(code: ErrorCode, message?: string): OperationOutcome {
  const { status, message: fixed } = ERROR_CODES[code];
  const text = status >= 500 || message === undefined ? fixed : message;
  return {
    resourceType: "OperationOutcome",
    issue: [
      {
        severity: "error",
        code: issueTypeOf(code),
        details: { coding: [{ system: SYSTEM.error, code, display: fixed }], text },
      },
    ],
  };
}

/** Codes whose FHIR issue type is more precise than their HTTP status says. */
const ISSUE_TYPE_OF_CODE: Partial<Record<ErrorCode, IssueType>> = {
  TX_DUPLICATE: "duplicate",
  ALREADY_EXISTS: "duplicate",
  REQUEST_REPLAYED: "duplicate",
  TX_EXPIRED: "expired",
  REQUEST_EXPIRED: "expired",
  ACCESS_EXPIRED: "expired",
  REQUEST_BAD_SIGNATURE: "security",
  REQUEST_WRONG_NODE: "security",
  REQUEST_TIMEOUT: "timeout",
  RECORD_TAMPERED: "exception",
};

const ISSUE_TYPE_OF_STATUS: Readonly<Record<number, IssueType>> = {
  400: "invalid",
  401: "login",
  403: "forbidden",
  404: "not-found",
  409: "conflict",
  410: "deleted",
  413: "too-long",
  415: "not-supported",
  429: "throttled",
  500: "exception",
  503: "transient",
};

/** The FHIR issue type of a registry code: by code where one fits better, else by status. */
export function issueTypeOf(code: ErrorCode): IssueType {
  return ISSUE_TYPE_OF_CODE[code] ?? ISSUE_TYPE_OF_STATUS[ERROR_CODES[code].status] ?? "processing";
}

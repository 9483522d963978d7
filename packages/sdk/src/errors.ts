import {
  CareLedgerError,
  type ErrorCode,
  FHIR_ERROR_SYSTEM,
  isErrorCode,
} from "@careledger/protocol";

/**
 * Errors the SDK raises itself, when no node answered with a code: the registry has no code for
 * "no answer" or "took too long", so these are INTERNAL with `details.reason` saying which.
 * `tls`: the TLS connection failed (a node certificate the client does not trust, a handshake
 * that failed), with Node's or OpenSSL's code in `details.tlsCode`.
 */
export type LocalFailure = "timeout" | "aborted" | "network" | "bad-response" | "tls";

export function localError(
  reason: LocalFailure,
  message: string,
  details: Record<string, unknown> = {},
): CareLedgerError {
  return new CareLedgerError("INTERNAL", message, { ...details, reason });
}

/**
 * Node's names for a certificate that does not verify (OpenSSL's X509_V_ERR_* without the
 * prefix); with the `ERR_SSL_`/`ERR_TLS_` codes of failed handshakes and TLS alerts, what makes a
 * failure `tls`.
 */
const CERTIFICATE_CODES = new Set([
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_DECRYPT_CERT_SIGNATURE",
  "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY",
  "CERT_SIGNATURE_FAILURE",
  "CERT_NOT_YET_VALID",
  "CERT_HAS_EXPIRED",
  "ERROR_IN_CERT_NOT_BEFORE_FIELD",
  "ERROR_IN_CERT_NOT_AFTER_FIELD",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "CERT_CHAIN_TOO_LONG",
  "CERT_REVOKED",
  "INVALID_CA",
  "PATH_LENGTH_EXCEEDED",
  "INVALID_PURPOSE",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "HOSTNAME_MISMATCH",
]);

/** The TLS code of a failed fetch (Node's fetch puts it on `cause`), if TLS is why it failed. */
function tlsCodeOf(error: unknown): string | undefined {
  const code = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  if (typeof code !== "string") return undefined;
  const tls = CERTIFICATE_CODES.has(code) || /^ERR_(SSL|TLS)_/.test(code);
  return tls ? code : undefined;
}

/**
 * What a request that got no answer fails with: `tls` (never retried: trust does not come back
 * by itself) or `network`. Browsers say only "Failed to fetch", so there it is always `network`.
 */
export function transportError(what: string, error: unknown): CareLedgerError {
  // fetch's own errors say little ("fetch failed"); the cause says why (ECONNREFUSED, ...).
  const text =
    error instanceof Error && error.cause !== undefined
      ? `${error.message} (${String(error.cause)})`
      : String(error);
  const tlsCode = tlsCodeOf(error);
  if (tlsCode !== undefined) return localError("tls", `${what}: TLS: ${text}`, { tlsCode });
  return localError("network", `${what}: ${text}`);
}

/** True for an error the SDK raised because the wait or request ran out of time. */
export function isTimeout(error: unknown): boolean {
  return error instanceof CareLedgerError && error.details.reason === "timeout";
}

/**
 * A code from a node's answer or a receipt, as a registry code: one this SDK does not know (a
 * newer node) becomes INTERNAL, and the original stays in `details.originalCode`.
 */
export function errorWithCode(
  code: unknown,
  message: string,
  details: Record<string, unknown>,
): CareLedgerError {
  if (typeof code === "string" && isErrorCode(code)) {
    return new CareLedgerError(code as ErrorCode, message, details);
  }
  return new CareLedgerError("INTERNAL", message, { ...details, originalCode: code });
}

/** Longest piece of an unparseable body kept in an error's details. */
const BODY_EXCERPT_CHARS = 200;

/**
 * The error a FHIR OperationOutcome carries (what the node answers under `/fhir/R4`): our code in
 * `issue[0].details.coding[0]` of system FHIR_ERROR_SYSTEM, the message in `diagnostics`.
 */
function operationOutcomeError(parsed: unknown): { code: unknown; message: unknown } | undefined {
  const outcome = parsed as {
    resourceType?: unknown;
    issue?: Array<{ diagnostics?: unknown; details?: { coding?: unknown } }>;
  } | null;
  if (outcome?.resourceType !== "OperationOutcome" || !Array.isArray(outcome.issue)) return;
  const issue = outcome.issue[0];
  const codings = issue?.details?.coding;
  if (!Array.isArray(codings)) return;
  const ours = codings.find((coding) => coding?.system === FHIR_ERROR_SYSTEM);
  if (ours === undefined) return;
  return { code: ours.code, message: issue?.diagnostics };
}

/**
 * Turns a non-2xx answer, `{error: {code, message, details}}` or (FHIR routes) an
 * OperationOutcome, into a CareLedgerError; `attempts` (when the request was retried) lets a
 * caller tell its own earlier success from a real conflict.
 */
export function errorFromResponse(status: number, bodyText: string, attempts = 1): CareLedgerError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText);
  } catch {
    parsed = undefined;
  }
  const error = (parsed as { error?: unknown } | undefined)?.error ?? operationOutcomeError(parsed);
  if (typeof error !== "object" || error === null) {
    return localError("bad-response", `HTTP ${status} without an error body`, {
      httpStatus: status,
      attempts,
      body: bodyText.slice(0, BODY_EXCERPT_CHARS),
    });
  }
  const { code, message, details } = error as Record<string, unknown>;
  const detailRecord =
    typeof details === "object" && details !== null && !Array.isArray(details)
      ? (details as Record<string, unknown>)
      : {};
  return errorWithCode(code, typeof message === "string" ? message : `HTTP ${status}`, {
    ...detailRecord,
    httpStatus: status,
    attempts,
  });
}

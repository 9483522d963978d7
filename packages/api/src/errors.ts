import { CareLedgerError, ERROR_CODES, type ErrorCode } from "@careledger/protocol";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { FHIR_JSON, isFhirUrl, operationOutcome } from "./fhir/operationOutcome.js";

/** Fastify's own errors, mapped to registry codes so every answer has the one error shape. */
function codeOfFastifyError(error: FastifyError): { code: ErrorCode; status: number } {
  if (error.validation !== undefined) return { code: "BAD_REQUEST", status: 400 };
  switch (error.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return { code: "ENCODING_TOO_LARGE", status: 413 };
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return { code: "UNSUPPORTED_MEDIA_TYPE", status: 415 };
    case "FST_ERR_MAX_PARAM_LENGTH":
    case "FST_ERR_BAD_URL":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return { code: "BAD_REQUEST", status: 400 };
    default:
      break;
  }
  if (error.statusCode === 429) return { code: "RATE_LIMITED", status: 429 };
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return { code: "BAD_REQUEST", status: error.statusCode };
  }
  return { code: "INTERNAL", status: 500 };
}

/**
 * Sends an error in the one shape, `{error: {code, message, details}}`; under the FHIR base an
 * OperationOutcome carrying the same code instead (a FHIR client reads no other shape).
 */
export function sendError(
  reply: FastifyReply,
  code: ErrorCode,
  status: number,
  message: string,
  details: Record<string, unknown> = {},
): FastifyReply {
  if (isFhirUrl(reply.request.url)) {
    return reply
      .status(status)
      .type(FHIR_JSON)
      .send(operationOutcome(code, status, message));
  }
  return reply.status(status).send({ error: { code, message, details } });
}

/**
 * Most of an oversized body read and dropped before its 413 goes out. A client that writes the
 * whole body before it reads (most do) gets a reset connection, not the coded answer, when the
 * server closes with unread bytes; past this many bytes the server closes anyway.
 */
export const OVERSIZED_BODY_DRAIN_BYTES_MAX = 64 * 1024 * 1024;

/** Resolves once the rest of the request body is read and dropped, or past the drain bound. */
function drainBody(request: FastifyRequest): Promise<void> {
  const raw = request.raw;
  if (raw.complete || raw.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let drained = 0;
    const done = () => {
      raw.off("data", onData);
      raw.off("end", done);
      raw.off("error", done);
      raw.off("close", done);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      drained += chunk.byteLength;
      if (drained > OVERSIZED_BODY_DRAIN_BYTES_MAX) done();
    };
    raw.on("data", onData);
    raw.once("end", done);
    raw.once("error", done);
    raw.once("close", done);
    raw.resume();
  });
}

/** Seconds to wait before a retry, as the error says or one. */
export function retryAfterOf(error: CareLedgerError): number {
  const seconds = error.details.retryAfterS;
  return typeof seconds === "number" ? seconds : 1;
}

/** One JSON error shape for everything: `{error: {code, message, details}}` (FHIR: sendError). */
export async function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof CareLedgerError) {
    // Shed load tells the client when to come back (the SDK honours Retry-After).
    if (error.status === 503) reply.header("retry-after", String(retryAfterOf(error)));
    if (error.status === 500) {
      // A fault of this node or a module (STATE_KEY_FORBIDDEN, RESULT_INVALID, ...): its text
      // names internal state keys and indexes, so the client gets the code's fixed message only.
      request.log.error({ err: error }, "request failed");
      return sendError(reply, error.code, error.status, ERROR_CODES[error.code].message);
    }
    return sendError(reply, error.code, error.status, error.message, { ...error.details });
  }
  const fastifyError = error as FastifyError;
  const { code, status } = codeOfFastifyError(fastifyError);
  if (fastifyError.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
    await drainBody(request);
    // The connection carries no more requests: what is left of a body past the bound is unread.
    reply.header("connection", "close");
  }
  if (status >= 500) request.log.error({ err: error }, "request failed");
  const message = status >= 500 ? ERROR_CODES.INTERNAL.message : fastifyError.message;
  return sendError(reply, code, status, message);
}

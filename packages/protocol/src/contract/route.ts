import { type TObject, type TSchema, Type } from "@sinclair/typebox";
import { ERROR_CODES, type ErrorCode } from "../errors.js";
import { SIGNATURE_BYTES } from "../keys.js";
import {
  REQUEST_KEY_HEADER,
  REQUEST_SIGNATURE_HEADER,
  REQUEST_TIME_HEADER,
  REQUEST_WINDOW_MS,
} from "../request.js";
import { HexOf, PublicKeyHex } from "./responses.js";

/**
 * What one HTTP route is, said once: the api derives its fastify schema and the OpenAPI document
 * from it, and the SDK checks answers against its response schemas. Browser-safe (TypeBox only).
 */
export interface RouteResponse {
  readonly description: string;
  /** JSON body; absent when `contentType` names another format. */
  readonly schema?: TSchema;
  /** Set for a non-JSON answer (Prometheus text, an event stream); the schema is then a string. */
  readonly contentType?: string;
}

export interface RouteContract {
  readonly method: "GET" | "POST";
  /** fastify syntax: `/v1/blocks/:height`. */
  readonly path: string;
  /** Unique, stable: clients generated from the OpenAPI document name their methods after it. */
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly params?: TObject;
  /** An object of optional fields, or a free-form map of string values (a module query's). */
  readonly querystring?: TSchema;
  /** Body schema by content type; `BinaryBody` for raw bytes. */
  readonly body?: Readonly<Record<string, TSchema>>;
  /** Success answers by status. */
  readonly responses: Readonly<Record<number, RouteResponse>>;
  /** Codes it may answer with, beside `COMMON_ERRORS`; statuses come from `ERROR_CODES`. */
  readonly errors: readonly ErrorCode[];
  /** True when the caller must sign the request (headers of protocol `request.ts`). */
  readonly signed?: boolean;
}

/**
 * Codes any route may answer: the per-client rate limit, an unexpected failure, and a node's
 * refusal of a client without a certificate its member CA issued (only where the API asks).
 */
export const COMMON_ERRORS = [
  "RATE_LIMITED",
  "INTERNAL",
  "CLIENT_CERT_REQUIRED",
] as const satisfies readonly ErrorCode[];
/** Codes of a route the api sheds under overload (all but probes and streams). */
export const SHED_ERRORS = [
  "OVERLOADED",
  "REQUEST_TIMEOUT",
] as const satisfies readonly ErrorCode[];
/** Codes of a signed request's checks. */
export const SIGNED_REQUEST_ERRORS = [
  "REQUEST_UNSIGNED",
  "REQUEST_BAD_SIGNATURE",
  "REQUEST_EXPIRED",
  "REQUEST_REPLAYED",
  "FORBIDDEN",
] as const satisfies readonly ErrorCode[];

/** The headers of a signed request (`signed: true`), checked by the api's authenticator. */
export const SignedRequestHeaders = Type.Object({
  [REQUEST_KEY_HEADER]: PublicKeyHex,
  [REQUEST_TIME_HEADER]: Type.String({
    pattern: "^[0-9]{1,15}$",
    description: `when it was signed, ms since 1970, within ${REQUEST_WINDOW_MS} ms of the node's clock`,
  }),
  [REQUEST_SIGNATURE_HEADER]: HexOf(
    SIGNATURE_BYTES,
    "Ed25519 signature over protocol requestSigningBytes(chainId, method, path, body, time)",
  ),
});

/** Raw bytes in a body (`application/msgpack`): checked by the route, not by a JSON schema. */
export function BinaryBody(bytesMax: number, description: string) {
  return Type.Unsafe<Uint8Array>({
    type: "string",
    format: "binary",
    maxLength: bytesMax,
    description,
  });
}

export function isBinarySchema(schema: TSchema): boolean {
  return schema.type === "string" && schema.format === "binary";
}

/** Keeps a route's literal type, so handlers and the SDK see its exact schemas. */
export function defineRoute<const R extends RouteContract>(route: R): R {
  return route;
}

/** The codes a route may answer, grouped by HTTP status, each list sorted. */
export function errorsByStatus(route: RouteContract): Map<number, ErrorCode[]> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set([...route.errors, ...COMMON_ERRORS])) {
    const { status } = ERROR_CODES[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code].sort());
  }
  return byStatus;
}

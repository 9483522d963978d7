import {
  type COMMON_ERRORS,
  ERROR_CODES,
  type ErrorCode,
  ErrorResponse,
  errorsByStatus,
  isBinarySchema,
  type RouteContract,
} from "@careledger/protocol";
import { type TSchema, type TString, Type } from "@sinclair/typebox";

/**
 * The success schemas of a route, by status, as the type provider reads them: a handler's return
 * is checked against them. A non-JSON answer (Prometheus text) is a string.
 */
type SuccessSchemas<R extends RouteContract> = {
  [S in keyof R["responses"]]: R["responses"][S] extends {
    readonly schema: infer T extends TSchema;
  }
    ? T
    : TString;
};

/** The statuses of the codes a route may answer, each with the one error shape. */
type ErrorSchemas<R extends RouteContract> = {
  [S in (typeof ERROR_CODES)[
    | R["errors"][number]
    | (typeof COMMON_ERRORS)[number]]["status"]]: typeof ErrorResponse;
};

/** One JSON body: typed for the handler. Several content types: the handler reads the body. */
type BodySchema<R extends RouteContract> = R["body"] extends {
  readonly "application/json": infer B;
}
  ? keyof R["body"] extends "application/json"
    ? B
    : unknown
  : undefined;

/** fastify's `schema` option for a contract route, with its parts typed for the handler. */
export interface ContractSchema<R extends RouteContract> {
  readonly operationId: string;
  readonly summary: string;
  readonly tags: readonly string[];
  readonly description?: string;
  readonly params: R["params"];
  readonly querystring: R["querystring"];
  readonly body: BodySchema<R>;
  readonly response: SuccessSchemas<R> & ErrorSchemas<R>;
}

/** The error shape with the codes a route answers at one status, listed with their meaning. */
export function errorResponseSchema(codes: readonly ErrorCode[]): TSchema {
  const { error } = ErrorResponse.properties;
  return Type.Object(
    {
      error: Type.Object(
        {
          ...error.properties,
          code: Type.Unsafe<ErrorCode>({ type: "string", enum: [...codes] }),
        },
        { additionalProperties: false },
      ),
    },
    {
      additionalProperties: false,
      description: codes.map((code) => `${code}: ${ERROR_CODES[code].message}`).join("; "),
    },
  );
}

function successResponse(answer: RouteContract["responses"][number]): unknown {
  if (answer.contentType !== undefined) {
    return {
      description: answer.description,
      content: { [answer.contentType]: { schema: { type: "string" } } },
    };
  }
  return { ...answer.schema, description: answer.description };
}

/**
 * JSON bodies go to fastify's validator; raw bytes (`BinaryBody`) are bounded by the body limit
 * and checked by the route, and appear only in the OpenAPI document (openapi.ts).
 */
function bodyOf(body: Readonly<Record<string, TSchema>>): unknown {
  const json = body["application/json"];
  if (json !== undefined && Object.keys(body).length === 1) return json;
  const content: Record<string, { schema: TSchema }> = {};
  for (const [type, schema] of Object.entries(body)) {
    if (!isBinarySchema(schema)) content[type] = { schema };
  }
  return { content };
}

/** fastify's `schema` option from a contract entry: validation, serialization and docs at once. */
export function routeSchema<const R extends RouteContract>(route: R): ContractSchema<R> {
  const response: Record<number, unknown> = {};
  for (const [status, answer] of Object.entries(route.responses)) {
    response[Number(status)] = successResponse(answer);
  }
  for (const [status, codes] of errorsByStatus(route))
    response[status] = errorResponseSchema(codes);
  // Absent parts stay absent: fastify warns about a part present but undefined.
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: route.tags,
    ...(route.description !== undefined && { description: route.description }),
    ...(route.params !== undefined && { params: route.params }),
    ...(route.querystring !== undefined && { querystring: route.querystring }),
    ...(route.body !== undefined && { body: bodyOf(route.body) }),
    response,
  } as ContractSchema<R>;
}

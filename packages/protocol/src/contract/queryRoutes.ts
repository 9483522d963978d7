import { type Static, type TObject, Type } from "@sinclair/typebox";
import type { ErrorCode } from "../errors.js";
import { type JsonOf, jsonSchemaOf } from "./jsonSchema.js";
import { QUERIES, type QueryName } from "./queries.js";
import {
  describeAccess,
  QUERY_PAGE_ITEMS_DEFAULT,
  QUERY_PAGE_ITEMS_MAX,
  type QueryContract,
} from "./queryContract.js";
import { type RouteContract, SHED_ERRORS, SIGNED_REQUEST_ERRORS } from "./route.js";

/** A query's parameters as a caller passes them (the contract's query-string schema). */
export type QueryParams<N extends QueryName> = Static<(typeof QUERIES)[N]["params"]>;
/** A query's result in canonical terms (bytes, bigints), as the node computes it. */
export type QueryResult<N extends QueryName> = Static<(typeof QUERIES)[N]["result"]>;
/** A query's result as the API answers it: bytes as hex, bigints as decimal strings. */
export type QueryResultJson<N extends QueryName> = JsonOf<QueryResult<N>>;

/** A query as its own HTTP operation: `GET /v1/query/<name>`, described from its contract. */
export interface QueryRoute extends RouteContract {
  readonly query: QueryContract;
  readonly querystring: TObject;
  readonly responses: { readonly 200: { readonly description: string; readonly schema: TObject } };
}

/** The JSON answer of a query: `{name, result}`, the result's schema derived from the contract's. */
export function queryAnswerSchema(contract: QueryContract) {
  return Type.Object(
    { name: Type.Literal(contract.name), result: jsonSchemaOf(contract.result) },
    { additionalProperties: false },
  );
}

/** `identity.key` -> `queryIdentityKey`: a stable operation id for generated clients. */
function operationIdOf(name: string): string {
  const words = name.split(".").map((word) => word.charAt(0).toUpperCase() + word.slice(1));
  return `query${words.join("")}`;
}

const PAGING =
  ` Paged: at most \`limit\` items (default ${QUERY_PAGE_ITEMS_DEFAULT}, ` +
  `at most ${QUERY_PAGE_ITEMS_MAX}) in \`items\`; pass \`next\` back as \`cursor\` to resume, ` +
  "null means the end.";

/**
 * The operation of one query. `signed` is set unless a rule is public; a public query still
 * verifies headers a caller chose to send, so their failures stay possible.
 */
export function queryRouteOf(contract: QueryContract): QueryRoute {
  const signed = !contract.access.some((rule) => rule.rule === "public");
  const requestErrors: readonly ErrorCode[] = signed
    ? SIGNED_REQUEST_ERRORS
    : SIGNED_REQUEST_ERRORS.filter((code) => code !== "REQUEST_UNSIGNED" && code !== "FORBIDDEN");
  return {
    method: "GET",
    path: `/v1/query/${contract.name}`,
    operationId: operationIdOf(contract.name),
    summary: contract.summary,
    description:
      `Who may run it: ${describeAccess(contract.access)}.${contract.paged ? PAGING : ""} ` +
      "Bytes are lowercase hex, big integers decimal strings. The same as " +
      `\`GET /v1/query/{name}\` with name \`${contract.name}\`.`,
    tags: ["queries"],
    querystring: contract.params as TObject,
    responses: { 200: { description: "the query's result", schema: queryAnswerSchema(contract) } },
    errors: [...SHED_ERRORS, ...requestErrors, "BAD_REQUEST", "NOT_FOUND"],
    signed,
    query: contract,
  };
}

/** Every built-in query's operation, by name. */
export const QUERY_ROUTES: Readonly<Record<QueryName, QueryRoute>> = Object.fromEntries(
  Object.values(QUERIES).map((contract: QueryContract) => [contract.name, queryRouteOf(contract)]),
) as Record<QueryName, QueryRoute>;
